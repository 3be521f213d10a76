"""The moderation queue a page at a time: keyset pages in its own order, no count, stale cursors harmless."""

import base64
import datetime as dt
import html
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from replies.forms import SHORT_WORDS_DAYS
from replies.models import Reply
from replies.views import PAGE_SIZE
from tests.factories import ReplyFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("moderation:queue")
NOW = timezone.now().replace(microsecond=0)


def reply(n: int, *, waiting: bool = False, risk: int = 0, minutes_ago: int = 0, **fields) -> Reply:
    return ReplyFactory.create(
        text=fields.pop("text", f"質問 {n}"),
        needs_review=waiting,
        risk=risk,
        created_at=NOW - dt.timedelta(minutes=minutes_ago),
        **fields,
    )


def mixed(count: int, **fields) -> list[Reply]:
    """Replies of every kind the queue orders: waiting or not, four risks, and several written the same minute."""
    return [
        reply(n, waiting=n % 7 == 0, risk=n % 4, minutes_ago=n // 3, **fields)  # three replies a minute: ties
        for n in range(count)
    ]


def queue_order(replies) -> list[int]:
    ordered = sorted(replies, key=lambda r: (r.needs_review, r.risk, r.created_at, r.pk), reverse=True)
    return [r.pk for r in ordered]


def shown(response) -> list[int]:
    assert response.status_code == 200
    return [item["reply"].pk for item in response.context["items"]]


def walk(client, params=None, *, between=None) -> list[int]:
    """Every reply the "Next page" links lead to from the first page; `between(page)` runs before each next load."""
    response = client.get(QUEUE, params or {})
    seen = shown(response)
    pages = 1
    while response.context["page"].next_query:
        link = response.context["page"].next_query
        assert f'href="{html.escape(link)}" rel="next"' in response.content.decode()
        if between:
            between(pages)
        response = client.get(QUEUE + link)
        seen += shown(response)
        pages += 1
        assert pages < 20
    return seen


def test_pages_show_every_reply_once_waiting_then_riskiest_then_newest(poster_client):
    replies = mixed(2 * PAGE_SIZE + 20)
    first = poster_client.get(QUEUE)
    assert shown(first) == queue_order(replies)[:PAGE_SIZE]
    content = first.content.decode()
    assert "Next page" in content or "次のページ" in content
    assert " / " not in content.split('class="pager"')[1]  # no "page N of M": nothing counts every reply
    assert walk(poster_client) == queue_order(replies)


def test_the_previous_page_is_the_one_before(poster_client):
    replies = mixed(2 * PAGE_SIZE + 5)
    second = poster_client.get(QUEUE + poster_client.get(QUEUE).context["page"].next_query)
    back = poster_client.get(QUEUE + second.context["page"].previous_query)
    assert shown(back) == queue_order(replies)[:PAGE_SIZE]
    assert not back.context["page"].previous_query  # the first page again: no "Previous page"


def test_replies_arriving_between_page_loads_repeat_or_skip_nothing(poster_client):
    replies = mixed(2 * PAGE_SIZE + 20)
    arrived: list[Reply] = []

    def arrive(pages):
        # A new waiting high-risk reply (ahead of the pages read, not shown again) and an old harmless one
        # (behind them: still to come), as listening stores them while someone reads the queue.
        arrived.append(reply(1000 + pages, waiting=True, risk=3, minutes_ago=-1))
        arrived.append(reply(2000 + pages, minutes_ago=10_000 + pages))

    seen = walk(poster_client, between=arrive)
    assert len(seen) == len(set(seen)), "a reply was shown twice"
    assert [pk for pk in seen if pk in {r.pk for r in replies}] == queue_order(replies), "a reply was skipped"
    behind = [r.pk for r in arrived if not r.needs_review]
    assert set(behind) <= set(seen)  # the ones that sort after the pages already read still come
    assert seen == queue_order([Reply.objects.get(pk=pk) for pk in seen])


def test_filters_and_search_are_kept_across_pages(poster_client):
    wanted = mixed(PAGE_SIZE + 10, handle="IMMI_NARITA", text="ビザ代行の宣伝です")
    mixed(20, handle="IMMI_NARITA", text="ありがとうございました")
    mixed(20, handle="IMMI_TOKYO", text="ビザ代行の宣伝です")
    narita = wanted[0].account
    params = {"q": "代行の宣伝", "account": narita.pk}
    first = poster_client.get(QUEUE, params)
    assert "q=" in first.context["page"].next_query and f"account={narita.pk}" in first.context["page"].next_query
    assert walk(poster_client, params) == queue_order(wanted)


def test_query_count_of_a_later_page_stays_flat(poster_client):
    counts = []
    for size in (PAGE_SIZE + 5, 3 * PAGE_SIZE):
        Reply.objects.all().delete()
        mixed(size)
        link = poster_client.get(QUEUE).context["page"].next_query
        with CaptureQueriesContext(connection) as captured:
            assert len(shown(poster_client.get(QUEUE + link))) in (5, PAGE_SIZE)
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 20, counts


def _token(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        "A" * 5000,
        _token({"after": 1}),
        _token([True, 3, NOW.isoformat()]),  # one value short
        _token([True, 9, NOW.isoformat(), 1]),  # no such risk
        _token([True, 3, "9999-12-31T23:59:59+00:00", 1]),  # the end of the calendar
        _token([True, 3, NOW.isoformat(), 2**70]),  # beyond the id column
        _token([None, 3, NOW.isoformat(), 1]),
        _token(["maybe", 3, NOW.isoformat(), 1]),
        _token([True, 3, "yesterday", 1]),
    ],
)
@pytest.mark.parametrize("key", ["after", "before"])
def test_a_stale_or_forged_cursor_gives_the_first_page(poster_client, key, cursor):
    replies = mixed(PAGE_SIZE + 5)
    response = poster_client.get(QUEUE, {key: cursor})
    assert shown(response) == queue_order(replies)[:PAGE_SIZE]


