"""The calendar (/calendar/): who sees what, JST days, names of closed days, filters, and moving posts."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership, Office, SocialAccount
from posts import calendar, services
from posts.errors import NotAllowed
from posts.models import Post, PostEvent, PostTarget
from tests.conftest import add_totp, sign_in_with_second_factor
from tests.factories import (
    ClosureDayFactory,
    PostFactory,
    PostTargetFactory,
    make_history,
    make_person,
    post_via_services,
    social_account,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

JST = ZoneInfo("Asia/Tokyo")
URL = "/calendar/"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=JST)


def day_of(response, date: str):
    day = dt.date.fromisoformat(date)
    for week in response.context["weeks"]:
        for found in week:
            if found.date == day:
                return found
    raise AssertionError(f"{date} is not on the page")


def post_ids(day) -> list[int]:
    return [entry.post.pk for entry in day.entries]


def shown(response) -> set[int]:
    return {entry.post.pk for week in response.context["weeks"] for day in week for entry in day.entries}


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def approved_post(author, supervisor, when="2026-12-02T10:00"):
    post = post_via_services(author, when=at(when), submit=True)
    return services.post_approve(post=post, by=supervisor)


def move(client, post, date, time="10:00", **extra):
    data = {"date": date, "time": time, "revision": post.revision, "next": URL, **extra}
    # Messages are read in English (the page's language as the person chose it).
    return client.post(reverse("calendar_move", args=[post.pk]), data, HTTP_ACCEPT_LANGUAGE="en")


# --- the grid, without the database ------------------------------------------------------------


def test_a_month_is_whole_weeks_monday_first():
    window = calendar.span("month", dt.date(2026, 12, 15))
    assert (window.first, window.last) == (dt.date(2026, 11, 30), dt.date(2027, 1, 3))
    assert (window.previous, window.following) == (dt.date(2026, 11, 1), dt.date(2027, 1, 1))
    assert window.starts_at == at("2026-11-30T00:00") and window.ends_at == at("2027-01-04T00:00")
    assert window.in_focus(dt.date(2026, 12, 31)) and not window.in_focus(dt.date(2027, 1, 1))


def test_a_week_runs_monday_to_sunday():
    window = calendar.span("week", dt.date(2026, 12, 3))
    assert (window.first, window.last) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))
    assert (window.previous, window.following) == (dt.date(2026, 11, 23), dt.date(2026, 12, 7))


def test_january_goes_back_to_december_of_the_year_before():
    window = calendar.span("month", dt.date(2027, 1, 20))
    assert window.previous == dt.date(2026, 12, 1) and window.following == dt.date(2027, 2, 1)


# --- who sees what -------------------------------------------------------------------------------


def test_a_poster_sees_their_offices_posts_and_not_another_offices(poster_client, tokyo_poster, osaka_poster):
    own = post_via_services(tokyo_poster, ("IMMI_TOKYO", "IMMI_NARITA"), when=at("2026-12-02T10:00"))
    osaka = post_via_services(osaka_poster, ("IMMI_OSAKA",), when=at("2026-12-02T11:00"))
    response = poster_client.get(URL)
    assert response.status_code == 200
    assert post_ids(day_of(response, "2026-12-02")) == [own.pk]
    assert osaka.pk not in shown(response)
    body = response.content.decode()
    assert f'id="cal-post-{own.pk}"' in body and "@IMMI_NARITA" in body
    assert f'id="move-{own.pk}"' in body  # the author may move their own post
    assert reverse("posts:detail", args=[osaka.pk]) not in body


def test_cancelled_posts_are_left_out_unless_asked_for(poster_client, tokyo_poster):
    post = post_via_services(tokyo_poster, when=at("2026-12-02T10:00"))
    services.post_cancel(post=post, by=tokyo_poster)
    assert post.pk not in shown(poster_client.get(URL))
    assert post.pk in shown(poster_client.get(URL, {"state": "cancelled"}))


def test_a_viewer_reads_but_has_nothing_to_move(client, viewer, tokyo_poster, tokyo_supervisor):
    post = approved_post(tokyo_poster, tokyo_supervisor)
    client.force_login(viewer)
    response = client.get(URL)
    assert post.pk in shown(response)
    assert response.context["movable"] == set()
    assert 'draggable="true"' not in response.content.decode()
    assert move(client, post, "2026-12-03").status_code == 404
    post.refresh_from_db()
    assert post.state == "approved" and post.scheduled_at == at("2026-12-02T10:00")


def test_a_bureau_supervisor_sees_and_moves_the_bureaus_branch_posts(supervisor_client, tokyo_supervisor):
    narita_poster = make_person("narita-poster", "narita", Membership.Role.POSTER)
    post = post_via_services(narita_poster, ("IMMI_NARITA",), when=at("2026-12-02T10:00"), submit=True)
    response = supervisor_client.get(URL)
    assert post.pk in shown(response) and post.pk in response.context["movable"]


def test_an_agency_supervisor_is_asked_to_choose_an_office_for_counter_hours(client, tokyo_poster):
    person = make_person("agency-supervisor", "agency", Membership.Role.SUPERVISOR)
    sign_in_with_second_factor(client, person)
    post_via_services(tokyo_poster, when=at("2026-12-02T10:00"))
    osaka = Office.objects.get(code="osaka")
    ClosureDayFactory.create(date=dt.date(2026, 12, 10), office=osaka, reason="庁舎設備点検")
    ClosureDayFactory.create(date=dt.date(2026, 12, 11), office=None, reason="システム停止")
    response = client.get(URL)
    assert response.context["choose_office"] and response.context["upcoming"] == []
    # Closure days are still marked: one office's with its name, every office's once.
    assert day_of(response, "2026-12-10").closure_notes == [("庁舎設備点検", [osaka])]
    assert day_of(response, "2026-12-11").closure_notes == [("システム停止", [])]
    assert day_of(response, "2026-12-11").is_closed and not day_of(response, "2026-12-10").is_closed
    tokyo = Office.objects.get(code="tokyo")
    response = client.get(URL, {"office": tokyo.pk})
    assert [w.office for w in response.context["upcoming"]] == [tokyo]


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- days in JST, and their names -----------------------------------------------------------------


def test_a_post_at_2330_utc_is_on_the_next_jst_day(poster_client, tokyo_poster):
    post = post_via_services(tokyo_poster, when=dt.datetime(2026, 12, 2, 23, 30, tzinfo=dt.UTC))
    response = poster_client.get(URL)
    assert post_ids(day_of(response, "2026-12-03")) == [post.pk]
    assert post_ids(day_of(response, "2026-12-02")) == []
    assert day_of(response, "2026-12-03").entries[0].at.strftime("%H:%M") == "08:30"


def test_month_and_week_boundaries_are_midnight_jst(poster_client, tokyo_poster):
    first = post_via_services(tokyo_poster, when=dt.datetime(2026, 12, 6, 15, 0, tzinfo=dt.UTC))  # 12/7 00:00 JST
    before = post_via_services(tokyo_poster, when=dt.datetime(2026, 12, 6, 14, 59, tzinfo=dt.UTC))  # 12/6 23:59 JST
    new_year = post_via_services(tokyo_poster, when=dt.datetime(2026, 12, 31, 15, 30, tzinfo=dt.UTC))  # 1/1 00:30 JST
    week = poster_client.get(URL, {"view": "week", "date": "2026-12-07"})
    assert shown(week) == {first.pk}
    week_before = poster_client.get(URL, {"view": "week", "date": "2026-12-06"})
    assert shown(week_before) == {before.pk}
    december = poster_client.get(URL, {"date": "2026-12-01"})
    assert post_ids(day_of(december, "2027-01-01")) == [new_year.pk]
    assert not day_of(december, "2027-01-01").in_focus
    january = poster_client.get(URL, {"date": "2027-01-15"})
    assert post_ids(day_of(january, "2027-01-01")) == [new_year.pk] and day_of(january, "2027-01-01").in_focus


def test_weekends_holidays_year_end_and_closure_days_are_named(poster_client):
    tokyo = Office.objects.get(code="tokyo")
    ClosureDayFactory.create(date=dt.date(2026, 12, 10), office=tokyo, reason="庁舎設備点検")
    ClosureDayFactory.create(date=dt.date(2026, 12, 11), office=None, reason="システム停止")
    december = poster_client.get(URL, {"date": "2026-12-01"})
    assert day_of(december, "2026-12-05").holiday == "土曜日"
    assert day_of(december, "2026-12-06").holiday == "日曜日"
    assert day_of(december, "2026-12-29").holiday == "年末年始"
    assert day_of(december, "2026-12-31").is_closed
    assert [o.closure for o in day_of(december, "2026-12-10").closures] == ["庁舎設備点検"]
    assert {o.closure for o in day_of(december, "2026-12-11").closures} == {"システム停止"}
    assert not day_of(december, "2026-12-09").is_closed
    body = december.content.decode()
    assert "庁舎設備点検" in body and "年末年始" in body
    january = poster_client.get(URL, {"date": "2027-01-01"})
    assert day_of(january, "2027-01-01").holiday == "元日"
    assert day_of(january, "2027-01-11").holiday == "成人の日"
    assert day_of(january, "2027-01-04").holiday == ""


def test_today_and_the_next_counter_window_are_shown(poster_client):
    # Tuesday 2026-12-01, 09:30 JST: Tokyo's counter (09:00–16:00) is open now.
    response = poster_client.get(URL)
    today = day_of(response, "2026-12-01")
    assert today.is_today and today.is_next_window
    tokyo = next(w for w in response.context["upcoming"] if w.office.code == "tokyo")
    assert tokyo.is_open_now and tokyo.closes == at("2026-12-01T16:00")
    assert 'aria-current="date"' in response.content.decode()


def test_a_post_outside_counter_hours_is_marked(poster_client, tokyo_poster):
    post = post_via_services(tokyo_poster, when=at("2026-12-05T10:00"), reason="災害情報")
    entry = day_of(poster_client.get(URL), "2026-12-05").entries[0]
    assert entry.post.pk == post.pk and entry.closed_on == ["@IMMI_TOKYO: 土曜日"]


# --- filters -------------------------------------------------------------------------------------


def test_filters_choose_posts_and_stay_in_every_link(poster_client, tokyo_poster, tokyo_supervisor):
    narita = SocialAccount.objects.get(handle="IMMI_NARITA")
    on_narita = post_via_services(tokyo_poster, ("IMMI_NARITA",), when=at("2026-12-02T10:00"), submit=True)
    on_tokyo = post_via_services(tokyo_poster, ("IMMI_TOKYO",), when=at("2026-12-02T11:00"))
    approved = approved_post(tokyo_poster, tokyo_supervisor, "2026-12-03T10:00")
    assert shown(poster_client.get(URL, {"account": narita.pk})) == {on_narita.pk}
    assert shown(poster_client.get(URL, {"office": narita.office_id})) == {on_narita.pk}
    assert shown(poster_client.get(URL, {"state": "draft"})) == {on_tokyo.pk}
    assert shown(poster_client.get(URL, {"state": "scheduled"})) == {approved.pk}
    response = poster_client.get(URL, {"account": narita.pk, "state": "pending", "view": "week", "date": "2026-12-02"})
    assert shown(response) == {on_narita.pk}
    for link in ("previous_url", "next_url", "today_url", "month_url", "week_url"):
        assert f"account={narita.pk}" in response.context[link] and "state=pending" in response.context[link], link
    assert "date=2026-12-07" in response.context["next_url"] and "view=week" in response.context["next_url"]
    assert response.context["here"] == response.wsgi_request.get_full_path()


def test_filters_outside_the_scope_or_impossible_dates_are_refused_plainly(poster_client, tokyo_poster):
    osaka = SocialAccount.objects.get(handle="IMMI_OSAKA")
    post = post_via_services(tokyo_poster, when=at("2026-12-02T10:00"))
    for params in ({"account": osaka.pk}, {"date": "2026-02-30"}, {"date": "99999-01-01"}, {"view": "year"}):
        response = poster_client.get(URL, params)
        assert response.status_code == 200, params
        assert response.context["form"].errors, params
        assert post.pk in shown(response), params  # the month of today, unfiltered


# --- moving posts --------------------------------------------------------------------------------


def test_moving_an_approved_post_sends_it_back_for_approval(supervisor_client, tokyo_poster, tokyo_supervisor):
    post = approved_post(tokyo_poster, tokyo_supervisor)
    with translation.override("en"):
        response = move(supervisor_client, post, "2026-12-03", "11:00")
        messages = texts(response)
    assert response.status_code == 302 and response["Location"] == URL
    post.refresh_from_db()
    assert post.scheduled_at == at("2026-12-03T11:00")
    assert post.state == "pending" and post.approved_by is None
    assert set(post.targets.values_list("state", flat=True)) == {"waiting"}
    assert any("approval was voided" in m and "2026-12-03 11:00" in m for m in messages), messages
    edit = post.events.filter(action=PostEvent.Action.EDIT).get()
    assert edit.actor == tokyo_supervisor and edit.data["changed"] == ["time"]
    assert edit.data["voided_approval_of"] == tokyo_supervisor.get_username()
    # §3, four eyes: the supervisor who moved it may not approve the revision they made.
    with pytest.raises(NotAllowed):
        services.post_approve(post=post, by=tokyo_supervisor)


def test_a_poster_moves_their_own_draft_keeping_text_and_accounts(poster_client, tokyo_poster):
    post = post_via_services(
        tokyo_poster, ("IMMI_TOKYO", "IMMI_NARITA"), when=at("2026-12-02T10:00"), body="年末年始の窓口"
    )
    target = post.targets.get(account__handle="IMMI_NARITA")
    target.body_override = "成田空港支局からのお知らせ"
    target.save()
    with translation.override("en"):
        messages = texts(move(poster_client, post, "2026-12-04", "14:30"))
    post.refresh_from_db()
    assert post.scheduled_at == at("2026-12-04T14:30") and post.state == "draft" and post.body == "年末年始の窓口"
    assert dict(post.targets.values_list("account__handle", "body_override")) == {
        "IMMI_TOKYO": "",
        "IMMI_NARITA": "成田空港支局からのお知らせ",
    }
    assert any("moved to 2026-12-04 14:30" in m for m in messages), messages


def test_moving_onto_a_closed_day_warns_as_the_composer_does(poster_client, tokyo_poster):
    post = post_via_services(tokyo_poster, when=at("2026-12-02T10:00"), submit=True)
    with translation.override("en"):
        messages = texts(move(poster_client, post, "2026-12-05", "10:00"))
    post.refresh_from_db()
    assert post.scheduled_at == at("2026-12-05T10:00")
    assert any("@IMMI_TOKYO" in m and "Saturday" in m for m in messages), messages  # in the reader's language
    assert any("give the reason" in m for m in messages), messages


def test_moving_onto_a_closure_day_names_its_reason(poster_client, tokyo_poster):
    ClosureDayFactory.create(date=dt.date(2026, 12, 9), office=Office.objects.get(code="tokyo"), reason="庁舎設備点検")
    post = post_via_services(tokyo_poster, when=at("2026-12-02T10:00"), reason="災害情報のため")
    with translation.override("en"):
        messages = texts(move(poster_client, post, "2026-12-09", "10:00"))
    post.refresh_from_db()
    assert post.scheduled_at == at("2026-12-09T10:00") and post.outside_hours_reason == "災害情報のため"
    assert any("庁舎設備点検" in m for m in messages), messages
    assert not any("give the reason" in m for m in messages), messages  # a reason is already given


@pytest.mark.parametrize(
    ("date", "time", "expected"),
    [
        ("2026-02-30", "10:00", "Enter a real date"),
        ("2026-12-02", "25:00", "Enter a real time"),
        ("2026-11-30", "10:00", "This time has already passed"),
        ("2028-01-05", "10:00", "Schedule at most a year ahead"),
        ("", "10:00", "Choose the new date"),
    ],
)
def test_bad_times_are_refused_and_nothing_changes(poster_client, tokyo_poster, date, time, expected):
    post = post_via_services(tokyo_poster, when=at("2026-12-02T10:00"))
    with translation.override("en"):
        response = move(poster_client, post, date, time)
        messages = texts(response)
    assert response.status_code == 302
    assert any(expected in m for m in messages), messages
    post.refresh_from_db()
    assert post.scheduled_at == at("2026-12-02T10:00") and post.revision == 1


def test_a_post_edited_since_the_calendar_was_read_is_not_moved(poster_client, tokyo_poster):
    post = post_via_services(tokyo_poster, when=at("2026-12-02T10:00"))
    with translation.override("en"):
        messages = texts(move(poster_client, post, "2026-12-03", revision=post.revision + 1))
    post.refresh_from_db()
    assert post.scheduled_at == at("2026-12-02T10:00")
    assert any("edited while you were reading" in m for m in messages), messages


def test_another_offices_post_or_a_forged_id_is_404(client, tokyo_poster, osaka_poster):
    post = post_via_services(tokyo_poster, when=at("2026-12-02T10:00"))
    client.force_login(osaka_poster)
    assert move(client, post, "2026-12-03").status_code == 404
    url = reverse("calendar_move", args=[2**31 + 7])
    assert client.post(url, {"date": "2026-12-03", "time": "10:00", "revision": 1}).status_code == 404
    post.refresh_from_db()
    assert post.scheduled_at == at("2026-12-02T10:00")


def test_a_refusal_of_the_edit_service_is_explained_and_nothing_changes(
    supervisor_client, tokyo_poster, tokyo_supervisor
):
    post = approved_post(tokyo_poster, tokyo_supervisor)
    post.targets.update(in_doubt=True)  # an attempt may have gone out: §3, nothing changes under it
    with translation.override("en"):
        response = move(supervisor_client, post, "2026-12-03")
        messages = texts(response)
    assert response.status_code == 302
    assert any(f"Post #{post.pk} was not moved" in m for m in messages), messages
    post.refresh_from_db()
    assert post.state == "approved" and post.scheduled_at == at("2026-12-02T10:00")
    assert set(post.targets.values_list("state", flat=True)) == {"scheduled"}


def test_a_post_being_published_cannot_be_moved(supervisor_client, tokyo_poster, tokyo_supervisor):
    post = approved_post(tokyo_poster, tokyo_supervisor)
    post.targets.update(state="published")
    assert post.pk not in supervisor_client.get(URL).context["movable"]
    assert move(supervisor_client, post, "2026-12-03").status_code == 404


def test_moving_needs_post_and_the_second_factor_for_supervisors(client, tokyo_poster, tokyo_supervisor):
    post = approved_post(tokyo_poster, tokyo_supervisor)
    client.force_login(tokyo_supervisor)
    add_totp(tokyo_supervisor)
    response = move(client, post, "2026-12-03")
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]
    sign_in_with_second_factor(client, tokyo_supervisor)
    assert client.get(reverse("calendar_move", args=[post.pk])).status_code == 405
    post.refresh_from_db()
    assert post.state == "approved"


def test_the_next_address_may_not_leave_the_site(poster_client, tokyo_poster):
    post = post_via_services(tokyo_poster, when=at("2026-12-02T10:00"))
    response = move(poster_client, post, "2026-12-03", next="https://evil.example/")
    assert response["Location"] == URL


# --- queries -------------------------------------------------------------------------------------

SIZES = {"small": (5, 1), "large": (200, 21)}
CAP = 16  # measured at the small size


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("role", ["poster", "bureau_supervisor", "agency_supervisor", "viewer"])
def test_the_calendar_makes_a_flat_number_of_queries(client, frozen_now, size, role, django_assert_max_num_queries):
    posts, account_count = SIZES[size]
    handles = list(SocialAccount.objects.order_by("platform", "sort_order").values_list("handle", flat=True))
    handles = ["IMMI_TOKYO"] if account_count == 1 else handles
    people = {
        "poster": ("tokyo", Membership.Role.POSTER),
        "bureau_supervisor": ("tokyo", Membership.Role.SUPERVISOR),
        "agency_supervisor": ("agency", Membership.Role.SUPERVISOR),
        "viewer": ("agency", Membership.Role.VIEWER),
    }
    office, membership = people[role]
    person = make_person(f"c-{role}", office, membership)
    writer = make_person("c-writer", "tokyo", Membership.Role.POSTER)
    make_history(posts=posts, handles=handles, authors=[writer, person], now=frozen_now)
    sign_in_with_second_factor(client, person)
    tokyo = Office.objects.get(code="tokyo")
    for params in ({}, {"view": "week"}, {"office": tokyo.pk, "state": "pending"}, {"date": "2026-11-20"}):
        with django_assert_max_num_queries(CAP):
            response = client.get(URL, params)
        assert response.status_code == 200
    if size == "large":
        assert len(shown(client.get(URL, {"date": "2026-11-20"}))) > 20


# --- busy days: the first few, "+N more", and the day a page at a time ---------------------------


def many_posts(author, count: int, *, first_day: str = "2026-12-02", days: int = 1, handle: str = "IMMI_TOKYO"):
    """`count` draft posts spread over `days` days from `first_day` (10:00 JST on, a minute apart), in bulk."""
    start = at(f"{first_day}T10:00")
    rows = [
        PostFactory.build(
            author=author,
            body=f"busy #{n}",
            scheduled_at=start + dt.timedelta(days=n % days, minutes=n // days),
        )
        for n in range(count)
    ]
    posts = Post.objects.bulk_create(rows)
    account = social_account(handle)
    PostTarget.objects.bulk_create([PostTargetFactory.build(post=post, account=account) for post in posts])
    return posts


def test_a_busy_day_shows_its_first_posts_and_opens_with_plus_n_more(poster_client, tokyo_poster):
    posts = many_posts(tokyo_poster, 5)
    response = poster_client.get(URL, {"state": "draft"}, HTTP_ACCEPT_LANGUAGE="en")
    day = day_of(response, "2026-12-02")
    assert post_ids(day) == [p.pk for p in posts[: calendar.PER_DAY["month"]]]
    assert (day.total, day.more) == (5, 2)
    body = response.content.decode()
    link = reverse("calendar") + "?state=draft&amp;view=day&amp;date=2026-12-02"
    assert f'<a class="cal-more" href="{link}">+2 more' in body
    assert f'id="cal-post-{posts[3].pk}"' not in body
    # The week's days are taller: all five fit.
    week = poster_client.get(URL, {"view": "week", "date": "2026-12-02"})
    assert post_ids(day_of(week, "2026-12-02")) == [p.pk for p in posts]
    assert 'class="cal-more"' not in week.content.decode()
    # The day lists every post, movable as anywhere on the calendar, and keeps the filter.
    opened = poster_client.get(URL, {"state": "draft", "view": "day", "date": "2026-12-02"})
    assert [[d.date for d in week] for week in opened.context["weeks"]] == [[dt.date(2026, 12, 2)]]
    assert post_ids(day_of(opened, "2026-12-02")) == [p.pk for p in posts]
    assert f'id="move-{posts[4].pk}"' in opened.content.decode()
    assert '<p class="cal-open">' in opened.content.decode()  # the offices' counter hours that day, as in a week
    assert "state=draft" in opened.context["next_url"] and "date=2026-12-03" in opened.context["next_url"]
    assert "date=2026-12-01" in opened.context["previous_url"]


def test_a_day_of_hundreds_of_posts_is_read_a_page_at_a_time(poster_client, tokyo_poster):
    posts = many_posts(tokyo_poster, calendar.DAY_PAGE + 7)
    day_params = {"view": "day", "date": "2026-12-02"}
    first = poster_client.get(URL, day_params, HTTP_ACCEPT_LANGUAGE="en")
    day = day_of(first, "2026-12-02")
    assert post_ids(day) == [p.pk for p in posts[: calendar.DAY_PAGE]] and day.total == calendar.DAY_PAGE + 7
    assert f"{calendar.DAY_PAGE + 7} posts" in first.content.decode()
    following = poster_client.get(URL + first.context["page"].next_query)
    assert post_ids(day_of(following, "2026-12-02")) == [p.pk for p in posts[calendar.DAY_PAGE :]]
    assert following.context["page"].previous_query
    # A forged or stale cursor is the first page; an over-long one is refused plainly, never a 500.
    forged = poster_client.get(URL, {**day_params, "after": "not-a-cursor"})
    assert post_ids(day_of(forged, "2026-12-02"))[0] == posts[0].pk
    too_long = poster_client.get(URL, {**day_params, "after": "A" * 5000})
    assert too_long.status_code == 200 and too_long.context["form"].errors


@pytest.mark.parametrize("view", ["month", "week"])
def test_a_month_of_ten_thousand_posts_costs_what_ten_do(client, view):
    person = make_person("c-agency", "agency", Membership.Role.SUPERVISOR)
    writer = make_person("c-writer", "tokyo", Membership.Role.POSTER)
    sign_in_with_second_factor(client, person)
    sizes = {}
    for count, first_day in ((10, "2026-10-05"), (10_000, "2026-12-01")):
        many_posts(writer, count, first_day=first_day, days=31)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"view": view, "date": first_day})
        assert response.status_code == 200
        shown_on_day = post_ids(day_of(response, first_day))
        sizes[count] = (len(queries), len(response.content), len(shown_on_day))
    assert sizes[10][0] == sizes[10_000][0]  # the same queries
    assert sizes[10_000][2] == calendar.PER_DAY[view]
    # What is written is bounded by the posts a view shows, not by the posts there are.
    assert sizes[10_000][1] < 250_000


def test_a_line_shows_the_post_text_as_written_escaped_and_its_numbers_untouched(poster_client, tokyo_poster):
    # Each line is a template rendered once and filled in (immisns.rows): the text goes in escaped, and
    # numbers that look like the fill-in markers stay as written.
    post = post_via_services(tokyo_poster, body="<i>987654321010</i>", when=at("2026-12-02T10:00"))
    body = poster_client.get(URL).content.decode()
    assert f"#{post.pk} &lt;i&gt;987654321010&lt;/i&gt;</a>" in body
    assert f'id="move-date-{post.pk}" value="2026-12-02"' in body and f'value="{post.revision}"' in body
