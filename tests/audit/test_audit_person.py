"""The audit log filtered by a person: their records in every source, case-insensitive, within the reader's scope.

The name is looked up once; each source is then read by the person's id. Audit
records also keep the name as it was written, so a person since deleted (or
renamed) is still found under that name.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AccountConnection, AccountStateChange, Membership, SocialAccount
from audit import selectors
from audit.models import AuditEvent
from audit.recording import event_record
from tests.audit.test_audit_log import LOG, export, kinds_on_page, world  # noqa: F401 - world is a fixture
from tests.audit.test_moderation_source import decisions  # noqa: F401 - a fixture
from tests.conftest import sign_in_with_second_factor
from tests.factories import make_history, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def log(world, decisions, administrator, tokyo_supervisor):  # noqa: F811 - the fixtures imported above
    """The world's records of every source, an account connection, and sign-ins of two people."""
    AccountConnection.objects.create(
        account=world["tokyo_account"],
        kind=AccountConnection.Kind.REAUTHORISED,
        method=AccountConnection.Method.PIN,
        actor=administrator,
        identity_id="123",
        identity_handle="IMMI_TOKYO",
        identity_name="東京局",
    )
    event_record(kind="login.succeeded", actor=tokyo_supervisor, object_type="user", object_id=tokyo_supervisor.pk)
    event_record(kind="login.succeeded", actor=administrator, object_type="user", object_id=administrator.pk)
    return world


def test_a_person_is_found_in_every_source_and_no_one_else(client, log, administrator):
    sign_in_with_second_factor(client, administrator)
    # The administrator paused accounts, added a footer, stopped publishing, re-authorised an account, signed in.
    mine = kinds_on_page(client.get(LOG, {"person": "admin"}))
    assert set(mine) == {
        "account_state.changed",
        "footer.version",
        "publishing.paused",
        "account_connection.reauthorised",
        "login.succeeded",
    }
    # The supervisor approved a post, banned a reply's author and signed in; the case of the name does not matter.
    theirs = client.get(LOG, {"person": "TOKYO-supervisor"})
    assert sorted(kinds_on_page(theirs)) == ["login.succeeded", "moderation.ban", "post.approve"]
    # The Osaka poster's post and decision, nobody else's.
    osaka = kinds_on_page(client.get(LOG, {"person": "Osaka-Poster"}))
    assert sorted(osaka) == ["moderation.hide", "post.create", "post.submit"]
    assert all(
        row["a_actor"].lower() == "osaka-poster"
        for row in selectors.audit_rows(user=administrator, filters=selectors.Filters(person="OSAKA-poster"))
    )


def test_the_export_keeps_to_the_person(client, log, administrator):
    sign_in_with_second_factor(client, administrator)
    _response, body = export(client, "jsonl", person="Tokyo-Supervisor")
    lines = body.decode().splitlines()
    assert len(lines) == 3
    assert all('"actor": "tokyo-supervisor"' in line for line in lines)


def test_a_name_nobody_has_gives_an_empty_page_that_says_so(client, log, administrator):
    sign_in_with_second_factor(client, administrator)
    with CaptureQueriesContext(connection) as queries:
        page = selectors.audit_page(user=administrator, filters=selectors.Filters(person="no-such-person"), params={})
    assert page.items == []
    # The name's lookup, then only the audit records (a name as it was recorded), never the other sources.
    assert not any("posts_postevent" in query["sql"] for query in queries.captured_queries)
    response = client.get(LOG, {"person": "no-such-person"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert kinds_on_page(response) == []
    assert "No one has the user name “no-such-person”." in response.content.decode()
    # A person who exists but did nothing: the usual words.
    make_person("idle-person")
    idle = client.get(LOG, {"person": "idle-person"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No events match." in idle and "No one has the user name" not in idle
    _response, body = export(client, "csv", person="no-such-person")
    assert len(body.decode("utf-8-sig").splitlines()) == 1  # the header only


def test_records_under_a_name_nobody_has_now_are_still_found(client, log, administrator):
    """A deleted person's records keep their name (the id names nobody); so does a renamed person's old name."""
    gone = make_person("gone-person")
    gone_id = gone.pk
    event_record(kind="login.succeeded", actor=gone, object_type="user", object_id=gone_id)
    Membership.objects.filter(user=gone).delete()
    gone.delete()
    AuditEvent.objects.bulk_create([AuditEvent(kind="login.signed_out", actor=None, actor_name="gone-person")])
    renamed = make_person("old-name")
    event_record(kind="login.succeeded", actor=renamed, object_type="user", object_id=renamed.pk)
    renamed.username = "new-name"
    renamed.save()

    sign_in_with_second_factor(client, administrator)
    assert sorted(kinds_on_page(client.get(LOG, {"person": "Gone-Person"}))) == ["login.signed_out", "login.succeeded"]
    assert kinds_on_page(client.get(LOG, {"person": "old-name"})) == ["login.succeeded"]  # as it was recorded
    assert kinds_on_page(client.get(LOG, {"person": "new-name"})) == ["login.succeeded"]  # the same person, by id


def test_scope_still_applies_when_filtering_by_a_person(client, log, tokyo_supervisor, osaka_poster):
    """The Tokyo bureau's supervisor filtering by the Osaka poster: none of Osaka's records."""
    sign_in_with_second_factor(client, tokyo_supervisor)
    assert kinds_on_page(client.get(LOG, {"person": "osaka-poster"})) == []
    assert (
        selectors.audit_page(user=tokyo_supervisor, filters=selectors.Filters(person="osaka-poster"), params={}).items
        == []
    )
    # Their own records, as before (signing in here is one more sign-in).
    assert set(kinds_on_page(client.get(LOG, {"person": "tokyo-supervisor"}))) == {
        "login.succeeded",
        "moderation.ban",
        "post.approve",
    }
    # Another person's sign-in (of no office) is the administrators' and theirs alone.
    assert kinds_on_page(client.get(LOG, {"person": "admin", "kind": "login"})) == []


def test_the_person_filter_asks_the_same_queries_at_two_sizes(client, administrator, frozen_now):
    poster = make_person("a-tokyo-poster", "tokyo", Membership.Role.POSTER)
    sign_in_with_second_factor(client, administrator)
    handles = list(SocialAccount.objects.order_by("platform", "sort_order").values_list("handle", flat=True))

    def grow(posts: int) -> None:
        make_history(posts=posts, handles=handles, authors=[poster], now=frozen_now)
        AccountStateChange.objects.bulk_create(
            [
                AccountStateChange(
                    account=SocialAccount.objects.get(handle=handle), actor=administrator, from_state="active"
                )
                for handle in handles
            ]
        )
        AuditEvent.objects.bulk_create(
            [AuditEvent(kind="login.succeeded", actor=poster, actor_name=poster.username) for _ in range(posts)]
        )

    def counts() -> dict[str, int]:
        """The queries of each name's first page, and of the next page where there is one."""
        asked = {}
        for name in ("A-Tokyo-Poster", "admin", "no-such-person"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(LOG, {"person": name})
            assert response.status_code == 200
            asked[name] = len(queries.captured_queries)
            page = response.context["page"]
            if page.next_cursor:
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(LOG, {"person": name, "after": page.next_cursor}).status_code == 200
                asked[f"{name} next"] = len(queries.captured_queries)
        return asked

    grow(5)
    small = counts()
    grow(200)
    large = counts()
    assert "A-Tokyo-Poster next" in large  # more than a page of theirs now
    assert {name: large[name] for name in small} == small
    assert large["A-Tokyo-Poster next"] <= large["A-Tokyo-Poster"]
