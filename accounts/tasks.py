"""Celery tasks of the accounts: the daily check of every connection. Each takes ids only and is safe to run twice."""

import logging

from celery import current_app, shared_task

from accounts import connections

log = logging.getLogger(__name__)

# The e-mail that already tells administrators an account was stopped (posts.notifications),
# sent by name: accounts sits below posts and never imports it.
NOTIFY_TASK = "posts.notify_account_needs_attention"


@shared_task(name="accounts.verify_connections", ignore_result=True)
def verify_connections() -> dict[str, int]:
    """Beat, daily: one cheap read per connected account; a revoked or short-handed one needs re-authorisation."""
    outcomes: dict[str, int] = {}
    for account_id in connections.accounts_to_verify().values_list("pk", flat=True):
        outcome = connections.connection_verify(account_id=account_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome == "needs_reauth":
            _tell_administrators(account_id)
    return outcomes


def _tell_administrators(account_id: int) -> None:
    from accounts.models import AccountStateChange

    change = AccountStateChange.objects.filter(account_id=account_id).first()
    reason = change.reason if change is not None else ""
    try:
        current_app.signature(NOTIFY_TASK, args=(account_id, reason)).apply_async()
    except Exception:
        log.exception("Could not enqueue %s for account %s; the broker did not answer", NOTIFY_TASK, account_id)
