"""story_media: recordings (sound, film) of stories, with transcript, captions, consent (issue 19)

Revision ID: m19_narr_story_media
Revises: r19_narr_story_reports
Create Date: 2026-12-02 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm19_narr_story_media'
down_revision = 'r19_narr_story_reports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'story_media',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('story_id', sa.Integer(), nullable=False),
        sa.Column('file_key', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('status', sa.Enum('wacht', 'klaar', 'mislukt', name='mediastatus', native_enum=False, length=10), nullable=False),
        sa.Column('error', sa.String(length=300), nullable=False),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('has_speech', sa.Boolean(), nullable=False),
        sa.Column('transcript', sa.Text(), nullable=False),
        sa.Column('captions', sa.Text(), nullable=False),
        sa.Column('recognisable_people', sa.Boolean(), nullable=False),
        sa.Column('people_consent', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['story_id'], ['stories.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('file_key'),
    )
    with op.batch_alter_table('story_media') as batch_op:
        batch_op.create_index(batch_op.f('ix_story_media_story_id'), ['story_id'], unique=False)


def downgrade():
    with op.batch_alter_table('story_media') as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_media_story_id'))
    op.drop_table('story_media')
