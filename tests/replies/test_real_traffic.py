"""Listening on what the platforms and attackers really send, fed end to end through the poll on the fakes (§7)."""

import socket

import pytest
from django.db import connection

from accounts.models import SocialAccount
from accounts.platforms import ReplyLink
from accounts.platforms.x import READ_TWEET_FIELDS, url_entities
from checks import lookalike
from checks.checks import scan
from replies import listening
from replies.categories import ProhibitedAct
from replies.intake import DISPLAY_LIMIT, clean_text, clean_url, display_text
from replies.models import ListeningState, Reply, ReplyDecision
from replies.sorting import SortingRules, sort_reply
from tests.replies.conftest import FB_PAGE, published

pytestmark = pytest.mark.django_db

HIGH, MEDIUM, NONE = Reply.Risk.HIGH, Reply.Risk.MEDIUM, Reply.Risk.NONE


@pytest.fixture
def tokyo(fakes):
    return SocialAccount.objects.get(handle="IMMI_TOKYO")


@pytest.fixture
def page(fakes):
    return SocialAccount.objects.get(handle=FB_PAGE)


@pytest.fixture
def conversation(fakes, tokyo):
    x, _ = fakes
    ours = x.add_post("在留手続のお知らせ")
    published(tokyo, ours.id)
    return ours.id


# -- 1. the fakes answer as the platforms do --------------------------------


def test_the_fake_x_wraps_every_link_in_t_co_and_reports_the_destination_in_entities(fakes, tokyo, conversation):
    x, _ = fakes
    x.add_public("詳しくは https://www.moj.go.jp/isa/ を見ました", reply_to=conversation)
    listening.poll_account(tokyo.pk)
    answer = x.calls_to("search")[0]
    assert "entities" in answer.query["tweet.fields"][0].split(",")
    reply = Reply.objects.get(account=tokyo)
    assert "https://t.co/" in reply.text and "moj.go.jp" not in reply.text


def test_the_adapter_asks_for_entities_and_the_links_of_long_posts():
    assert {"entities", "note_tweet"} <= set(READ_TWEET_FIELDS)


def test_url_entities_are_placed_by_their_offsets_or_found_by_their_url():
    text = "見て https://t.co/abc と https://t.co/def"
    links = url_entities(
        text,
        [
            {"start": 3, "end": 22, "url": "https://t.co/abc", "expanded_url": "https://www.moj.go.jp/"},
            {"start": 0, "end": 2, "url": "https://t.co/def", "expanded_url": "https://evil.example/"},
        ],
    )
    assert [(text[link.start : link.end], link.expanded_url) for link in links] == [
        ("https://t.co/abc", "https://www.moj.go.jp/"),
        ("https://t.co/def", "https://evil.example/"),
    ]


# -- 2. links judged by their destination -----------------------------------


def test_a_harmless_moj_link_behind_t_co_is_not_advertising(fakes, tokyo, conversation):
    x, _ = fakes
    x.add_public("公式ページ https://www.moj.go.jp/isa/applications/index.html を読みました", reply_to=conversation)
    listening.poll_account(tokyo.pk)
    reply = Reply.objects.get(account=tokyo)
    assert reply.findings == [] and reply.risk == NONE and not reply.needs_review


def test_a_phishing_destination_behind_t_co_is_hidden_at_once_with_its_rule(fakes, tokyo, conversation):
    x, _ = fakes
    bad = x.add_public("在留カードの更新はこちら https://moj-go.jp/renew", reply_to=conversation)
    listening.poll_account(tokyo.pk)
    reply = Reply.objects.get(external_id=bad.id)
    assert reply.state == Reply.State.HIDDEN and x.public[bad.id].hidden
    assert reply.risk == HIGH and reply.category == ProhibitedAct.ILLEGAL
    finding = reply.findings[0]
    assert finding["kind"] == "phishing_link" and finding["destination"] == "https://moj-go.jp/renew"
    assert reply.text[finding["start"] : finding["end"]].startswith("https://t.co/")
    hide = reply.decisions.get(action=ReplyDecision.Action.HIDE)
    assert hide.actor is None and hide.rule == "phishing:lookalike"


