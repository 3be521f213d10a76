"""A closed month's reach is counted once, kept in ReachMonth and read from there; the open month never is."""

import dataclasses
import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import SocialAccount
from posts.models import PostTarget
from reports import selectors, tasks
from reports.models import ReachMonth
from reports.selectors import Month
from tests.reports.test_report_page import account, figures, published

pytestmark = pytest.mark.django_db

URL = reverse("reports:monthly")
CSV = reverse("reports:csv")
NOW = Month.of(timezone.localdate())
# Two months back has always closed: its last day is at least a month ago.
CLOSED = NOW.previous.previous


def _month_of_figures(month: Month) -> dict[str, list[PostTarget]]:
    """Posts of ``month`` in three accounts with every shape of figures: more than five in one account, ties,
    engagement without views, nothing given at all, and figures read after the month's end (not counted)."""
    end = month.last
    made: dict[str, list[PostTarget]] = {}
    views: dict[str, list[int | None]] = {
        "IMMI_TOKYO": [500, 90, 90, None, 70, 60, 50, 40],
        "IMMI_NARITA": [300, None],
        "IMMI_OSAKA": [90, 10],
    }
    for handle, numbers in views.items():
        for n, number in enumerate(numbers):
            target = published(handle, day=n + 2, month=month)
            figures(target, day=end - dt.timedelta(days=3), views=(number or 0) // 2, liked=1)
            liked = None if number is None and n % 2 else n
            figures(target, day=end, views=number, liked=liked)
            figures(target, day=end + dt.timedelta(days=1), views=10**6, liked=10**6)  # after the month: not counted
            made.setdefault(handle, []).append(target)
    published("IMMI_TOKYO", day=20, month=month)  # never read: blank
    return made


def _live(monkeypatch, client, params) -> selectors.MonthlyReport:
    """The report counted from the figures, as for a month still open."""
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "is_closed", lambda month: False)
        return client.get(URL, params).context["report"]


def _shown(report: selectors.MonthlyReport) -> tuple:
    return (
        [dataclasses.asdict(row) for row in report.accounts],
        dataclasses.asdict(report.total),
        [dataclasses.asdict(post) for post in report.top_posts],
        report.chart,
    )


def test_a_closed_month_is_counted_once_then_read_without_the_figures(client, viewer):
    client.force_login(viewer)
    _month_of_figures(CLOSED)
    _month_of_figures(CLOSED.previous)
    params = {"month": str(CLOSED)}

    with CaptureQueriesContext(connection) as first:
        counted = client.get(URL, params).context["report"]
    with CaptureQueriesContext(connection) as second:
        read = client.get(URL, params).context["report"]

    accounts = SocialAccount.objects.count()
    assert ReachMonth.objects.filter(month=CLOSED.first).count() == accounts
    assert ReachMonth.objects.filter(month=CLOSED.previous.first).count() == accounts  # the change needs it
    assert any("reports_postfigures" in q["sql"] for q in first.captured_queries)
    assert not any("reports_postfigures" in q["sql"] for q in second.captured_queries)
    assert len(second) < len(first)
    assert _shown(read) == _shown(counted)


def test_the_kept_month_gives_what_the_live_count_gives_blanks_included(client, viewer, monkeypatch):
    client.force_login(viewer)
    made = _month_of_figures(CLOSED)
    _month_of_figures(CLOSED.previous)
    params = {"month": str(CLOSED)}

    live = _live(monkeypatch, client, params)
    counted = client.get(URL, params).context["report"]
    read = client.get(URL, params).context["report"]

    assert _shown(counted) == _shown(live) and _shown(read) == _shown(live)
    rows = {row.account.handle: row for row in read.accounts}
    assert rows["IMMI_OSAKA"].views == 100 and rows["IMMI_TOKYO"].views == 500 + 90 + 90 + 70 + 60 + 50 + 40
    assert rows["IMMI_NARITA"].views_change == 0  # the same figures the month before
    blank = next(h for h in rows if h not in made)
    assert (rows[blank].views, rows[blank].engagement, rows[blank].read_at, rows[blank].views_change) == (None,) * 4
    # Best first; a tie on views goes to more engagement, then to the older post; Osaka's 90 ranks with Tokyo's.
    tokyo, narita, osaka = made["IMMI_TOKYO"], made["IMMI_NARITA"], made["IMMI_OSAKA"]
    assert [p.target_id for p in read.top_posts] == [tokyo[0].pk, narita[0].pk, tokyo[2].pk, tokyo[1].pk, osaka[0].pk]
    kept = ReachMonth.objects.get(account=account("IMMI_TOKYO"), month=CLOSED.first)
    assert len(kept.top) == 5 and kept.published == 9
    unread = ReachMonth.objects.get(account=rows[blank].account, month=CLOSED.first)
    assert (unread.views, unread.engagement, unread.read_at, unread.top) == (None, None, None, [])


