"""readers report a published story ("melden") to its moderators (issue 19 §5)

Revision ID: r19_narr_story_reports
Revises: r19_narr_trusted_locations
Create Date: 2026-12-02 05:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'r19_narr_story_reports'
down_revision = 'r19_narr_trusted_locations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'story_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('story_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Enum('privacy', 'kwetsend', 'over_mij', 'onjuist', 'anders', name='reportreason',
                                    native_enum=False, length=20), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('contact_email', sa.String(length=320), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('handled_at', sa.DateTime(), nullable=True),
        sa.Column('handled_by_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], name=op.f('fk_story_reports_handled_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_story_reports_story_id_stories'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_story_reports')),
    )
    with op.batch_alter_table('story_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_reports_handled_at'), ['handled_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_story_reports_story_id'), ['story_id'], unique=False)


def downgrade():
    with op.batch_alter_table('story_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_reports_story_id'))
        batch_op.drop_index(batch_op.f('ix_story_reports_handled_at'))
    op.drop_table('story_reports')