def test_a_shortener_behind_t_co_stays_suspicious_and_unwound_url_is_read_too(fakes, tokyo, conversation):
    x, _ = fakes
    short = x.add_public("格安 https://bit.ly/3abc", reply_to=conversation)
    unwound = x.add_public(
        "記事 https://news.example.com/a",
        username="b",
        reply_to=conversation,
        unwound={"https://news.example.com/a": "https://moj.go.jp.example.net/login"},
    )
    listening.poll_account(tokyo.pk)
    assert [f["rule"] for f in Reply.objects.get(external_id=short.id).findings] == ["advertising:shortener"]
    assert Reply.objects.get(external_id=unwound.id).risk == HIGH


def test_a_long_reply_has_its_links_in_note_tweet(fakes, tokyo, conversation):
    x, _ = fakes
    long_text = "在留資格について長い質問です。" * 25 + " https://moj-go.jp/x"
    bad = x.add_public(long_text, reply_to=conversation)
    listening.poll_account(tokyo.pk)
    reply = Reply.objects.get(external_id=bad.id)
    assert reply.text.startswith("在留資格") and len(reply.text) > 300
    assert reply.findings[0]["destination"] == "https://moj-go.jp/x"


def test_a_facebook_comment_sharing_a_phishing_link_is_hidden(fakes, page):
    _, graph = fakes
    post = graph.add_post("お知らせ")
    published(page, post.id)
    comment = graph.add_comment(post.id, "こちらが新しい申請サイトです", link="https://isa-go-jp.example/apply")
    harmless = graph.add_comment(post.id, "参考になりました", link="https://www.isa.go.jp/en/")
    listening.poll_account(page.pk)
    reply = Reply.objects.get(external_id=comment.id)
    assert reply.state == Reply.State.HIDDEN and graph.comments[comment.id].is_hidden
    assert reply.findings[0]["destination"] == "https://isa-go-jp.example/apply"
    assert Reply.objects.get(external_id=harmless.id).findings == []


def test_the_console_never_fetches_a_link(fakes, tokyo, conversation, monkeypatch):
    x, _ = fakes
    x.add_public("https://bit.ly/3abc と https://moj-go.jp/x", reply_to=conversation)

    def no_network(*args, **kwargs):
        raise AssertionError("the console opened a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    listening.poll_account(tokyo.pk)  # the fakes answer at the requests layer; nothing else may connect
    assert Reply.objects.filter(account=tokyo).count() == 1


@pytest.mark.parametrize(
    "text", ["http://203.0.113.5/login", "203.0.113.5 にアクセス", "https://moj.go.jp@evil.example/", "xn--m-1tb2f.com"]
)
def test_bare_ip_addresses_user_info_and_xn_hosts_are_links(text):
    assert [f.kind for f in scan(text)] != []


# -- 3. phishing and look-alike domains -------------------------------------


OFFICIAL = ("moj.go.jp", "isa.go.jp", "go.jp", "lg.jp")


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("https://moj-go.jp/", "lookalike"),
        ("https://moj-go-jp.example.com/", "official_in_host"),
        ("https://moj.gov.jp/", "lookalike"),
        ("https://isa.go.jp.example.com/", "official_in_host"),
        ("https://www.moj.go.jp@evil.example/x", "userinfo"),
        ("https://isa.co.jp/", "lookalike"),
        ("https://moj.xn--g-1tb.jp/", "lookalike"),  # moj.gо.jp, the о Cyrillic: an IDN homograph
        ("http://198.51.100.7/", "ip_address"),
        ("https://files.example.com/residence.apk", "download"),
    ],
)
def test_phishing_links_name_their_rule(link, reason):
    assert lookalike.phishing_reason(link, official=OFFICIAL) == reason


@pytest.mark.parametrize(
    "link",
    [
        "https://www.moj.go.jp/isa/",
        "https://www.city.shinjuku.lg.jp/",
        "https://www.mhlw.go.jp/",
        "https://example.com/",
        "https://www.youtube.com/watch?v=1",
        "https://日本語.jp/",
    ],
)
def test_ordinary_links_are_not_phishing(link):
    assert lookalike.phishing_reason(link, official=OFFICIAL) is None