def test_a_figure_the_platform_did_not_give_stays_blank_when_kept(client, viewer, monkeypatch):
    client.force_login(viewer)
    target = published("IMMI_TOKYO", day=3, month=CLOSED)
    figures(target, day=CLOSED.last, views=None, liked=None)
    params = {"month": str(CLOSED)}

    live = _live(monkeypatch, client, params)
    client.get(URL, params)
    read = client.get(URL, params).context["report"]

    row = next(r for r in read.accounts if r.account.handle == "IMMI_TOKYO")
    assert (row.views, row.engagement) == (None, None) and row.read_at is not None
    assert read.top_posts == [] and read.total.views is None
    assert _shown(read) == _shown(live)
    kept = ReachMonth.objects.get(account=target.account, month=CLOSED.first)
    assert (kept.views, kept.engagement, kept.top) == (None, None, [])


def test_the_csv_of_a_kept_month_is_the_live_one(client, viewer, monkeypatch):
    client.force_login(viewer)
    _month_of_figures(CLOSED)
    params = {"month": str(CLOSED)}
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "is_closed", lambda month: False)
        live = client.get(CSV, params).content
    assert client.get(CSV, params).content == live  # counted and kept
    assert client.get(CSV, params).content == live  # read


def test_the_open_month_is_never_kept(client, viewer):
    client.force_login(viewer)
    _month_of_figures(NOW)
    client.get(URL, {"month": str(NOW)})
    assert not ReachMonth.objects.filter(month=NOW.first).exists()


def test_a_month_closes_the_second_utc_day_after_its_last():
    november = Month(2026, 11)
    assert selectors.closes_at(november) == dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
    with time_machine.travel(dt.datetime(2026, 12, 1, 23, 59, tzinfo=dt.UTC), tick=False):
        assert not selectors.is_closed(november)  # the last day's collection may still be writing
    with time_machine.travel(dt.datetime(2026, 12, 2, tzinfo=dt.UTC), tick=False):
        assert selectors.is_closed(november) and not selectors.is_closed(Month(2026, 12))


def test_a_month_kept_before_it_closed_is_counted_again(client, viewer):
    """A row written too early (a wrong clock, or the open month) is never served: it is counted again."""
    client.force_login(viewer)
    tokyo = account("IMMI_TOKYO")
    target = published("IMMI_TOKYO", day=3, month=CLOSED)
    figures(target, day=CLOSED.last, views=70)
    early = selectors.closes_at(CLOSED) - dt.timedelta(hours=1)
    ReachMonth.objects.create(account=tokyo, month=CLOSED.first, published=1, views=1, counted_at=early)
    ReachMonth.objects.create(account=tokyo, month=NOW.first, published=0, views=999, counted_at=timezone.now())

    closed = client.get(URL, {"month": str(CLOSED)}).context["report"]
    now = client.get(URL, {"month": str(NOW)}).context["report"]

    assert next(r for r in closed.accounts if r.account == tokyo).views == 70
    kept = ReachMonth.objects.get(account=tokyo, month=CLOSED.first)
    assert kept.views == 70 and kept.counted_at > early
    assert next(r for r in now.accounts if r.account == tokyo).views is None  # the open month: counted live


