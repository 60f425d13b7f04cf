"""Append-only tables enforced by PostgreSQL, not only by the ORM.

A model's save()/delete() guard stops the ORM; a raw statement or QuerySet.update() goes
around it. These triggers refuse every UPDATE and DELETE of a row, whoever sends it.
TRUNCATE stays possible: it needs the table owner and is how test databases are emptied.

To make one more table append-only, add a migration with `append_only("app_table")`.
SQLite keeps the ORM guard only: Django rebuilds a table to alter it there, which would
drop the trigger without a word.
"""

from django.db import migrations

REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION append_only_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$
"""


def _trigger_name(table: str) -> str:
    return f"{table}_append_only"


def _create(tables: tuple[str, ...]):
    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(REFUSE_FUNCTION, params=None)  # its % are not placeholders
        for table in tables:
            schema_editor.execute(
                f"CREATE TRIGGER {_trigger_name(table)} BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION append_only_refuse()"
            )

    return forwards


def _drop(tables: tuple[str, ...]):
    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger_name(table)} ON {table}")

    return backwards


def append_only(*tables: str) -> migrations.RunPython:
    """A migration operation that makes the given tables refuse UPDATE and DELETE."""
    return migrations.RunPython(_create(tables), _drop(tables), elidable=False)
