"""A ban on X does what X allows (hide the reply) and says what it cannot (block the author), against the fake X."""

import pytest
from django.urls import reverse

from replies.models import Reply
from tests.conftest import sign_in_with_second_factor
from tests.factories import sorted_reply
from tests.fakes.platforms import X_HIDDEN_PER_CONVERSATION, X_HIDE_PER_WINDOW

pytestmark = pytest.mark.django_db

BAN = {"category": "advertising", "reason": "宣伝の繰り返し", "confirm": "on"}


@pytest.fixture
def boss(client, tokyo_supervisor):
    sign_in_with_second_factor(client, tokyo_supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_a_ban_hides_the_reply_on_x_and_keeps_it_waiting(fakes, boss):
    x, _ = fakes
    ours = x.add_post("お知らせ")
    spam = x.add_public("格安ビザ https://bit.ly/x", username="spam_bot", reply_to=ours.id)
    reply = sorted_reply(
        handle="IMMI_TOKYO", text=spam.text, external_id=spam.id, author_handle="spam_bot", conversation_id=ours.id
    )
    response = boss.post(reverse("moderation:ban", args=[reply.pk]), BAN, follow=True)
    assert x.public[spam.id].hidden is True
    assert [call.method for call in x.calls_to("hide")] == ["PUT"]
    reply.refresh_from_db()
    assert reply.state == Reply.State.HIDDEN and reply.needs_review
    assert reply.decisions.get().data["hidden_on_platform"] is True
    text = " ".join(str(m) for m in response.context["messages"])
    assert "The reply is hidden on X." in text and "then record the block here" in text


def test_outside_the_accounts_conversation_x_refuses_and_the_ban_says_so(fakes, boss):
    x, _ = fakes
    mention = x.add_public("@IMMI_TOKYO 格安ビザ", username="spam_bot")  # a mention: not our conversation
    reply = sorted_reply(handle="IMMI_TOKYO", text=mention.text, external_id=mention.id, author_handle="spam_bot")
    response = boss.post(reverse("moderation:ban", args=[reply.pk]), BAN, follow=True)
    reply.refresh_from_db()
    decision = reply.decisions.get()
    assert reply.state == Reply.State.VISIBLE and reply.needs_review
    assert decision.action == "ban" and decision.data["hidden_on_platform"] is False
    assert "not a reply to a conversation you started" in decision.data["hide_refused"]
    assert "could not be hidden on X" in " ".join(str(m) for m in response.context["messages"])


def test_x_rate_limit_is_reported_with_the_time_to_wait(fakes, boss):
    x, _ = fakes
    ours = x.add_post("お知らせ")
    spam = [x.add_public(f"スパム {i}", username="spam_bot", reply_to=ours.id) for i in range(X_HIDE_PER_WINDOW + 1)]
    replies = [sorted_reply(handle="IMMI_TOKYO", text=s.text, external_id=s.id, conversation_id=ours.id) for s in spam]
    for reply in replies[:X_HIDE_PER_WINDOW]:
        boss.post(reverse("moderation:hide", args=[reply.pk]), {"category": "advertising"})
    last = replies[-1]
    response = boss.post(reverse("moderation:ban", args=[last.pk]), BAN, follow=True)
    assert x.calls_to("hide")[-1].status == 429
    last.refresh_from_db()
    refused = last.decisions.get().data["hide_refused"]
    assert refused.startswith("The platform asks us to wait until")
    assert last.state == Reply.State.VISIBLE
    assert list(response.context["messages"])


def test_the_per_conversation_limit_is_refused_before_asking_x(fakes, boss):
    x, _ = fakes
    ours = x.add_post("お知らせ")
    Reply.objects.bulk_create(
        Reply(
            account=sorted_reply(handle="IMMI_TOKYO").account,
            external_id=f"h{i}",
            text="hidden",
            created_at=sorted_reply(handle="IMMI_TOKYO").created_at,
            conversation_id=ours.id,
            state=Reply.State.HIDDEN,
        )
        for i in range(X_HIDDEN_PER_CONVERSATION)
    )
    spam = x.add_public("スパム", username="spam_bot", reply_to=ours.id)
    reply = sorted_reply(handle="IMMI_TOKYO", text=spam.text, external_id=spam.id, conversation_id=ours.id)
    response = boss.post(reverse("moderation:hide", args=[reply.pk]), {"category": "advertising"}, follow=True)
    assert not x.calls_to("hide")
    assert "at most 725 replies in one conversation" in " ".join(str(m) for m in response.context["messages"])
    assert not reply.decisions.exists()


def test_a_facebook_ban_is_unchanged(fakes, client):
    from tests.conftest import make_person
    from tests.replies.conftest import FB_PAGE

    _, graph = fakes
    boss = make_person("agency-supervisor", "agency", "supervisor")
    sign_in_with_second_factor(client, boss)
    post = graph.add_post("お知らせ")
    comment = graph.add_comment(post.id, "格安ビザ", from_id="7100000000000042")
    reply = sorted_reply(
        handle=FB_PAGE, text=comment.message, external_id=comment.id, author_id="7100000000000042", author_handle=""
    )
    client.post(reverse("moderation:ban", args=[reply.pk]), BAN)
    reply.refresh_from_db()
    assert "7100000000000042" in graph.blocked
    assert reply.decisions.get().data == {"author_id": "7100000000000042", "blocked_on_platform": True}
    assert reply.state == Reply.State.VISIBLE and not reply.needs_review
