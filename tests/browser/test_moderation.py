"""Replies and comments in a real browser (§7): what the public wrote arrives through a real poll of the
fake platforms, a Tokyo poster confirms what the system hid and hides an impostor, and a supervisor
bans a Facebook commenter after giving a reason and confirming.

The platforms are faked at the requests layer (tests/fakes/platforms.py): the poll in the test and
the hides and the ban sent by the live server's thread reach the same fakes, which record them.
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.models import Membership, SocialAccount
from replies import listening
from replies.categories import ProhibitedAct
from replies.models import Reply, ReplyDecision
from tests.browser.conftest import BROWSER_DB, assert_accessible, login, shoot
from tests.conftest import add_totp
from tests.factories import PASSWORD, make_person
from tests.fakes.platforms import FakeGraph, FakeX, fake_platforms
from tests.replies.conftest import FB_PAGE, published

pytestmark = [pytest.mark.browser, BROWSER_DB]

CARD_TEXT = "友人の在留カード番号は AB12345678CD です。代わりに手続きできますか"
IMPOSTOR_TEXT = "ビザのご相談はDMでお受けします"
QUESTION_TEXT = "在留期間更新の申請は予約が必要ですか？"
SPAM_TEXT = "最短3日でビザ取得！ https://bit.ly/visa-fast"
PHISHING_TEXT = "在留カードの更新手続はこちらから https://moj-go.jp/renew"
LOOKALIKE_NAME = "ΙSΑ Οfficial"  # Greek Ι, Α and Ο: the agency's initials with a claim word
COMMENTER = "7100000000000077"
IMPOSTOR_REASON = "東京局を名乗る偽アカウント"
BAN_REASON = "同じ宣伝を繰り返し投稿している"


@pytest.fixture
def platforms(settings):
    """IMMI_TOKYO on the fake X and the agency's Page on the fake Graph, each with one recent post of ours."""
    x, graph = FakeX(), FakeGraph()
    settings.X_API_KEY, settings.X_API_SECRET = x.api_key, x.api_secret
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    tokyo.publisher, tokyo.platform_id = "platform", x.user_id
    tokyo.set_credentials({"access_token": x.access_token, "access_token_secret": x.access_token_secret})
    tokyo.save()
    fb = SocialAccount.objects.get(handle=FB_PAGE)
    fb.publisher, fb.platform_id = "platform", graph.page_id
    fb.set_credentials({"page_access_token": graph.access_token})
    fb.save()
    with fake_platforms(x=x, graph=graph):
        yield x, graph


def reply_card(page, reply: Reply):
    return page.locator(f"#reply-{reply.pk}")


def message(page, kind: str):
    return page.locator(f"ul.messages li.message.{kind}")


