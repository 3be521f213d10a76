"""The account pages (/accounts/<handle>/), the dashboard's health card and the SVG charts.

Per role: a poster sees their own office's accounts, a supervisor their
subtree, a viewer theirs read only, an administrator all; another office's
account and an unknown handle answer 404. allauth's own pages under
/accounts/ keep working.
"""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from accounts import services as account_services
from accounts.models import Membership, SocialAccount
from posts.models import Post, PostEvent, PostTarget
from replies.models import Reply, ReplyDecision
from tests.conftest import add_totp, sign_in_with_second_factor
from tests.factories import (
    ClosureDayFactory,
    FooterFactory,
    PostFactory,
    PostTargetFactory,
    ReplyDecisionFactory,
    ReplyFactory,
    make_history,
    make_person,
)
from tests.posts.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

T = PostTarget.State


def page_url(handle: str) -> str:
    return reverse("sns_account", args=[handle])


def account(handle: str) -> SocialAccount:
    return SocialAccount.objects.get(handle=handle)


def target_on(handle: str, state: str, *, at: dt.datetime, author, body: str = "お知らせです。") -> PostTarget:
    """A post with one target on the account in the given state, as the engine leaves it (written directly)."""
    post = PostFactory.create(author=author, body=body, scheduled_at=at, state=Post.State.APPROVED)
    target = PostTargetFactory.create(
        post=post, account=account(handle), state=state, due_at=at, published_at=at if state == T.PUBLISHED else None
    )
    if state == T.PUBLISHED:  # the platform's id is the target's own, known only once it is written
        PostTarget.objects.filter(pk=target.pk).update(external_id=str(target.pk))
    return PostTarget.objects.get(pk=target.pk)


