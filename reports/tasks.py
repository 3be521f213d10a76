"""Celery tasks for collecting reach. Each takes ids only, calls the collection, and is safe to run twice."""

from celery import shared_task

from reports import collection


@shared_task(name="reports.collect_all", ignore_result=True)
def collect_all() -> int:
    """Beat, every REACH_COLLECT_SECONDS: one task per account, so a slow account delays no other."""
    account_ids = collection.accounts_to_collect()
    for account_id in account_ids:
        collect_account.apply_async(args=(account_id,))
    return len(account_ids)


@shared_task(name="reports.collect_account", acks_late=True, ignore_result=True)
def collect_account(account_id: int) -> str:
    return collection.collect_account(account_id)
