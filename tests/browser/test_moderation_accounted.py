"""Moderation that can be accounted for, in a real browser: a supervisor hides three spam replies at once with
the keyboard, a viewer (the auditor) reads the decisions in the audit log and the queue without controls, and
the public transparency report shows the month's counts. axe-core at 1280 and 390 px on every new page.

The accounts stay on the sandbox (which stands in for X and accepts a hide), so no fake platform is needed.
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.models import Membership
from replies import services
from replies.models import Reply, ReplyDecision
from tests.browser.conftest import BROWSER_DB, assert_accessible, login, shoot
from tests.conftest import add_totp, make_person
from tests.factories import PASSWORD, sorted_reply

pytestmark = [pytest.mark.browser, BROWSER_DB]

SPAM = ["最短3日でビザ取得 その1", "最短3日でビザ取得 その2", "最短3日でビザ取得 その3"]
REASON = "同じ宣伝の繰り返し"


def test_bulk_hide_then_the_audit_log_and_the_public_report(page, live_server):
    supervisor = make_person("agency-supervisor", "agency", Membership.Role.SUPERVISOR)
    secret = add_totp(supervisor)
    make_person("auditor", "agency", Membership.Role.VIEWER)
    spam = [sorted_reply(handle="IMMI_TOKYO", text=text, author_handle=f"visa_fast_{i}") for i, text in enumerate(SPAM)]
    question = sorted_reply(handle="IMMI_TOKYO", text="在留期間更新の申請は予約が必要ですか？")
    # Earlier this month the system hid five replies with a residence card number.
    for i in range(5):
        card = sorted_reply(handle="IMMI_TOKYO", text=f"在留カード AB1234567{i}CD")
        services.reply_decision_record(
            reply=card, action="hide", category="personal_data", rule="personal_data:residence_card"
        )
        Reply.objects.filter(pk=card.pk).update(state=Reply.State.HIDDEN, needs_review=False)

    # The supervisor ticks the three spam replies with the keyboard and hides them together.
    login(page, live_server, "agency-supervisor", PASSWORD, secret)
    page.goto(f"{live_server.url}/moderation/?q=ビザ取得")
    expect(page.locator("article.reply-item")).to_have_count(3)
    assert_accessible(page)
    shoot(page, "moderation-bulk")
    for reply in spam:
        box = page.locator(f"#select-{reply.pk}")
        box.focus()
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    page.locator("#bulk-action").select_option("hide")
    page.locator("#bulk-category").select_option("advertising")
    page.locator("#bulk-reason").fill(REASON)
    page.locator("#bulk-submit").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("ul.messages li.message.success")).to_contain_text("3")
    hides = ReplyDecision.objects.filter(reply__in=spam, action="hide", actor=supervisor, reason=REASON)
    assert hides.count() == 3
    assert not question.decisions.exists()
    assert_accessible(page)

    # The viewer reads the decisions in the audit log, and the queue without any control.
    page.context.clear_cookies()
    login(page, live_server, "auditor", PASSWORD)
    page.goto(f"{live_server.url}/audit/?kind=moderation&person=agency-supervisor")
    rows = page.locator("#audit-entries tbody tr[data-kind='moderation.hide']")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text(REASON)
    for text in SPAM:
        expect(page.locator("main")).not_to_contain_text(text)  # the reply is referred to, not copied
    assert_accessible(page)
    shoot(page, "audit-moderation-viewer")
    page.goto(f"{live_server.url}/moderation/")
    assert urlsplit(page.url).path == "/moderation/"
    expect(page.locator("article.reply-item").first).to_be_visible()
    expect(page.locator("form#bulk")).to_have_count(0)
    expect(page.locator("article.reply-item form")).to_have_count(0)
    assert_accessible(page)

    # The public report: this month's counts, small ones as "fewer than 5", nothing of the replies.
    page.context.clear_cookies()
    for language, fewer in (("ja", "5件未満"), ("en", "fewer than 5"), ("zh", "少于5件")):
        page.goto(f"{live_server.url}/transparency/?lang={language}")
        tokyo = page.locator("section.transparency-account").first
        expect(tokyo.locator("dd.received")).to_have_text("9")
        expect(tokyo.locator("dd.hidden-by-system")).to_have_text("5")
        expect(tokyo.locator("dd.hidden-by-person")).to_have_text(fewer)
        expect(page.locator("main")).not_to_contain_text("ビザ取得")
        assert_accessible(page)
        shoot(page, f"public-transparency-{language}")