def text(response) -> str:
    """The page's visible words, one space between tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def section(response, section_id: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="{section_id}"')
    end = html.find("</section>", start)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start:end]))


@pytest.fixture
def frozen_now():
    """Tuesday 2026-12-01 09:30 JST, as for the post pages."""
    with time_machine.travel(NOW, tick=True):
        yield NOW


@pytest.fixture
def en(client, settings):
    """The pages in English (people's default is Japanese), whether or not the catalogue has the words yet."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


# --- allauth's pages under /accounts/ still win --------------------------------------------------


def test_allauths_login_page_still_answers_under_accounts(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_allauths_logout_and_second_factor_pages_still_answer(client, tokyo_poster):
    client.force_login(tokyo_poster)
    assert client.get("/accounts/2fa/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get(page_url("IMMI_TOKYO")).status_code == 302  # signed out now


def test_the_account_page_asks_an_anonymous_visitor_to_sign_in(client):
    response = client.get(page_url("IMMI_TOKYO"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_account_page_takes_only_get(client, tokyo_poster):
    client.force_login(tokyo_poster)
    assert client.post(page_url("IMMI_TOKYO")).status_code == 405


# --- who sees which account ----------------------------------------------------------------------


def test_a_poster_sees_their_office_and_its_branches_not_another_office(client, tokyo_poster):
    client.force_login(tokyo_poster)
    assert client.get(page_url("IMMI_TOKYO")).status_code == 200
    assert client.get(page_url("IMMI_NARITA")).status_code == 200
    assert client.get(page_url("IMMI_OSAKA")).status_code == 404
    assert client.get(page_url("MOJ_IMMI")).status_code == 404
    assert client.get(page_url("NO_SUCH_ACCOUNT")).status_code == 404


def test_the_handle_is_found_whatever_its_case(client, tokyo_poster):
    client.force_login(tokyo_poster)
    response = client.get(page_url("immi_tokyo"))
    assert response.status_code == 200 and response.context["account"].handle == "IMMI_TOKYO"


def test_a_viewer_sees_every_account_below_their_office_read_only(client, viewer):
    client.force_login(viewer)
    for handle in ("IMMI_OSAKA", "MOJ_IMMI", "ImmigrationServicesAgency.MOJ", "IMMI_NAHA"):
        assert client.get(page_url(handle)).status_code == 200, handle
    response = client.get(page_url("IMMI_OSAKA"))
    # A viewer (an auditor) reads the replies' counts and the decision history, with no control.
    content = response.content.decode()
    assert (
        'id="moderation"' in content
        and "/moderation/" not in content.split('id="moderation"')[1].split("</section>")[0]
    )


def test_a_supervisor_sees_their_subtree(client, tokyo_supervisor):
    sign_in_with_second_factor(client, tokyo_supervisor)
    assert client.get(page_url("IMMI_YOKOHAMA")).status_code == 200
    assert client.get(page_url("IMMI_KOBE")).status_code == 404


def test_a_supervisor_reads_the_page_after_the_password_alone(client, tokyo_supervisor):
    client.force_login(tokyo_supervisor)
    assert client.get(page_url("IMMI_TOKYO")).status_code == 200


def test_an_administrator_sees_every_account(client, administrator):
    sign_in_with_second_factor(client, administrator)
    for found in SocialAccount.objects.all():
        assert client.get(found.get_absolute_url()).status_code == 200, found.handle


def test_the_platform_can_be_named_when_x_and_facebook_share_a_handle(client, viewer):
    client.force_login(viewer)
    assert client.get(page_url("IMMI_TOKYO"), {"platform": "x"}).status_code == 200
    assert client.get(page_url("IMMI_TOKYO"), {"platform": "facebook"}).status_code == 404
    assert client.get(page_url("IMMI_TOKYO"), {"platform": "<other>"}).status_code == 200  # ignored
    assert client.get(page_url("nagoya.nyukan.support"), {"platform": "facebook"}).status_code == 200


def test_the_platform_profile_is_one_click_from_the_page(client, tokyo_poster):
    client.force_login(tokyo_poster)
    html = client.get(page_url("IMMI_TOKYO")).content.decode()
    assert 'href="https://x.com/IMMI_TOKYO"' in html


# --- state and why ---------------------------------------------------------------------------------


def test_a_paused_account_says_who_paused_it_and_why(client, tokyo_poster, administrator, en):
    administrator.first_name, administrator.last_name = "Hanako", "Sato"
    administrator.save()
    account_services.account_pause(account=account("IMMI_TOKYO"), by=administrator, reason="年末の点検のため")
    client.force_login(tokyo_poster)
    response = client.get(page_url("IMMI_TOKYO"))
    why = section(response, "account-status")
    assert "Paused by Hanako Sato on 2026-12-01 09:30" in why
    assert "年末の点検のため" in why


def test_an_account_the_system_paused_says_so(client, tokyo_poster, en):
    account_services.account_pause_by_system(account=account("IMMI_TOKYO"), reason="X: no credits left")
    client.force_login(tokyo_poster)
    why = section(client.get(page_url("IMMI_TOKYO")), "account-status")
    assert "Paused by the system" in why and "X: no credits left" in why


def test_an_account_needing_reauthorisation_says_since_when(client, tokyo_poster, frozen_now, en):
    with time_machine.travel(frozen_now - dt.timedelta(days=3), tick=False):
        account_services.account_mark_needs_reauth(account=account("IMMI_NARITA"), reason="token revoked (89)")
    client.force_login(tokyo_poster)
    why = section(client.get(page_url("IMMI_NARITA")), "account-status")
    assert "Needs re-authorisation since 2026-11-28 09:30 (3 days)" in why
    assert "token revoked (89)" in why


# --- what it published, what comes next, what went wrong ----------------------------------------


def test_last_published_next_scheduled_and_recent_failures(client, tokyo_poster, frozen_now, en):
    author = tokyo_poster
    target_on("IMMI_TOKYO", T.PUBLISHED, at=frozen_now - dt.timedelta(days=12), author=author)
    last = target_on("IMMI_TOKYO", T.PUBLISHED, at=frozen_now - dt.timedelta(days=5), author=author)
    target_on("IMMI_TOKYO", T.SCHEDULED, at=frozen_now + dt.timedelta(days=4), author=author)
    upcoming = target_on("IMMI_TOKYO", T.SCHEDULED, at=frozen_now + dt.timedelta(days=1), author=author)
    failed = target_on("IMMI_TOKYO", T.FAILED, at=frozen_now - dt.timedelta(days=2), author=author)
    retried = target_on("IMMI_TOKYO", T.PUBLISHED, at=frozen_now - dt.timedelta(days=20), author=author)
    doubtful = target_on("IMMI_TOKYO", T.UNCONFIRMED, at=frozen_now - dt.timedelta(days=1), author=author)
    old = target_on("IMMI_TOKYO", T.PUBLISHED, at=frozen_now - dt.timedelta(days=60), author=author)
    for target, action in [(failed, "fail"), (retried, "fail"), (retried, "fail"), (doubtful, "unconfirmed")]:
        PostEvent.record(post_id=target.post_id, target=target, action=action, from_state=T.PUBLISHING, to_state=action)
    with time_machine.travel(frozen_now - dt.timedelta(days=45), tick=False):  # too long ago to count
        PostEvent.record(post_id=old.post_id, target=old, action="fail", from_state=T.PUBLISHING, to_state=T.FAILED)
    # Another account's failure counts there, not here.
    other = target_on("IMMI_NARITA", T.FAILED, at=frozen_now - dt.timedelta(days=1), author=author)
    PostEvent.record(post_id=other.post_id, target=other, action="fail", from_state=T.PUBLISHING, to_state=T.FAILED)

    client.force_login(tokyo_poster)
    status = section(client.get(page_url("IMMI_TOKYO")), "account-status")
    published, upcoming_part = status.split("Last published post")[1].split("Next scheduled")
    assert f"#{last.post_id} 2026-11-26 09:30" in published and "5 days ago" in published
    assert "No post for 30 days" not in published
    assert f"#{upcoming.post_id} 2026-12-02" in upcoming_part
    assert "2 failed, 1 unconfirmed" in re.sub(r"\s+,", ",", status)
    assert "2 posts did not go out" in status


def test_an_account_that_never_published_says_so(client, tokyo_poster, en):
    client.force_login(tokyo_poster)
    status = section(client.get(page_url("IMMI_HANEDA")), "account-status")
    assert "Nothing published yet." in status and "Nothing is scheduled." in status
    assert "0 failed, 0 unconfirmed" in re.sub(r"\s+,", ",", status)


# --- the footer and the office's hours -----------------------------------------------------------


def test_the_footer_in_force_is_the_accounts_own_override_newest_version(client, tokyo_poster, en):
    FooterFactory.create(platform="x", account=account("IMMI_TOKYO"), text="東京局の注記 v1", version=1)
    FooterFactory.create(platform="x", account=account("IMMI_TOKYO"), text="東京局の注記 v2", version=2)
    client.force_login(tokyo_poster)
    tokyo = section(client.get(page_url("IMMI_TOKYO")), "footer-in-force")
    assert "東京局の注記 v2" in tokyo and "v1" not in tokyo and "own footer, version 2" in tokyo
    narita = section(client.get(page_url("IMMI_NARITA")), "footer-in-force")
    assert "東京局の注記" not in narita and "The X footer" in narita


def test_office_hours_and_the_next_closures(client, tokyo_poster, en):
    ClosureDayFactory.create(date=dt.date(2026, 12, 4), office=account("IMMI_TOKYO").office, reason="庁舎の停電点検")
    ClosureDayFactory.create(date=dt.date(2026, 12, 8), office=account("IMMI_OSAKA").office, reason="大阪だけの休み")
    client.force_login(tokyo_poster)
    hours = section(client.get(page_url("IMMI_TOKYO")), "office-hours")
    assert "Monday 09:00–16:00" in hours and "Saturday Closed" in hours
    assert "2026-12-04 (Fri) 庁舎の停電点検" in hours
    assert "2026-12-29 (Tue) Year-end and New Year holidays" in hours  # the year-end days, in English
    assert "大阪だけの休み" not in hours and "土曜日" not in hours


# --- moderation --------------------------------------------------------------------------------


def reply(handle: str, n: int, **fields) -> Reply:
    return ReplyFactory.create(
        account=account(handle),
        external_id=f"r{n}",
        author_handle=f"resident{n}",
        text=f"質問です {n}",
        created_at=timezone.now(),
        **fields,
    )


def test_moderation_counts_and_history_newest_first(client, tokyo_poster, tokyo_supervisor, en):
    waiting = reply("IMMI_TOKYO", 1, needs_review=True)
    hidden = reply("IMMI_TOKYO", 2, state=Reply.State.HIDDEN)
    reply("IMMI_TOKYO", 3, state=Reply.State.DELETED)
    reply("IMMI_NARITA", 4, state=Reply.State.HIDDEN)
    ReplyDecisionFactory.create(
        reply=hidden,
        action="hide",
        rule="personal_data:phone",
        reason="電話番号",
        at=timezone.now() - dt.timedelta(hours=2),
    )
    ReplyDecisionFactory.create(
        reply=hidden,
        actor=tokyo_supervisor,
        action="confirm",
        reason="確認済み",
        at=timezone.now() - dt.timedelta(hours=1),
    )
    ReplyDecisionFactory.create(reply=waiting, action="flag", at=timezone.now() - dt.timedelta(hours=3))
    client.force_login(tokyo_poster)
    response = client.get(page_url("IMMI_TOKYO"))
    counts = section(response, "moderation-counts")
    assert "Waiting for a decision 1 Visible 1 Hidden 1 Deleted 1" in counts
    history = response.content.decode().split('id="moderation-history"')[1]
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in history.split("<tr>")[2:]]
    assert len(rows) == 3
    assert rows[0].split()[2:4] == ["Confirmed", "tokyo-supervisor"] and "確認済み" in rows[0]
    assert "Hidden the system" in rows[1] and "電話番号" in rows[1]
    assert "Flagged" in rows[2] and "resident1" in rows[2]


def test_the_moderation_history_comes_a_page_at_a_time(client, tokyo_poster):
    first = reply("IMMI_TOKYO", 1)
    start = timezone.now() - dt.timedelta(days=1)
    ReplyDecision.objects.bulk_create(
        [
            ReplyDecision(reply=first, action="flag", reason=f"decision-{n:02d}", at=start + dt.timedelta(minutes=n))
            for n in range(25)
        ]
    )
    client.force_login(tokyo_poster)
    page_one = client.get(page_url("IMMI_TOKYO")).content.decode()
    assert "decision-24" in page_one and "decision-05" in page_one and "decision-04" not in page_one
    older = re.search(r'href="([^"]*)#moderation" rel="next"', page_one)
    assert older and 'rel="prev"' not in page_one
    page_two = client.get(page_url("IMMI_TOKYO") + html.unescape(older[1])).content.decode()
    assert "decision-04" in page_two and "decision-00" in page_two and "decision-05" not in page_two
    assert 'rel="next"' not in page_two
    newer = re.search(r'href="([^"]*)#moderation" rel="prev"', page_two)
    assert newer
    back = client.get(page_url("IMMI_TOKYO") + html.unescape(newer[1])).content.decode()
    assert "decision-24" in back and "decision-05" in back and "decision-04" not in back


@pytest.mark.parametrize("cursor", ["not-a-cursor", "W10", "\x00", "x" * 5000])
def test_a_stale_or_forged_history_cursor_shows_the_newest_decisions(client, tokyo_poster, cursor):
    ReplyDecision.objects.create(reply=reply("IMMI_TOKYO", 1), action="flag", reason="the newest one")
    client.force_login(tokyo_poster)
    for key in ("after", "before"):
        response = client.get(page_url("IMMI_TOKYO"), {key: cursor})
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            assert "the newest one" in response.content.decode()


# --- the charts show their numbers -------------------------------------------------------------


def test_the_weekly_chart_counts_posts_per_week_in_its_text(client, tokyo_poster, frozen_now, en):
    # frozen_now is Tuesday 2026-12-01; the week began Monday 11-30.
    for days_ago in (0, 1, 8, 8, 8, 30):
        target_on(
            "IMMI_TOKYO", T.PUBLISHED, at=frozen_now - dt.timedelta(days=days_ago, minutes=1), author=tokyo_poster
        )
    target_on(
        "IMMI_TOKYO", T.PUBLISHED, at=frozen_now - dt.timedelta(weeks=30), author=tokyo_poster
    )  # before the chart
    target_on("IMMI_TOKYO", T.FAILED, at=frozen_now - dt.timedelta(days=1), author=tokyo_poster)
    client.force_login(tokyo_poster)
    response = client.get(page_url("IMMI_TOKYO"))
    chart = response.content.decode().split('id="posts-per-week"')[1].split("</section>")[0]
    assert "<svg" in chart and "<title" in chart
    rows = dict(re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td><td>(\d+)</td></tr>", chart))
    assert len(rows) == 26
    assert rows["2026-11-30"] == "2" and rows["2026-11-23"] == "3" and rows["2026-10-26"] == "1"
    assert sum(int(n) for n in rows.values()) == 6
    assert "6 posts in all; at most 3 in one week." in chart
    assert chart.count('class="chart-bar"') == 3


def test_the_dashboard_shows_this_weeks_load_per_account(client, tokyo_poster, frozen_now, en):
    for hours in (-20, -2):
        target_on("IMMI_TOKYO", T.PUBLISHED, at=frozen_now + dt.timedelta(hours=hours), author=tokyo_poster)
    for days in (1, 2, 3, 4):
        target_on("IMMI_NARITA", T.SCHEDULED, at=frozen_now + dt.timedelta(days=days), author=tokyo_poster)
    target_on("IMMI_TOKYO", T.SCHEDULED, at=frozen_now + dt.timedelta(days=1), author=tokyo_poster)
    target_on("IMMI_TOKYO", T.SCHEDULED, at=frozen_now + dt.timedelta(days=9), author=tokyo_poster)  # next week
    target_on("IMMI_OSAKA", T.SCHEDULED, at=frozen_now + dt.timedelta(days=1), author=tokyo_poster)  # not theirs
    client.force_login(tokyo_poster)
    response = client.get(reverse("home"))
    html = response.content.decode()
    table = html.split('id="load-table"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td></tr>", table)
    assert rows == [("@IMMI_NARITA", "0", "4"), ("@IMMI_TOKYO", "2", "1")]
    load = html.split('id="week-load"')[1].split("</section>")[0]
    assert "<svg" in load and "11/30–12/06" in load


# --- the dashboard's health card -----------------------------------------------------------------


def test_the_health_card_lists_problems_and_quiet_accounts_worst_first(
    client, tokyo_supervisor, administrator, frozen_now, en
):
    # Healthy: published lately, nothing wrong.
    target_on("IMMI_HANEDA", T.PUBLISHED, at=frozen_now - dt.timedelta(days=2), author=tokyo_supervisor)
    # Needs a person: a failed post.
    target_on("IMMI_YOKOHAMA", T.PUBLISHED, at=frozen_now - dt.timedelta(days=3), author=tokyo_supervisor)
    target_on("IMMI_YOKOHAMA", T.FAILED, at=frozen_now - dt.timedelta(days=1), author=tokyo_supervisor)
    # Quiet: the last post 40 days ago.
    target_on("IMMI_NARITA", T.PUBLISHED, at=frozen_now - dt.timedelta(days=40), author=tokyo_supervisor)
    # Paused, and needing re-authorisation, both published lately.
    target_on("IMMI_TOKYO", T.PUBLISHED, at=frozen_now - dt.timedelta(days=1), author=tokyo_supervisor)
    account_services.account_pause(account=account("IMMI_TOKYO"), by=administrator, reason="点検")
    with time_machine.travel(frozen_now - dt.timedelta(days=6), tick=False):
        account_services.account_mark_needs_reauth(account=account("IMMI_HANEDA"), reason="revoked")
    sign_in_with_second_factor(client, tokyo_supervisor)
    card = client.get(reverse("home")).content.decode().split('id="account-health"')[1].split("</section>")[0]
    handles = re.findall(r'href="/accounts/([^/]+)/"', card)
    assert handles == ["IMMI_HANEDA", "IMMI_TOKYO", "IMMI_YOKOHAMA", "IMMI_NARITA"]
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card))
    assert "Needs re-authorisation since 2026-11-25" in words
    assert "Paused by admin: 点検" in words
    assert "1 post did not go out" in words
    assert "No post for 30 days" in words and "40 days ago" in words


def test_an_account_that_never_published_is_not_started_not_silent(client, tokyo_poster, frozen_now):
    for handle in ("IMMI_TOKYO", "IMMI_NARITA"):
        target_on(handle, T.PUBLISHED, at=frozen_now - dt.timedelta(days=29), author=tokyo_poster)
    client.force_login(tokyo_poster)
    card = client.get(reverse("home")).content.decode().split('id="account-health"')[1].split("</section>")[0]
    assert re.findall(r'href="/accounts/([^/]+)/"', card) == []  # HANEDA and YOKOHAMA never published
    assert 'data-testid="not-started"' in card and "2" in card.split('data-testid="not-started"')[1][:80]
    assert "IMMI_OSAKA" not in card


def test_no_health_card_when_every_account_is_well(client, frozen_now):
    poster = make_person("kobe-poster", "kobe", Membership.Role.POSTER)
    target_on("IMMI_KOBE", T.PUBLISHED, at=frozen_now - dt.timedelta(days=1), author=poster)
    client.force_login(poster)
    assert 'id="account-health"' not in client.get(reverse("home")).content.decode()


# --- links to an account go to its page ------------------------------------------------------


def test_links_to_accounts_go_to_their_pages(client, tokyo_poster, frozen_now):
    target = target_on("IMMI_NARITA", T.FAILED, at=frozen_now - dt.timedelta(days=1), author=tokyo_poster)
    client.force_login(tokyo_poster)
    home = client.get(reverse("home")).content.decode()
    assert 'href="/accounts/IMMI_TOKYO/"' in home and 'href="/accounts/IMMI_NARITA/"' in home
    assert 'href="https://x.com/IMMI_TOKYO"' not in home
    listed = client.get(reverse("posts:list")).content.decode()
    assert 'href="/accounts/IMMI_NARITA/"' in listed
    detail = client.get(reverse("posts:detail", args=[target.post_id])).content.decode()
    assert 'href="/accounts/IMMI_NARITA/"' in detail


# --- a flat number of queries ----------------------------------------------------------------------

SIZES = {"small": (5, 1), "large": (200, 21)}
# Measured at the small size: health, charts, hours, connection, moderation card, history, reach (3), unread count.
ACCOUNT_PAGE_CAP = 24
DASHBOARD_CAP = 26  # tests/posts/test_query_counts.py's dashboard cap


@pytest.fixture(params=list(SIZES))
def world(request, frozen_now):
    posts, account_count = SIZES[request.param]
    handles = list(SocialAccount.objects.order_by("platform", "sort_order").values_list("handle", flat=True))
    handles = ["IMMI_TOKYO"] if account_count == 1 else handles
    people = {
        "poster": make_person("q-tokyo-poster", "tokyo", Membership.Role.POSTER),
        "agency_supervisor": make_person("q-agency-supervisor", "agency", Membership.Role.SUPERVISOR),
        "viewer": make_person("q-viewer", "agency", Membership.Role.VIEWER),
    }
    for person in people.values():
        add_totp(person)
    make_history(posts=posts, handles=handles, authors=[people["poster"]], now=frozen_now)
    admin = make_person("q-admin", is_staff=True)
    for handle in handles[:3]:
        account_services.account_pause(account=account(handle), by=admin, reason="点検")
        for n in range(posts // 5):
            r = ReplyFactory.create(
                account=account(handle),
                external_id=f"{handle}-{n}",
                text="質問",
                created_at=timezone.now(),
                needs_review=n % 2 == 0,
            )
            ReplyDecisionFactory.create(reply=r, action="flag")
    return {"size": request.param, "handles": handles, "people": people}


@pytest.mark.parametrize("role", ["poster", "agency_supervisor", "viewer"])
def test_the_account_page_and_the_dashboard_make_a_flat_number_of_queries(
    client, world, role, django_assert_max_num_queries
):
    sign_in_with_second_factor(client, world["people"][role])
    with django_assert_max_num_queries(ACCOUNT_PAGE_CAP):
        response = client.get(page_url("IMMI_TOKYO"))
    assert response.status_code == 200
    with django_assert_max_num_queries(DASHBOARD_CAP):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    paused = [item.account.handle for item in response.context["health_card"].shown if item.account.state == "paused"]
    assert paused == [h for h in world["handles"][:3] if role != "poster" or h == "IMMI_TOKYO"]


def test_the_year_end_is_listed_to_its_last_day(client, tokyo_poster, en):
    import time_machine

    with time_machine.travel(dt.datetime(2026, 12, 28, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))), tick=False):
        client.force_login(tokyo_poster)
        hours = section(client.get(page_url("IMMI_TOKYO")), "office-hours")
    for day in ("2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03"):
        assert day in hours, day  # Sunday 1/3 too: the counter opens on Monday 1/4
