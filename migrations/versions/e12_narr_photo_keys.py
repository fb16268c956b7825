"""erased photo keys: a withdrawn or removed photo's URL answers 410 for ever

Revision ID: e12_narr_photo_keys
Revises: 0401
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e12_narr_photo_keys'
down_revision = '0401'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('erased_photo_keys',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('erased_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_erased_photo_keys'))
    )


def downgrade():
    op.drop_table('erased_photo_keys')
