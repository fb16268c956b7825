"""counts: the protected publication tables, shared by every worker (issue 16)

Revision ID: t16_counts_publication_tables
Revises: p18_counts_planned_wijk
Create Date: 2026-12-02 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 't16_counts_publication_tables'
down_revision = 'p18_counts_planned_wijk'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('count_publication_tables',
    sa.Column('measure', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('cells', sa.Text(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('measure', 'year', name=op.f('pk_count_publication_tables'))
    )


def downgrade():
    op.drop_table('count_publication_tables')
