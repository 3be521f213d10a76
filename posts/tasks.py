"""Celery tasks for publishing. Each takes ids only and is safe to run twice."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from posts import publishing


@shared_task(name="posts.publish_target", acks_late=True, ignore_result=True)
def publish_target(target_id: int) -> str:
    return publishing.target_publish(target_id=target_id)


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
    for target_id, due_at in due:
        send_publish(target_id, due_at)
    stale = publishing.targets_stale(now)
    for target_id in stale:
        reconcile_target.delay(target_id)
    return {"enqueued": len(due), "stale": len(stale)}


def send_publish(target_id: int, due_at: dt.datetime) -> None:
    if due_at <= timezone.now():
        publish_target.delay(target_id)
    else:
        publish_target.apply_async(args=[target_id], eta=due_at)


def enqueue_soon(target_ids: list[int], due_at: dt.datetime) -> None:
    """After approval: send the tasks now if the time is near; otherwise the sweep will."""
    from posts.models import PostTarget

    lookahead, _ = _sweep_timing()
    if due_at > timezone.now() + lookahead:
        return
    PostTarget.objects.filter(pk__in=target_ids).update(enqueued_at=due_at)
    for target_id in target_ids:
        send_publish(target_id, due_at)
