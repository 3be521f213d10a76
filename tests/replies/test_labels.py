"""The queue's and the account history's labels in the reader's language; rule codes for administrators only."""

import pytest
from django.urls import reverse

from replies import services
from tests.conftest import sign_in_with_second_factor
from tests.factories import sorted_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(db):
    reply = sorted_reply(text="友人の在留カード AB12345678CD です")
    finding = reply.findings[0]
    services.reply_decision_record(
        reply=reply, action="flag", category="personal_data", rule=finding["rule"], data={"finding": finding}
    )
    return reply


def test_a_poster_reads_japanese_labels_and_no_rule_code(poster_client, flagged):
    content = poster_client.get(reverse("moderation:queue"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "<li>在留カード番号: <code>AB12345678CD</code>" in content
    assert flagged.findings[0]["rule"] not in content
    assert "Residence card number" not in content


def test_an_administrator_finds_the_rule_code_in_a_detail(client, administrator, flagged):
    sign_in_with_second_factor(client, administrator)
    content = client.get(reverse("moderation:queue"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    rule = flagged.findings[0]["rule"]
    assert f'<details class="rule-code inline"><summary>規則</summary><code>{rule}</code></details>' in content


def test_the_account_history_is_in_japanese(poster_client, flagged):
    content = poster_client.get(reverse("sns_account", args=["IMMI_TOKYO"]), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert 'id="moderation-history"' in content
    assert "個人情報" in content and flagged.findings[0]["rule"] not in content


def test_a_viewer_reads_every_accounts_decision_history(client, viewer, flagged):
    client.force_login(viewer)
    content = client.get(reverse("sns_account", args=["IMMI_TOKYO"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="moderation-history"' in content and "Flagged" in content
    assert "/hide/" not in content and "/ban/" not in content
