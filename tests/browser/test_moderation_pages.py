"""The moderation queue a page at a time, in a real browser and by keyboard: a two-character search (入管) reads
the last three months and says so, "Next page" leads on, the link to the months before finds an older reply.
axe-core at 1280 and 390 px on each page.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership
from replies.forms import SHORT_WORDS_DAYS
from replies.views import PAGE_SIZE
from tests.browser.conftest import BROWSER_DB, assert_accessible, login, shoot
from tests.conftest import make_person
from tests.factories import PASSWORD, ReplyFactory

pytestmark = [pytest.mark.browser, BROWSER_DB]


def test_a_short_word_search_a_page_at_a_time_by_keyboard(page, live_server):
    make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    now = timezone.now()
    for n in range(PAGE_SIZE + 5):
        ReplyFactory.create(handle="IMMI_TOKYO", text=f"入管への質問 {n}", created_at=now - dt.timedelta(hours=n))
    older = ReplyFactory.create(
        handle="IMMI_TOKYO",
        text="入管の窓口は混んでいました",
        created_at=now - dt.timedelta(days=SHORT_WORDS_DAYS + 20),
    )

    login(page, live_server, "tokyo-poster", PASSWORD)
    page.goto(f"{live_server.url}/moderation/?q=入管")
    expect(page.locator("article.reply-item")).to_have_count(PAGE_SIZE)
    expect(page.locator("#search-window")).to_contain_text(f"{timezone.localdate():%Y-%m-%d}")
    assert_accessible(page)
    shoot(page, "moderation-short-word")

    page.locator("a[rel=next]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("article.reply-item")).to_have_count(5)
    expect(page.locator("a[rel=prev]")).to_be_visible()
    assert_accessible(page)

    page.locator("#search-window a").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("article.reply-item")).to_have_count(1)
    expect(page.locator(f"#reply-{older.pk}")).to_contain_text("入管の窓口は混んでいました")
