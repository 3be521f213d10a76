"""Sorting what the public writes against the nine prohibited acts (§7)."""

import pytest

from accounts.models import SocialAccount
from checks.confusables import compact
from replies.categories import ProhibitedAct
from replies.coordinated import earlier_copies, spam_key
from replies.models import Reply, WordList
from replies.sorting import SortingRules, sort_reply
from tests.factories import ReplyFactory, WordListFactory

pytestmark = pytest.mark.django_db

HIGH, MEDIUM, LOW, NONE = Reply.Risk.HIGH, Reply.Risk.MEDIUM, Reply.Risk.LOW, Reply.Risk.NONE


def test_the_category_values_are_the_nine_acts():
    assert ProhibitedAct.values == [
        "personal_data",
        "defamation",
        "ip_infringement",
        "illegal",
        "impersonation",
        "advertising",
        "tampering",
        "off_topic",
        "other",
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("私の友人の在留カードは AB12345678CD です", "residence_card"),
        ("在留カード番号：ＡＢ１２３４５６７８ＣＤ", "residence_card"),
        ("この人の電話 090-1234-5678 に連絡して", "phone"),
        ("連絡先 ０９０－１２３４－５６７８", "phone"),
        ("メールは taro.yamada@example.com です", "email"),
        ("旅券番号 TK1234567", "passport"),
    ],
)
def test_personal_data_is_hidden_at_once_with_the_rule_named(text, kind):
    result = sort_reply(text=text, author_handle="someone", author_name="Someone")
    assert result.category == ProhibitedAct.PERSONAL_DATA
    assert result.risk == HIGH
    assert result.hide_rule == f"personal_data:{kind}"
    finding = result.hide_finding
    assert finding is not None
    assert text[finding["start"] : finding["end"]] == finding["excerpt"]
    assert result.needs_review


@pytest.mark.parametrize(
    ("handle", "name"),
    [
        ("IMMI_T0KYO", "Tokyo info"),
        ("immi_tokyo_official", "Tokyo info"),
        ("IMMl_TOKYO", "x"),
        ("ІММІ_ТОКYО", "x"),  # Cyrillic look-alikes
        ("random_person", "東京出入国在留管理局"),
        ("random_person", "東京出入国在留管理局（公式）"),
        ("random_person", "東京出人国在留管理局"),  # 人 for 入
        ("random_person", "ＯＳＡＫＡ 出入国在留管理 サポート"),
    ],
)
def test_impostors_are_flagged_high(handle, name):
    result = sort_reply(text="ビザの相談はDMへどうぞ", author_id="999", author_handle=handle, author_name=name)
    assert result.category == ProhibitedAct.IMPERSONATION
    assert result.risk == HIGH
    assert result.hide_rule == ""  # a person decides


def test_our_own_accounts_are_not_impostors():
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    result = sort_reply(text="お知らせ", author_handle="IMMI_TOKYO", author_name=tokyo.display_name)
    assert result.findings == [] and result.risk == NONE


@pytest.mark.parametrize(
    ("text", "rule", "risk"),
    [
        ("詳しくはこちら https://bit.ly/3abcdef", "advertising:shortener", MEDIUM),
        ("格安ビザ代行 https://visa-cheap.example.com/offer", "advertising:link_domain", LOW),
    ],
)
def test_links_are_advertising(text, rule, risk):
    result = sort_reply(text=text, author_handle="spammer", author_name="Spam")
    assert result.category == ProhibitedAct.ADVERTISING
    assert [f["rule"] for f in result.findings] == [rule]
    assert result.risk == risk and result.hide_rule == ""


def test_links_to_the_allow_list_are_fine():
    result = sort_reply(text="公式ページ https://www.moj.go.jp/isa/ を見ました", author_handle="a", author_name="A")
    assert result.findings == []


