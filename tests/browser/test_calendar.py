"""The calendar in a real browser: a supervisor moves an approved post by drag and drop, and with the
keyboard alone; either way the post goes back for approval. Both views pass axe at 1280 and 390 px.

The live server runs on the real clock, so the posts are put next week (Monday 10:00 JST, with a
reason in case that day is a holiday) and moved within that week.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership, Office
from posts import office_hours, services
from posts.models import Post
from tests.browser.conftest import BROWSER_DB, DESKTOP, PHONE, assert_accessible, login, shoot
from tests.conftest import add_totp
from tests.factories import PASSWORD, ClosureDayFactory, make_person, post_via_services

pytestmark = [pytest.mark.browser, BROWSER_DB]

JST = ZoneInfo("Asia/Tokyo")
REASON = "試験のため窓口受付時間外でも投稿します。"


def next_monday() -> dt.date:
    today = timezone.now().astimezone(JST).date()
    return today + dt.timedelta(days=7 - today.weekday())


@pytest.fixture
def people():
    poster = make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    approver = make_person("tokyo-approver", "tokyo", Membership.Role.SUPERVISOR)
    supervisor = make_person("tokyo-supervisor", "tokyo", Membership.Role.SUPERVISOR)
    return poster, approver, supervisor, add_totp(supervisor)


def approved(poster, approver, day: dt.date, hour: int = 10, handles=("IMMI_TOKYO",)) -> Post:
    when = dt.datetime.combine(day, dt.time(hour), tzinfo=JST)
    post = post_via_services(poster, handles, when=when, reason=REASON, submit=True)
    return services.post_approve(post=post, by=approver)


def tab_out_of(page, element_id: str) -> None:
    """Tab until focus leaves the field: Chromium tabs through a date's or time's parts (year, month, day) first."""
    for _press in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") != element_id:
            return
    raise AssertionError(f"focus stayed in #{element_id}")


def week_url(live_server, day: dt.date) -> str:
    return f"{live_server.url}/calendar/?view=week&date={day.isoformat()}"


def test_a_supervisor_drags_an_approved_post_to_another_day(page, live_server, people):
    poster, approver, supervisor, secret = people
    monday = next_monday()
    post = approved(poster, approver, monday)
    post_via_services(poster, ("IMMI_TOKYO", "IMMI_NARITA"), when=dt.datetime.combine(monday, dt.time(14), tzinfo=JST))
    ClosureDayFactory.create(date=monday + dt.timedelta(days=3), office=None, reason="システム停止")
    login(page, live_server, supervisor.username, PASSWORD, secret)
    page.goto(week_url(live_server, monday))
    line = page.locator(f"#cal-post-{post.pk}")
    expect(line).to_contain_text(f"#{post.pk}")
    expect(page.locator(f"#day-{(monday + dt.timedelta(days=3)).isoformat()}")).to_contain_text("システム停止")
    assert_accessible(page)
    shoot(page, "calendar-week")

    tuesday = monday + dt.timedelta(days=1)
    with page.expect_navigation():
        line.drag_to(page.locator(f"#day-{tuesday.isoformat()}"))
    expect(page.locator(".message.warning").first).to_contain_text(f"#{post.pk}")
    expect(page.locator(f"#day-{tuesday.isoformat()} #cal-post-{post.pk}")).to_be_visible()
    post.refresh_from_db()
    assert post.state == Post.State.PENDING and post.approved_by is None
    assert post.scheduled_at == dt.datetime.combine(tuesday, dt.time(10), tzinfo=JST)
    assert post.events.filter(action="edit", actor=supervisor).exists()
    shoot(page, "calendar-week-moved")


def test_a_supervisor_moves_an_approved_post_with_the_keyboard(page, live_server, people):
    poster, approver, supervisor, secret = people
    monday = next_monday()
    post = approved(poster, approver, monday)
    for offset, hour in ((2, 11), (3, 15)):
        approved(poster, approver, monday + dt.timedelta(days=offset), hour, ("IMMI_TOKYO", "IMMI_NARITA"))
    login(page, live_server, supervisor.username, PASSWORD, secret)
    page.goto(f"{live_server.url}/calendar/?date={monday.isoformat()}")
    assert_accessible(page)
    shoot(page, "calendar-month")

    wednesday = monday + dt.timedelta(days=2)
    page.locator(f"#cal-post-{post.pk} a.cal-post-link").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"move-date-{post.pk}"
    page.locator(f"#move-date-{post.pk}").fill(wednesday.isoformat())
    tab_out_of(page, f"move-date-{post.pk}")
    assert page.evaluate("document.activeElement.id") == f"move-time-{post.pk}"
    page.locator(f"#move-time-{post.pk}").fill("13:30")
    tab_out_of(page, f"move-time-{post.pk}")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".message.warning").first).to_contain_text(f"#{post.pk}")
    post.refresh_from_db()
    assert post.state == Post.State.PENDING
    assert post.scheduled_at == dt.datetime.combine(wednesday, dt.time(13, 30), tzinfo=JST)
    assert_accessible(page)
    # One office chosen: its counter hours on every working day of the month.
    tokyo = Office.objects.get(code="tokyo")
    working = next(
        d for d in (monday + dt.timedelta(days=n) for n in range(14)) if not office_hours.is_administrative_holiday(d)
    )
    page.goto(f"{live_server.url}/calendar/?office={tokyo.pk}&date={working.isoformat()}")
    expect(page.locator(f"#day-{working.isoformat()} .cal-open")).to_contain_text("09:00–16:00")
    assert_accessible(page)
    shoot(page, "calendar-month-office")


def test_a_viewer_sees_the_calendar_with_nothing_to_drag(page, live_server, people):
    poster, approver, _supervisor, _secret = people
    post = approved(poster, approver, next_monday())
    make_person("auditor", "agency", Membership.Role.VIEWER)
    login(page, live_server, "auditor", PASSWORD)
    page.goto(week_url(live_server, next_monday()))
    expect(page.locator(f"#cal-post-{post.pk}")).to_be_visible()
    expect(page.locator("[draggable=true]")).to_have_count(0)
    expect(page.locator(".cal-move")).to_have_count(0)
    assert_accessible(page)
    # The filters go into the address, and the page's own links keep them (htmx swaps the page in).
    page.locator("#id_state").select_option("scheduled")
    page.locator("#cal-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"state=scheduled"))
    expect(page.locator(f"#cal-post-{post.pk}")).to_be_visible()
    page.locator("#cal-next").click()
    expect(page).to_have_url(re.compile(r"view=week.*state=scheduled|state=scheduled.*view=week"))
    expect(page.locator(f"#cal-post-{post.pk}")).to_have_count(0)
    page.locator("#cal-previous").click()
    expect(page.locator(f"#cal-post-{post.pk}")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_plus_n_more_opens_the_busy_day_from_the_keyboard(page, live_server, people, viewport):
    poster = people[0]
    monday = next_monday()
    posts = [
        post_via_services(poster, when=dt.datetime.combine(monday, dt.time(10 + n), tzinfo=JST), reason=REASON)
        for n in range(5)
    ]
    login(page, live_server, poster.username, PASSWORD)
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/calendar/?date={monday.isoformat()}")
    day = page.locator(f"#day-{monday.isoformat()}")
    expect(day.locator(".cal-post")).to_have_count(3)
    more = day.locator("a.cal-more")
    expect(more).to_be_visible()
    # From the day's last post shown, Tab reaches "+2 more" (past that post's Move button).
    day.locator(f"#cal-post-{posts[2].pk} a.cal-post-link").focus()
    for _press in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('cal-more')"):
            break
    else:
        raise AssertionError("Tab never reached +N more")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"view=day.*date={monday.isoformat()}|date={monday.isoformat()}.*view=day"))
    for post in posts:
        expect(page.locator(f"#cal-post-{post.pk}")).to_be_visible()
    expect(page.locator("#cal-day")).to_have_attribute("aria-current", "page")
    assert_accessible(page)
    if viewport == DESKTOP:  # shoot() takes both widths
        shoot(page, "calendar-day")
        # (Screenshots only after htmx's swap: Playwright's screenshot style would be carried into it.)
        page.goto(f"{live_server.url}/calendar/?date={monday.isoformat()}")
        shoot(page, "calendar-month-more")
