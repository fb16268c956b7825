"""monitorgesprek invitations: participants' e-mail, the calendar sequence (issue 17)

Revision ID: n17_meetings_invitations
Revises: a14_meet_annual_workflow
Create Date: 2026-12-02 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'n17_meetings_invitations'
down_revision = 'a14_meet_annual_workflow'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('session_participants') as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=320), nullable=True))
    with op.batch_alter_table('monitor_sessions') as batch_op:
        batch_op.add_column(sa.Column('invitation_sequence', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('monitor_sessions') as batch_op:
        batch_op.drop_column('invitation_sequence')
    with op.batch_alter_table('session_participants') as batch_op:
        batch_op.drop_column('email')
