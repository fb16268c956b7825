"""breakdowns: a return's new meldingen by doelgroep, leefgebied, leeftijdsgroep, verwijzer

Revision ID: b18_breakdowns
Revises: 0100
Create Date: 2026-12-02 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b18_breakdowns'
down_revision = '0100'
branch_labels = ('breakdowns',)
depends_on = None


def upgrade():
    op.create_table('return_breakdowns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=30), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['return_id'], ['count_returns.id'], name=op.f('fk_return_breakdowns_return_id_count_returns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_breakdowns')),
    sa.UniqueConstraint('return_id', 'dimension', 'category', name=op.f('uq_return_breakdowns_return_id_dimension_category'))
    )
    op.create_index(op.f('ix_return_breakdowns_return_id'), 'return_breakdowns', ['return_id'])


def downgrade():
    op.drop_table('return_breakdowns')
