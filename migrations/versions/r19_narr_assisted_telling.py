"""assisted telling: how a story recorded on behalf of a resident was told, and the
teller's request for a correction (issue 19 §5)

Revision ID: r19_narr_assisted_telling
Revises: p19_narr_story_language
Create Date: 2026-12-02 05:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'r19_narr_assisted_telling'
down_revision = 'p19_narr_story_language'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('told_how', sa.Enum('verteld', 'vertaald', 'opgeschreven', name='tellingway',
                                                          native_enum=False, length=20), nullable=True))
        batch_op.add_column(sa.Column('told_in', sa.String(length=60), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('teller_correction', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('teller_correction_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.alter_column('told_in', server_default=None)
        batch_op.alter_column('teller_correction', server_default=None)


def downgrade():
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_column('teller_correction_at')
        batch_op.drop_column('teller_correction')
        batch_op.drop_column('told_in')
        batch_op.drop_column('told_how')
