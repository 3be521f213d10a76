"""The moderation queue page: scoped by the access module, every action through a form, recorded."""

import pytest
from django.urls import reverse

from accounts.models import SocialAccount
from replies.categories import ProhibitedAct
from replies.models import Reply, ReplyDecision
from tests.conftest import sign_in_with_second_factor
from tests.factories import ReplyDecisionFactory, sorted_reply
from tests.replies.conftest import FB_PAGE, published

pytestmark = pytest.mark.django_db


def queue(client, headers=None, **params):
    response = client.get(reverse("moderation:queue"), params, **(headers or {}))
    assert response.status_code == 200
    return response


def test_a_poster_sees_the_replies_of_the_accounts_they_post_to_only(poster_client):
    mine = sorted_reply(handle="IMMI_TOKYO", text="東京への質問")
    branch = sorted_reply(handle="IMMI_NARITA", text="成田への質問")
    other = sorted_reply(handle="IMMI_OSAKA", text="大阪への質問")
    content = queue(poster_client).content.decode()
    assert "東京への質問" in content and "成田への質問" in content and "大阪への質問" not in content
    assert mine and branch and other


def test_highest_risk_and_waiting_first_then_newest(poster_client):
    harmless = sorted_reply(text="無害な質問です")
    impostor = sorted_reply(text="DMください", author_handle="IMMI_T0KYO")
    card = sorted_reply(text="友人の在留カード AB12345678CD")
    items = [item["reply"].pk for item in queue(poster_client).context["items"]]
    assert items.index(card.pk) < items.index(harmless.pk)
    assert items.index(impostor.pk) < items.index(harmless.pk)


def test_findings_are_highlighted_and_named_in_the_readers_language(poster_client):
    sorted_reply(text="友人の在留カード AB12345678CD です")
    content = queue(poster_client, {"HTTP_ACCEPT_LANGUAGE": "en"}).content.decode()
    assert '<mark class="finding block" title="Residence card number">AB12345678CD</mark>' in content
    assert "<li>Residence card number: <code>AB12345678CD</code>" in content
    japanese = queue(poster_client, {"HTTP_ACCEPT_LANGUAGE": "ja"}).content.decode()
    assert '<mark class="finding block" title="在留カード番号">AB12345678CD</mark>' in japanese


def test_filters_by_account_category_and_state(poster_client):
    sorted_reply(handle="IMMI_TOKYO", text="東京 無害")
    sorted_reply(handle="IMMI_NARITA", text="成田 在留カード AB12345678CD", state=Reply.State.HIDDEN)
    narita = SocialAccount.objects.get(handle="IMMI_NARITA")
    assert [i["reply"].text for i in queue(poster_client, account=narita.pk).context["items"]] == [
        "成田 在留カード AB12345678CD"
    ]
    assert len(queue(poster_client, category="personal_data").context["items"]) == 1
    assert [i["reply"].text for i in queue(poster_client, state="visible").context["items"]] == ["東京 無害"]
    osaka = SocialAccount.objects.get(handle="IMMI_OSAKA")
    assert queue(poster_client, account=osaka.pk).context["form"].errors  # outside scope: refused, not shown


def test_the_post_it_answers_is_shown(poster_client, tokyo_poster):
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    target = published(tokyo, "1900000000000000001")
    sorted_reply(text="返信です", post_target_id=target.pk)
    assert reverse("posts:detail", args=[target.post_id]) in queue(poster_client).content.decode()