def test_a_post_withdrawn_after_the_month_closed_is_counted_again(client, viewer, monkeypatch):
    client.force_login(viewer)
    made = _month_of_figures(CLOSED)
    params = {"month": str(CLOSED)}
    client.get(URL, params)
    PostTarget.objects.filter(pk=made["IMMI_TOKYO"][0].pk).update(state=PostTarget.State.WITHDRAWN)

    read = client.get(URL, params).context["report"]

    assert made["IMMI_TOKYO"][0].pk not in [p.target_id for p in read.top_posts]
    assert _shown(read) == _shown(_live(monkeypatch, client, params))
    assert ReachMonth.objects.get(account=account("IMMI_TOKYO"), month=CLOSED.first).published == 8


def test_two_first_readers_at_once_both_get_the_report(client, viewer, monkeypatch):
    """The other request keeps the month between this one's read and its write: the write does not fail."""
    client.force_login(viewer)
    _month_of_figures(CLOSED)
    params = {"month": str(CLOSED)}
    count = selectors._count_months
    raced: list[Month] = []

    def the_other_request_first(accounts, month, published):
        if not raced:
            raced.append(month)
            count(accounts, month, published)
        return count(accounts, month, published)

    monkeypatch.setattr(selectors, "_count_months", the_other_request_first)
    report = client.get(URL, params).context["report"]

    assert raced and report.total.views is not None
    assert ReachMonth.objects.filter(month=CLOSED.first).count() == SocialAccount.objects.count()
    monkeypatch.undo()
    assert _shown(client.get(URL, params).context["report"]) == _shown(report)


@pytest.mark.parametrize("url", [URL, CSV])
def test_query_counts_of_a_closed_month_are_flat(client, viewer, url):
    client.force_login(viewer)
    params = {"month": str(CLOSED)}
    counts = []
    for posts in (1, 4):
        for handle in ("IMMI_TOKYO", "IMMI_NARITA", "IMMI_OSAKA"):
            for n in range(posts):
                target = published(handle, day=n + (2 if posts == 1 else 5), month=CLOSED)
                figures(target, day=CLOSED.last, views=10 * n)
        ReachMonth.objects.all().delete()
        with CaptureQueriesContext(connection) as counting:
            assert client.get(url, params).status_code == 200
        with CaptureQueriesContext(connection) as reading:
            client.get(url, params)
        counts.append((len(counting), len(reading)))
    assert counts[0] == counts[1]


def test_a_kept_month_shows_only_the_accounts_the_person_may_see(client, viewer, tokyo_poster):
    client.force_login(viewer)
    made = _month_of_figures(CLOSED)
    osaka = published("IMMI_OSAKA", day=28, month=CLOSED)
    figures(osaka, day=CLOSED.last, views=10**6)
    params = {"month": str(CLOSED)}
    agency = client.get(URL, params).context["report"]
    assert agency.top_posts[0].target_id == osaka.pk  # kept for every account

    client.force_login(tokyo_poster)
    office = client.get(URL, params).context["report"]

    handles = {row.account.handle for row in office.accounts}
    assert "IMMI_OSAKA" not in handles and "IMMI_TOKYO" in handles
    assert {p.account.handle for p in office.top_posts} <= handles
    assert made["IMMI_OSAKA"][0].pk not in [p.target_id for p in office.top_posts]
    assert office.total.views == sum(row.views or 0 for row in office.accounts)


def test_beat_keeps_the_month_that_closed_last():
    assert settings.CELERY_BEAT_SCHEDULE["reach-months"]["task"] == "reports.store_closed_month"
    target = published("IMMI_TOKYO", day=3, month=CLOSED)
    figures(target, day=CLOSED.last, views=70)
    with time_machine.travel(selectors.closes_at(CLOSED) + dt.timedelta(hours=1)):
        assert tasks.store_closed_month() == str(CLOSED)
        assert ReachMonth.objects.filter(month=CLOSED.first).count() == SocialAccount.objects.count()
        with CaptureQueriesContext(connection) as again:
            tasks.store_closed_month()
    assert ReachMonth.objects.get(account=target.account, month=CLOSED.first).views == 70
    assert not any(q["sql"].startswith("INSERT") for q in again.captured_queries)
