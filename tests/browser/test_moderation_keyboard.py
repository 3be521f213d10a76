"""The replies queue with the keyboard only (§7): no click, no fill.

Focus moves with Tab; a select changes with the arrow keys; text is typed; checkboxes take Space;
buttons take Enter. Every stop shows its focus, and after an action the focus is on the reply
acted on, so the next Tab goes on from there.
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.models import Membership, SocialAccount
from replies import listening
from replies.categories import ProhibitedAct
from replies.models import Reply, ReplyDecision
from tests.browser.conftest import BROWSER_DB
from tests.browser.test_keyboard import FOCUS_SHOWN, press_and_wait, sign_in, tab_to
from tests.browser.test_moderation import CARD_TEXT, COMMENTER, SPAM_TEXT, platforms  # noqa: F401 (fixture)
from tests.conftest import add_totp
from tests.factories import make_person
from tests.replies.conftest import FB_PAGE, published

pytestmark = [pytest.mark.browser, BROWSER_DB]

OFF_TOPIC_TEXT = "今日の野球の結果を教えてください"


def focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def tab_once(page, locator) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS_SHOWN), "focus not visible"
    expect(locator).to_be_focused()


def choose_with_arrows(page, select, value: str) -> None:
    for _ in range(20):
        if select.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} not reached with the arrow keys")


def test_the_queue_with_the_keyboard_only(page, live_server, platforms):  # noqa: F811
    x, graph = platforms
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    fb = SocialAccount.objects.get(handle=FB_PAGE)
    ours = x.add_post("在留期間更新のお知らせ")
    published(tokyo, ours.id)
    card = x.add_public(CARD_TEXT, username="helper_a", reply_to=ours.id)
    off_topic = x.add_public(OFF_TOPIC_TEXT, username="baseball_fan", reply_to=ours.id)
    fb_post = graph.add_post("オンライン申請のご案内")
    published(fb, fb_post.id)
    spam = graph.add_comment(fb_post.id, SPAM_TEXT, from_id=COMMENTER)
    listening.poll_account(tokyo.pk)
    listening.poll_account(fb.pk)
    card_reply = Reply.objects.get(external_id=card.id)
    chatter = Reply.objects.get(external_id=off_topic.id)
    spam_reply = Reply.objects.get(external_id=spam.id)
    poster = make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    supervisor = make_person("agency-supervisor", "agency", Membership.Role.SUPERVISOR)
    secret = add_totp(supervisor)

    sign_in(page, live_server, "tokyo-poster")
    tab_to(page, page.locator("header nav a[href='/moderation/']"))
    press_and_wait(page)
    assert urlsplit(page.url).path == "/moderation/"

    # Hide a reply: its category, its reason and its button follow one another in Tab order.
    select = page.locator(f"#hide-category-{chatter.pk}")
    tab_to(page, select)
    assert select.input_value() == ""  # a person chooses the category
    choose_with_arrows(page, select, ProhibitedAct.OFF_TOPIC)
    tab_once(page, page.locator(f"#hide-reason-{chatter.pk}"))
    page.keyboard.type("話題と関係がない")
    tab_once(page, page.locator(f"form[action='/moderation/{chatter.pk}/hide/'] button"))
    press_and_wait(page)
    assert x.public[off_topic.id].hidden is True
    decision = ReplyDecision.objects.get(reply=chatter, action=ReplyDecision.Action.HIDE)
    assert (decision.actor, decision.category, decision.reason) == (poster, ProhibitedAct.OFF_TOPIC, "話題と関係がない")
    # The focus is on the reply just hidden, visibly; Tab goes on inside it.
    assert focused_id(page) == f"reply-{chatter.pk}"
    assert page.evaluate(FOCUS_SHOWN)
    page.keyboard.press("Tab")
    assert page.evaluate(f"document.getElementById('reply-{chatter.pk}').contains(document.activeElement)")

    # Confirm what the system hid.
    tab_to(page, page.locator(f"form[action='/moderation/{card_reply.pk}/confirm/'] button"))
    press_and_wait(page)
    assert ReplyDecision.objects.get(reply=card_reply, action=ReplyDecision.Action.CONFIRM).actor == poster
    assert focused_id(page) == f"reply-{card_reply.pk}"

    # The supervisor opens "delete or ban" from the keyboard, gives a reason, confirms and blocks.
    page.context.clear_cookies()
    sign_in(page, live_server, "agency-supervisor", totp_secret=secret)
    tab_to(page, page.locator("header nav a[href='/moderation/']"))
    press_and_wait(page)
    item = page.locator(f"#reply-{spam_reply.pk}")
    tab_to(page, item.locator("details.remove summary"))
    page.keyboard.press("Enter")
    expect(item.locator("details.remove")).to_have_attribute("open", "")
    tab_once(page, page.locator(f"#remove-category-{spam_reply.pk}"))
    choose_with_arrows(page, page.locator(f"#remove-category-{spam_reply.pk}"), ProhibitedAct.ADVERTISING)
    tab_once(page, page.locator(f"#remove-reason-{spam_reply.pk}"))
    page.keyboard.type("宣伝の繰り返し")
    tab_once(page, item.locator("input[name=confirm]"))
    page.keyboard.press("Space")
    tab_to(page, item.locator("details.remove button.danger:not([formaction])"))
    press_and_wait(page)
    assert graph.blocked == {COMMENTER}
    ban = ReplyDecision.objects.get(reply=spam_reply, action=ReplyDecision.Action.BAN)
    assert (ban.actor, ban.category, ban.reason) == (supervisor, ProhibitedAct.ADVERTISING, "宣伝の繰り返し")
    assert focused_id(page) == f"reply-{spam_reply.pk}"