def test_a_cursor_of_a_reply_gone_since_still_leads_on(poster_client):
    replies = mixed(PAGE_SIZE + 5)
    link = poster_client.get(QUEUE).context["page"].next_query
    Reply.objects.filter(pk=queue_order(replies)[PAGE_SIZE - 1]).delete()  # the last reply of the first page
    assert shown(poster_client.get(QUEUE + link)) == queue_order(replies)[PAGE_SIZE:]


def test_a_nul_in_the_cursor_is_refused_with_a_message(poster_client):
    response = poster_client.get(QUEUE, {"after": "abc\x00"})
    assert response.status_code == 400


# --- Words of one or two characters: no trigram, so one window of days at a time ----------------------


def test_a_two_character_word_is_looked_for_in_the_last_months_and_the_page_says_so(poster_client):
    recent = reply(1, text="入管に行きました", minutes_ago=10 * 24 * 60)
    older = reply(2, text="入管の窓口", minutes_ago=(SHORT_WORDS_DAYS + 30) * 24 * 60)
    response = poster_client.get(QUEUE, {"q": "入管"}, HTTP_ACCEPT_LANGUAGE="en")
    assert shown(response) == [recent.pk]
    today = timezone.localdate()
    since = today - dt.timedelta(days=SHORT_WORDS_DAYS - 1)
    content = response.content.decode()
    assert f"these are the replies written from {since:%Y-%m-%d} to {today:%Y-%m-%d}" in content
    # The link to the window before finds the older reply, and says which window that is.
    before = response.context["window_before"]
    assert f'<a href="{html.escape(before)}">The three months before</a>' in content
    earlier = poster_client.get(QUEUE + before, HTTP_ACCEPT_LANGUAGE="en")
    assert shown(earlier) == [older.pk]
    until = since - dt.timedelta(days=1)
    assert f"from {until - dt.timedelta(days=SHORT_WORDS_DAYS - 1):%Y-%m-%d} to {until:%Y-%m-%d}" in (
        earlier.content.decode()
    )
    # Three characters make trigrams: every reply is searched, and nothing is said about a window.
    everything = poster_client.get(QUEUE, {"q": "入管の"}, HTTP_ACCEPT_LANGUAGE="en")
    assert shown(everything) == [older.pk] and "search-window" not in everything.content.decode()


def test_a_short_word_with_dates_further_apart_reads_the_last_window_of_them(poster_client):
    inside = reply(1, text="在留", minutes_ago=(200 + 5) * 24 * 60)
    reply(2, text="在留", minutes_ago=(200 + SHORT_WORDS_DAYS + 5) * 24 * 60)
    until = timezone.localdate() - dt.timedelta(days=200)
    response = poster_client.get(QUEUE, {"q": "在留", "since": "2020-01-01", "until": until.isoformat()})
    assert shown(response) == [inside.pk]
    assert response.context["window"] == (until - dt.timedelta(days=SHORT_WORDS_DAYS - 1), until)
    # A narrower range is read as it is.
    narrow = {"q": "在留", "since": (until - dt.timedelta(days=9)).isoformat(), "until": until.isoformat()}
    assert shown(poster_client.get(QUEUE, narrow)) == [inside.pk]


def test_a_short_handle_after_the_at_sign_is_short_too(poster_client):
    response = poster_client.get(QUEUE, {"q": "@ab"})
    assert response.context["window"] is not None
    assert poster_client.get(QUEUE, {"q": "@abc"}).context["window"] is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL, which production runs")
@pytest.mark.parametrize("params", [{}, {"category": "personal_data"}, {"state": "hidden"}, {"account": "narita"}])
def test_an_index_walks_the_queues_order_on_a_later_page_too(poster_client, params):
    """Without a sort: an index serves the order, so a page reads its own rows and not every reply before it."""
    replies = mixed(PAGE_SIZE + 5, handle="IMMI_NARITA", category="personal_data", state=Reply.State.HIDDEN)
    if params.get("account"):
        params = {"account": replies[0].account_id}
    link = poster_client.get(QUEUE, params).context["page"].next_query
    with CaptureQueriesContext(connection) as captured:
        assert shown(poster_client.get(QUEUE + link)) == queue_order(replies)[PAGE_SIZE:]
    page_query = next(q["sql"] for q in captured if "moderation_reply" in q["sql"] and "LIMIT 51" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")  # a sort the index cannot spare then shows in the plan
        cursor.execute("EXPLAIN " + page_query)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Sort" not in plan and "reply_queue_" in plan, plan
