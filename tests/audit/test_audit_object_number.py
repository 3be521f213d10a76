"""The audit log filtered by an object's number: one post's whole record, within the person's scope."""

import pytest

from audit import selectors
from tests.audit.test_audit_log import world  # noqa: F401  (the fixture: one of every record, Tokyo and Osaka)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def _post_rows(user, number: int) -> list[dict]:
    stream = selectors.audit_stream(user=user, filters=selectors.Filters(object_id=number), limit=51)
    rows = list(stream[:51]) if stream is not None else []
    return [row for row in rows if row["a_src"] == selectors.POST]


def test_a_post_number_shows_its_post_wide_events_to_those_who_see_the_post(world, tokyo_supervisor, osaka_poster):  # noqa: F811
    post, osaka_post = world["post"], world["osaka_post"]
    rows = _post_rows(tokyo_supervisor, post.pk)
    # Written, submitted and approved: events of the post itself, on no one target.
    assert {"create", "submit", "approve"} <= {row["a_action"] for row in rows if row["a_number"] is None}
    assert {row["a_object_id"] for row in rows} == {post.pk}
    # Another office's post: its number finds nothing, as if it did not exist.
    assert _post_rows(tokyo_supervisor, osaka_post.pk) == []
    assert {"create", "submit"} <= {row["a_action"] for row in _post_rows(osaka_poster, osaka_post.pk)}
    assert _post_rows(osaka_poster, post.pk) == []


def test_the_post_scope_is_asked_of_each_event_not_of_every_post(world, tokyo_supervisor):  # noqa: F811
    # "post_id IN (every visible post)" made PostgreSQL read all 100,000 posts for one post's record
    # (benchmarks/search.py): the scope is an EXISTS on the event's own post.
    stream = selectors.audit_stream(user=tokyo_supervisor, filters=selectors.Filters(object_id=world["post"].pk))
    assert stream is not None
    sql = str(stream.query)
    assert '"posts_postevent"."post_id" IN (SELECT' not in sql
    assert 'EXISTS(SELECT 1 AS "a" FROM "posts_post"' in sql
