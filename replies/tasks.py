"""Celery tasks for listening. Each takes ids only, calls the engine, and is safe to run twice.

The task names keep the moderation app's ("moderation.poll_all", the beat
schedule in immisns/settings.py): messages already queued when the code that
moved them here is deployed still find their task.
"""

from celery import shared_task

from replies import listening


@shared_task(name="moderation.poll_all", ignore_result=True)
def poll_all() -> int:
    """Beat, every LISTENING_POLL_SECONDS: one poll per account, so a slow account delays no other."""
    account_ids = listening.poll_all()
    for account_id in account_ids:
        poll_account.apply_async(args=(account_id,))
    return len(account_ids)


@shared_task(name="moderation.poll_account", acks_late=True, ignore_result=True)
def poll_account(account_id: int) -> str:
    return listening.poll_account(account_id)
