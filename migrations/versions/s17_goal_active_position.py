"""societal goals can be deactivated and ordered (the beheerder's catalogue pages)

Revision ID: s17_goal_active_position
Revises: 0003
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 's17_goal_active_position'
down_revision = '0003'
branch_labels = ('catalogue',)
depends_on = None


def upgrade():
    with op.batch_alter_table('societal_goals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('position', sa.Integer(), server_default='0', nullable=False))
    # The existing doelen keep their order (by code).
    goals = sa.table('societal_goals', sa.column('id', sa.Integer), sa.column('code', sa.String),
                     sa.column('position', sa.Integer))
    conn = op.get_bind()
    rows = conn.execute(sa.select(goals.c.id).order_by(goals.c.code)).all()
    for position, (goal_id,) in enumerate(rows, start=1):
        conn.execute(goals.update().where(goals.c.id == goal_id).values(position=position))


def downgrade():
    with op.batch_alter_table('societal_goals', schema=None) as batch_op:
        batch_op.drop_column('position')
        batch_op.drop_column('active')
