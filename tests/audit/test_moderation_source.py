"""Reply decisions in the audit log: the page, its filters, both exports, scoped like the rest.

The reply is named by its id: neither its text nor an excerpt of it (a
residence card number) is copied into the page or the export.
"""

import csv
import io
import json

import pytest
from django.urls import reverse

from replies import services
from replies.models import Reply
from tests.audit.test_audit_log import LOG, export, kinds_on_page
from tests.conftest import sign_in_with_second_factor
from tests.factories import sorted_reply

pytestmark = pytest.mark.django_db

CARD = "AB12345678CD"


@pytest.fixture
def decisions(db, tokyo_supervisor, osaka_poster):
    """In Tokyo: the system hides a residence card, a supervisor bans a spammer. In Osaka: a poster hides spam."""
    card = sorted_reply(handle="IMMI_TOKYO", text=f"友人の在留カード {CARD} です")
    finding = card.findings[0]
    services.reply_decision_record(
        reply=card,
        action="hide",
        category="personal_data",
        rule=finding["rule"],
        data={"finding": finding},
    )
    Reply.objects.filter(pk=card.pk).update(state=Reply.State.HIDDEN)
    spam = sorted_reply(handle="IMMI_TOKYO", text="格安ビザはこちら", author_handle="spam_bot")
    services.author_ban(reply=spam, by=tokyo_supervisor, category="advertising", reason="東京の宣伝")
    osaka = sorted_reply(handle="IMMI_OSAKA", text="大阪の宣伝です")
    services.reply_hide(reply=osaka, by=osaka_poster, category="advertising", reason="大阪の宣伝")
    return {"card": card, "spam": spam, "osaka": osaka, "rule": finding["rule"]}


def test_every_decision_is_in_the_log_with_its_words(client, decisions, administrator):
    sign_in_with_second_factor(client, administrator)
    response = client.get(LOG, {"kind": "moderation"}, HTTP_ACCEPT_LANGUAGE="en")
    assert sorted(kinds_on_page(response)) == ["moderation.ban", "moderation.hide", "moderation.hide"]
    content = response.content.decode()
    assert "Reply: Hidden" in content and "Reply: Banned" in content
    assert f"Reply #{decisions['card'].pk}" in content
    assert "By the system." in content and f"Rule: {decisions['rule']}." in content
    assert "The author is to be blocked on X itself." in content
    assert CARD not in content and "格安ビザ" not in content


def test_filters_by_category_and_rule(client, decisions, administrator):
    sign_in_with_second_factor(client, administrator)
    ads = kinds_on_page(client.get(LOG, {"category": "advertising"}))
    assert sorted(ads) == ["moderation.ban", "moderation.hide"]  # and nothing of any other source
    assert kinds_on_page(client.get(LOG, {"rule": "personal_data"})) == ["moderation.hide"]
    assert kinds_on_page(client.get(LOG, {"rule": decisions["rule"]})) == ["moderation.hide"]
    assert kinds_on_page(client.get(LOG, {"rule": "personal"})) == []  # a rule's name, not any prefix
    assert kinds_on_page(client.get(LOG, {"person": "osaka-poster", "kind": "moderation"})) == ["moderation.hide"]
    assert client.get(LOG, {"rule": "x" * 101}).context["page"] is None


def test_both_exports_refer_to_the_reply_and_never_copy_its_text(client, decisions, administrator):
    sign_in_with_second_factor(client, administrator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    _, body = export(client, "jsonl", kind="moderation")
    rows = [json.loads(line) for line in body.decode().splitlines()]
    assert {row["source"] for row in rows} == {"moderation"}
    system = next(row for row in rows if row["actor"] == "")
    assert system["object_type"] == "reply" and system["object_id"] == decisions["card"].pk
    assert system["data"]["rule"] == decisions["rule"] and system["data"]["category"] == "personal_data"
    assert "excerpt" not in system["data"]["finding"]
    assert system["office"] == "tokyo"
    _, body = export(client, "csv", kind="moderation")
    text = body.decode("utf-8-sig")
    for words in (CARD, "在留カード", "格安ビザ", "大阪の宣伝です"):
        assert words not in text, words
    assert len(list(csv.DictReader(io.StringIO(text)))) == 3
    assert "大阪の宣伝" in text  # the person's reason is theirs, not the reply's


@pytest.mark.parametrize(
    ("who", "offices"),
    [("tokyo_supervisor", {"tokyo"}), ("osaka_poster", {"osaka"}), ("viewer", {"tokyo", "osaka"})],
)
def test_scoped_as_the_rest_of_the_log(client, decisions, request, who, offices):
    person = request.getfixturevalue(who)
    sign_in_with_second_factor(client, person)
    _, body = export(client, "jsonl", kind="moderation")
    assert {json.loads(line)["office"] for line in body.decode().splitlines()} == offices
    expected = {"tokyo": 2, "osaka": 1}
    assert len(kinds_on_page(client.get(LOG, {"kind": "moderation"}))) == sum(expected[o] for o in offices)


def test_the_kind_is_offered_in_the_filter(client, administrator):
    sign_in_with_second_factor(client, administrator)
    response = client.get(LOG, HTTP_ACCEPT_LANGUAGE="en")
    assert '<option value="moderation">Replies: moderation decisions</option>' in response.content.decode()
    assert reverse("audit:export", args=["csv"])