def test_a_poster_confirms_and_hides_and_a_supervisor_bans_a_facebook_commenter(page, live_server, platforms):
    x, graph = platforms
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    fb = SocialAccount.objects.get(handle=FB_PAGE)
    ours = x.add_post("在留期間更新のお知らせ")
    published(tokyo, ours.id)
    card = x.add_public(CARD_TEXT, username="helper_a", name="親切な人", reply_to=ours.id)
    impostor = x.add_public(IMPOSTOR_TEXT, username="IMMI_T0KYO", name="東京出入国在留管理局", reply_to=ours.id)
    question = x.add_public(QUESTION_TEXT, username="yamada_taro", name="山田 太郎", reply_to=ours.id)
    phishing = x.add_public(PHISHING_TEXT, username="renew_helper", name="更新案内", reply_to=ours.id)
    by_name = x.add_public("ビザの質問はDMへ", username="helpdesk_jp", name=LOOKALIKE_NAME, reply_to=ours.id)
    fb_post = graph.add_post("オンライン申請のご案内")
    published(fb, fb_post.id)
    spam = graph.add_comment(fb_post.id, SPAM_TEXT, from_id=COMMENTER, from_name="ビザ代行センター")

    # What the public wrote arrives through the real poll.
    assert listening.poll_account(tokyo.pk) == "ok"
    assert listening.poll_account(fb.pk) == "ok"
    card_reply = Reply.objects.get(account=tokyo, external_id=card.id)
    impostor_reply = Reply.objects.get(account=tokyo, external_id=impostor.id)
    spam_reply = Reply.objects.get(account=fb, external_id=spam.id)
    assert card_reply.state == Reply.State.HIDDEN and x.public[card.id].hidden  # by the system, at once
    assert impostor_reply.category == ProhibitedAct.IMPERSONATION and impostor_reply.risk == Reply.Risk.HIGH
    assert not x.public[impostor.id].hidden
    phishing_reply = Reply.objects.get(account=tokyo, external_id=phishing.id)
    by_name_reply = Reply.objects.get(account=tokyo, external_id=by_name.id)
    assert phishing_reply.state == Reply.State.HIDDEN and x.public[phishing.id].hidden  # X sent it as t.co
    assert by_name_reply.category == ProhibitedAct.IMPERSONATION and by_name_reply.risk == Reply.Risk.HIGH

    poster = make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    supervisor = make_person("agency-supervisor", "agency", Membership.Role.SUPERVISOR)
    secret = add_totp(supervisor)

    # The poster reaches the queue from the menu.
    login(page, live_server, "tokyo-poster", PASSWORD)
    with page.expect_navigation():
        page.locator("header nav a[href='/moderation/']").click()
    assert urlsplit(page.url).path == "/moderation/"
    queue_text = page.locator("main").inner_text()
    assert CARD_TEXT in queue_text and IMPOSTOR_TEXT in queue_text and QUESTION_TEXT in queue_text
    assert SPAM_TEXT not in queue_text  # the Page belongs to the agency, not to Tokyo
    # Highest risk waiting first: the residence card and the impostor before the plain question.
    order = page.locator("article.reply-item").evaluate_all("els => els.map(e => e.id)")
    assert order.index(f"reply-{card_reply.pk}") < order.index(f"reply-{Reply.objects.get(external_id=question.id).pk}")
    assert order.index(f"reply-{impostor_reply.pk}") < order.index(
        f"reply-{Reply.objects.get(external_id=question.id).pk}"
    )
    # The hidden reply shows what was found, highlighted and named in Japanese; the rule's code is
    # for administrators only.
    found = reply_card(page, card_reply)
    expect(found.locator("mark.finding")).to_have_text("AB12345678CD")
    expect(found.locator(".badge.state-hidden")).to_be_visible()
    expect(found.locator(".badge.waiting")).to_be_visible()
    expect(found.locator("ul.findings")).to_contain_text("在留カード番号")
    found.locator("details summary").first.click()
    expect(found.locator("ol.history")).to_contain_text("個人情報")
    expect(found.locator("ol.history")).not_to_contain_text("personal_data:residence_card")
    # The phishing reply was hidden with its rule named (in words for a poster; the code is for
    # administrators); the queue shows where its t.co link leads.
    assert phishing_reply.decisions.filter(rule="phishing:lookalike").exists()
    lure = reply_card(page, phishing_reply)
    expect(lure.locator(".badge.state-hidden")).to_be_visible()
    expect(lure.locator("ul.findings")).to_contain_text("フィッシングのリンク")
    expect(lure.locator("ul.findings")).to_contain_text("https://moj-go.jp/renew")
    expect(lure).not_to_contain_text("phishing:lookalike")
    # The impostor by display name (look-alike Greek letters) is flagged high, for a person.
    named = reply_card(page, by_name_reply)
    expect(named).to_contain_text(LOOKALIKE_NAME)
    expect(named.locator(".badge.risk")).to_contain_text(str(Reply.Risk.HIGH.label))
    expect(named.locator(".badge.state-hidden")).to_have_count(0)
    # The poster may not delete or ban.
    expect(page.locator("details.remove")).to_have_count(0)
    assert_accessible(page)
    shoot(page, "moderation-poster-queue")

    # Confirm what the system hid.
    with page.expect_navigation():
        found.locator(f"form[action='/moderation/{card_reply.pk}/confirm/'] button").click()
    expect(message(page, "success")).to_be_visible()
    found = reply_card(page, card_reply)
    expect(found.locator(".badge.waiting")).to_have_count(0)
    expect(found.locator(".badge.state-hidden")).to_be_visible()
    confirm = ReplyDecision.objects.get(reply=card_reply, action=ReplyDecision.Action.CONFIRM)
    assert confirm.actor == poster
    assert x.public[card.id].hidden

    # Hide the impostor under its category, with a reason.
    form = reply_card(page, impostor_reply).locator(f"form[action='/moderation/{impostor_reply.pk}/hide/']")
    expect(form.locator("select[name=category]")).to_have_value(ProhibitedAct.IMPERSONATION)
    form.locator("select[name=category]").select_option(ProhibitedAct.IMPERSONATION)
    form.locator("input[name=reason]").fill(IMPOSTOR_REASON)
    hides_before = len(x.calls_to("hide"))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(message(page, "success")).to_be_visible()
    hidden = reply_card(page, impostor_reply)
    expect(hidden.locator(".badge.state-hidden")).to_be_visible()
    expect(hidden.locator(f"form[action='/moderation/{impostor_reply.pk}/unhide/']")).to_be_visible()
    assert x.public[impostor.id].hidden is True
    assert len(x.calls_to("hide")) == hides_before + 1
    decision = ReplyDecision.objects.get(reply=impostor_reply, action=ReplyDecision.Action.HIDE)
    assert (decision.actor, decision.category, decision.reason) == (
        poster,
        ProhibitedAct.IMPERSONATION,
        IMPOSTOR_REASON,
    )
    assert_accessible(page)
    shoot(page, "moderation-poster-after-hide")

    # The supervisor signs in with the second factor and bans the Facebook commenter.
    page.context.clear_cookies()
    login(page, live_server, "agency-supervisor", PASSWORD, totp_secret=secret)
    page.goto(f"{live_server.url}/moderation/?account={fb.pk}")
    item = reply_card(page, spam_reply)
    expect(item).to_contain_text(SPAM_TEXT)
    item.locator("details.remove summary").click()
    ban = item.locator(f"form[action='/moderation/{spam_reply.pk}/ban/']")
    block = ban.locator("button.danger:not([formaction])")
    expect(block).to_be_visible()
    assert_accessible(page)
    shoot(page, "moderation-supervisor-ban")

    # Without a reason and the confirmation the browser does not send the form.
    ban.locator("input[name=reason]").fill("")
    block.click()
    page.wait_for_timeout(300)
    assert urlsplit(page.url).path == "/moderation/" and not graph.blocked
    assert not graph.calls_to("block")
    ban.locator("input[name=reason]").fill(BAN_REASON)
    block.click()
    page.wait_for_timeout(300)
    assert not graph.calls_to("block")  # still no confirmation
    ban.locator("select[name=category]").select_option(ProhibitedAct.ADVERTISING)
    ban.locator("input[name=confirm]").check()
    with page.expect_navigation():
        block.click()
    expect(message(page, "success")).to_be_visible()
    calls = graph.calls_to("block")
    assert len(calls) == 1
    assert calls[0].method == "POST" and calls[0].path.endswith(f"/{graph.page_id}/blocked")
    assert calls[0].params()["user"] == COMMENTER
    assert graph.blocked == {COMMENTER}
    decision = ReplyDecision.objects.get(reply=spam_reply, action=ReplyDecision.Action.BAN)
    assert (decision.actor, decision.category, decision.reason) == (supervisor, ProhibitedAct.ADVERTISING, BAN_REASON)
    item = reply_card(page, spam_reply)
    item.locator("details summary").first.click()
    expect(item.locator("ol.history li").last).to_contain_text(BAN_REASON)
    assert_accessible(page)
    shoot(page, "moderation-supervisor-after-ban")
