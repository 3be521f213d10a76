"""The account page in a real browser: opened from the dashboard's health card, accessible at 1280 and 390 px."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import services as account_services
from accounts.models import Membership, SocialAccount
from posts.models import Post, PostTarget
from replies.models import Reply
from tests.browser.conftest import BROWSER_DB, assert_accessible, login, shoot
from tests.conftest import add_totp
from tests.factories import PASSWORD, PostFactory, PostTargetFactory, ReplyDecisionFactory, ReplyFactory, make_person

pytestmark = [pytest.mark.browser, BROWSER_DB]

T = PostTarget.State


def targets(handle: str, state: str, ages_in_days, author) -> None:
    """Posts on the account in the given state, at these ages (negative: still to come), as the engine leaves them."""
    account = SocialAccount.objects.get(handle=handle)
    for n, days in enumerate(ages_in_days):
        at = timezone.now() - dt.timedelta(days=days, hours=n % 5)
        post = PostFactory.create(
            author=author, body=f"在留手続のお知らせ {handle} {n}", scheduled_at=at, state=Post.State.APPROVED
        )
        PostTargetFactory.create(
            post=post, account=account, state=state, due_at=at, published_at=at if state == T.PUBLISHED else None
        )


def test_a_supervisor_opens_an_account_page_from_the_health_card(page, live_server):
    supervisor = make_person("tokyo-supervisor", "tokyo", Membership.Role.SUPERVISOR)
    secret = add_totp(supervisor)
    admin = make_person("admin", is_staff=True, first_name="花子", last_name="佐藤")
    targets("IMMI_TOKYO", T.PUBLISHED, [1, 3, 8, 9, 10, 15, 22, 23, 40, 41, 70, 100, 150], supervisor)
    targets("IMMI_TOKYO", T.SCHEDULED, [-1, -2], supervisor)
    targets("IMMI_TOKYO", T.FAILED, [2], supervisor)
    targets("IMMI_HANEDA", T.PUBLISHED, [0, 1, 2], supervisor)
    targets("IMMI_HANEDA", T.SCHEDULED, [-1], supervisor)
    targets("IMMI_NARITA", T.PUBLISHED, [45], supervisor)
    account_services.account_pause(
        account=SocialAccount.objects.get(handle="IMMI_TOKYO"), by=admin, reason="年末年始の点検のため"
    )
    reply = ReplyFactory.create(
        account=SocialAccount.objects.get(handle="IMMI_TOKYO"),
        external_id="1",
        author_handle="resident",
        text="窓口は何時まで開いていますか",
        created_at=timezone.now(),
        state=Reply.State.HIDDEN,
    )
    ReplyDecisionFactory.create(reply=reply, action="hide", reason="電話番号が含まれていたため")
    ReplyDecisionFactory.create(reply=reply, actor=supervisor, action="confirm")

    login(page, live_server, "tokyo-supervisor", PASSWORD, totp_secret=secret)
    card = page.locator("#account-health")
    expect(card).to_be_visible()
    expect(card.locator("tbody tr").first).to_contain_text("IMMI_TOKYO")  # paused comes before quiet
    expect(page.locator("#week-load svg")).to_be_visible()
    assert_accessible(page)
    shoot(page, "dashboard-account-health")

    with page.expect_navigation():
        card.get_by_role("link", name="@IMMI_TOKYO").click()
    assert urlsplit(page.url).path == "/accounts/IMMI_TOKYO/"
    expect(page.locator("#state-why")).to_contain_text("年末年始の点検のため")
    expect(page.locator("#state-why")).to_contain_text("佐藤")
    expect(page.locator("#posts-per-week svg")).to_be_visible()
    expect(page.locator("#moderation-history")).to_contain_text("電話番号が含まれていたため")
    expect(page.locator("#profile-link")).to_have_attribute("href", "https://x.com/IMMI_TOKYO")  # never clicked
    assert_accessible(page)
    shoot(page, "account-page")
