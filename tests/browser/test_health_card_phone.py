"""At 390 px the home page's health card keeps its labels on one line ("30日間投稿なし", not one character a line)."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Membership, SocialAccount
from posts.models import PostTarget
from tests.accounts.test_account_pages import target_on
from tests.browser.conftest import BROWSER_DB, PHONE, login
from tests.factories import PASSWORD, make_person

pytestmark = [pytest.mark.browser, BROWSER_DB]


def test_the_quiet_label_does_not_wrap_one_character_per_line(page, live_server):
    poster = make_person("phone-poster", "tokyo", Membership.Role.POSTER)
    for account in SocialAccount.objects.all():  # every account quiet for 40 days
        target_on(account.handle, PostTarget.State.PUBLISHED, at=timezone.now() - dt.timedelta(days=40), author=poster)
    login(page, live_server, "phone-poster", PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    label = page.locator("#account-health td .nowrap", has_text="30日間投稿なし").first
    box = label.bounding_box()
    line = page.evaluate(
        "e => parseFloat(getComputedStyle(e).lineHeight) || 1.5 * parseFloat(getComputedStyle(e).fontSize)",
        label.element_handle(),
    )
    assert box is not None and box["height"] < 1.6 * line, (box, line)  # one line, not seven
    assert box["width"] > box["height"]
