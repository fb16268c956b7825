"""counts: planned hours per wijk for organisations whose budget is per wijk (issue 18)

Revision ID: p18_counts_planned_wijk
Revises: w18_counts_werkgebied
Create Date: 2026-12-02 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'p18_counts_planned_wijk'
down_revision = 'w18_counts_werkgebied'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('count_planned_wijk_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('wijk_id', sa.Integer(), nullable=False),
    sa.Column('specialism_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('hours_per_week', sa.Numeric(precision=7, scale=1), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_count_planned_wijk_hours_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['specialism_id'], ['specialisms.id'], name=op.f('fk_count_planned_wijk_hours_specialism_id_specialisms')),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijken.id'], name=op.f('fk_count_planned_wijk_hours_wijk_id_wijken')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_count_planned_wijk_hours')),
    sa.UniqueConstraint('organisation_id', 'wijk_id', 'specialism_id', 'year', name=op.f('uq_count_planned_wijk_hours_organisation_id_wijk_id_specialism_id_year'))
    )
    op.create_index(op.f('ix_count_planned_wijk_hours_organisation_id'), 'count_planned_wijk_hours', ['organisation_id'])


def downgrade():
    op.drop_table('count_planned_wijk_hours')
