"""At most once, even in doubt (docs/architecture.md, the workflow, §4): what happens between an attempt that may
have gone out and its retry. The real tweepy and facebook-sdk against the fake platforms.
"""

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import SocialAccount
from posts import footer, publishing, services
from posts.errors import PostError, PostInDoubt
from posts.history import target_problem
from posts.models import Post, PostEvent, PostTarget
from tests.conftest import add_totp, sign_in_with_second_factor
from tests.factories import FooterFactory, make_person
from tests.posts.test_publishing import AT_DUE, actions, approved, fresh, publish, stale
from tests.posts.worker_harness import ROOT

pytestmark = pytest.mark.django_db


def ambiguous(target, x, kind="commit_then_timeout"):
    """A first attempt whose outcome is unknown: its request left, no answer came back."""
    x.script(kind)
    assert publish(target) == "retry"
    target = fresh(target)
    assert target.in_doubt and target.state == "scheduled" and target.sent_at is not None
    return target


def agency_page_target(administrator):
    agency_poster = make_person("agency-poster", "agency", "poster")
    return approved(agency_poster, ("ImmigrationServicesAgency.MOJ",), approver=administrator).targets.get()


# --- 1. A look-up that cannot answer never decides ------------------------------------------------------


X_LOOKUP_FAILURES = [
    "access_level",
    "payment_required",
    "unauthorized",
    "forbidden",
    "unavailable",
    "server_error",
    "timeout",
    "connection_error",
]


@pytest.mark.parametrize("kind", X_LOOKUP_FAILURES)
def test_x_lookup_that_cannot_answer_leaves_the_target_in_doubt_never_failed_or_resent(
    tokyo_poster, fakes, settings, kind
):
    x, _ = fakes
    settings.PUBLISHING_MAX_ATTEMPTS = 3
    target = ambiguous(approved(tokyo_poster).targets.get(), x)
    x.script(kind, endpoint="timeline", times=5)
    outcomes: list[str] = []
    for _ in range(4):
        target = fresh(target)
        if target.state != "scheduled":
            break
        outcomes.append(publish(target, at=target.due_at))
    target = fresh(target)
    assert target.state == "unconfirmed", outcomes
    assert target.in_doubt and "failed" not in outcomes
    assert x.call_count("create") == 1 and len(x.posts) == 1  # the live post, never a second one
    assert x.call_count("timeline") >= 1
    problem = target_problem(target)
    assert "could not be searched" in problem or "検索" in problem


def test_x_lookup_rate_limited_waits_for_the_reset_and_looks_again(tokyo_poster, fakes):
    x, _ = fakes
    target = ambiguous(approved(tokyo_poster).targets.get(), x)
    x.script("rate_limited", endpoint="timeline", reset_in=120)
    looked_at = target.due_at
    assert publish(target, at=looked_at) == "lookup-rate-limited"
    target = fresh(target)
    assert (target.state, target.in_doubt, target.attempts) == ("scheduled", True, 1)
    assert dt.timedelta(seconds=118) <= target.due_at - looked_at <= dt.timedelta(seconds=121)
    # After the reset it looks again, finds the live post, and sends nothing.
    assert publish(target, at=target.due_at) == "reconciled"
    assert x.call_count("create") == 1 and fresh(target).external_id in x.posts


@pytest.mark.parametrize(
    "kind",
    [
        "token_invalid",
        "invalid_parameter",
        "rate_limited",
        "unknown_error",
        "service_unavailable",
        "bad_gateway_html",
        "timeout",
    ],
)
def test_graph_lookup_that_cannot_answer_never_fails_or_resends(fakes, administrator, settings, kind):
    _, graph = fakes
    settings.PUBLISHING_MAX_ATTEMPTS = 3
    target = agency_page_target(administrator)
    graph.script("commit_then_timeout", endpoint="feed")
    assert publish(target) == "retry"
    graph.script(kind, endpoint="posts", times=5)
    outcomes: list[str] = []
    for _ in range(4):
        target = fresh(target)
        if target.state != "scheduled" or outcomes[-1:] == ["lookup-rate-limited"]:
            break
        outcomes.append(publish(target, at=target.due_at))
    target = fresh(target)
    assert "failed" not in outcomes and target.state in ("unconfirmed", "scheduled")
    assert target.in_doubt
    if kind == "rate_limited":
        assert outcomes[-1] == "lookup-rate-limited"
    else:
        assert target.state == "unconfirmed", outcomes
    assert graph.call_count("feed") == 1 and len(graph.posts) == 1