def test_the_public_suffix_list_is_never_fetched(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("tldextract tried the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert lookalike.registrable_domain("a.b.evil-example.co.uk") == "evil-example.co.uk"
    assert lookalike.registrable_domain("www.moj.go.jp") == "moj.go.jp"


def test_a_phishing_reply_is_hidden_at_once_like_personal_data():
    result = sort_reply(text="更新はこちら https://moj-go.jp/renew", author_handle="a", author_name="A")
    assert result.hide_rule == "phishing:lookalike" and result.risk == HIGH


# -- 4. impersonation by handle and display name ----------------------------


@pytest.mark.parametrize(
    ("handle", "name"),
    [
        ("ΙΜΜΙ_ΤΟΚΥΟ", "x"),  # Greek capitals
        ("ＩＭＭＩ＿ＴＯＫＹＯ", "x"),  # full-width
        ("TOKYO_IMMI", "x"),  # words swapped
        ("IMM_TOKYO", "x"),  # a letter dropped
        ("immi_tokyo_official_jp", "x"),  # claim words added
        ("someone", "Immigration Services Agency (official)"),
        ("someone", "ΙSΑ Official"),  # Greek Ι and Α
        ("someone", "入管公式アカウント"),
        ("someone", "出入国在留管理庁"),
        ("someone", "Tokyo Regional Immigration Services Bureau"),
        ("someone", "東京出入国在留管理局"),
    ],
)
def test_impostors_are_flagged_high(handle, name):
    result = sort_reply(text="ビザの相談はDMへ", author_id="9", author_handle=handle, author_name=name)
    assert (result.category, result.risk) == (ProhibitedAct.IMPERSONATION, HIGH), (handle, name)


@pytest.mark.parametrize(
    ("handle", "name"),
    [
        ("immi_tokyolover", "Tokyo fan"),  # contains an official handle inside a longer word
        ("ximmitokyo2", "x"),
        ("gyosei_tanaka", "行政書士 田中（入管業務）"),
        ("lawyer_k", "Immigration lawyer Kato"),
        ("fan_of_isa", "入管 非公式ファン"),
        ("lisa_official", "Lisa official"),
        ("resident", "山田 太郎"),
        ("nyukan_watch", "入管ウォッチ（非公式）"),
    ],
)
def test_people_who_name_the_agency_without_claiming_to_be_it_are_not_flagged_high(handle, name):
    result = sort_reply(text="質問です", author_id="9", author_handle=handle, author_name=name)
    assert result.risk < HIGH, (handle, name, result.findings)


# -- 5. coordinated spam ----------------------------------------------------


def test_the_same_spam_from_several_authors_flags_every_copy_including_the_first(fakes, tokyo, conversation):
    x, _ = fakes
    spam = "在留資格の相談は当事務所へ！今なら無料 https://visa-help.example/offer"
    first = x.add_public(spam, username="spam_a", reply_to=conversation)
    listening.poll_account(tokyo.pk)
    assert not any(f["rule"] == "advertising:coordinated" for f in Reply.objects.get(external_id=first.id).findings)
    second = x.add_public(spam, username="spam_b", reply_to=conversation)
    listening.poll_account(tokyo.pk)
    for item in (first, second):
        reply = Reply.objects.get(external_id=item.id)
        assert "advertising:coordinated" in [f["rule"] for f in reply.findings]
        assert reply.needs_review
    # the first copy's flag is recorded as the system's decision
    assert Reply.objects.get(external_id=first.id).decisions.filter(rule="advertising:coordinated").count() == 1


def test_a_resident_thanking_two_offices_is_not_spam(fakes, tokyo, conversation):
    x, _ = fakes
    x.add_public("ありがとうございます！", username="resident", reply_to=conversation)
    x.add_public("ありがとうございます！", username="other_resident", reply_to=conversation)
    x.add_public("Thank you so much!", username="resident2", reply_to=conversation)
    x.add_public("Thank you so much!", username="resident3", reply_to=conversation)
    listening.poll_account(tokyo.pk)
    assert all(r.findings == [] for r in Reply.objects.filter(account=tokyo))


# -- 6. personal data in the forms residents write --------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("我的护照号码是E12345678，请帮我查", "passport"),
        ("Số hộ chiếu của tôi là C1234567", "passport"),
        ("Mi pasaporte es P1234567A", "passport"),
        ("My passport number is 123456789", "passport"),
        ("Meu passaporte: FZ123456", "passport"),
        ("여권번호 M12345678 입니다", "passport"),
        ("連絡は taro[at]example[dot]com まで", "email"),
        ("連絡は ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ まで", "email"),
        ("mail: hanako (at) example.co.jp", "email"),
    ],
)
def test_personal_data_written_as_residents_write_it_is_hidden(text, kind):
    result = sort_reply(text=text, author_handle="a", author_name="A")
    assert result.hide_rule == f"personal_data:{kind}", result.findings


