"""a removed photo or recording can be restored for a while: soft delete (issue 19 §5)

Revision ID: u19_narr_photo_undo
Revises: m19_narr_story_media
Create Date: 2026-12-02 15:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'u19_narr_photo_undo'
down_revision = 'm19_narr_story_media'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('story_photos', 'story_media'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('deleted_by_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_deleted_by_id_users'), 'users',
                                        ['deleted_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    for table in ('story_media', 'story_photos'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_deleted_by_id_users'), type_='foreignkey')
            batch_op.drop_column('deleted_by_id')
            batch_op.drop_column('deleted_at')
