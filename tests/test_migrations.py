"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from monitor.extensions import db


def test_migrated_schema_matches_models(app):
    # The session fixture built this database by running every migration from empty.
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_database_is_at_every_head(app):
    with app.app_context(), db.engine.connect() as conn:
        migrate = app.extensions["migrate"]
        config = migrate.migrate.get_config(migrate.directory)
        heads = set(ScriptDirectory.from_config(config).get_heads())
        current = set(MigrationContext.configure(conn).get_current_heads())
    assert current == heads and heads
