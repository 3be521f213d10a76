"""The daily pages' rough edges in a real browser: the post list as cards on a phone, a post sent back,
and the confirmation dialog before cancelling."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership
from posts import services
from posts.models import Post
from tests.browser.conftest import BROWSER_DB, PHONE, assert_accessible, login, shoot
from tests.factories import PASSWORD, make_person, post_via_services

pytestmark = [pytest.mark.browser, BROWSER_DB]

JST = ZoneInfo("Asia/Tokyo")
LONG_TEXT = (
    "【お知らせ】年末年始（12月29日から1月3日まで）は、東京出入国在留管理局の窓口を閉庁します。"
    "在留期間の更新などの手続は、オンライン申請をご利用ください。"
)


def next_week_at_ten() -> dt.datetime:
    """A weekday morning a week ahead (inside office hours), whatever day the tests run."""
    day = timezone.localtime(timezone.now(), JST).date() + dt.timedelta(days=7)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=JST)


@pytest.fixture
def people(db):
    return {
        "poster": make_person("tokyo-poster", "tokyo", Membership.Role.POSTER),
        "supervisor": make_person("tokyo-supervisor", "tokyo", Membership.Role.SUPERVISOR),
    }


def test_the_post_list_at_phone_width_is_cards_with_a_readable_text(page, live_server, people):
    when = next_week_at_ten()
    for n in range(3):
        post_via_services(
            people["poster"],
            ("IMMI_TOKYO", "IMMI_NARITA", "IMMI_HANEDA"),
            body=f"{LONG_TEXT} ({n})",
            when=when,
            submit=bool(n % 2),
        )
    login(page, live_server, "tokyo-poster", PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/posts/")
    text = page.locator("td.post-excerpt").first
    expect(text).to_be_visible()
    box = text.bounding_box()
    assert box["width"] >= 300, box  # the card's full width, not a column of three characters
    font_size = float(text.evaluate("cell => parseFloat(getComputedStyle(cell).fontSize)"))
    assert box["width"] / font_size >= 18  # at least 18 characters on a line
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing scrolls sideways
    expect(page.locator("td.post-time").first).to_be_visible()
    assert_accessible(page)
    shoot(page, "post-list-cards")


def test_a_post_sent_back_shows_sashimodoshi_and_the_comment(page, live_server, people):
    post = post_via_services(
        people["poster"], ("IMMI_TOKYO", "IMMI_NARITA"), body=LONG_TEXT, when=next_week_at_ten(), submit=True
    )
    services.post_reject(post=post, by=people["supervisor"], comment="閉庁期間の日付を、もう一度確認してください。")
    login(page, live_server, "tokyo-poster", PASSWORD)
    home = page.locator("main")
    # (The words 差戻し come with the catalogue; the page's hooks are asserted here.)
    expect(home.locator(f'[data-testid="sent-back-{post.pk}"] .state-returned')).to_be_visible()
    expect(home.locator(f'[data-testid="sent-back-{post.pk}"]')).to_contain_text("閉庁期間の日付")
    assert_accessible(page)
    page.goto(f"{live_server.url}/posts/{post.pk}/")
    expect(page.locator("h1 .post-state")).to_have_class("post-state state-returned")
    expect(page.locator("#sent-back")).to_contain_text("閉庁期間の日付を、もう一度確認してください。")
    expect(page.locator(".target-row .post-state.state-returned")).to_have_count(2)
    expect(page.locator(".target-row .post-state.state-waiting")).to_have_count(0)
    assert_accessible(page)
    shoot(page, "post-sent-back")


def test_cancelling_asks_in_a_dialog_first(page, live_server, people):
    post = post_via_services(people["poster"], body=LONG_TEXT, when=next_week_at_ten(), submit=True)
    login(page, live_server, "tokyo-poster", PASSWORD)
    page.goto(f"{live_server.url}/posts/{post.pk}/")
    cancel = page.locator('form[action$="/cancel/"] button[type=submit]')
    cancel.click()
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_be_visible()
    assert_accessible(page, widths=(PHONE,))
    dialog.locator("button.secondary").click()
    expect(dialog).to_have_count(0)
    assert Post.objects.get(pk=post.pk).state == "pending"
    cancel.click()
    with page.expect_navigation():
        page.locator("dialog.confirm-dialog button.danger").click()
    assert Post.objects.get(pk=post.pk).state == "cancelled"


def test_without_the_dialog_the_server_asks_on_a_page_of_its_own(page, live_server, people):
    post = post_via_services(people["poster"], body=LONG_TEXT, when=next_week_at_ten(), submit=True)
    login(page, live_server, "tokyo-poster", PASSWORD)
    page.goto(f"{live_server.url}/posts/{post.pk}/")
    page.evaluate("delete window.HTMLDialogElement")  # a browser without <dialog>: the form goes as it is
    with page.expect_navigation():
        page.locator('form[action$="/cancel/"] button[type=submit]').click()
    expect(page.locator('[data-testid="confirmation"]')).to_be_visible()
    assert Post.objects.get(pk=post.pk).state == "pending"
    assert_accessible(page)
    shoot(page, "confirm-cancel")
    with page.expect_navigation():
        page.locator('[data-testid="confirmation"] button.danger').click()
    assert Post.objects.get(pk=post.pk).state == "cancelled"