def test_giving_up_after_an_ambiguous_last_attempt_looks_first(tokyo_poster, fakes, settings):
    x, _ = fakes
    settings.PUBLISHING_MAX_ATTEMPTS = 1
    x.script("commit_then_error")  # the post is created, the client sees a 503
    target = approved(tokyo_poster).targets.get()
    assert publish(target) == "reconciled"
    assert fresh(target).state == "published" and x.call_count("create") == 1


# --- 2. The text of an attempt is frozen --------------------------------------------------------------------


def test_a_footer_added_between_the_attempt_and_its_retry_does_not_make_a_second_post(
    tokyo_poster, fakes, administrator
):
    x, _ = fakes
    target = approved(tokyo_poster).targets.get()
    first_text = footer.compose(target.body, target.account)
    old_footer = footer.footer_for(target.account)
    assert old_footer is not None
    target = ambiguous(target, x)
    FooterFactory.create(
        platform="x",
        text="新しいフッター",
        version=footer.footer_next_version(platform="x", account=None),
        created_by=administrator,
    )
    assert footer.compose(target.body, target.account) != first_text
    assert publish(target, at=target.due_at) == "reconciled"
    target = fresh(target)
    assert x.call_count("create") == 1 and len(x.posts) == 1
    assert (target.published_text, target.footer) == (first_text, old_footer)
    assert x.calls_to("timeline")  # looked for the frozen text
    claim_events = PostEvent.objects.filter(target=target, action="claim").order_by("id")
    assert [e.data.get("footer_version") for e in claim_events] == [old_footer.version, old_footer.version]


def test_a_retry_after_an_attempt_that_did_not_go_out_sends_the_frozen_text(tokyo_poster, fakes, administrator):
    x, _ = fakes
    target = approved(tokyo_poster).targets.get()
    first_text = footer.compose(target.body, target.account)
    target = ambiguous(target, x, kind="timeout")  # the request left; nothing was created
    FooterFactory.create(
        platform="x",
        text="新しいフッター",
        version=footer.footer_next_version(platform="x", account=None),
        created_by=administrator,
    )
    assert publish(target, at=target.due_at) == "published"
    (_first, second) = x.calls_to("create")
    assert second.json() == {"text": first_text}
    target = fresh(target)
    assert target.published_text == first_text and not target.in_doubt


# --- 3. A post in doubt cannot be changed under it ----------------------------------------------------------


def test_edit_reapprove_and_cancel_are_refused_while_a_target_is_in_doubt(tokyo_poster, tokyo_supervisor, fakes):
    x, _ = fakes
    post = approved(tokyo_poster, approver=tokyo_supervisor)
    target = ambiguous(post.targets.get(), x, kind="unavailable")
    accounts = [target.account]
    with pytest.raises(PostInDoubt) as refused, translation.override("en"):
        services.post_update(
            post=post, by=tokyo_poster, body="訂正版のお知らせです。", scheduled_at=post.scheduled_at, accounts=accounts
        )
    assert "IMMI_TOKYO" in refused.value.message and "supervisor" in refused.value.message.lower()
    with pytest.raises(PostInDoubt):
        services.post_cancel(post=post, by=tokyo_poster)
    assert Post.objects.get(pk=post.pk).state == "approved"
    assert fresh(target).state == "scheduled" and fresh(target).in_doubt
    # Re-approval too (a post pending with a target in doubt, however it got there).
    Post.objects.filter(pk=post.pk).update(state="pending", approved_by=None)
    with pytest.raises(PostInDoubt):
        services.post_approve(post=Post.objects.get(pk=post.pk), by=tokyo_supervisor)
    Post.objects.filter(pk=post.pk).update(state="approved")
    # The retry looks first and finds nothing (503: nothing was created): one post, the original text.
    assert publish(fresh(target), at=fresh(target).due_at) == "published"
    assert x.call_count("create") == 2 and len(x.posts) == 1


