"""Several replies at once: one action, one category, one reason; a decision row per reply; refusals per reply."""

import pytest
from django.urls import reverse

from replies.models import Reply
from tests.conftest import sign_in_with_second_factor
from tests.factories import sorted_reply

pytestmark = pytest.mark.django_db

BULK = reverse("moderation:bulk")


def messages_of(response) -> str:
    return " | ".join(str(m) for m in response.context["messages"])


def test_a_poster_hides_several_each_with_its_own_decision(poster_client, tokyo_poster):
    replies = [sorted_reply(text=f"宣伝 {i}") for i in range(3)]
    response = poster_client.post(
        BULK,
        {"replies": [r.pk for r in replies], "action": "hide", "category": "advertising", "reason": "宣伝"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "3 replies done." in messages_of(response)
    for reply in replies:
        reply.refresh_from_db()
        assert reply.state == Reply.State.HIDDEN and not reply.needs_review
        decision = reply.decisions.get()
        assert (decision.action, decision.actor, decision.category, decision.reason) == (
            "hide",
            tokyo_poster,
            "advertising",
            "宣伝",
        )


def test_confirm_several(poster_client):
    replies = [sorted_reply(text="DMください", author_handle="IMMI_T0KYO") for _ in range(2)]
    assert all(r.needs_review for r in replies)
    poster_client.post(BULK, {"replies": [r.pk for r in replies], "action": "confirm", "category": "other"})
    assert not Reply.objects.filter(pk__in=[r.pk for r in replies], needs_review=True).exists()


def test_a_poster_may_not_bulk_delete_and_nothing_is_recorded(poster_client):
    reply = sorted_reply(text="宣伝")
    response = poster_client.post(
        BULK,
        {"replies": [reply.pk], "action": "delete", "category": "advertising", "reason": "x", "confirm": "on"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert f"Reply #{reply.pk}" in messages_of(response)
    assert not reply.decisions.exists()


def test_delete_needs_a_reason_and_the_confirmation(supervisor_client):
    reply = sorted_reply(handle="IMMI_TOKYO")
    supervisor_client.post(BULK, {"replies": [reply.pk], "action": "delete", "category": "advertising"})
    assert not reply.decisions.exists()


def test_another_offices_reply_refuses_the_whole_form(poster_client):
    mine, other = sorted_reply(handle="IMMI_TOKYO"), sorted_reply(handle="IMMI_OSAKA")
    poster_client.post(BULK, {"replies": [mine.pk, other.pk], "action": "hide", "category": "advertising"})
    assert not mine.decisions.exists() and not other.decisions.exists()


def test_a_platform_refusing_one_is_reported_for_that_one_only(fakes, poster_client):
    x, _ = fakes
    ours = x.add_post("お知らせ")
    good = [x.add_public(f"スパム {i}", username="spam_bot", reply_to=ours.id) for i in range(2)]
    mention = x.add_public("@IMMI_TOKYO スパム", username="spam_bot")  # not our conversation: X refuses
    replies = [sorted_reply(handle="IMMI_TOKYO", text=p.text, external_id=p.id) for p in (good[0], mention, good[1])]
    response = poster_client.post(
        BULK,
        {"replies": [r.pk for r in replies], "action": "hide", "category": "advertising"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = messages_of(response)
    assert "2 replies done." in text and f"Reply #{replies[1].pk} (@IMMI_TOKYO) not done" in text
    states = {r.pk: Reply.objects.get(pk=r.pk).state for r in replies}
    assert states == {replies[0].pk: "hidden", replies[1].pk: "visible", replies[2].pk: "hidden"}
    assert not replies[1].decisions.exists()
    assert [r.decisions.count() for r in replies] == [1, 0, 1]


def test_the_queue_offers_checkboxes_and_delete_to_supervisors_only(poster_client, client, tokyo_supervisor):
    sorted_reply(handle="IMMI_TOKYO")
    content = poster_client.get(reverse("moderation:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'form="bulk"' in content and 'id="bulk-action"' in content
    assert '<option value="delete">' not in content
    poster_client.logout()
    sign_in_with_second_factor(client, tokyo_supervisor)
    content = client.get(reverse("moderation:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="delete">' in content


def test_get_is_refused(poster_client):
    assert poster_client.get(BULK).status_code == 405


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.post(BULK, {}).status_code == 302
