"""stories.resident_email: a resident's optional address for notices about their story (issue 17)

Revision ID: n17_narr_resident_email
Revises: a14_narr_teller_confirmation
Create Date: 2026-12-02 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'n17_narr_resident_email'
down_revision = 'a14_narr_teller_confirmation'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stories') as batch_op:
        batch_op.add_column(sa.Column('resident_email', sa.String(length=320), nullable=True))


def downgrade():
    with op.batch_alter_table('stories') as batch_op:
        batch_op.drop_column('resident_email')
