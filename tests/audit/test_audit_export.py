"""The audit log's exports: each row as the log renders it, in both formats, streamed, scoped.

The reference for every row is audit.entries.Entry, which the log's page
renders: the export must say of each record what the page says, in the
reader's language, whichever way it is made fast.
"""

import csv
import io
import json
from collections.abc import Iterator
from typing import cast

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import AccountConnection
from audit import export as audit_export
from audit import selectors
from audit.entries import Entry, Names
from audit.models import AuditEvent
from audit.recording import event_record
from posts.models import PostEvent
from tests.audit.test_audit_log import export, world  # noqa: F401 - world is a fixture
from tests.audit.test_moderation_source import decisions  # noqa: F401 - a fixture
from tests.conftest import sign_in_with_second_factor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def log(world, decisions, administrator):  # noqa: F811 - the fixtures imported above
    """Every source, with the engine's data, people's words that look like formulas and each record family."""
    target = world["post"].targets.get()
    for action, data in (
        (PostEvent.Action.DEFER, {"reason": "outside_hours", "until": "2026-12-08T00:30:00+00:00"}),
        (PostEvent.Action.RETRY, {"reason": "transient", "error": "timeout", "retry_at": "2026-12-08T01:00:00+00:00"}),
        (PostEvent.Action.FAIL, {"reason": "refused", "error": "Duplicate content"}),
    ):
        PostEvent.record(post_id=world["post"].pk, target=target, action=action, data=data)
    AccountConnection.objects.create(
        account=world["tokyo_account"],
        kind=AccountConnection.Kind.REAUTHORISED,
        method=AccountConnection.Method.PIN,
        actor=administrator,
        identity_id="123",
        identity_handle="IMMI_TOKYO",
        identity_name="東京局",
    )
    event_record(kind="login.failed", data={"username": "=cmd|' /C calc'!A0"})
    event_record(
        kind="mfa.added",
        actor=administrator,
        object_type="user",
        object_id=administrator.pk,
        data={"user_id": administrator.pk, "user": "admin", "authenticator": "totp"},
    )
    return world


def reference(user, language: str) -> list[dict]:
    """Every row of the user's log as the page's Entry renders it, newest first."""
    with translation.override(language):
        stream = selectors.audit_stream(user=user, filters=selectors.Filters())
        assert stream is not None
        names = Names.load()
        rows = []
        for row in stream:
            entry = Entry.from_row(row, names)
            data = entry.as_data()
            rows.append({**data, "office_name": entry.office})
        return rows


def _csv_cells(data: dict) -> list[str]:
    return [
        audit_export._cell(data["office_name"] if name == "office" else data[name]) for name in audit_export.CSV_COLUMNS
    ]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_each_exported_row_is_the_row_the_log_renders(client, log, administrator, language):
    sign_in_with_second_factor(client, administrator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    expected = reference(administrator, language)
    assert {row["source"] for row in expected} == set(selectors.SOURCE_NAMES.values())
    assert {"login.failed", "mfa.added", "post.defer", "post.fail", "moderation.hide"} <= {r["kind"] for r in expected}

    _, body = export(client, "jsonl")
    lines = body.decode("utf-8").splitlines()
    expected_json = [
        json.loads(json.dumps({k: v for k, v in row.items() if k != "office_name"}, default=str)) for row in expected
    ]
    assert [json.loads(line) for line in lines] == expected_json

    _, body = export(client, "csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    with translation.override(language):
        header = [str(audit_export.CSV_HEADERS[name]) for name in audit_export.CSV_COLUMNS]
    assert rows[0] == header
    assert rows[1:] == [_csv_cells(row) for row in expected]
    assert "=cmd" in body.decode() and not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_a_supervisor_exports_only_their_subtree(client, log, tokyo_supervisor, administrator):
    sign_in_with_second_factor(client, tokyo_supervisor)
    expected = reference(tokyo_supervisor, "en")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    _, body = export(client, "jsonl")
    exported = [json.loads(line) for line in body.decode().splitlines()]
    assert [(row["source"], row["id"]) for row in exported] == [(row["source"], row["id"]) for row in expected]
    everything = reference(administrator, "en")
    assert len(exported) < len(everything)
    osaka = log["osaka_account"].display_handle
    assert osaka not in {row["account"] for row in exported}
    assert "大阪の点検" not in body.decode() and "大阪の宣伝" not in body.decode()
    assert not any(row["kind"] == "mfa.added" for row in exported)  # an administrator's second factor


def test_an_export_streams_its_first_rows_before_reading_them_all(client, administrator):
    """The first chunk leaves after a keyset chunk or two of each source, not after every row is read."""
    sign_in_with_second_factor(client, administrator)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(kind="login.failed", object_type="user", data={"username": f"person-{n}"})
            for n in range(3 * selectors.EXPORT_CHUNK)
        ],
        batch_size=2000,
    )
    for fmt in ("csv", "jsonl"):
        response = client.get(reverse("audit:export", args=[fmt]))
        assert isinstance(response, StreamingHttpResponse)
        chunks = iter(cast(Iterator[bytes], response.streaming_content))
        with CaptureQueriesContext(connection) as first:
            chunk = next(chunks)
        assert 0 < chunk.count(b"\n") < selectors.EXPORT_CHUNK
        with CaptureQueriesContext(connection) as rest:
            lines = chunk.count(b"\n") + sum(part.count(b"\n") for part in chunks)
        assert lines > 3 * selectors.EXPORT_CHUNK  # and the sign-in's own records

        # The records were read a chunk at a time: a part before the first bytes left, the rest after.
        def reads(queries) -> int:
            return sum("audit_auditevent" in query["sql"] for query in queries.captured_queries)

        assert reads(first) >= 1 and reads(rest) >= 2, (reads(first), reads(rest))
