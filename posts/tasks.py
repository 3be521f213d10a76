"""Celery tasks for publishing. Each takes ids only and is safe to run twice."""

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from posts import publishing

log = logging.getLogger(__name__)


@shared_task(name="posts.publish_targets", acks_late=True, ignore_result=True)
def publish_targets(target_ids: list[int]) -> dict:
    """Targets due at the same moment (typically one post's accounts), sent in parallel."""
    return publishing.targets_publish(target_ids=target_ids)


@shared_task(name="posts.reconcile_target", acks_late=True, ignore_result=True)
def reconcile_target(target_id: int) -> str:
    return publishing.target_reconcile(target_id=target_id)


def _sweep_timing() -> tuple[dt.timedelta, dt.timedelta]:
    interval = dt.timedelta(seconds=settings.PUBLISHING_SWEEP_SECONDS)
    # Look two sweeps ahead so every target gets a task timed to its second.
    return 2 * interval, dt.timedelta(seconds=settings.PUBLISHING_REQUEUE_SECONDS)


@shared_task(name="posts.sweep", ignore_result=True)
def sweep() -> dict:
    """Beat, every few seconds: the database says what is due, whatever the broker lost."""
    now = timezone.now()
    lookahead, requeue_after = _sweep_timing()
    due = publishing.targets_to_enqueue(now, lookahead=lookahead, requeue_after=requeue_after)
    groups: dict[dt.datetime, list[int]] = {}
    for target_id, due_at in due:
        groups.setdefault(max(due_at, now), []).append(target_id)
    for due_at, target_ids in groups.items():
        send_publish(target_ids, due_at)
    stale = publishing.targets_stale(now)
    for target_id in stale:
        reconcile_target.delay(target_id)
    return {"enqueued": len(due), "stale": len(stale)}


# One task claims at most this many targets; a post has at most 21 (every account).
GROUP_SIZE = 25


def send_publish(target_ids: list[int], due_at: dt.datetime) -> None:
    """Send publish tasks for targets due at `due_at`, timed to the second (ETA)."""
    eta = due_at if due_at > timezone.now() else None
    for start in range(0, len(target_ids), GROUP_SIZE):
        publish_targets.apply_async(args=[target_ids[start:start + GROUP_SIZE]], eta=eta)


def enqueue_soon(target_ids: list[int], due_at: dt.datetime) -> None:
    """After approval: send the task now if the time is near; otherwise the sweep will.

    A broker that cannot be reached does not undo the approval: the targets
    stay unmarked and the sweep sends them once the broker is back.
    """
    from posts.models import PostTarget

    lookahead, _ = _sweep_timing()
    if due_at > timezone.now() + lookahead:
        return
    try:
        send_publish(target_ids, due_at)
    except Exception:  # noqa: BLE001 — any broker failure; the database still says what is due
        log.warning("Could not reach the broker; the sweep will send targets %s", target_ids, exc_info=True)
        return
    PostTarget.objects.filter(pk__in=target_ids, enqueued_at__isnull=True).update(enqueued_at=due_at)
