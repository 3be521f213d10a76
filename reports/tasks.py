"""Celery tasks for collecting reach and keeping closed months. Each takes ids only and is safe to run twice."""

from celery import shared_task

from reports import collection, selectors


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


@shared_task(name="reports.store_closed_month", ignore_result=True)
def store_closed_month() -> str:
    """Beat, every few hours: keep the reach of the month that closed last (reports.selectors.closes_at), so the
    first reader of its report does not wait for it to be counted. Does nothing once it is kept."""
    return str(selectors.store_closed_month())
