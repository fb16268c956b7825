"""installation: the gemeente's name, short name, theme and logo (issue 15)

Revision ID: o15_installation
Revises: 0003
Create Date: 2026-12-02 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'o15_installation'
down_revision = '0003'
branch_labels = ('installation',)
depends_on = None


def upgrade():
    op.create_table('installation_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_name', sa.String(length=100), nullable=False),
    sa.Column('short_name', sa.String(length=40), nullable=False),
    sa.Column('municipality_code', sa.String(length=6), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.Column('logo_key', sa.String(length=200), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_installation_settings'))
    )


def downgrade():
    op.drop_table('installation_settings')
