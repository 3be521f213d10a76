"""The post workflow (§3): one service per transition, permission and state checked, events written."""

import datetime as dt

import pytest
from django.core import mail

from accounts.models import Membership, SocialAccount
from posts import services
from posts.history import event_message
from posts.models import Post, PostEvent, PostTarget
from tests.factories import make_person, post_via_services
from tests.posts.conftest import JST

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.usefixtures("frozen_now")]


def actions(post):
    return list(post.events.values_list("action", flat=True))


def test_draft_submit_approve(tokyo_poster, tokyo_supervisor, django_capture_on_commit_callbacks):
    post = post_via_services(tokyo_poster, ("IMMI_TOKYO", "IMMI_NARITA"))
    assert post.state == Post.State.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        services.post_submit(post=post, by=tokyo_poster)
    assert Post.objects.get(pk=post.pk).state == "pending"
    assert [m.to for m in mail.outbox] == [[tokyo_supervisor.email]]
    assert f"#{post.pk}" in mail.outbox[0].subject

    with django_capture_on_commit_callbacks(execute=True):
        services.post_approve(post=post, by=tokyo_supervisor)
    post.refresh_from_db()
    assert post.state == "approved" and post.approved_by == tokyo_supervisor
    assert set(post.targets.values_list("state", flat=True)) == {"scheduled"}
    assert all(t.due_at == post.scheduled_at for t in post.targets.all())
    assert mail.outbox[-1].to == [tokyo_poster.email]
    assert actions(post) == ["create", "submit", "approve"]


def test_nobody_approves_their_own_post(tokyo_supervisor):
    post = post_via_services(tokyo_supervisor, submit=True)
    with pytest.raises(services.NotAllowed):
        services.post_approve(post=post, by=tokyo_supervisor)
    assert Post.objects.get(pk=post.pk).state == "pending"


def test_approval_needs_scope_over_every_target(tokyo_poster):
    narita_supervisor = make_person("narita-sup", "narita", Membership.Role.SUPERVISOR)
    post = post_via_services(tokyo_poster, ("IMMI_TOKYO",), submit=True)
    with pytest.raises(services.NotAllowed):
        services.post_approve(post=post, by=narita_supervisor)
    osaka_supervisor = make_person("osaka-sup", "osaka", Membership.Role.SUPERVISOR)
    with pytest.raises(services.NotAllowed):
        services.post_reject(post=post, by=osaka_supervisor, comment="no")


def test_posters_and_viewers_cannot_approve(tokyo_poster, viewer):
    other_poster = make_person("tokyo-poster-2", "tokyo", Membership.Role.POSTER)
    post = post_via_services(tokyo_poster, submit=True)
    for person in (other_poster, viewer):
        with pytest.raises(services.NotAllowed):
            services.post_approve(post=post, by=person)


