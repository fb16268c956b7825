"""outcomes: organisations' own client numbers, kept only as a keyed hash (issue 18)

Revision ID: o18_client_references
Revises: 0300
Create Date: 2026-12-02 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'o18_client_references'
down_revision = '0300'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outcome_reference_keys',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_outcome_reference_keys_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_outcome_reference_keys'))
    )
    op.create_table('outcome_client_references',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('reference_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['outcome_clients.id'], name=op.f('fk_outcome_client_references_client_id_outcome_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_outcome_client_references_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_client_references')),
    sa.UniqueConstraint('organisation_id', 'reference_hash', name=op.f('uq_outcome_client_references_organisation_id_reference_hash'))
    )
    op.create_index(op.f('ix_outcome_client_references_client_id'), 'outcome_client_references', ['client_id'])


def downgrade():
    op.drop_table('outcome_client_references')
    op.drop_table('outcome_reference_keys')
