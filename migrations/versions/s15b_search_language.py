"""search: the story's language in the PostgreSQL index (tv_simple for stories not in Dutch)

Revision ID: s15b_search_language
Revises: s15_search_postgresql
Create Date: 2026-12-02 05:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 's15b_search_language'
down_revision = 's15_search_postgresql'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # PostgreSQL's "simple" (lower case, nothing stemmed, no stop words) with unaccent
        # before it: the words of a story in English, Turkish, Arabic … as written.
        op.execute("""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'tv_simple') THEN
                CREATE TEXT SEARCH CONFIGURATION tv_simple (COPY = pg_catalog.simple);
                ALTER TEXT SEARCH CONFIGURATION tv_simple
                  ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
              END IF;
            END $$""")
    with op.batch_alter_table('story_search') as batch:
        batch.add_column(sa.Column('lang', sa.String(length=8), server_default='nl', nullable=False))
    # Rows indexed before this step were all read as Dutch: marked stale, so the worker's
    # hourly drift repair (`zoekindex controleren`) indexes each again with its language.
    op.execute("UPDATE story_search SET revision = -1")

def downgrade():
    with op.batch_alter_table('story_search') as batch:
        batch.drop_column('lang')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS tv_simple")
