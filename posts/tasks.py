"""Celery tasks for publishing. Each takes ids only, calls the engine, and is safe to run twice.

The e-mail tasks live with the e-mails, in posts.notifications.
"""

from celery import shared_task

from posts import publishing


@shared_task(name=publishing.PUBLISH_TASK, acks_late=True, ignore_result=True)
def publish_targets(target_ids: list[int]) -> dict:
    """Targets due at the same moment (typically one post's accounts), sent in parallel."""
    return publishing.targets_publish(target_ids=target_ids)


@shared_task(name=publishing.RECONCILE_TASK, acks_late=True, ignore_result=True)
def reconcile_target(target_id: int) -> str:
    return publishing.target_reconcile(target_id=target_id)


@shared_task(name="posts.sweep", ignore_result=True)
def sweep() -> dict:
    """Beat, every few seconds: the database says what is due, whatever the broker lost."""
    publishing.record_held_targets()  # and what waits on a paused account, and why
    return publishing.sweep()
