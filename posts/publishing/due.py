"""Finding due work: which targets are due, the sweep that sends their tasks, and targets held by their account.

The database says what is due, whatever the broker lost: beat's sweep reads
it every few seconds and sends one publish task per moment (by name, so this
package never imports posts.tasks), and one reconcile task per target left
in "publishing" too long.
"""

import datetime as dt
import logging

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import SocialAccount
from posts import selectors
from posts.models import Post, PostEvent, PostTarget

# The engine's one logger, whichever of its modules writes (the name the log settings know).
log = logging.getLogger("posts.publishing")
TState = PostTarget.State
Action = PostEvent.Action

PUBLISH_TASK = "posts.publish_targets"
RECONCILE_TASK = "posts.reconcile_target"
# One task claims at most this many targets; a post has at most 21 (every account).
GROUP_SIZE = 25


def targets_due(until: dt.datetime):
    """Scheduled targets due by `until`, on active accounts of approved posts."""
    return PostTarget.objects.filter(
        state=TState.SCHEDULED,
        due_at__lte=until,
        account__state=SocialAccount.State.ACTIVE,
        post__state=Post.State.APPROVED,
    )


def _lookahead() -> dt.timedelta:
    # Two sweeps ahead, so every target gets a task timed to its second.
    return 2 * dt.timedelta(seconds=settings.PUBLISHING_SWEEP_SECONDS)


def _early_tolerance() -> dt.timedelta:
    # A task this much early (beat's clock ahead of this worker's) is held by one timed task;
    # one earlier than that is left to the sweep. README: the hosts keep their clocks by NTP.
    return max(_lookahead(), dt.timedelta(seconds=settings.PUBLISHING_REQUEUE_SECONDS))


def targets_to_enqueue(
    now: dt.datetime, *, lookahead: dt.timedelta, requeue_after: dt.timedelta
) -> list[tuple[int, dt.datetime]]:
    """(id, due_at) of targets due soon that have no publish task on the queue.

    A task is sent to run at the target's due time (punctual to the second)
    and its time is kept in enqueued_at, so the sweep every few seconds does
    not send it again; a task the broker lost (its time passed `requeue_after`
    ago and the target is still scheduled) is sent again.
    """
    if selectors.publishing_paused():
        return []
    rows = list(
        targets_due(now + lookahead)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - requeue_after))
        .order_by("due_at", "id")
        .values_list("id", "due_at")[: settings.PUBLISHING_SWEEP_BATCH]
    )
    # Marked with the time its task will run: due ones with now, later ones with their due time.
    PostTarget.objects.filter(pk__in=[i for i, due_at in rows if due_at <= now]).update(enqueued_at=now)
    PostTarget.objects.filter(pk__in=[i for i, due_at in rows if due_at > now]).update(enqueued_at=F("due_at"))
    return rows


def targets_stale(now: dt.datetime, *, requeue_after: dt.timedelta | None = None) -> list[int]:
    """Targets left in "publishing" longer than any worker may still be sending them.

    Each is handed to one reconcile task per `requeue_after` (its time kept in
    enqueued_at), not one per sweep: a queue full of reconcile tasks for the
    same targets would only delay them.
    """
    if requeue_after is None:
        requeue_after = dt.timedelta(seconds=settings.PUBLISHING_REQUEUE_SECONDS)
    cutoff = now - dt.timedelta(seconds=settings.PUBLISHING_STALE_SECONDS)
    ids = list(
        PostTarget.objects.filter(state=TState.PUBLISHING, claimed_at__lt=cutoff)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - requeue_after))
        .order_by("claimed_at", "id")
        .values_list("id", flat=True)[: settings.PUBLISHING_SWEEP_BATCH]
    )
    PostTarget.objects.filter(pk__in=ids).update(enqueued_at=now)
    return ids


def batches(due: list[tuple[int, dt.datetime]], now: dt.datetime) -> list[tuple[dt.datetime | None, list[int]]]:
    """Group (id, due_at) into publish tasks: one per moment (ETA, None when due), at most GROUP_SIZE targets each."""
    by_moment: dict[dt.datetime, list[int]] = {}
    for target_id, due_at in due:
        by_moment.setdefault(max(due_at, now), []).append(target_id)
    grouped = []
    for moment, target_ids in by_moment.items():
        eta = moment if moment > now else None
        for start in range(0, len(target_ids), GROUP_SIZE):
            grouped.append((eta, target_ids[start : start + GROUP_SIZE]))
    return grouped


