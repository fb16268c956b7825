"""search: the PostgreSQL full-text index of the story archive (tables, tv_dutch, extensions)

Revision ID: s15_search_postgresql
Revises: 0003
Create Date: 2026-12-02 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 's15_search_postgresql'
down_revision = '0003'
branch_labels = ('search',)
depends_on = '0400'

TSVECTOR = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Both are "trusted" extensions (PostgreSQL 13+): the database owner may create them.
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'tv_dutch') THEN
                CREATE TEXT SEARCH CONFIGURATION tv_dutch (COPY = pg_catalog.dutch);
                ALTER TEXT SEARCH CONFIGURATION tv_dutch
                  ALTER MAPPING FOR hword, hword_part, word WITH unaccent, dutch_stem;
              END IF;
            END $$""")
    op.create_table('story_search',
    sa.Column('story_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('visibility', sa.String(length=20), nullable=False),
    sa.Column('f_wijk', sa.String(length=20), nullable=False),
    sa.Column('f_quality', sa.String(length=200), nullable=False),
    sa.Column('f_year', sa.String(length=4), nullable=False),
    sa.Column('f_form', sa.String(length=30), nullable=False),
    sa.Column('date', sa.DateTime(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('tags', sa.Text(), nullable=False),
    sa.Column('places', sa.Text(), nullable=False),
    sa.Column('document', TSVECTOR, nullable=True),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('story_id')
    )
    op.create_index('ix_story_search_document', 'story_search', ['document'], unique=False,
                    postgresql_using='gin')
    op.create_index(op.f('ix_story_search_visibility'), 'story_search', ['visibility'], unique=False)
    op.create_index(op.f('ix_story_search_date'), 'story_search', ['date'], unique=False)
    op.create_table('story_search_words',
    sa.Column('word', sa.String(length=60), nullable=False),
    sa.PrimaryKeyConstraint('word')
    )
    op.create_index('ix_story_search_words_trgm', 'story_search_words', ['word'], unique=False,
                    postgresql_using='gin', postgresql_ops={'word': 'gin_trgm_ops'})


def downgrade():
    op.drop_index('ix_story_search_words_trgm', table_name='story_search_words')
    op.drop_table('story_search_words')
    op.drop_index(op.f('ix_story_search_date'), table_name='story_search')
    op.drop_index(op.f('ix_story_search_visibility'), table_name='story_search')
    op.drop_index('ix_story_search_document', table_name='story_search')
    op.drop_table('story_search')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS tv_dutch")