def test_an_unconfirmed_target_blocks_cancel_until_a_person_decides(tokyo_poster, tokyo_supervisor, fakes, settings):
    target = approved(tokyo_poster, approver=tokyo_supervisor).targets.get()
    stale(target, settings)
    with time_machine.travel(AT_DUE + dt.timedelta(minutes=5), tick=False):
        assert publishing.target_reconcile(target_id=target.pk) == "unconfirmed"
    with pytest.raises(PostInDoubt):
        services.post_cancel(post=target.post, by=tokyo_poster)
    services.target_resolve_unconfirmed(
        target=target, by=tokyo_supervisor, published=True, url="https://x.com/i/web/status/1"
    )
    assert not fresh(target).in_doubt


def test_the_refusal_is_explained_on_the_page(client, tokyo_poster, tokyo_supervisor, fakes):
    x, _ = fakes
    post = approved(tokyo_poster, approver=tokyo_supervisor)
    ambiguous(post.targets.get(), x, kind="unavailable")
    add_totp(tokyo_poster)
    client.force_login(tokyo_poster)
    response = client.post(reverse("posts:cancel", args=[post.pk]), {"confirm": "1"}, follow=True)
    assert response.status_code == 200
    assert "IMMI_TOKYO" in response.content.decode()
    assert Post.objects.get(pk=post.pk).state == "approved"


# --- 4. Know whether the request ever left ------------------------------------------------------------------


def test_sent_at_is_committed_before_the_post_request(tokyo_poster, fakes):
    x, _ = fakes
    target = approved(tokyo_poster).targets.get()
    assert publish(target) == "published"
    target = fresh(target)
    (call,) = x.calls_to("create")
    assert target.sent_at is not None and target.sent_at.timestamp() <= call.started_at + 1


def test_a_target_claimed_but_never_sent_is_published_by_the_sweep_without_a_person(tokyo_poster, fakes, settings):
    x, _ = fakes
    target = approved(tokyo_poster).targets.get()
    stale(target, settings, sent=False)  # the worker died between the claim and the call
    with time_machine.travel(AT_DUE + dt.timedelta(minutes=5), tick=False):
        assert publishing.target_reconcile(target_id=target.pk) == "rescheduled"
        assert [
            i
            for i, _ in publishing.targets_to_enqueue(
                timezone.now(), lookahead=dt.timedelta(0), requeue_after=dt.timedelta(60)
            )
        ] == [target.pk]
    target = fresh(target)
    assert (target.state, target.in_doubt, target.attempts) == ("scheduled", False, 0)
    assert x.call_count("timeline") == 0  # nothing to look for
    mail.outbox.clear()
    assert publish(target, at=target.due_at) == "published"
    assert x.call_count("create") == 1 and not mail.outbox
    assert "unconfirmed" not in actions(target)


def test_a_claim_taken_over_by_reconciliation_sends_nothing(tokyo_poster, fakes):
    x, _ = fakes
    target = approved(tokyo_poster).targets.get()
    with time_machine.travel(AT_DUE, tick=False):
        _outcomes, (claim,) = publishing._claim_round([target.pk], AT_DUE)
    PostTarget.objects.filter(pk=target.pk).update(claimed_at=AT_DUE + dt.timedelta(minutes=5))  # the takeover
    assert publishing._send(claim) == "taken"
    assert x.call_count("create") == 0 and fresh(target).sent_at is None


# --- 5. One deadline per send -------------------------------------------------------------------------------


def test_one_deadline_covers_the_lookup_and_the_post(tokyo_poster, fakes, settings):
    x, _ = fakes
    settings.PUBLISHING_SEND_DEADLINE_SECONDS = 1
    target = ambiguous(approved(tokyo_poster).targets.get(), x, kind="timeout")
    x.script("ok", endpoint="timeline", latency=0.7)
    x.script("ok", latency=0.7)  # each alone within the 20 s request timeout; together over the deadline
    started = time.monotonic()
    assert publish(target, at=target.due_at) == "retry"
    assert time.monotonic() - started < 1.6
    assert fresh(target).in_doubt  # the post's request left with only 0.3 s to answer


