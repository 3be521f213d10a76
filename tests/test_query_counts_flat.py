"""The pages no other query-count test covers make as many queries at 3N rows as at N (issue 24).

The notifications page, the help page, the dashboard with every account's
health, the connect page, the audit log's exports and the public account
lists: each is opened once with N rows of everything it could read (posts
with their targets and events, notifications, audit records, connections,
account pauses, replies), then again after 2N more. The calendar, the audit
log, the replies queue, the account page, the monthly report (and its CSV) and
the transparency page have theirs next to their other tests.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountConnection, SocialAccount
from posts.models import Notification, Post
from tests.conftest import sign_in_with_second_factor
from tests.factories import (
    AccountStateChangeFactory,
    AuditEventFactory,
    ReplyFactory,
    make_history,
    make_person,
)

pytestmark = pytest.mark.django_db

N = 10  # make_history's ten shapes of post, each at least once
# make_history sends its failed (the 3rd) and unconfirmed (the 6th) posts to the third handle: Tokyo, so that
# the dashboard shows both to the Tokyo poster at the small size already.
HANDLES = ("IMMI_OSAKA", "MOJ_IMMI", "IMMI_TOKYO")


def grow(rows: int, people, start: int) -> None:
    """`rows` more of everything the pages read, numbered from `start`."""
    now = timezone.now()
    make_history(posts=rows, handles=HANDLES, authors=people, now=now - dt.timedelta(days=start + 1))
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO", platform="x")
    posts = list(Post.objects.order_by("-id")[:rows])
    Notification.objects.bulk_create(
        Notification(recipient=person, kind=Notification.Kind.APPROVED, post=post, read_at=None if n % 2 else now)
        for person in people
        for n, post in enumerate(posts)
    )
    for n in range(start, start + rows):
        person = people[n % len(people)]
        AuditEventFactory.create(kind="login.succeeded", actor=person, actor_name=person.username)
        AuditEventFactory.create(
            kind="membership.changed", actor=person, actor_name=person.username, office=tokyo.office
        )
        AccountConnection.objects.create(
            account=tokyo, kind=AccountConnection.Kind.REAUTHORISED, method="callback", actor=people[-1]
        )
        AccountStateChangeFactory.create(account=tokyo, actor=people[-1], from_state="active", to_state="paused")
        ReplyFactory.create(account=tokyo, external_id=f"flat-{n}", text="質問です", needs_review=n % 2 == 0)


def _pages():
    tokyo = "IMMI_TOKYO"
    return [
        ("notifications", reverse("notifications"), {}),
        ("help", reverse("help"), {}),
        ("dashboard, every account's health", reverse("home"), {"health": "all"}),
        ("audit export CSV", reverse("audit:export", args=["csv"]), {}),
        ("audit export JSON Lines", reverse("audit:export", args=["jsonl"]), {}),
        ("connect page", reverse("account_connect", args=[tokyo]), {"platform": "x"}),
        ("official accounts", reverse("public:official_accounts"), {}),
        ("official accounts JSON", reverse("public:official_accounts_json"), {}),
        ("policy", reverse("public:policy"), {}),
    ]


def _queries(client, url: str, params: dict) -> tuple[int, int]:
    """(status, queries) of one request, a streamed body read to its end (the export queries as it streams)."""
    client.get(url, params)  # what a page keeps in the cache for the next one is read by this first
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
        if response.streaming:
            b"".join(response.streaming_content)
    return response.status_code, len(captured)


@pytest.mark.parametrize("role", ["poster", "supervisor", "administrator"])
def test_the_pages_make_as_many_queries_at_three_times_the_rows(client, role, tokyo_poster, tokyo_supervisor):
    admin = make_person("flat-admin", is_staff=True, is_superuser=True)
    person = {"poster": tokyo_poster, "supervisor": tokyo_supervisor, "administrator": admin}[role]
    people = [tokyo_poster, tokyo_supervisor, admin]
    sign_in_with_second_factor(client, person)
    grow(N, people, start=0)
    small = {name: _queries(client, url, params) for name, url, params in _pages()}
    grow(2 * N, people, start=N)
    large = {name: _queries(client, url, params) for name, url, params in _pages()}
    assert large == small
    # Each page opened; the connect page only for an administrator (404 for everyone else, as for no account).
    statuses = {name: status for name, (status, _queries) in large.items()}
    assert statuses.pop("connect page") == (200 if role == "administrator" else 404)
    assert set(statuses.values()) == {200}, statuses
