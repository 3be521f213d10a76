"""Record rows that are written once and never changed: the model mixin, its queryset, and the database triggers.

An append-only log (post events, reply decisions, audit events, account
state changes) is guarded three times: the model refuses to save a row twice
or to delete one, its queryset refuses update() and delete() in bulk, and
database triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), so
raw SQL, the shell and any future code path cannot rewrite history either.

A database operator can open a deliberate maintenance window per table (for
example to purge records past their retention period): on PostgreSQL with
``SET immisns.<table>_maintenance = 'on'`` in the session, on SQLite with a
row in ``<table>_maintenance`` (see maintenance_window()). The migrations
written before this module (posts/0002, moderation/0007, audit/0002) keep
their own inline SQL and their own windows.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import migrations, models
from django.db.migrations.operations.base import Operation

if TYPE_CHECKING:
    # What the mixin is always combined with; at run time it stays a plain class, because the frozen
    # migrations name it among the bases of their models and an abstract model would change that state.
    _Model = models.Model
else:
    _Model = object


class AppendOnly(_Model):
    """For record rows (history, audit): written once, never changed or deleted."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError(f"{type(self).__name__} rows are append-only.")


class AppendOnlyQuerySet(models.QuerySet):
    """The queryset of an append-only log: no update() or delete() in bulk either."""

    def update(self, **kwargs):
        raise ValueError(f"{self.model.__name__} rows are append-only.")

    def delete(self):
        raise ValueError(f"{self.model.__name__} rows are append-only.")


# Table names go into SQL unquoted (trigger and function names are built from them).
_TABLE_RE = re.compile(r"^[a-z_][a-z0-9_]*$")


def maintenance_window(table: str) -> tuple[str, str]:
    """(PostgreSQL setting, SQLite table) that open the maintenance window of a table made append-only here."""
    return f"immisns.{table}_maintenance", f"{table}_maintenance"


def _sqlite(table: str) -> tuple[list[str], list[str]]:
    _setting, window = maintenance_window(table)
    create = [f"CREATE TABLE IF NOT EXISTS {window} (id INTEGER PRIMARY KEY)"]
    for event in ("update", "delete"):
        create.append(
            f"""CREATE TRIGGER {table}_no_{event} BEFORE {event.upper()} ON {table}
                WHEN NOT EXISTS (SELECT 1 FROM {window})
                BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"""
        )
    drop = [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
        f"DROP TABLE IF EXISTS {window}",
    ]
    return create, drop


def _postgresql(table: str) -> tuple[list[str], list[str]]:
    setting, _window = maintenance_window(table)
    create = [
        f"""CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF coalesce(current_setting('{setting}', true), '') = 'on' THEN
                RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
              END IF;
              RAISE EXCEPTION '{table} is append-only';
            END $$""",
        f"""CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""",
        # TRUNCATE fires no row triggers: it needs its own statement trigger.
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()""",
    ]
    drop = [
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_append_only()",
    ]
    return create, drop


_VENDORS = {"sqlite": _sqlite, "postgresql": _postgresql}


def _run(table: str, *, forwards: bool):
    def run(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in _VENDORS:
            raise RuntimeError(f"No append-only trigger for {vendor}")
        create, drop = _VENDORS[vendor](table)
        for statement in create if forwards else drop:
            schema_editor.execute(statement)

    return run


def append_only_operations(table: str) -> list[Operation]:
    """The migration operations that make ``table`` refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL).

    Reversible: going back drops the triggers and the maintenance window.
    """
    if not _TABLE_RE.match(table):
        raise ValueError(f"Not a plain table name: {table!r}")
    return [migrations.RunPython(_run(table, forwards=True), _run(table, forwards=False))]
