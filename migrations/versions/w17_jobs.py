"""jobs: the last run of every periodic job and who runs it now

Revision ID: w17_jobs
Revises: 0003
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'w17_jobs'
down_revision = '0003'
branch_labels = ('jobs',)
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('last_period', sa.DateTime(), nullable=True),
    sa.Column('last_started_at', sa.DateTime(), nullable=True),
    sa.Column('last_finished_at', sa.DateTime(), nullable=True),
    sa.Column('last_result', sa.String(length=500), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('retry_at', sa.DateTime(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('claimed_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_runs'))
    )


def downgrade():
    op.drop_table('job_runs')
