"""users.previous_password_hash: the previous password may not be reused (issue 12)

Revision ID: c12_previous_password_hash
Revises: c12_organisation_wijken
Create Date: 2026-12-01 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c12_previous_password_hash'
down_revision = 'c12_organisation_wijken'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_password_hash', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('previous_password_hash')
