"""finance: programmes with wijken and parties, results, money and Sociaal Plein reviews

Revision ID: p18_finance
Revises: 0003
Create Date: 2026-12-02 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'p18_finance'
down_revision = '0003'
branch_labels = ('finance',)
depends_on = None

MONEY = sa.Numeric(14, 2)


def upgrade():
    op.create_table('programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=150), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes')),
    sa.UniqueConstraint('name', name=op.f('uq_programmes_name'))
    )
    op.create_table('programme_wijken',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('wijk_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_wijken_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijken.id'], name=op.f('fk_programme_wijken_wijk_id_wijken')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_wijken')),
    sa.UniqueConstraint('programme_id', 'wijk_id', name=op.f('uq_programme_wijken_programme_id_wijk_id'))
    )
    op.create_index(op.f('ix_programme_wijken_programme_id'), 'programme_wijken', ['programme_id'])
    op.create_table('programme_organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('role', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_programme_organisations_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_organisations_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_organisations')),
    sa.UniqueConstraint('programme_id', 'organisation_id', name=op.f('uq_programme_organisations_programme_id_organisation_id'))
    )
    op.create_index(op.f('ix_programme_organisations_programme_id'), 'programme_organisations', ['programme_id'])
    op.create_table('programme_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=150), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('date_from', sa.Date(), nullable=False),
    sa.Column('date_to', sa.Date(), nullable=False),
    sa.Column('meldingen', sa.Integer(), nullable=False),
    sa.Column('via_sociaal_plein', sa.Integer(), nullable=True),
    sa.Column('closed', sa.Integer(), nullable=True),
    sa.Column('closed_within_six_months', sa.Integer(), nullable=True),
    sa.Column('hours_per_closed', sa.Numeric(7, 1), nullable=True),
    sa.Column('contacts_per_closed', sa.Numeric(7, 1), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_programme_results_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_results_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_results'))
    )
    op.create_index(op.f('ix_programme_results_programme_id'), 'programme_results', ['programme_id'])
    op.create_table('programme_money',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('budget', MONEY, nullable=True),
    sa.Column('forecast', MONEY, nullable=True),
    sa.Column('substitution', MONEY, nullable=True),
    sa.Column('spent', MONEY, nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_programme_money_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_money_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_money'))
    )
    op.create_index(op.f('ix_programme_money_programme_id'), 'programme_money', ['programme_id'])
    op.create_table('programme_sp_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('date_from', sa.Date(), nullable=False),
    sa.Column('date_to', sa.Date(), nullable=False),
    sa.Column('reviewed', sa.Integer(), nullable=False),
    sa.Column('discussed', sa.Integer(), nullable=False),
    sa.Column('combined_offer', sa.Integer(), nullable=True),
    sa.Column('not_suitable', sa.Integer(), nullable=True),
    sa.Column('scaled_down_later', sa.Integer(), nullable=True),
    sa.Column('scaled_down_now', sa.Integer(), nullable=True),
    sa.Column('reduced_indications', sa.Integer(), nullable=True),
    sa.Column('hours_saved', sa.Numeric(8, 1), nullable=True),
    sa.Column('wmo_and_wijk', sa.Integer(), nullable=True),
    sa.Column('not_extended', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_sp_reviews_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_sp_reviews'))
    )
    op.create_index(op.f('ix_programme_sp_reviews_programme_id'), 'programme_sp_reviews', ['programme_id'])


def downgrade():
    for table in ('programme_sp_reviews', 'programme_money', 'programme_results',
                  'programme_organisations', 'programme_wijken', 'programmes'):
        op.drop_table(table)
