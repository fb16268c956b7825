"""stories a buurtcoördinator marked "uitgelicht voor de raad"

Revision ID: f14_narr_featured
Revises: n17_narr_resident_email
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f14_narr_featured'
down_revision = 'n17_narr_resident_email'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('featured_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('featured_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_stories_featured_by_id_users'), 'users', ['featured_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_stories_featured_by_id_users'), type_='foreignkey')
        batch_op.drop_column('featured_by_id')
        batch_op.drop_column('featured_at')
