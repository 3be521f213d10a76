"""The publishing engine, in process: the real client libraries against the fake platforms.

The worker-process guarantees (racing workers, a killed worker, a flushed
broker) are in test_publishing_worker.py.
"""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from accounts.models import SandboxDelivery, SocialAccount
from posts import footer, publishing, services
from posts.history import event_message, target_problem
from posts.models import PostEvent, PostTarget
from posts.tasks import sweep
from tests.factories import ClosureDayFactory, make_person, post_via_services
from tests.posts.conftest import JST

pytestmark = pytest.mark.django_db

DUE = dt.datetime(2026, 12, 2, 10, 0, tzinfo=JST)  # a Wednesday, inside office hours
AT_DUE = DUE + dt.timedelta(seconds=1)


def approved(author, handles=("IMMI_TOKYO",), approver=None, **kwargs):
    with time_machine.travel(DUE - dt.timedelta(days=1), tick=False):
        post = post_via_services(author, handles, when=DUE, submit=True, **kwargs)
        approver = approver or make_person(f"sup-{post.pk}", "agency", "supervisor")
        return services.post_approve(post=post, by=approver)


def publish(target, at=AT_DUE):
    # Notifications are sent on commit; run them as a committed transaction would.
    with time_machine.travel(at, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        return publishing.target_publish(target_id=target.pk)


def fresh(target):
    return PostTarget.objects.get(pk=target.pk)


def actions(target):
    return list(PostEvent.objects.filter(target=target).values_list("action", flat=True))


# --- Going out -----------------------------------------------------------------------------------


def test_sandbox_records_the_exact_text_with_the_footer(tokyo_poster):
    post = approved(tokyo_poster)
    target = post.targets.get()
    assert publish(target) == "published"
    target = fresh(target)
    expected = footer.compose(post.body, target.account)
    delivery = SandboxDelivery.objects.get()
    assert delivery.text == expected == target.published_text
    assert target.external_url == f"/sandbox/{delivery.pk}/"
    assert target.footer == footer.footer_for(target.account)
    assert actions(target) == ["claim", "publish"]


def test_x_gets_the_exact_request(tokyo_poster, fakes):
    x, _ = fakes
    target = approved(tokyo_poster).targets.get()
    assert publish(target) == "published"
    (call,) = x.calls_to("create")
    assert call.url in ("https://api.twitter.com/2/tweets", "https://api.x.com/2/tweets")
    assert call.json() == {"text": fresh(target).published_text}
    assert call.headers["Authorization"].startswith("OAuth ")
    target = fresh(target)
    assert target.external_id and target.external_url == f"https://x.com/i/web/status/{target.external_id}"


def test_facebook_gets_the_exact_request(fakes, administrator):
    _, graph = fakes
    agency_poster = make_person("agency-poster", "agency", "poster")
    target = approved(agency_poster, ("ImmigrationServicesAgency.MOJ",), approver=administrator).targets.get()
    assert publish(target) == "published"
    (call,) = graph.calls_to("feed")
    assert call.url.startswith(f"https://graph.facebook.com/v23.0/{graph.page_id}/feed")
    assert call.params()["message"] == fresh(target).published_text
    assert call.params()["access_token"] == graph.access_token


def test_running_twice_calls_the_platform_once(tokyo_poster, fakes):
    x, _ = fakes
    target = approved(tokyo_poster).targets.get()
    assert [publish(target), publish(target)] == ["published", "not-scheduled"]
    assert x.call_count("create") == 1


def test_not_before_its_time(tokyo_poster):
    target = approved(tokyo_poster).targets.get()
    assert publish(target, at=DUE - dt.timedelta(seconds=5)) == "not-due"
    assert fresh(target).state == "scheduled"


# --- Kill switches ---------------------------------------------------------------------------------


def test_a_paused_account_waits_and_goes_out_on_resume(tokyo_poster, administrator):
    from accounts import services as account_services

    target = approved(tokyo_poster).targets.get()
    account_services.account_pause(account=target.account, by=administrator, reason="確認中")
    assert publish(target) == "paused" and fresh(target).state == "scheduled"
    with time_machine.travel(AT_DUE, tick=False):
        assert [
            t
            for t, _ in publishing.targets_to_enqueue(
                timezone.now(), lookahead=dt.timedelta(0), requeue_after=dt.timedelta(60)
            )
        ] == []
    account_services.account_resume(account=target.account, by=administrator)
    assert publish(target, at=AT_DUE + dt.timedelta(hours=1)) == "published"


def test_pausing_everything_holds_every_target(tokyo_poster, administrator):
    target = approved(tokyo_poster).targets.get()
    with pytest.raises(services.PostError):
        services.publishing_pause_all(by=administrator, reason=" ")
    with pytest.raises(services.NotAllowed):
        services.publishing_pause_all(by=tokyo_poster, reason="x")
    services.publishing_pause_all(by=administrator, reason="システム障害のため")
    assert publish(target) == "paused"
    services.publishing_resume_all(by=administrator)
    assert publish(target) == "published"


# --- §4 at publish time -------------------------------------------------------------------------------


def test_a_closure_added_after_approval_defers_to_the_next_opening(tokyo_poster):
    target = approved(tokyo_poster).targets.get()
    ClosureDayFactory.create(date=DUE.date(), reason="臨時休庁")
    assert publish(target) == "deferred"
    target = fresh(target)
    assert target.state == "scheduled"
    assert target.due_at == dt.datetime(2026, 12, 3, 9, 0, tzinfo=JST)
    defer = PostEvent.objects.get(target=target, action="defer")
    assert "2026-12-03 09:00" in event_message(defer)


def test_a_post_approved_with_an_outside_hours_reason_goes_out(tokyo_poster):
    target = approved(tokyo_poster, reason="災害情報").targets.get()
    ClosureDayFactory.create(date=DUE.date(), reason="臨時休庁")
    assert publish(target) == "published"


def test_content_checked_again_before_publishing(tokyo_poster):
    post = approved(tokyo_poster)
    post.__class__.objects.filter(pk=post.pk).update(body="お問い合わせは 03-1234-5678 へ")
    target = post.targets.get()
    assert publish(target) == "failed"
    assert "電話番号" in target_problem(fresh(target))
    assert not SandboxDelivery.objects.exists()


# --- Platform faults --------------------------------------------------------------------------------


def test_rate_limit_waits_for_the_named_reset_without_spending_an_attempt(tokyo_poster, fakes):
    x, _ = fakes
    x.script("rate_limited", reset_in=600)
    target = approved(tokyo_poster).targets.get()
    assert publish(target) == "rate-limited"
    target = fresh(target)
    assert target.state == "scheduled" and target.attempts == 0
    assert dt.timedelta(seconds=590) < target.due_at - AT_DUE < dt.timedelta(seconds=610)


def test_a_server_error_retries_with_backoff(tokyo_poster, fakes):
    x, _ = fakes
    x.script("unavailable")
    target = approved(tokyo_poster).targets.get()
    assert publish(target) == "retry"
    target = fresh(target)
    assert target.state == "scheduled" and target.attempts == 1
    assert dt.timedelta(seconds=15) <= target.due_at - AT_DUE <= dt.timedelta(seconds=31)
    assert publish(target, at=target.due_at) == "published"
    assert x.call_count("create") == 2


def test_a_timeout_after_the_platform_committed_is_not_posted_twice(tokyo_poster, fakes):
    x, _ = fakes
    x.script("commit_then_timeout")
    target = approved(tokyo_poster).targets.get()
    assert publish(target) == "retry"
    assert publish(target, at=fresh(target).due_at) == "reconciled"
    assert x.call_count("create") == 1 and len(x.posts) == 1
    assert fresh(target).external_id in x.posts


def test_giving_up_after_the_last_attempt_notifies_author_and_supervisors(
    tokyo_poster, tokyo_supervisor, fakes, settings
):
    x, _ = fakes
    settings.PUBLISHING_MAX_ATTEMPTS = 2
    x.script("server_error", times=2)
    target = approved(tokyo_poster, approver=tokyo_supervisor).targets.get()
    publish(target)
    mail.outbox.clear()
    assert publish(target, at=fresh(target).due_at) == "failed"
    assert fresh(target).state == "failed"
    (message,) = mail.outbox
    assert set(message.to) == {tokyo_poster.email, tokyo_supervisor.email}


def test_revoked_token_stops_only_that_account(tokyo_poster, fakes, administrator):
    x, _ = fakes
    post = approved(tokyo_poster, ("IMMI_TOKYO", "IMMI_NARITA"))
    tokyo, narita = post.targets.get(account__handle="IMMI_TOKYO"), post.targets.get(account__handle="IMMI_NARITA")
    x.script("unauthorized")
    assert publish(tokyo) == "needs-reauth"
    assert SocialAccount.objects.get(handle="IMMI_TOKYO").state == "needs_reauth"
    assert fresh(tokyo).state == "scheduled"  # waits; not lost
    assert publish(narita) == "published"
    assert administrator.email in {address for m in mail.outbox for address in m.to}


def test_duplicate_content_fails_at_once_with_the_platform_message(tokyo_poster, fakes):
    x, _ = fakes
    x.script("duplicate")
    target = approved(tokyo_poster).targets.get()
    mail.outbox.clear()
    assert publish(target) == "failed"
    assert "duplicate content" in fresh(target).last_error
    assert any("duplicate content" in m.body for m in mail.outbox if tokyo_poster.email in m.to)


def test_no_credits_left_fails_and_pauses_the_account(tokyo_poster, fakes, administrator):
    x, _ = fakes
    x.script("payment_required")
    target = approved(tokyo_poster).targets.get()
    assert publish(target) == "failed"
    assert SocialAccount.objects.get(handle="IMMI_TOKYO").state == "paused"
    assert administrator.email in {address for m in mail.outbox for address in m.to}


@pytest.mark.parametrize(
    ("kind", "options", "outcome"),
    [
        ("token_invalid", {}, "needs-reauth"),
        ("duplicate", {}, "failed"),
        ("blocked", {}, "failed"),
        ("rate_limited", {"code": 32}, "rate-limited"),
        ("service_unavailable", {}, "retry"),
    ],
)
def test_graph_errors(fakes, administrator, kind, options, outcome):
    _, graph = fakes
    graph.script(kind, endpoint="feed", **options)
    agency_poster = make_person("agency-poster", "agency", "poster")
    target = approved(agency_poster, ("ImmigrationServicesAgency.MOJ",), approver=administrator).targets.get()
    assert publish(target) == outcome


def test_missing_credentials_mark_the_account_for_reauthorisation(tokyo_poster):
    account = SocialAccount.objects.get(handle="IMMI_TOKYO")
    account.publisher = "platform"
    account.save()
    target = approved(tokyo_poster).targets.get()
    assert publish(target) == "needs-reauth"
    assert SocialAccount.objects.get(pk=account.pk).state == "needs_reauth"


# --- Unknown outcomes ---------------------------------------------------------------------------------


def stale(target, settings, *, sent=True):
    """As if a worker claimed the target and died while sending (sent) or before it sent anything."""
    settings.PUBLISHING_STALE_SECONDS = 60
    PostTarget.objects.filter(pk=target.pk).update(
        state="publishing",
        attempts=1,
        claimed_at=AT_DUE,
        sent_at=AT_DUE if sent else None,
        published_text=footer.compose(target.body, target.account),
    )


def test_a_stale_target_found_on_the_platform_is_recorded_published(tokyo_poster, fakes, settings):
    x, _ = fakes
    target = approved(tokyo_poster).targets.get()
    stale(target, settings)
    x.add_post(fresh(target).published_text)
    with time_machine.travel(AT_DUE + dt.timedelta(minutes=5), tick=False):
        assert publishing.targets_stale(timezone.now()) == [target.pk]
        assert publishing.target_reconcile(target_id=target.pk) == "reconciled"
        assert publishing.target_reconcile(target_id=target.pk) == "not-stale"
    assert fresh(target).state == "published" and x.call_count("create") == 0


def test_a_stale_target_not_found_is_left_for_a_person(tokyo_poster, tokyo_supervisor, fakes, settings):
    x, _ = fakes
    target = approved(tokyo_poster).targets.get()
    stale(target, settings)
    with time_machine.travel(AT_DUE + dt.timedelta(minutes=5), tick=False):
        assert publishing.target_reconcile(target_id=target.pk) == "unconfirmed"
    assert fresh(target).state == "unconfirmed" and x.call_count("create") == 0
    with pytest.raises(services.NotAllowed):
        services.target_resolve_unconfirmed(target=target, by=tokyo_poster, published=False)
    decided_at = AT_DUE + dt.timedelta(minutes=10)
    with time_machine.travel(decided_at, tick=False):
        services.target_resolve_unconfirmed(target=target, by=tokyo_supervisor, published=False, comment="X上に無し")
    assert fresh(target).state == "scheduled"
    assert publish(fresh(target), at=decided_at + dt.timedelta(seconds=1)) == "published"
    assert x.call_count("create") == 1


def test_a_person_can_record_an_unconfirmed_target_as_published(tokyo_poster, tokyo_supervisor, settings):
    target = approved(tokyo_poster).targets.get()
    stale(target, settings)
    PostTarget.objects.filter(pk=target.pk).update(state="unconfirmed")
    services.target_resolve_unconfirmed(
        target=target, by=tokyo_supervisor, published=True, url="https://x.com/IMMI_TOKYO/status/1"
    )
    target = fresh(target)
    assert (target.state, target.external_url) == ("published", "https://x.com/IMMI_TOKYO/status/1")


# --- People's actions on targets ----------------------------------------------------------------------


def test_retry_a_failed_target(tokyo_poster, osaka_poster):
    target = approved(tokyo_poster).targets.get()
    PostTarget.objects.filter(pk=target.pk).update(state="failed", last_error="x")
    with pytest.raises(services.NotAllowed):
        services.target_retry(target=target, by=osaka_poster)
    services.target_retry(target=target, by=tokyo_poster)
    assert fresh(target).state == "scheduled"


def test_withdraw_deletes_from_the_platform(tokyo_poster, tokyo_supervisor, fakes):
    x, _ = fakes
    target = approved(tokyo_poster).targets.get()
    publish(target)
    with pytest.raises(services.NotAllowed):
        services.target_withdraw(target=target, by=tokyo_poster, reason="誤り")
    with pytest.raises(services.PostError):
        services.target_withdraw(target=target, by=tokyo_supervisor, reason="")
    services.target_withdraw(target=target, by=tokyo_supervisor, reason="日付の誤り")
    assert fresh(target).state == "withdrawn" and x.call_count("delete") == 1
    intent, outcome = PostEvent.objects.filter(target=target, action="withdraw")  # intent first, then the outcome
    assert (intent.data, intent.to_state, intent.comment) == ({"reason": "requested"}, "", "日付の誤り")
    assert (outcome.to_state, outcome.comment) == ("withdrawn", "日付の誤り")
    assert fresh(target).problem == {}


def test_a_failed_withdrawal_is_shown_not_hidden(tokyo_poster, tokyo_supervisor, fakes):
    x, _ = fakes
    target = approved(tokyo_poster).targets.get()
    publish(target)
    x.script("forbidden", endpoint="delete")  # a refusal; a 503 leaves it uncertain (test_publishing_doubt)
    with pytest.raises(services.PostError):
        services.target_withdraw(target=target, by=tokyo_supervisor, reason="日付の誤り")
    assert fresh(target).state == "published" and fresh(target).problem == {}
    _intent, event = PostEvent.objects.filter(target=target, action="withdraw")
    assert event.to_state == ""
    assert event_message(event).startswith("取下げに失敗しました。投稿は公開されたままです")
    assert event.comment == "日付の誤り"  # the supervisor's reason, kept with the failed attempt


# --- The sweep -------------------------------------------------------------------------------------------


def test_the_sweep_finds_due_targets_in_the_database_and_resends_lost_ones(tokyo_poster):
    target = approved(tokyo_poster).targets.get()
    now = AT_DUE
    lookahead, requeue = dt.timedelta(seconds=10), dt.timedelta(seconds=60)
    assert publishing.targets_to_enqueue(now, lookahead=lookahead, requeue_after=requeue) == [(target.pk, DUE)]
    assert publishing.targets_to_enqueue(now, lookahead=lookahead, requeue_after=requeue) == []
    later = now + dt.timedelta(seconds=61)  # its task never ran: the broker lost it
    assert publishing.targets_to_enqueue(later, lookahead=lookahead, requeue_after=requeue) == [(target.pk, DUE)]


def test_the_sweep_sends_a_backlog_larger_than_one_batch_in_one_tick(tokyo_poster, settings):
    settings.PUBLISHING_SWEEP_BATCH = 2
    posts = [approved(tokyo_poster, body=f"在留手続のお知らせ第{n}号です。") for n in range(5)]
    with time_machine.travel(AT_DUE, tick=False):
        assert sweep() == {"enqueued": 5, "stale": 0}
        assert sweep() == {"enqueued": 0, "stale": 0}
    assert not PostTarget.objects.filter(post__in=posts, enqueued_at__isnull=True).exists()


def test_the_sweep_task_sends_tasks(tokyo_poster):
    approved(tokyo_poster)
    with time_machine.travel(AT_DUE, tick=False):
        assert sweep() == {"enqueued": 1, "stale": 0}
        assert sweep() == {"enqueued": 0, "stale": 0}
