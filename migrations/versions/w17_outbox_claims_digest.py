"""notifications: the sender's claim token and the digest a message went out in

Revision ID: w17_outbox_claims_digest
Revises: n17_notifications
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'w17_outbox_claims_digest'
down_revision = 'n17_notifications'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('digest_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outgoing_messages_digest_id'), ['digest_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outgoing_messages_digest_id_outgoing_messages'),
                                    'outgoing_messages', ['digest_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('outgoing_messages', schema=None) as batch_op:
        batch_op.alter_column('claimed_by', server_default=None)


def downgrade():
    with op.batch_alter_table('outgoing_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outgoing_messages_digest_id_outgoing_messages'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outgoing_messages_digest_id'))
        batch_op.drop_column('digest_id')
        batch_op.drop_column('claimed_by')