def _send_batches(grouped: list[tuple[dt.datetime | None, list[int]]]) -> None:
    for eta, target_ids in grouped:
        current_app.send_task(PUBLISH_TASK, args=[target_ids], eta=eta)


def sweep(now: dt.datetime | None = None) -> dict:
    """Beat, every few seconds: the database says what is due, whatever the broker lost.

    Batch after batch until nothing due is left without a task, so a backlog of
    any size is on the queue after one tick (each batch's tasks are sent before
    the next batch is read, so the workers start at once).
    """
    now = now or timezone.now()
    requeue_after = dt.timedelta(seconds=settings.PUBLISHING_REQUEUE_SECONDS)
    enqueued = stale_count = 0
    while True:
        due = targets_to_enqueue(now, lookahead=_lookahead(), requeue_after=requeue_after)
        _send_batches(batches(due, now))
        enqueued += len(due)
        if len(due) < settings.PUBLISHING_SWEEP_BATCH:
            break
    while True:
        stale = targets_stale(now, requeue_after=requeue_after)
        for target_id in stale:
            current_app.send_task(RECONCILE_TASK, args=[target_id])
        stale_count += len(stale)
        if len(stale) < settings.PUBLISHING_SWEEP_BATCH:
            break
    return {"enqueued": enqueued, "stale": stale_count}


def enqueue_soon(target_ids: list[int], due_at: dt.datetime) -> None:
    """After approval (on commit): send the task now if the time is near; otherwise the sweep will.

    A broker that cannot be reached does not undo the approval: the targets
    stay unmarked and the sweep sends them once the broker is back.
    """
    now = timezone.now()
    if due_at > now + _lookahead():
        return
    try:
        _send_batches(batches([(target_id, due_at) for target_id in target_ids], now))
    except Exception:
        log.warning("Could not reach the broker; the sweep will send targets %s", target_ids, exc_info=True)
        return
    PostTarget.objects.filter(pk__in=target_ids, enqueued_at__isnull=True).update(enqueued_at=due_at)


# --- Targets held by their account -------------------------------------------------------------

# Why a due target waits, by its account's state; kept in the target's problem while it waits.
HELD_BY: dict[str, str] = {
    SocialAccount.State.PAUSED: "account_paused",
    SocialAccount.State.NEEDS_REAUTH: "account_needs_reauth",
}


def record_held_targets(now: dt.datetime | None = None) -> int:
    """Due targets that wait on a paused or needs-re-authorisation account: say why, once per hold.

    Beat's sweep task calls this beside sweep(). Such a target stays scheduled
    and goes out once its account is active again; until then its problem
    names the reason (the post page shows it) and one DEFER event records the
    hold. A hold that ended (the account active again, or the target no longer
    scheduled) is forgotten, so a later hold is recorded anew. Returns how many
    holds were recorded now.
    """
    now = now or timezone.now()
    PostTarget.objects.filter(problem__has_key="held").filter(
        ~Q(state=TState.SCHEDULED) | Q(account__state=SocialAccount.State.ACTIVE)
    ).update(problem={})
    waiting = list(
        PostTarget.objects.filter(
            state=TState.SCHEDULED, due_at__lte=now, post__state=Post.State.APPROVED, account__state__in=list(HELD_BY)
        )
        .exclude(problem__has_key="held")
        .select_related("account")
        .order_by("due_at", "id")[: settings.PUBLISHING_SWEEP_BATCH]
    )
    recorded = 0
    for target in waiting:
        reason = HELD_BY[target.account.state]
        problem = {"action": Action.DEFER, "reason": reason, "held": True, "account": target.account.display_handle}
        with transaction.atomic():
            # Conditional, like a claim: a target claimed or changed meanwhile is left alone.
            marked = (
                PostTarget.objects.filter(pk=target.pk, state=TState.SCHEDULED)
                .exclude(problem__has_key="held")
                .update(problem=problem)
            )
            if marked:
                PostEvent.record(
                    post_id=target.post_id,
                    target=target,
                    action=Action.DEFER,
                    data={key: value for key, value in problem.items() if key not in ("action", "held")},
                )
                recorded += 1
    return recorded
