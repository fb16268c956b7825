"""the teller of a story staff wrote down confirms it through the private link (issue 14)

Revision ID: a14_narr_teller_confirmation
Revises: a12_narr_ratelimit
Create Date: 2026-12-10 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a14_narr_teller_confirmation'
down_revision = 'a12_narr_ratelimit'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('teller_confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('teller_confirmed_digest', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_column('teller_confirmed_digest')
        batch_op.drop_column('teller_confirmed_at')