@pytest.mark.parametrize(
    "text",
    [
        "荷物の追跡番号 1234 5678 9018 が届きません",
        "Order number 123456789018 has not arrived",
        "お問合せ番号は 123456789018 です",
        "パスポートの更新は2週間かかりますか",
        "passport renewal fee is 16000 yen",
    ],
)
def test_numbers_the_text_says_are_not_personal_data_are_left_alone(text):
    assert sort_reply(text=text, author_handle="a", author_name="A").hide_rule == ""


def test_a_my_number_the_text_names_is_still_hidden_after_a_tracking_word():
    text = "追跡ではなくマイナンバー 1234 5678 9018 です"
    assert sort_reply(text=text, author_handle="a", author_name="A").hide_rule == "personal_data:my_number"


# -- 7. hostile payloads never stop listening -------------------------------


def test_control_characters_are_removed_and_bidi_controls_shown():
    assert clean_text("a\x00b\x07c\td\ne") == "abc\td\ne"
    assert clean_text("invoice\u202egpj.exe") == "invoice[U+202E]gpj.exe"


def test_over_long_text_is_kept_in_full_and_displayed_cut():
    text = "長" * (DISPLAY_LIMIT + 50)
    assert display_text(text) == text[:DISPLAY_LIMIT] + "…"


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://x.com/a/status/1", True),
        ("javascript:alert(1)", False),
        ("http://x.com/a/status/1", False),
        ("https://evil.example/x.com", False),
        ("https://x.com@evil.example/", False),
    ],
)
def test_a_reply_url_is_kept_only_as_https_on_the_platforms_host(url, kept):
    assert (clean_url(url, platform="x") == url) is kept


def test_a_reply_with_nul_and_an_rtl_override_is_stored_and_the_cursor_moves(fakes, tokyo, conversation):
    """On PostgreSQL a NUL in text used to refuse the row: the cursor never moved, X billed the same reads."""
    x, _ = fakes
    hostile = x.add_public(
        "質問\x00です\u202e gpj.exe", username="att\x00acker", name="N\x00ame", reply_to=conversation
    )
    x.add_public("普通の質問です", username="resident", reply_to=conversation)
    assert listening.poll_account(tokyo.pk) == "ok"
    reply = Reply.objects.get(external_id=hostile.id)
    assert reply.text == "質問です[U+202E] gpj.exe" and reply.author_handle == "attacker"
    state = ListeningState.objects.get(account=tokyo)
    assert state.cursors[conversation] and state.cursors["mentions"]
    assert Reply.objects.filter(account=tokyo).count() == 2
    # nothing is read twice
    listening.poll_account(tokyo.pk)
    assert Reply.objects.filter(account=tokyo).count() == 2


def test_one_item_that_cannot_be_stored_is_recorded_and_skipped(fakes, tokyo, conversation, monkeypatch):
    x, _ = fakes
    bad = x.add_public("壊れた項目", username="bad", reply_to=conversation)
    good = x.add_public("普通の質問", username="good", reply_to=conversation)
    original = listening.sort_reply

    def broken(**kwargs):
        if kwargs["external_id"] == bad.id:
            raise ValueError("malformed item")
        return original(**kwargs)

    monkeypatch.setattr(listening, "sort_reply", broken)
    listening.poll_account(tokyo.pk)
    assert Reply.objects.filter(external_id=good.id).exists()
    state = ListeningState.objects.get(account=tokyo)
    assert bad.id in state.last_error
    assert state.cursors.get(conversation)  # the cursor moved past it


def test_a_javascript_url_from_the_platform_is_not_stored(fakes, tokyo):
    from django.utils import timezone

    from accounts.platforms import PublicReply

    item = PublicReply(
        external_id="1",
        text="こんにちは",
        author_id="1",
        author_handle="a",
        author_name="A",
        created_at=timezone.now(),
        url="javascript:alert(1)",
        links=(ReplyLink(url="javascript:alert(1)", expanded_url="javascript:alert(1)"),),
    )
    listening.ingest(tokyo, [item], adapter=None, rules=SortingRules(), posts={})
    assert Reply.objects.get(external_id="1").url == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="NUL is refused by PostgreSQL only")
def test_on_postgresql_nul_never_reaches_the_database(fakes, tokyo, conversation):
    x, _ = fakes
    x.add_public("\x00" * 3 + "NUL入り", reply_to=conversation)
    assert listening.poll_account(tokyo.pk) == "ok"
    assert Reply.objects.get(account=tokyo).text == "NUL入り"
