"""qim_links.reminder_address: kept only when the coordinator chose a reminder (issue 17)

Revision ID: n17_qim_link_address
Revises: a12_qim_ratelimit
Create Date: 2026-12-02 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'n17_qim_link_address'
down_revision = 'a12_qim_ratelimit'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('qim_links') as batch_op:
        batch_op.add_column(sa.Column('reminder_address', sa.String(length=320), nullable=True))


def downgrade():
    with op.batch_alter_table('qim_links') as batch_op:
        batch_op.drop_column('reminder_address')
