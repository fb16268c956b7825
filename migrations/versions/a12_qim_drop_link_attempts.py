"""qim: link-guessing log replaced by monitor.ratelimit counters

The stakeholder links now throttle guessing with the atomic counters of
``rate_limit_counters`` (ops branch, 0500; init-db upgrades every head): counting rows in
``qim_link_attempts`` let simultaneous guesses all pass the limit (issue 12).

Revision ID: a12_qim_ratelimit
Revises: 0200
Create Date: 2026-12-01 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a12_qim_ratelimit'
down_revision = '0200'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('qim_link_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qim_link_attempts_created_at'))
        batch_op.drop_index(batch_op.f('ix_qim_link_attempts_address_hash'))

    op.drop_table('qim_link_attempts')


def downgrade():
    op.create_table('qim_link_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qim_link_attempts'))
    )
    with op.batch_alter_table('qim_link_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qim_link_attempts_address_hash'), ['address_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_qim_link_attempts_created_at'), ['created_at'], unique=False)
