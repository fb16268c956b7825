"""a deleted measurement can be restored for a while: soft delete (issue 19 §5)

Revision ID: u19_outcomes_measurement_undo
Revises: o18_client_references
Create Date: 2026-12-02 15:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'u19_outcomes_measurement_undo'
down_revision = 'o18_client_references'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outcome_measurements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_outcome_measurements_deleted_by_id_users'), 'users', ['deleted_by_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('outcome_measurements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outcome_measurements_deleted_by_id_users'), type_='foreignkey')
        batch_op.drop_column('deleted_by_id')
        batch_op.drop_column('deleted_at')
