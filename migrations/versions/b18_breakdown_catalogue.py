"""breakdowns: the beheerder's catalogue of breakdowns and categories, and who is asked

Revision ID: b18_breakdown_catalogue
Revises: b18_breakdowns
Create Date: 2026-12-02 09:00:00.000000

The seeds' four breakdowns are reference data (monitor.counts.breakdowns.seed_defaults).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b18_breakdown_catalogue'
down_revision = 'b18_breakdowns'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('breakdown_dimensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=30), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('question', sa.String(length=300), nullable=False),
    sa.Column('multi', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('asked_of_all', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_breakdown_dimensions')),
    sa.UniqueConstraint('key', name=op.f('uq_breakdown_dimensions_key'))
    )
    op.create_table('breakdown_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dimension_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['dimension_id'], ['breakdown_dimensions.id'], name=op.f('fk_breakdown_categories_dimension_id_breakdown_dimensions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_breakdown_categories')),
    sa.UniqueConstraint('dimension_id', 'code', name=op.f('uq_breakdown_categories_dimension_id_code'))
    )
    op.create_table('breakdown_dimension_organisations',
    sa.Column('dimension_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dimension_id'], ['breakdown_dimensions.id'], name=op.f('fk_breakdown_dimension_organisations_dimension_id_breakdown_dimensions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_breakdown_dimension_organisations_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dimension_id', 'organisation_id', name=op.f('pk_breakdown_dimension_organisations'))
    )


def downgrade():
    op.drop_table('breakdown_dimension_organisations')
    op.drop_table('breakdown_categories')
    op.drop_table('breakdown_dimensions')
