"""immisns.append_only: the migration helper's triggers on a throw-away table, on SQLite and PostgreSQL alike."""

import pytest
from django.db import DatabaseError, connection, migrations, transaction
from django.db.migrations.state import ProjectState

from immisns.append_only import append_only_operations, maintenance_window

TABLE = "scratch_append_only_log"


def _run(operations, *, forwards: bool) -> None:
    with connection.schema_editor() as editor:
        for operation in operations:
            run = operation.database_forwards if forwards else operation.database_backwards
            run("tests", editor, ProjectState(), ProjectState())


def _refused(sql: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def _window(*, open_: bool) -> None:
    setting, table = maintenance_window(TABLE)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET {setting} = '{'on' if open_ else 'off'}'")
        elif open_:
            cursor.execute(f"INSERT INTO {table} (id) VALUES (1)")
        else:
            cursor.execute(f"DELETE FROM {table}")


def _rows() -> list[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, note FROM {TABLE} ORDER BY id")
        return [tuple(row) for row in cursor.fetchall()]


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # the flush after it must put the migration data back
def test_the_triggers_refuse_changes_until_the_window_opens_and_go_away_in_reverse():
    operations = append_only_operations(TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, note varchar(20) NOT NULL)")
    try:
        _run(operations, forwards=True)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE} (id, note) VALUES (1, 'first'), (2, 'second')")
        _refused(f"UPDATE {TABLE} SET note = 'rewritten'")
        _refused(f"DELETE FROM {TABLE}")
        if connection.vendor == "postgresql":
            _refused(f"TRUNCATE {TABLE}")
        assert _rows() == [(1, "first"), (2, "second")]  # appending is all that happened

        # The operator's deliberate maintenance window lets a change through, and closes again.
        _window(open_=True)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = 2")
        _window(open_=False)
        _refused(f"UPDATE {TABLE} SET note = 'rewritten'")
        assert _rows() == [(1, "first")]

        _run(operations, forwards=False)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {TABLE} SET note = 'changed'")
        assert _rows() == [(1, "changed")]
        assert maintenance_window(TABLE)[1] not in connection.introspection.table_names()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
            cursor.execute(f"DROP TABLE IF EXISTS {maintenance_window(TABLE)[1]}")


def test_the_helper_gives_one_reversible_operation():
    [operation] = append_only_operations(TABLE)
    assert isinstance(operation, migrations.RunPython) and operation.reversible


@pytest.mark.parametrize("table", ["", "Posts_PostEvent", "posts_postevent; DROP TABLE x", "1table"])
def test_the_helper_takes_only_plain_table_names(table):
    with pytest.raises(ValueError, match="Not a plain table name"):
        append_only_operations(table)
