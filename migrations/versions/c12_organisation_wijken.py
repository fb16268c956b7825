"""organisation werkgebied: the wijken an organisation works in (issue 12)

Revision ID: c12_organisation_wijken
Revises: 0003
Create Date: 2026-12-01 20:40:00

Existing organisations get every active wijk, so nothing changes for the data that is
already there (their API tokens keep working for the wijken they reported for); the
admin narrows the werkgebied afterwards.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c12_organisation_wijken'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation_wijken',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('wijk_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_wijken_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijken.id'], name=op.f('fk_organisation_wijken_wijk_id_wijken'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', 'wijk_id', name=op.f('pk_organisation_wijken'))
    )
    organisations = sa.table('organisations', sa.column('id', sa.Integer))
    wijken = sa.table('wijken', sa.column('id', sa.Integer), sa.column('active', sa.Boolean))
    link = sa.table('organisation_wijken', sa.column('organisation_id', sa.Integer),
                    sa.column('wijk_id', sa.Integer))
    op.execute(link.insert().from_select(
        ['organisation_id', 'wijk_id'],
        sa.select(organisations.c.id, wijken.c.id)
        .select_from(organisations.join(wijken, sa.true()))  # every pair
        .where(wijken.c.active.is_(True))))


def downgrade():
    op.drop_table('organisation_wijken')