def test_a_person_cannot_publish_again_while_a_send_may_be_in_flight(tokyo_poster, tokyo_supervisor, settings):
    settings.PUBLISHING_SEND_DEADLINE_SECONDS = 60
    target = approved(tokyo_poster, approver=tokyo_supervisor).targets.get()
    now = timezone.now()
    PostTarget.objects.filter(pk=target.pk).update(
        state="unconfirmed", in_doubt=True, sent_at=now - dt.timedelta(seconds=5)
    )
    with pytest.raises(PostError):
        services.target_resolve_unconfirmed(target=target, by=tokyo_supervisor, published=False)
    PostTarget.objects.filter(pk=target.pk).update(sent_at=now - dt.timedelta(seconds=61))
    services.target_resolve_unconfirmed(target=target, by=tokyo_supervisor, published=False)
    assert fresh(target).state == "scheduled"


def test_a_late_success_is_recorded_after_reconciliation_gave_up_on_it(tokyo_poster, fakes, settings):
    from accounts.platforms import PublishResult

    target = approved(tokyo_poster).targets.get()
    stale(target, settings)
    with time_machine.travel(AT_DUE + dt.timedelta(minutes=5), tick=False):
        assert publishing.target_reconcile(target_id=target.pk) == "unconfirmed"
    # The slow worker's answer arrives now: recorded, not dropped.
    publishing._published(target.pk, PublishResult(external_id="190", url="https://x.com/i/web/status/190"))
    target = fresh(target)
    assert (target.state, target.external_id, target.in_doubt) == ("published", "190", False)


@pytest.mark.parametrize(
    ("stale_seconds", "deadline", "ok"), [("300", "60", True), ("100", "60", False), ("2", "1", True)]
)
def test_the_stale_threshold_must_be_safely_above_the_send_deadline(stale_seconds, deadline, ok):
    env = dict(
        os.environ,
        PUBLISHING_STALE_SECONDS=stale_seconds,
        PUBLISHING_SEND_DEADLINE_SECONDS=deadline,
        DJANGO_SETTINGS_MODULE="immisns.settings",
        DEBUG="true",
    )
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (run.returncode == 0) == ok, run.stderr
    if not ok:
        assert "PUBLISHING_SEND_DEADLINE_SECONDS" in run.stderr


# --- 6. Rate-limit waits as the platform names them --------------------------------------------------------


def test_a_rate_limit_ten_seconds_away_waits_about_ten_seconds(tokyo_poster, fakes):
    x, _ = fakes
    x.script("rate_limited", reset_in=10)
    target = approved(tokyo_poster).targets.get()
    assert publish(target) == "rate-limited"
    assert dt.timedelta(seconds=8) <= fresh(target).due_at - AT_DUE <= dt.timedelta(seconds=11)


def test_a_reset_already_past_waits_the_floor_setting(tokyo_poster, fakes, settings):
    x, _ = fakes
    settings.PUBLISHING_RATE_LIMIT_FLOOR_SECONDS = 5
    x.script("rate_limited", reset_in=-30)  # the platform's clock is behind ours
    target = approved(tokyo_poster).targets.get()
    assert publish(target) == "rate-limited"
    assert dt.timedelta(seconds=4) <= fresh(target).due_at - AT_DUE <= dt.timedelta(seconds=6)


# --- 7. Clock skew -------------------------------------------------------------------------------------------


def test_a_worker_whose_clock_is_behind_beat_does_not_make_the_sweep_resend_every_tick(tokyo_poster, settings):
    settings.PUBLISHING_SWEEP_SECONDS = 5
    target = approved(tokyo_poster).targets.get()
    due = target.due_at
    skew = dt.timedelta(seconds=30)  # beat's clock is 30 s ahead of the worker's
    lookahead, requeue = dt.timedelta(seconds=10), dt.timedelta(seconds=60)
    assert [i for i, _ in publishing.targets_to_enqueue(due, lookahead=lookahead, requeue_after=requeue)] == [target.pk]
    # The task arrives at once; by the worker's clock it is 30 s early.
    assert publishing.targets_publish(target_ids=[target.pk], now=due - skew) == {target.pk: "not-due"}
    assert fresh(target).enqueued_at == due  # held by one task timed to its second
    resent = 0
    for tick in range(1, 7):  # beat's sweeps over the next 30 s
        resent += len(
            publishing.targets_to_enqueue(
                due + tick * dt.timedelta(seconds=5), lookahead=lookahead, requeue_after=requeue
            )
        )
    assert resent == 0
    # When the worker's clock reaches the due time, it goes out.
    assert publish(fresh(target), at=due + dt.timedelta(seconds=1)) == "published"