def test_the_same_text_from_one_author_on_several_accounts_is_spam():
    tokyo, osaka = SocialAccount.objects.get(handle="IMMI_TOKYO"), SocialAccount.objects.get(handle="IMMI_OSAKA")
    from django.utils import timezone

    text = "在留資格のご相談は当事務所へ！ https://visa-office.example.com/"
    first = ReplyFactory.create(
        account=tokyo,
        external_id="1",
        author_id="42",
        text=text,
        text_digest=spam_key(text),
        created_at=timezone.now(),
    )
    now = timezone.now()
    same_account = earlier_copies(key=spam_key(text), author_id="42", account_id=tokyo.pk, at=now)
    elsewhere = earlier_copies(
        key=spam_key("在留資格のご相談は　当事務所へ！ https://visa-office.example.com/"),
        author_id="42",
        account_id=osaka.pk,
        at=now,
    )
    other_author = earlier_copies(key=spam_key(text), author_id="43", account_id=tokyo.pk, at=now)
    assert same_account is None
    # The copy before is named, so that it is flagged too.
    assert elsewhere == [first.pk] and other_author == [first.pk]
    flagged = sort_reply(text=text, author_id="42", account_id=osaka.pk, external_id="3", coordinated=True)
    assert "advertising:coordinated" in [f["rule"] for f in flagged.findings]


def test_a_text_without_a_link_is_spam_from_its_third_source_only():
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    from django.utils import timezone

    text = "ビザの悩みは今すぐDMで！どんなケースでも対応します"
    key = spam_key(text)
    assert key
    Reply.objects.create(
        account=tokyo, external_id="1", author_id="1", text=text, text_digest=key, created_at=timezone.now()
    )
    assert earlier_copies(key=key, author_id="2", account_id=tokyo.pk, at=timezone.now()) is None
    Reply.objects.create(
        account=tokyo, external_id="2", author_id="2", text=text, text_digest=key, created_at=timezone.now()
    )
    assert len(earlier_copies(key=key, author_id="3", account_id=tokyo.pk, at=timezone.now()) or []) == 2


@pytest.mark.parametrize(
    ("action", "hidden", "risk"), [(WordList.Action.FLAG, False, MEDIUM), (WordList.Action.HIDE, True, HIGH)]
)
def test_word_lists_flag_or_hide(action, hidden, risk):
    words = WordListFactory.create(
        name="罵倒", category=ProhibitedAct.DEFAMATION, action=action, words="バカ\n詐欺師\n"
    )
    text = "担当者はﾊﾞｶだ"  # half-width katakana, NFKC makes it バカ
    result = sort_reply(text=text, author_handle="a", author_name="A")
    assert result.category == ProhibitedAct.DEFAMATION and result.risk == risk
    assert result.findings[0]["rule"] == f"word_list:{words.pk}"
    assert result.findings[0]["excerpt"] == "ﾊﾞｶ"
    assert (result.hide_rule == f"word_list:{words.pk}") is hidden


def test_disabled_word_lists_are_ignored():
    WordListFactory.create(
        name="x", category=ProhibitedAct.ILLEGAL, action=WordList.Action.HIDE, words="大麻", enabled=False
    )
    assert sort_reply(text="大麻の話", author_handle="a").findings == []


def test_harmless_replies_need_no_decision():
    result = sort_reply(text="いつも丁寧な案内をありがとうございます。", author_handle="resident", author_name="山田")
    assert (result.findings, result.category, result.risk, result.needs_review) == ([], "", NONE, False)


def test_rules_are_read_once(django_assert_num_queries):
    rules = SortingRules()
    sort_reply(text="a", author_handle="b", author_name="c", rules=rules)
    with django_assert_num_queries(0):
        for _ in range(5):
            sort_reply(text="こんにちは", author_handle="b", author_name="c", rules=rules)


def test_handle_skeleton():
    assert compact("IMMI_T0KYO") == compact("immi-tokyo") == compact("ＩＭＭＩ＿ＴＯＫＹＯ")
