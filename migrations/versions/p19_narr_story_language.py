"""stories record their language and the visibility the resident consented to

Revision ID: p19_narr_story_language
Revises: f14_narr_featured
Create Date: 2026-12-02 05:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'p19_narr_story_language'
down_revision = 'f14_narr_featured'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=False,
                                      server_default='nl'))
        batch_op.add_column(sa.Column('consented_visibility', sa.Enum('openbaar', 'raad', 'intern', name='visibility', native_enum=False, length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_stories_language'), ['language'], unique=False)


def downgrade():
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stories_language'))
        batch_op.drop_column('consented_visibility')
        batch_op.drop_column('language')
