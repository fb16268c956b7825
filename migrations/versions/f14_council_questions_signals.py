"""council questions for the next monitorgesprek; signals for policy as rows

Revision ID: f14_council
Revises: n17_meetings_invitations
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f14_council'
down_revision = 'n17_meetings_invitations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('council_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wijk_id', sa.Integer(), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('asked_at', sa.DateTime(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['asked_by_id'], ['users.id'], name=op.f('fk_council_questions_asked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['monitor_sessions.id'], name=op.f('fk_council_questions_session_id_monitor_sessions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijken.id'], name=op.f('fk_council_questions_wijk_id_wijken')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_questions'))
    )
    with op.batch_alter_table('council_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_questions_asked_by_id'), ['asked_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_council_questions_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_council_questions_wijk_id'), ['wijk_id'], unique=False)

    signals = op.create_table('session_signals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('quality_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['quality_id'], ['qualities.id'], name=op.f('fk_session_signals_quality_id_qualities')),
    sa.ForeignKeyConstraint(['session_id'], ['monitor_sessions.id'], name=op.f('fk_session_signals_session_id_monitor_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_signals'))
    )
    with op.batch_alter_table('session_signals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_signals_session_id'), ['session_id'], unique=False)

    # Signals recorded before as text: one signal per line, without a quality.
    bind = op.get_bind()
    rows = []
    for session_id, text in bind.execute(sa.text(
            "SELECT id, policy_signals FROM monitor_sessions WHERE policy_signals <> ''")):
        lines = [line.strip().lstrip("-•* ").strip() for line in (text or "").splitlines()]
        rows += [{"session_id": session_id, "position": i, "text": line, "quality_id": None}
                 for i, line in enumerate(line for line in lines if line)]
    if rows:
        op.bulk_insert(signals, rows)


def downgrade():
    with op.batch_alter_table('session_signals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_signals_session_id'))
    op.drop_table('session_signals')
    with op.batch_alter_table('council_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_questions_wijk_id'))
        batch_op.drop_index(batch_op.f('ix_council_questions_session_id'))
        batch_op.drop_index(batch_op.f('ix_council_questions_asked_by_id'))
    op.drop_table('council_questions')