def test_reject_needs_a_comment_and_returns_to_draft(
    tokyo_poster, tokyo_supervisor, django_capture_on_commit_callbacks
):
    post = post_via_services(tokyo_poster, submit=True)
    with pytest.raises(services.PostError):
        services.post_reject(post=post, by=tokyo_supervisor, comment="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_reject(post=post, by=tokyo_supervisor, comment="日付を確認してください")
    post.refresh_from_db()
    assert post.state == "draft"
    assert post.events.latest("at", "id").comment == "日付を確認してください"
    assert "日付を確認してください" in mail.outbox[-1].body and mail.outbox[-1].to == [tokyo_poster.email]


def test_editing_an_approved_post_voids_the_approval(tokyo_poster, tokyo_supervisor):
    post = post_via_services(tokyo_poster, submit=True)
    services.post_approve(post=post, by=tokyo_supervisor)
    services.post_update(
        post=post,
        by=tokyo_poster,
        body="訂正版のお知らせです。",
        scheduled_at=post.scheduled_at,
        accounts=[SocialAccount.objects.get(handle="IMMI_TOKYO")],
    )
    post.refresh_from_db()
    assert post.state == "pending" and post.approved_by is None and post.approved_at is None
    assert set(post.targets.values_list("state", flat=True)) == {"waiting"}
    edit = post.events.latest("at", "id")
    assert (edit.action, edit.from_state, edit.to_state) == ("edit", "approved", "pending")
    assert tokyo_supervisor.username in event_message(edit) and edit.comment == ""


def test_editing_a_pending_post_keeps_it_pending_and_stale_approval_is_refused(tokyo_poster, tokyo_supervisor):
    post = post_via_services(tokyo_poster, submit=True)
    seen_revision = post.revision
    services.post_update(
        post=post,
        by=tokyo_poster,
        body="変更しました。",
        scheduled_at=post.scheduled_at,
        accounts=[SocialAccount.objects.get(handle="IMMI_TOKYO")],
    )
    with pytest.raises(services.PostError, match="編集されました"):
        services.post_approve(post=post, by=tokyo_supervisor, revision=seen_revision)
    assert Post.objects.get(pk=post.pk).state == "pending"


def test_targets_must_be_accounts_the_author_may_draft_for(tokyo_poster):
    with pytest.raises(services.NotAllowed):
        post_via_services(tokyo_poster, ("IMMI_TOKYO", "IMMI_OSAKA"))
    assert not Post.objects.exists()


def test_a_post_in_the_past_cannot_be_submitted(tokyo_poster, frozen_now):
    post = post_via_services(tokyo_poster, when=frozen_now - dt.timedelta(hours=1))
    with pytest.raises(services.PostError) as caught:
        services.post_submit(post=post, by=tokyo_poster)
    assert any("過ぎています" in p for p in caught.value.problems)


def test_a_residence_card_number_blocks_submit_and_approve(tokyo_poster, tokyo_supervisor):
    post = post_via_services(tokyo_poster, body="在留カードＡＢ１２３４５６７８ＣＤを拾いました")
    with pytest.raises(services.PostError) as caught:
        services.post_submit(post=post, by=tokyo_poster)
    assert any("ＡＢ１２３４５６７８ＣＤ" in p for p in caught.value.problems)
    # Even if it reached the queue some other way, approval checks again.
    Post.objects.filter(pk=post.pk).update(state="pending")
    with pytest.raises(services.PostError):
        services.post_approve(post=post, by=tokyo_supervisor)


def test_the_footer_can_push_a_post_over_280(tokyo_poster):
    from posts import footer, length

    account = SocialAccount.objects.get(handle="IMMI_TOKYO")
    footer_length = length.weighted_length(footer.compose("あ", account)) - 2
    body = "あ" * ((280 - footer_length) // 2 + 1)  # fits alone, not with the footer
    assert length.weighted_length(body) <= 280
    post = post_via_services(tokyo_poster, body=body)
    with pytest.raises(services.PostError) as caught:
        services.post_submit(post=post, by=tokyo_poster)
    assert any("@IMMI_TOKYO" in p and "280" in p for p in caught.value.problems)


def test_outside_office_hours_needs_a_reason(tokyo_poster, tokyo_supervisor):
    saturday = dt.datetime(2026, 12, 5, 10, 0, tzinfo=JST)
    post = post_via_services(tokyo_poster, when=saturday)
    with pytest.raises(services.PostError) as caught:
        services.post_submit(post=post, by=tokyo_poster)
    assert any("窓口受付時間外" in p for p in caught.value.problems)
    post = post_via_services(tokyo_poster, when=saturday, reason="台風による窓口閉鎖のお知らせ")
    services.post_submit(post=post, by=tokyo_poster)
    services.post_approve(post=post, by=tokyo_supervisor)
    approve = post.events.get(action="approve")
    assert "台風による窓口閉鎖のお知らせ" in event_message(approve)


def test_a_soft_finding_is_recorded_on_submit(tokyo_poster):
    post = post_via_services(tokyo_poster, body="詳しくは https://example.com/info をご覧ください。")
    services.post_submit(post=post, by=tokyo_poster)
    warning = post.events.get(action="warning")
    assert "example.com" in event_message(warning) and warning.data["kind"] == "link_domain"


def test_cancel_from_any_people_state(tokyo_poster, tokyo_supervisor):
    drafts = post_via_services(tokyo_poster)
    pending = post_via_services(tokyo_poster, submit=True)
    approved = post_via_services(tokyo_poster, submit=True)
    services.post_approve(post=approved, by=tokyo_supervisor)
    for post in (drafts, pending, approved):
        services.post_cancel(post=post, by=tokyo_poster)
        post.refresh_from_db()
        assert post.state == "cancelled"
        assert set(post.targets.values_list("state", flat=True)) == {"cancelled"}
    with pytest.raises(services.PostError):
        services.post_cancel(post=drafts, by=tokyo_poster)


def test_nothing_once_publishing_has_begun(tokyo_poster, tokyo_supervisor):
    post = post_via_services(tokyo_poster, submit=True)
    services.post_approve(post=post, by=tokyo_supervisor)
    PostTarget.objects.filter(post=post).update(state="published")
    with pytest.raises(services.PostError):
        services.post_cancel(post=post, by=tokyo_poster)
    with pytest.raises(services.PostError):
        services.post_update(
            post=post,
            by=tokyo_poster,
            body="x",
            scheduled_at=post.scheduled_at,
            accounts=[SocialAccount.objects.get(handle="IMMI_TOKYO")],
        )


def test_another_office_cannot_edit_or_cancel(tokyo_poster, osaka_poster):
    post = post_via_services(tokyo_poster)
    with pytest.raises(services.NotAllowed):
        services.post_cancel(post=post, by=osaka_poster)
    with pytest.raises(services.NotAllowed):
        services.post_update(
            post=post,
            by=osaka_poster,
            body="x",
            scheduled_at=post.scheduled_at,
            accounts=[SocialAccount.objects.get(handle="IMMI_TOKYO")],
        )


def test_submit_twice_is_refused(tokyo_poster):
    post = post_via_services(tokyo_poster, submit=True)
    with pytest.raises(services.PostError):
        services.post_submit(post=post, by=tokyo_poster)
    assert actions(post).count("submit") == 1


def test_derived_state_follows_the_targets(tokyo_poster, tokyo_supervisor):
    post = post_via_services(tokyo_poster, ("IMMI_TOKYO", "IMMI_NARITA"), submit=True)
    post = services.post_approve(post=post, by=tokyo_supervisor)
    assert post.display_state().label == "予約済み"
    first, second = post.targets.all()
    PostTarget.objects.filter(pk=first.pk).update(state="published")
    assert post.display_state().label == "一部公開済み"
    PostTarget.objects.filter(pk=second.pk).update(state="failed")
    assert post.display_state().label == "要対応"
    PostTarget.objects.filter(pk=second.pk).update(state="published")
    assert post.display_state().label == "公開済み"


def test_event_log_is_append_only(tokyo_poster):
    from django.db import DatabaseError, connection, transaction

    from tests.conftest import event_log_maintenance

    # The test database keeps the maintenance window open for flushing; close it here
    # (inside this test's transaction, rolled back afterwards).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL immisns.postevent_maintenance = 'off'")
    else:
        event_log_maintenance(connection, on=False)
    post = post_via_services(tokyo_poster)
    event = post.events.get()
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    with pytest.raises(ValueError, match="append-only"):
        PostEvent.objects.filter(pk=event.pk).update(comment="rewritten")
    with pytest.raises(ValueError, match="append-only"):
        PostEvent.objects.all().delete()
    for sql in ("UPDATE posts_postevent SET comment = 'x'", "DELETE FROM posts_postevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert PostEvent.objects.get(pk=event.pk).comment == ""


def test_the_same_text_on_the_same_account_within_30_days_warns(tokyo_poster, tokyo_supervisor, frozen_now):
    """§5: published through the engine, the text is remembered; withdrawn, it is forgotten."""
    import time_machine

    from checks.checks import scan
    from posts import publishing

    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    narita = SocialAccount.objects.get(handle="IMMI_NARITA")
    old = post_via_services(tokyo_poster, ("IMMI_TOKYO",), body="窓口混雑のお知らせ", submit=True)
    services.post_approve(post=old, by=tokyo_supervisor)
    target = old.targets.get()
    with time_machine.travel(old.scheduled_at, tick=False):
        assert publishing.target_publish(target_id=target.pk) == "published"
    with time_machine.travel(old.scheduled_at + dt.timedelta(days=3), tick=False):
        findings = scan("窓口混雑の お知らせ", account=tokyo)  # spacing differs: still the same text
        assert [(f.kind, f.severity) for f in findings] == [("duplicate", "warn")]
        assert scan("窓口混雑のお知らせ", account=narita) == []
    with time_machine.travel(old.scheduled_at + dt.timedelta(days=31), tick=False):
        assert scan("窓口混雑のお知らせ", account=tokyo) == []
    with time_machine.travel(old.scheduled_at + dt.timedelta(days=4), tick=False):
        services.target_withdraw(target=target, by=tokyo_supervisor, reason="誤り")
        assert scan("窓口混雑のお知らせ", account=tokyo) == []
