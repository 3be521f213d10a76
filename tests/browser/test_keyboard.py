"""The main journey with the keyboard only: a poster composes and submits, a supervisor approves.

No click, no fill: focus moves with Tab (and Shift+Tab), text is typed, checkboxes take Space,
links and buttons take Enter. Every element that receives focus on the way must show it
(WCAG 2.0 2.1.1 keyboard, 2.4.7 focus visible).
"""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership, Office
from posts import office_hours
from posts.models import Post
from tests.browser.conftest import BROWSER_DB, totp_code
from tests.browser.test_journey import PACE_SCRIPT, settle
from tests.conftest import add_totp
from tests.factories import PASSWORD, make_person

pytestmark = [pytest.mark.browser, BROWSER_DB]

BODY = "【お知らせ】窓口の受付時間についてのご案内です。"
MAX_TABS = 120

FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return true;
  // Chromium focuses a part of a date/time input and highlights that part itself.
  if (el.type === "datetime-local" || el.type === "date") return true;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return outline || style.boxShadow !== "none";
}"""


def tab_to(page, locator, *, backwards: bool = False) -> None:
    """Press Tab until `locator` has the focus; every stop on the way must show its focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        assert page.evaluate(FOCUS_SHOWN), "focus not visible on " + page.evaluate(
            "[document.activeElement.outerHTML.slice(0, 200), getComputedStyle(document.activeElement).outline, document.activeElement.matches(':focus')].join(' | ')"
        )
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{locator} never received the focus after {MAX_TABS} presses of {key}")


def press_and_wait(page, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def sign_in(page, live_server, username: str, totp_secret: str | None = None) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, page.locator('input[name="login"]'))
    page.keyboard.type(username)
    tab_to(page, page.locator('input[name="password"]'))
    page.keyboard.type(PASSWORD)
    press_and_wait(page)
    if totp_secret is not None:
        assert urlsplit(page.url).path == "/accounts/2fa/authenticate/"
        tab_to(page, page.locator('input[name="code"]'))
        page.keyboard.type(totp_code(totp_secret))
        press_and_wait(page)
    assert urlsplit(page.url).path == "/"


def an_open_minute_next_week() -> dt.datetime:
    """10:00 JST on a day Tokyo's counter is open, at least a week ahead (no outside-hours reason needed)."""
    tokyo = Office.objects.get(code="tokyo")
    day = timezone.localdate() + dt.timedelta(days=7)
    while True:
        at = dt.datetime.combine(day, dt.time(10, 0), tzinfo=office_hours.JST)
        if office_hours.is_open(tokyo, at):
            return at
        day += dt.timedelta(days=1)


def test_compose_submit_and_approve_with_the_keyboard_only(page, live_server):
    make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    supervisor = make_person("tokyo-supervisor", "tokyo", Membership.Role.SUPERVISOR)
    secret = add_totp(supervisor)
    page.add_init_script(PACE_SCRIPT)

    # The poster: the skip link first, then the menu's "new post".
    sign_in(page, live_server, "tokyo-poster")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    tab_to(page, page.locator("header nav a[href='/posts/new/']"))
    press_and_wait(page)
    assert urlsplit(page.url).path == "/posts/new/"
    settle(page)

    tab_to(page, page.get_by_label("@IMMI_TOKYO — 東京出入国在留管理局"))
    page.keyboard.press("Space")
    settle(page)
    tab_to(page, page.locator("textarea[name=body]"))
    page.keyboard.type(BODY)
    settle(page)
    when = an_open_minute_next_week()
    tab_to(page, page.locator("input[name=scheduled_at]"))
    # Debian's headless Chromium lays datetime-local out as mm/dd/yyyy, hh:mm AM/PM whatever the
    # locale: month, day and year, Tab to the time, hour, minute, then A for the morning.
    page.keyboard.type(when.strftime("%m%d%Y"))
    page.keyboard.press("Tab")
    page.keyboard.type(when.strftime("%I%M") + "A")
    settle(page)
    assert page.locator("input[name=scheduled_at]").input_value() == when.strftime("%Y-%m-%dT%H:%M")
    expect(page.locator("main")).to_contain_text("窓口受付時間内です。")
    tab_to(page, page.get_by_role("button", name="保存して承認申請"))
    press_and_wait(page)
    post = Post.objects.get(body=BODY)
    assert post.state == Post.State.PENDING
    assert timezone.localtime(post.scheduled_at) == when
    tab_to(page, page.get_by_role("button", name="ログアウト (tokyo-poster)"))
    press_and_wait(page)

    # The supervisor: from the home page to the queue, the post, and the approve button.
    page.context.clear_cookies()
    sign_in(page, live_server, "tokyo-supervisor", totp_secret=secret)
    tab_to(page, page.locator("header nav a[href='/posts/queue/']"))
    press_and_wait(page)
    tab_to(page, page.locator(f"main a[href='/posts/{post.pk}/']").first)
    press_and_wait(page)
    assert urlsplit(page.url).path == f"/posts/{post.pk}/"
    tab_to(page, page.get_by_role("button", name="承認", exact=True))
    press_and_wait(page)
    post.refresh_from_db()
    assert (post.state, post.approved_by) == (Post.State.APPROVED, supervisor)
