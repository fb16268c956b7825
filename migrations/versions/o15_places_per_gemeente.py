"""places: wijk names unique within their gemeente, CBS codes for gemeente and buurt (issue 15)

Revision ID: o15_places
Revises: 0003
Create Date: 2026-12-02 05:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'o15_places'
down_revision = '0003'
branch_labels = ('places',)
depends_on = None


def upgrade():
    with op.batch_alter_table('wijken', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gemeente_code', sa.String(length=6), server_default='', nullable=False))
        batch_op.drop_constraint('uq_wijken_name', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_wijken_gemeente_code_name'), ['gemeente_code', 'name'])
    with op.batch_alter_table('buurten', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=10), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_buurten_code'), ['code'])


def downgrade():
    with op.batch_alter_table('buurten', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_buurten_code'), type_='unique')
        batch_op.drop_column('code')
    with op.batch_alter_table('wijken', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_wijken_gemeente_code_name'), type_='unique')
        batch_op.create_unique_constraint('uq_wijken_name', ['name'])
        batch_op.drop_column('gemeente_code')
