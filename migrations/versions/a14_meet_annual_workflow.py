"""jaarrapportage workflow: status, exact compilation, reviews, drafting right (issue 14)

Revision ID: a14_meet_annual_workflow
Revises: 0600
Create Date: 2026-12-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a14_meet_annual_workflow'
down_revision = '0600'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('annual_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('compiled_internal', sa.JSON(), nullable=True))
        # Reports compiled before the workflow start as concepts.
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False, server_default='concept'))
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('settled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('settled_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_annual_reports_settled_by_id_users'), 'users',
                                    ['settled_by_id'], ['id'])
    with op.batch_alter_table('annual_reports', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)
    op.create_table('annual_report_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_annual_report_reviews_by_id_users')),
    sa.ForeignKeyConstraint(['report_id'], ['annual_reports.id'],
                            name=op.f('fk_annual_report_reviews_report_id_annual_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_report_reviews'))
    )
    with op.batch_alter_table('annual_report_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annual_report_reviews_report_id'), ['report_id'], unique=False)
    op.create_table('annual_report_authors',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_annual_report_authors_granted_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_annual_report_authors_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_annual_report_authors_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_annual_report_authors'))
    )


def downgrade():
    op.drop_table('annual_report_authors')
    with op.batch_alter_table('annual_report_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annual_report_reviews_report_id'))
    op.drop_table('annual_report_reviews')
    with op.batch_alter_table('annual_reports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_annual_reports_settled_by_id_users'), type_='foreignkey')
        batch_op.drop_column('settled_by_id')
        batch_op.drop_column('settled_at')
        batch_op.drop_column('submitted_at')
        batch_op.drop_column('status')
        batch_op.drop_column('compiled_internal')
