"""counts: werkgebied with dates and city-wide areas; city-wide returns; closing-time companions and "niet geregistreerd" (issue 18)

Revision ID: w18_counts_werkgebied
Revises: 0100
Create Date: 2026-12-02 04:40:00

A dated werkgebied per organisation (``count_work_areas``: a wijk, or the whole city when
``wijk_id`` is empty) and returns without a wijk for city-wide services. Nothing is copied:
an organisation without dated areas keeps reporting for every wijk of its plain werkgebied
(``organisation_wijken``) in every period, as before. The return gains the companions of
"closed within six months" (6–12 months, over a year, still running, waiting list) and the
list of figures the organisation does not register.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'w18_counts_werkgebied'
down_revision = '0100'
branch_labels = None
depends_on = 'c12_organisation_wijken'


def upgrade():
    op.create_table('count_work_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('wijk_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_count_work_areas_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijken.id'], name=op.f('fk_count_work_areas_wijk_id_wijken'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_count_work_areas'))
    )
    with op.batch_alter_table('count_work_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_count_work_areas_organisation_id'), ['organisation_id'], unique=False)
    with op.batch_alter_table('count_returns', schema=None) as batch_op:
        batch_op.alter_column('wijk_id', existing_type=sa.Integer(), nullable=True)
        for column in ('closed_six_to_twelve_months', 'closed_over_a_year', 'running_at_end', 'waiting_list'):
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('not_registered', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.create_index('uq_count_returns_citywide', ['organisation_id', 'period_id'], unique=True,
                              sqlite_where=sa.text('wijk_id IS NULL'), postgresql_where=sa.text('wijk_id IS NULL'))


def downgrade():
    op.execute("DELETE FROM count_returns WHERE wijk_id IS NULL")
    with op.batch_alter_table('count_returns', schema=None) as batch_op:
        batch_op.drop_index('uq_count_returns_citywide')
        for column in ('closed_six_to_twelve_months', 'closed_over_a_year', 'running_at_end', 'waiting_list',
                       'not_registered'):
            batch_op.drop_column(column)
        batch_op.alter_column('wijk_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('count_work_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_count_work_areas_organisation_id'))
    op.drop_table('count_work_areas')
