"""Changes to accounts: each one checks permission, runs atomically and is recorded."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts import access
from accounts.models import AccountStateChange, SocialAccount

State = SocialAccount.State


class InvalidTransition(Exception):
    """The account is not in a state that allows this change."""


def _change_state(*, account: SocialAccount, by, to_state: str, reason: str) -> SocialAccount:
    locked = SocialAccount.objects.select_for_update().get(pk=account.pk)
    from_state = locked.state
    locked.state = to_state
    locked.save(update_fields=["state"])
    AccountStateChange.objects.create(
        account=locked,
        actor=by,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )
    return locked


@transaction.atomic
def account_pause(*, account: SocialAccount, by, reason: str) -> SocialAccount:
    """Kill switch for one account: its posts wait until it is resumed."""
    if not access.can_pause_account(by, account):
        raise PermissionDenied
    current = SocialAccount.objects.select_for_update().get(pk=account.pk)
    if current.state != State.ACTIVE:
        raise InvalidTransition(f"{current.display_handle} is not active.")
    return _change_state(account=current, by=by, to_state=State.PAUSED, reason=reason)


@transaction.atomic
def account_resume(*, account: SocialAccount, by, reason: str = "") -> SocialAccount:
    """Resume a paused account, or one whose credentials were entered again."""
    if not access.can_pause_account(by, account):
        raise PermissionDenied
    current = SocialAccount.objects.select_for_update().get(pk=account.pk)
    if current.state == State.ACTIVE:
        raise InvalidTransition(f"{current.display_handle} is already active.")
    return _change_state(account=current, by=by, to_state=State.ACTIVE, reason=reason)


@transaction.atomic
def account_mark_needs_reauth(*, account: SocialAccount, reason: str) -> SocialAccount:
    """The platform revoked the account's authorisation: stop it until an administrator re-authorises it.

    Called by the publishing engine (no person acts); other accounts carry on.
    """
    current = SocialAccount.objects.select_for_update().get(pk=account.pk)
    if current.state == State.NEEDS_REAUTH:
        return current
    return _change_state(account=current, by=None, to_state=State.NEEDS_REAUTH, reason=reason[:300])


@transaction.atomic
def account_pause_by_system(*, account: SocialAccount, reason: str) -> SocialAccount:
    """Pause an account because the platform refuses it for now (for example, no credits left on X)."""
    current = SocialAccount.objects.select_for_update().get(pk=account.pk)
    if current.state != State.ACTIVE:
        return current
    return _change_state(account=current, by=None, to_state=State.PAUSED, reason=reason[:300])
