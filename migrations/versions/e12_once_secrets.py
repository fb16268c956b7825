"""one-time secrets: shown once after a redirect, never in the session cookie

Revision ID: e12_once_secrets
Revises: 0003
Create Date: 2026-12-01 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e12_once_secrets'
down_revision = '0003'
branch_labels = ('once',)
depends_on = None


def upgrade():
    op.create_table('one_time_secrets',
    sa.Column('handle_hash', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('sealed', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('handle_hash', name=op.f('pk_one_time_secrets'))
    )
    with op.batch_alter_table('one_time_secrets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_one_time_secrets_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('one_time_secrets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_time_secrets_expires_at'))

    op.drop_table('one_time_secrets')
