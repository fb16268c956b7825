"""narratives: per-address submission log replaced by monitor.ratelimit counters

The public story form now counts attempts with the atomic counters of
``rate_limit_counters`` (ops branch, 0500; init-db upgrades every head): counting rows in
``story_submissions`` let simultaneous submissions all pass the limit (issue 12).

Revision ID: a12_narr_ratelimit
Revises: 0401
Create Date: 2026-12-01 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a12_narr_ratelimit'
down_revision = 'e12_narr_photo_keys'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('story_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_submissions_created_at'))
        batch_op.drop_index(batch_op.f('ix_story_submissions_address_hash'))

    op.drop_table('story_submissions')


def downgrade():
    op.create_table('story_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story_submissions'))
    )
    with op.batch_alter_table('story_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_submissions_address_hash'), ['address_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_story_submissions_created_at'), ['created_at'], unique=False)
