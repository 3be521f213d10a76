"""The monthly report: scope per role, its figures, honest blanks, the CSV, and flat query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import SocialAccount
from posts.models import Post, PostEvent, PostTarget
from replies.categories import ProhibitedAct
from replies.models import Reply, ReplyDecision
from reports.models import AccountFigures
from reports.selectors import Month
from tests.factories import (
    PostEventFactory,
    PostFactory,
    PostTargetFactory,
    ReplyDecisionFactory,
    ReplyFactory,
    make_person,
)
from tests.factories_reports import AccountFiguresFactory, PostFiguresFactory, ReachDayFactory

pytestmark = pytest.mark.django_db

URL = reverse("reports:monthly")
CSV = reverse("reports:csv")
MONTH = Month.of(timezone.localdate())


@pytest.fixture
def en(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def account(handle: str) -> SocialAccount:
    return SocialAccount.objects.get(handle=handle, platform="x")


def published(handle: str, *, day: int = 2, reason: str = "", month: Month = MONTH) -> PostTarget:
    at = month.start + dt.timedelta(days=day - 1, hours=10)
    post = PostFactory.create(
        author=make_person(f"author-{handle}-{day}-{month}"),
        body=f"お知らせ {handle} {day}",
        scheduled_at=at,
        state=Post.State.APPROVED,
        outside_hours_reason=reason,
    )
    return PostTargetFactory.create(
        post=post,
        account=account(handle),
        state=PostTarget.State.PUBLISHED,
        external_id=f"{handle}{day}",
        published_at=at,
    )


def figures(target: PostTarget, *, day: dt.date, views: int | None, liked: int | None = 0) -> None:
    PostFiguresFactory.create(target=target, day=day, views=views, liked=liked)


def test_an_anonymous_visitor_is_asked_to_sign_in(client):
    assert client.get(URL).status_code == 302 and client.get(CSV).status_code == 302


def test_the_report_takes_only_get(client, tokyo_poster):
    client.force_login(tokyo_poster)
    assert client.post(URL).status_code == 405


def test_an_office_sees_its_subtree_and_not_another_office(client, tokyo_poster, en):
    client.force_login(tokyo_poster)
    response = client.get(URL, {"month": str(MONTH)})
    handles = {row.account.handle for row in response.context["report"].accounts}
    assert "IMMI_TOKYO" in handles and "IMMI_NARITA" in handles and "IMMI_OSAKA" not in handles
    osaka = account("IMMI_OSAKA").office
    response = client.get(URL, {"month": str(MONTH), "office": osaka.pk})
    assert response.context["report"] is None and "office" in response.context["form"].errors
    assert client.get(CSV, {"office": osaka.pk}).status_code == 400


def test_the_agency_sees_everything_and_can_narrow_to_one_office(client, viewer):
    client.force_login(viewer)
    report = client.get(URL).context["report"]
    assert len(report.accounts) == SocialAccount.objects.count()
    osaka = account("IMMI_OSAKA").office
    narrowed = client.get(URL, {"office": osaka.pk}).context["report"]
    assert {row.account.office_id for row in narrowed.accounts} <= {
        osaka.pk,
        *osaka.children.values_list("pk", flat=True),
    }


@pytest.mark.parametrize("month", ["1999-12", "2101-01", "2026-13", "abc", "2026-1"])
def test_a_month_out_of_bounds_is_refused(client, viewer, month):
    client.force_login(viewer)
    response = client.get(URL, {"month": month})
    assert response.context["report"] is None and "month" in response.context["form"].errors


def test_no_month_means_the_month_just_finished(client, viewer):
    client.force_login(viewer)
    assert client.get(URL).context["report"].month == MONTH.previous


def test_figures_changes_blanks_top_posts_and_followers(client, viewer, en):
    client.force_login(viewer)
    end = MONTH.last
    a = published("IMMI_TOKYO", day=2)
    b = published("IMMI_TOKYO", day=3, reason="台風のため臨時閉庁")
    c = published("IMMI_NARITA", day=4)
    figures(a, day=end - dt.timedelta(days=5), views=100)
    figures(a, day=end, views=400, liked=10)  # the latest read by the month's end counts
    figures(b, day=end, views=None, liked=None)  # the platform gave nothing: blank, not 0
    figures(c, day=end, views=50, liked=2)
    before = published("IMMI_TOKYO", day=5, month=MONTH.previous)
    figures(before, day=MONTH.previous.last, views=300, liked=20)
    tokyo = account("IMMI_TOKYO")
    AccountFiguresFactory.create(account=tokyo, day=MONTH.previous.last, followers=1000)
    AccountFiguresFactory.create(account=tokyo, day=end, followers=1100)

    report = client.get(URL, {"month": str(MONTH)}).context["report"]

    rows = {row.account.handle: row for row in report.accounts}
    t = rows["IMMI_TOKYO"]
    assert (t.published, t.in_hours, t.outside_hours) == (2, 1, 1)
    assert (t.views, t.views_change, t.engagement, t.engagement_change) == (400, 100, 10, -10)
    assert (t.followers, t.growth) == (1100, 100)
    assert rows["IMMI_OSAKA"].views is None and rows["IMMI_OSAKA"].followers is None  # never read: blank
    assert [p.target_id for p in report.top_posts] == [a.pk, c.pk]
    assert [(o.post_id, o.reason) for o in report.outside_hours] == [(b.post_id, "台風のため臨時閉庁")]
    assert report.total.views == 450


def test_failures_replies_and_the_budget_note(client, viewer, en):
    client.force_login(viewer)
    target = published("IMMI_TOKYO", day=2)
    PostEventFactory.create(post=target.post, target=target, action=PostEvent.Action.FAIL)
    tokyo = account("IMMI_TOKYO")
    person = make_person("moderator")
    hidden = ReplyFactory.create(account=tokyo, category=ProhibitedAct.PERSONAL_DATA)
    Reply.objects.filter(pk=hidden.pk).update(received_at=timezone.now() - dt.timedelta(minutes=30))
    ReplyDecisionFactory.create(reply=hidden, action=ReplyDecision.Action.HIDE)
    ReplyDecisionFactory.create(reply=hidden, action=ReplyDecision.Action.CONFIRM, actor=person)
    ReplyFactory.create(account=tokyo)
    ReachDayFactory.create(account=tokyo, day=MONTH.first, posts_skipped=7)

    response = client.get(URL, {"month": str(MONTH)})
    report = response.context["report"]

    (problem,) = report.problems
    assert (problem.post_id, problem.what, problem.resolution) == (target.post_id, "Failed", "Published")
    personal = next(r for r in report.replies if r.category == ProhibitedAct.PERSONAL_DATA)
    assert (personal.received, personal.hidden_by_system) == (1, 1)
    assert report.replies_total.received == 2
    assert (report.decisions_by_system, report.decisions_by_person) == (1, 1)
    assert 29 <= report.median_minutes_to_decision <= 31
    assert (report.budget_days, report.budget_posts_skipped) == (1, 7)
    assert b"report-budget-note" in response.content


def test_the_csv_has_a_bom_and_japanese_headers_in_the_japanese_interface(client, viewer):
    client.force_login(viewer)
    target = published("IMMI_TOKYO", day=2)
    figures(target, day=MONTH.last, views=None, liked=3)

    response = client.get(CSV, {"month": str(MONTH)})

    text = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv") and text.startswith("\ufeff")
    assert f"immisns-report-{MONTH}.csv" in response["Content-Disposition"]
    assert "投稿数" in text and "フォロワー" in text and "Followers" not in text
    # A cell starting with @ would be a formula in a spreadsheet: it is kept as text.
    row = next(line for line in text.splitlines() if line.startswith("'@IMMI_TOKYO,"))
    assert row.split(",")[4] == ""  # views not given: blank, never 0


def test_the_csv_in_english(client, viewer, en):
    client.force_login(viewer)
    text = client.get(CSV, {"month": str(MONTH)}).content.decode("utf-8")
    assert "Posts published" in text and "Replies per §7 category" in text


def test_the_page_lists_the_first_posts_outside_office_hours_and_counts_the_rest(client, viewer, en, monkeypatch):
    monkeypatch.setattr("reports.selectors.LISTED", 2)
    client.force_login(viewer)
    late = [published("IMMI_TOKYO", day=day, reason=f"臨時 {day}") for day in (5, 3, 4)]
    published("IMMI_TOKYO", day=2)

    response = client.get(URL, {"month": str(MONTH)})

    report = response.context["report"]
    assert [o.post_id for o in report.outside_hours] == [late[1].post_id, late[2].post_id]  # the earliest first
    assert report.total.outside_hours == 3
    assert "1 more post went out outside office hours this month" in response.content.decode()
    text = client.get(CSV, {"month": str(MONTH)}).content.decode("utf-8")
    assert all(f"臨時 {day}" in text for day in (3, 4, 5))  # the CSV lists every one


def test_the_page_lists_the_first_problems_and_counts_the_rest(client, viewer, en, monkeypatch):
    monkeypatch.setattr("reports.selectors.LISTED", 2)
    client.force_login(viewer)
    failed = [published("IMMI_TOKYO", day=day) for day in (2, 3, 4)]
    for target in failed:  # each event is dated when it is written: in this order
        PostEventFactory.create(post=target.post, target=target, action=PostEvent.Action.FAIL)

    response = client.get(URL, {"month": str(MONTH)})

    report = response.context["report"]
    assert [p.post_id for p in report.problems] == [failed[0].post_id, failed[1].post_id]
    assert "1 more post failed or was left unconfirmed this month" in response.content.decode()
    text = client.get(CSV, {"month": str(MONTH)}).content.decode("utf-8")
    assert all(f"\r\n{t.post_id},'@IMMI_TOKYO,Failed," in text for t in failed)  # the CSV lists every one


def _world(posts_per_account: int) -> None:
    for handle in ("IMMI_TOKYO", "IMMI_NARITA", "IMMI_OSAKA"):
        for n in range(posts_per_account):
            target = published(handle, day=n + 1)
            figures(target, day=MONTH.last, views=10 * n)
            PostEventFactory.create(post=target.post, target=target, action=PostEvent.Action.FAIL)
            ReplyDecisionFactory.create(
                reply=ReplyFactory.create(account=target.account), action=ReplyDecision.Action.HIDE
            )
        AccountFigures.objects.get_or_create(
            account=account(handle), day=MONTH.last, defaults={"read_at": timezone.now()}
        )


@pytest.mark.parametrize("url", [URL, CSV])
def test_query_counts_are_flat(client, viewer, url, django_assert_num_queries):
    client.force_login(viewer)
    _world(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, {"month": str(MONTH)})  # the previous month, closed, is counted and kept by the first
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"month": str(MONTH)}).status_code == 200
    _world(4)
    with CaptureQueriesContext(connection) as large:
        client.get(url, {"month": str(MONTH)})
    assert len(large) == len(small)
    with django_assert_num_queries(len(small)):
        client.get(url, {"month": str(MONTH)})


def test_the_post_page_gives_each_targets_latest_figures_and_a_curve(client, viewer, en):
    client.force_login(viewer)
    target = published("IMMI_TOKYO", day=1)
    today = timezone.now().date()
    figures(target, day=today - dt.timedelta(days=1), views=100)
    PostFiguresFactory.create(target=target, day=today, views=180, liked=7, reposts=None)

    response = client.get(reverse("posts:detail", args=[target.post_id]))

    html = response.content.decode()
    assert 'id="post-reach"' in html and f'id="reach-{target.pk}"' in html
    assert "<dd>180</dd>" in html and "<dd>7</dd>" in html and "<path d=" in html


def test_a_post_without_figures_shows_no_reach_card(client, viewer):
    client.force_login(viewer)
    target = published("IMMI_TOKYO", day=1)
    assert b'id="post-reach"' not in client.get(reverse("posts:detail", args=[target.post_id])).content


def test_the_account_page_shows_followers_over_time_and_the_months_best_posts(client, viewer, en):
    client.force_login(viewer)
    tokyo = account("IMMI_TOKYO")
    today = timezone.now().date()
    AccountFiguresFactory.create(account=tokyo, day=today - dt.timedelta(days=10), followers=900)
    AccountFiguresFactory.create(account=tokyo, day=today, followers=950)
    target = published("IMMI_TOKYO", day=1)
    figures(target, day=today, views=321)

    html = client.get(reverse("sns_account", args=["IMMI_TOKYO"])).content.decode()

    assert 'id="account-reach"' in html and "950 followers" in html
    assert 'id="account-best-posts"' in html and "321" in html


def test_the_post_and_account_pages_read_figures_in_as_many_queries_for_one_day_as_for_thirty(client, viewer):
    """Reach cards on the post page and the account page: the queries do not grow with the days collected."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(viewer)
    target = published("IMMI_TOKYO", day=1)
    today = timezone.now().date()
    figures(target, day=today, views=10)
    AccountFiguresFactory.create(account=target.account, day=today, followers=100)
    pages = [reverse("posts:detail", args=[target.post_id]), reverse("sns_account", args=["IMMI_TOKYO"])]
    counts = []
    for days in (1, 30):
        for back in range(1, days):
            figures(target, day=today - dt.timedelta(days=back), views=10 - back // 3)
            AccountFiguresFactory.create(account=target.account, day=today - dt.timedelta(days=back), followers=99)
        with CaptureQueriesContext(connection) as queries:
            html = "".join(client.get(url).content.decode() for url in pages)
        assert 'id="post-reach"' in html and 'id="account-reach"' in html
        counts.append(len(queries))
    assert counts[0] == counts[1]