# --- 8. Withdraw records before it deletes -------------------------------------------------------------------


@pytest.fixture
def supervisor_client(client, tokyo_supervisor):
    add_totp(tokyo_supervisor)
    sign_in_with_second_factor(client, tokyo_supervisor)
    return client


def test_a_nul_byte_in_the_withdraw_reason_is_refused_before_the_platform_is_asked(
    supervisor_client, tokyo_poster, tokyo_supervisor, fakes
):
    x, _ = fakes
    target = approved(tokyo_poster, approver=tokyo_supervisor).targets.get()
    assert publish(target) == "published"
    response = supervisor_client.post(
        reverse("posts:target_withdraw", args=[target.pk]), {"reason": "誤り\x00です"}, follow=True
    )
    assert response.status_code == 200
    assert x.call_count("delete") == 0
    assert fresh(target).state == "published"
    with pytest.raises(PostError):
        services.target_withdraw(target=target, by=tokyo_supervisor, reason="誤り\x00")


def test_a_withdrawal_without_an_answer_says_so_on_the_page(supervisor_client, tokyo_poster, tokyo_supervisor, fakes):
    x, _ = fakes
    target = approved(tokyo_poster, approver=tokyo_supervisor).targets.get()
    assert publish(target) == "published"
    x.script("commit_then_timeout", endpoint="delete")  # X deleted it; we never heard
    response = supervisor_client.post(
        reverse("posts:target_withdraw", args=[target.pk]), {"reason": "日付の誤り", "confirm": "1"}, follow=True
    )
    assert x.posts == {}
    target = fresh(target)
    assert target.state == "published" and target.problem["reason"] == "delete_uncertain"
    page = supervisor_client.get(reverse("posts:detail", args=[target.post_id])).content.decode()
    assert target_problem(target) in page
    assert response.status_code == 200
    reasons = [e.data.get("reason") for e in PostEvent.objects.filter(target=target, action="withdraw").order_by("id")]
    assert reasons == ["requested", "delete_uncertain"]


def test_the_intent_is_on_the_page_while_the_delete_is_under_way(
    supervisor_client, tokyo_poster, tokyo_supervisor, fakes
):
    # As the page reads if the process stops between the platform's delete and recording it.
    target = approved(tokyo_poster, approver=tokyo_supervisor).targets.get()
    assert publish(target) == "published"
    PostTarget.objects.filter(pk=target.pk).update(problem={"action": "withdraw", "reason": "requested"})
    page = supervisor_client.get(reverse("posts:detail", args=[target.post_id])).content.decode()
    assert target_problem(fresh(target)) in page and target_problem(fresh(target))


def test_sandbox_accounts_keep_working(tokyo_poster):
    # The sandbox adapter takes the same deadline and sending hook.
    target = approved(tokyo_poster).targets.get()
    assert SocialAccount.objects.get(handle="IMMI_TOKYO").publisher == "sandbox"
    assert publish(target) == "published" and fresh(target).sent_at is not None


def test_a_late_success_clears_the_doubt_the_page_showed(supervisor_client, tokyo_poster, tokyo_supervisor, settings):
    from accounts.platforms import PublishResult

    target = approved(tokyo_poster, approver=tokyo_supervisor).targets.get()
    stale(target, settings)
    with time_machine.travel(AT_DUE + dt.timedelta(minutes=5), tick=False):
        assert publishing.target_reconcile(target_id=target.pk) == "unconfirmed"
    assert fresh(target).problem["action"] == "unconfirmed"
    publishing._published(target.pk, PublishResult(external_id="191", url="https://x.com/i/web/status/191"))
    target = fresh(target)
    assert (target.state, target.problem, target_problem(target)) == ("published", {}, "")
    page = supervisor_client.get(reverse("posts:detail", args=[target.post_id])).content.decode()
    assert 'class="problem"' not in page