def test_query_count_stays_flat(poster_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")

    def add(count, start):
        for i in range(start, start + count):
            target = published(tokyo, f"19000000000000{i:05d}")
            reply = sorted_reply(text=f"在留カード AB1234567{i % 10}CD #{i}", post_target_id=target.pk)
            ReplyDecisionFactory.create(reply=reply, action="flag", category="personal_data", rule="personal_data:x")

    counts = []
    for size, start in ((3, 0), (27, 3)):
        add(size, start)
        queue(poster_client)  # the first visit creates the person's QueueVisit
        with CaptureQueriesContext(connection) as captured:
            assert len(queue(poster_client).context["items"]) == start + size
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 20, counts


def test_hide_with_a_category_is_recorded_and_unhide_too(poster_client, tokyo_poster):
    reply = sorted_reply(text="DMください", author_handle="IMMI_T0KYO")
    response = poster_client.post(
        reverse("moderation:hide", args=[reply.pk]), {"category": "impersonation", "reason": "なりすまし"}
    )
    assert response.status_code == 302 and response.url.endswith(f"#reply-{reply.pk}")
    reply.refresh_from_db()
    assert (reply.state, reply.category, reply.needs_review) == ("hidden", "impersonation", False)
    decision = reply.decisions.get()
    assert (decision.actor, decision.action, decision.category, decision.reason) == (
        tokyo_poster,
        "hide",
        "impersonation",
        "なりすまし",
    )
    poster_client.post(reverse("moderation:unhide", args=[reply.pk]), {"reason": "誤り"})
    reply.refresh_from_db()
    assert reply.state == "visible"
    assert list(reply.decisions.values_list("action", flat=True)) == ["hide", "unhide"]


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_after_an_action_the_page_stays_home(poster_client, next_url):
    reply = sorted_reply(text="宣伝です")
    response = poster_client.post(
        reverse("moderation:hide", args=[reply.pk]), {"category": "advertising", "reason": "", "next": next_url}
    )
    assert response.url == f"{reverse('moderation:queue')}#reply-{reply.pk}"
    kept = poster_client.post(
        reverse("moderation:unhide", args=[reply.pk]),
        {"reason": "", "next": reverse("moderation:queue") + "?state=hidden"},
    )
    assert kept.url == f"{reverse('moderation:queue')}?state=hidden#reply-{reply.pk}"


def test_hide_needs_a_valid_category(poster_client):
    reply = sorted_reply()
    poster_client.post(reverse("moderation:hide", args=[reply.pk]), {"category": "nonsense"})
    reply.refresh_from_db()
    assert reply.state == "visible" and not reply.decisions.exists()


def test_confirming_an_automatic_hide(poster_client, tokyo_poster):
    reply = sorted_reply(text="在留カード AB12345678CD", state=Reply.State.HIDDEN)
    ReplyDecisionFactory.create(
        reply=reply, action="hide", category="personal_data", rule="personal_data:residence_card"
    )
    assert (
        "Confirm the hide" in queue(poster_client).content.decode() or "確認" in queue(poster_client).content.decode()
    )
    poster_client.post(reverse("moderation:confirm", args=[reply.pk]), {"category": "personal_data"})
    reply.refresh_from_db()
    assert not reply.needs_review and reply.state == "hidden"
    assert reply.decisions.latest("at", "id").actor == tokyo_poster


@pytest.mark.parametrize("action", ["hide", "unhide", "confirm", "delete", "ban"])
def test_other_offices_replies_are_not_found(poster_client, action):
    reply = sorted_reply(handle="IMMI_OSAKA", state=Reply.State.HIDDEN)
    response = poster_client.post(
        reverse(f"moderation:{action}", args=[reply.pk]), {"category": "other", "reason": "x", "confirm": "on"}
    )
    assert response.status_code == 404
    assert not reply.decisions.exists()


def test_a_viewer_reads_the_queue_without_any_control(client, viewer):
    sorted_reply(handle="IMMI_TOKYO", text="東京への質問")
    sorted_reply(handle="IMMI_OSAKA", text="大阪 在留カード AB12345678CD", state=Reply.State.HIDDEN)
    client.force_login(viewer)
    response = client.get(reverse("moderation:queue"), HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode()
    assert response.status_code == 200
    assert "東京への質問" in content and "大阪 在留カード" in content
    assert all(not item["may_act"] and not item["may_remove"] for item in response.context["items"])
    for control in ('id="bulk"', 'name="replies"', "/hide/", "/unhide/", "/confirm/", "/ban/", "/delete/"):
        assert control not in content, control


@pytest.mark.parametrize("action", ["hide", "unhide", "confirm", "delete", "ban", "block_done"])
def test_a_viewer_may_not_act(client, viewer, action):
    reply = sorted_reply(handle="IMMI_TOKYO", state=Reply.State.HIDDEN)
    client.force_login(viewer)
    response = client.post(
        reverse(f"moderation:{action}", args=[reply.pk]), {"category": "other", "reason": "x", "confirm": "on"}
    )
    assert response.status_code == 403
    assert not reply.decisions.exists()


def test_a_viewer_of_one_office_gets_404_for_another_offices_reply(client):
    from tests.conftest import make_person

    tokyo_viewer = make_person("tokyo-viewer", "tokyo", "viewer")
    osaka = sorted_reply(handle="IMMI_OSAKA", text="大阪への質問")
    client.force_login(tokyo_viewer)
    assert "大阪への質問" not in client.get(reverse("moderation:queue")).content.decode()
    response = client.post(reverse("moderation:hide", args=[osaka.pk]), {"category": "other"})
    assert response.status_code == 404


def test_someone_without_a_role_has_no_queue(client):
    from tests.conftest import make_person

    client.force_login(make_person("nobody"))
    assert client.get(reverse("moderation:queue")).status_code == 404


@pytest.mark.parametrize("action", ["delete", "ban"])
def test_posters_may_not_delete_or_ban(poster_client, action):
    reply = sorted_reply(handle="IMMI_TOKYO")
    response = poster_client.post(
        reverse(f"moderation:{action}", args=[reply.pk]), {"category": "advertising", "reason": "spam", "confirm": "on"}
    )
    assert response.status_code == 403
    assert not reply.decisions.exists()
    assert "Delete or ban" not in queue(poster_client).content.decode()


def test_delete_and_ban_need_a_reason_and_the_confirmation(supervisor_client):
    reply = sorted_reply(handle="IMMI_TOKYO")
    supervisor_client.post(reverse("moderation:ban", args=[reply.pk]), {"category": "advertising", "reason": "spam"})
    supervisor_client.post(reverse("moderation:ban", args=[reply.pk]), {"category": "advertising", "confirm": "on"})
    assert not reply.decisions.exists()


def test_an_x_ban_hides_the_reply_and_waits_for_the_block_on_x(supervisor_client, tokyo_supervisor):
    reply = sorted_reply(handle="IMMI_TOKYO", author_handle="spam_bot")
    response = supervisor_client.post(
        reverse("moderation:ban", args=[reply.pk]),
        {"category": "advertising", "reason": "宣伝の繰り返し", "confirm": "on"},
        follow=True,
    )
    decision = reply.decisions.get()
    assert (decision.action, decision.actor, decision.category) == ("ban", tokyo_supervisor, "advertising")
    assert decision.data == {
        "author_id": "2000001",
        "blocked_on_platform": False,
        "block_on_x_at": "https://x.com/spam_bot",
        "hidden_on_platform": True,
    }
    assert "https://x.com/spam_bot" in response.content.decode()
    reply.refresh_from_db()
    # Hidden (the sandbox stands in for X), and still waiting: the block is a person's job on X.
    assert reply.state == "hidden" and reply.needs_review
    page = supervisor_client.get(reverse("moderation:queue"), {"waiting": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert [item["block_on_x_at"] for item in page.context["items"]] == ["https://x.com/spam_bot"]
    content = page.content.decode()
    assert (
        '<a href="https://x.com/spam_bot" rel="noopener noreferrer" target="_blank">Open @spam_bot on X</a>' in content
    )
    assert "Hide and record a block to do on X" in content
    assert "Confirm the hide" not in content  # confirming is not the block
    assert supervisor_client.post(reverse("moderation:confirm", args=[reply.pk]), {}).status_code == 302
    reply.refresh_from_db()
    assert reply.needs_review and reply.decisions.count() == 1

    supervisor_client.post(reverse("moderation:block_done", args=[reply.pk]), {"reason": "X で確認"})
    reply.refresh_from_db()
    assert not reply.needs_review
    done = reply.decisions.last()
    assert (done.action, done.data["blocked_on_x"]) == ("confirm", True)
    page = supervisor_client.get(reverse("moderation:queue"), HTTP_ACCEPT_LANGUAGE="en")
    assert [item["block_on_x_at"] for item in page.context["items"]] == [""]


def test_posters_do_not_record_blocks_on_x(poster_client, tokyo_supervisor):
    from replies import services

    reply = sorted_reply(handle="IMMI_TOKYO", author_handle="spam_bot")
    services.author_ban(reply=reply, by=tokyo_supervisor, category="advertising", reason="宣伝")
    assert poster_client.post(reverse("moderation:block_done", args=[reply.pk]), {}).status_code == 403
    reply.refresh_from_db()
    assert reply.needs_review


def test_an_x_reply_cannot_be_deleted(supervisor_client):
    reply = sorted_reply(handle="IMMI_TOKYO")
    supervisor_client.post(
        reverse("moderation:delete", args=[reply.pk]), {"category": "other", "reason": "x", "confirm": "on"}
    )
    reply.refresh_from_db()
    assert reply.state == "visible" and not reply.decisions.exists()


def test_a_supervisor_deletes_and_bans_on_facebook(fakes, client, administrator):
    from tests.conftest import make_person

    _, graph = fakes
    boss = make_person("agency-supervisor", "agency", "supervisor")
    sign_in_with_second_factor(client, boss)
    post = graph.add_post("お知らせ")
    comment = graph.add_comment(post.id, "格安ビザ https://bit.ly/abc", from_id="7100000000000042")
    reply = sorted_reply(
        handle=FB_PAGE, text=comment.message, external_id=comment.id, author_id="7100000000000042", author_handle=""
    )
    client.post(
        reverse("moderation:ban", args=[reply.pk]), {"category": "advertising", "reason": "宣伝", "confirm": "on"}
    )
    client.post(
        reverse("moderation:delete", args=[reply.pk]), {"category": "advertising", "reason": "宣伝", "confirm": "on"}
    )
    reply.refresh_from_db()
    assert "7100000000000042" in graph.blocked
    assert comment.id not in graph.comments or reply.state == "deleted"
    assert reply.state == "deleted"
    assert list(reply.decisions.values_list("action", flat=True)) == ["ban", "delete"]
    assert reply.decisions.earliest("at", "id").data["blocked_on_platform"] is True


def test_hiding_on_x_goes_to_the_platform(fakes, poster_client):
    x, _ = fakes
    ours = x.add_post("お知らせ")
    public = x.add_public("なりすまし", username="IMMI_T0KYO", reply_to=ours.id)
    reply = sorted_reply(handle="IMMI_TOKYO", text=public.text, external_id=public.id, author_handle="IMMI_T0KYO")
    poster_client.post(reverse("moderation:hide", args=[reply.pk]), {"category": "impersonation"})
    assert x.public[public.id].hidden is True
    reply.refresh_from_db()
    assert reply.state == "hidden"


def test_a_platform_refusal_is_shown_and_nothing_recorded(fakes, poster_client):
    x, _ = fakes
    public = x.add_public("@IMMI_TOKYO mention")  # not in our conversation: X refuses
    reply = sorted_reply(handle="IMMI_TOKYO", text=public.text, external_id=public.id)
    response = poster_client.post(reverse("moderation:hide", args=[reply.pk]), {"category": "other"}, follow=True)
    reply.refresh_from_db()
    assert reply.state == "visible" and not reply.decisions.exists()
    assert list(response.context["messages"])


def test_decisions_are_append_only():
    reply = sorted_reply()
    decision = ReplyDecisionFactory.create(reply=reply, action="flag", category=ProhibitedAct.OTHER)
    with pytest.raises(ValueError, match="append-only"):
        decision.save()
    with pytest.raises(ValueError, match="append-only"):
        decision.delete()
    with pytest.raises(ValueError, match="append-only"):
        ReplyDecision.objects.all().update(reason="x")
    with pytest.raises(ValueError, match="append-only"):
        ReplyDecision.objects.all().delete()


def test_the_database_refuses_to_rewrite_or_delete_decisions():
    """Raw SQL too (migration 0007), once the test database's maintenance window is closed."""
    from django.db import DatabaseError, connection, transaction

    from tests.conftest import event_log_maintenance

    reply = sorted_reply()
    decision = ReplyDecisionFactory.create(reply=reply, action="hide", category=ProhibitedAct.OTHER, reason="元の理由")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL immisns.replydecision_maintenance = 'off'")
    else:
        event_log_maintenance(connection, on=False)
    try:
        for sql in ("UPDATE moderation_replydecision SET reason = '書き換え'", "DELETE FROM moderation_replydecision"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
                c.execute(sql)
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks to stop TRUNCATE first
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
                c.execute("TRUNCATE moderation_replydecision CASCADE")
        # Appending still works, and what was recorded is unchanged.
        ReplyDecisionFactory.create(reply=reply, action="unhide")
        decision.refresh_from_db()
        assert decision.reason == "元の理由" and reply.decisions.count() == 2
    finally:
        if connection.vendor == "sqlite":
            event_log_maintenance(connection, on=True)


def test_post_events_still_refuse_bulk_changes_with_the_shared_queryset(tokyo_poster):
    from posts.models import PostEvent
    from tests.factories import make_post

    make_post(tokyo_poster)
    with pytest.raises(ValueError, match="PostEvent rows are append-only"):
        PostEvent.objects.all().update(comment="x")
    with pytest.raises(ValueError, match="ReplyDecision rows are append-only"):
        ReplyDecision.objects.all().delete()
