"""trusted locations: a buurthuis's device sends stories under its own bounded limits
(issue 19 §6)

Revision ID: r19_narr_trusted_locations
Revises: r19_narr_assisted_telling
Create Date: 2026-12-02 05:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'r19_narr_trusted_locations'
down_revision = 'r19_narr_assisted_telling'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'trusted_locations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('wijk_id', sa.Integer(), nullable=True),
        sa.Column('max_per_hour', sa.Integer(), nullable=False),
        sa.Column('max_per_day', sa.Integer(), nullable=False),
        sa.Column('setup_token_hash', sa.String(length=64), nullable=True),
        sa.Column('setup_expires_at', sa.DateTime(), nullable=True),
        sa.Column('device_token_hash', sa.String(length=64), nullable=True),
        sa.Column('paired_at', sa.DateTime(), nullable=True),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('stories_count', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_trusted_locations_created_by_id_users')),
        sa.ForeignKeyConstraint(['wijk_id'], ['wijken.id'], name=op.f('fk_trusted_locations_wijk_id_wijken')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trusted_locations')),
        sa.UniqueConstraint('device_token_hash', name=op.f('uq_trusted_locations_device_token_hash')),
        sa.UniqueConstraint('setup_token_hash', name=op.f('uq_trusted_locations_setup_token_hash')),
    )
    with op.batch_alter_table('trusted_locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trusted_locations_wijk_id'), ['wijk_id'], unique=False)
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trusted_location_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_stories_trusted_location_id'), ['trusted_location_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_stories_trusted_location_id_trusted_locations'),
                                    'trusted_locations', ['trusted_location_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_stories_trusted_location_id_trusted_locations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_stories_trusted_location_id'))
        batch_op.drop_column('trusted_location_id')
    with op.batch_alter_table('trusted_locations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trusted_locations_wijk_id'))
    op.drop_table('trusted_locations')
