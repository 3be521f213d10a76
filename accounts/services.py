"""Changes to accounts: each one checks permission, runs atomically and is recorded."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts.models import AccountConnection, AccountStateChange, SocialAccount
from accounts.platforms.sign_in import Identity

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


# --- Connections made with the platform's own sign-in (accounts.connections) ----------------------


@transaction.atomic
def account_connect(
    *, account: SocialAccount, by, credentials: dict[str, str], identity: Identity, method: str
) -> AccountConnection:
    """Keep the credentials the platform issued for the identity it confirmed, and record who connected it.

    The identity was checked against the account before (connections.identity_problem); an account
    that needed re-authorisation is active again, a paused one stays paused.
    """
    if not access.can_connect_account(by, account):
        raise PermissionDenied
    locked = SocialAccount.objects.select_for_update().get(pk=account.pk)
    again = locked.has_credentials or locked.state == State.NEEDS_REAUTH
    locked.set_credentials(credentials)
    locked.platform_id = identity.platform_id
    locked.granted_scopes = list(identity.scopes)
    locked.token_expires_at = identity.expires_at
    locked.data_access_expires_at = identity.data_access_expires_at
    locked.last_successful_call_at = timezone.now()
    locked.save(
        update_fields=[
            "credentials_encrypted",
            "credentials_updated_at",
            "platform_id",
            "granted_scopes",
            "token_expires_at",
            "data_access_expires_at",
            "last_successful_call_at",
        ]
    )
    record = AccountConnection.objects.create(
        account=locked,
        kind=AccountConnection.Kind.REAUTHORISED if again else AccountConnection.Kind.CONNECTED,
        method=method,
        actor=by,
        identity_id=identity.platform_id,
        identity_handle=identity.handle,
        identity_name=identity.name,
        scopes=list(identity.scopes),
        expires_at=identity.expires_at,
    )
    if locked.state == State.NEEDS_REAUTH:
        _change_state(
            account=locked, by=by, to_state=State.ACTIVE, reason=_("Re-authorised with the platform's sign-in")
        )
    return record


@transaction.atomic
def account_disconnect(*, account: SocialAccount, by) -> AccountConnection:
    """Forget the account's credentials. An account that publishes on the platform then needs re-authorisation."""
    if not access.can_connect_account(by, account):
        raise PermissionDenied
    locked = SocialAccount.objects.select_for_update().get(pk=account.pk)
    if not locked.has_credentials:
        raise InvalidTransition(f"{locked.display_handle} has no credentials to forget.")
    last = locked.connections.exclude(kind=AccountConnection.Kind.DISCONNECTED).first()
    locked.set_credentials({})
    locked.granted_scopes = []
    locked.token_expires_at = None
    locked.data_access_expires_at = None
    locked.save(
        update_fields=[
            "credentials_encrypted",
            "credentials_updated_at",
            "granted_scopes",
            "token_expires_at",
            "data_access_expires_at",
        ]
    )
    record = AccountConnection.objects.create(
        account=locked,
        kind=AccountConnection.Kind.DISCONNECTED,
        method=AccountConnection.Method.CONSOLE,
        actor=by,
        identity_id=locked.platform_id,
        identity_handle=last.identity_handle if last else "",
        identity_name=last.identity_name if last else "",
    )
    if locked.publisher == SocialAccount.Publisher.PLATFORM and locked.state == State.ACTIVE:
        _change_state(account=locked, by=by, to_state=State.NEEDS_REAUTH, reason=_("Disconnected in the console"))
    return record


def account_connection_checked(*, account: SocialAccount, identity: Identity) -> None:
    """The daily check read the account successfully: keep what the platform said now."""
    SocialAccount.objects.filter(pk=account.pk).update(
        granted_scopes=list(identity.scopes),
        token_expires_at=identity.expires_at,
        data_access_expires_at=identity.data_access_expires_at,
        last_successful_call_at=timezone.now(),
    )
