"""Connecting an account with the platform's own sign-in, and checking every connection daily (docs/architecture.md, connecting accounts).

The flow, around the administrator's visit to X or Facebook:

    flow_begin   a single-use state, bound to this session, this person and this
                 account, expiring after CONNECT_FLOW_SECONDS; what the platform
                 must find again at the callback (X's request token) is kept in
                 the server-side session, encrypted with the credentials' key
    flow_take    the callback (or the PIN form) names its state; the flow leaves
                 the session at once, so a replayed or foreign state finds nothing
    flow_finish  the platform turns the verifier or code into credentials and
                 says whose they are; anything but the account's own identity,
                 with what publishing and moderation need, is refused and
                 nothing is stored; otherwise services.account_connect keeps
                 them and records who connected it

The platform is called outside any transaction; only account_connect writes.
Refusals raise ConnectRefused, whose message tells the administrator why.
"""

from __future__ import annotations

import logging
import secrets as token_generator
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from accounts import access, crypto, services
from accounts.models import AccountConnection, SocialAccount
from accounts.platforms import AuthRevoked, PlatformError, capabilities_for, sign_in_for
from accounts.platforms.sign_in import Identity, NotConfigured, SignInCancelled

log = logging.getLogger(__name__)

SESSION_KEY = "immisns.connect_flows"
# A person rarely has more than one sign-in open; the oldest give way so the session stays small.
MOST_FLOWS = 5

State = SocialAccount.State


class ConnectRefused(Exception):
    """The flow was refused, cancelled or expired: nothing was changed. The message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Flow:
    state: str
    account_id: int
    user_id: int
    pin: bool
    expires: float  # time.time()
    secrets: dict[str, str] = field(repr=False)


def _flows(session) -> dict:
    now = time.time()
    return {state: flow for state, flow in (session.get(SESSION_KEY) or {}).items() if flow.get("expires", 0) > now}


def flow_begin(session, *, account: SocialAccount, by, callback: str, pin: bool = False) -> tuple[str, str]:
    """Ask the platform where to send the administrator; returns (state, address). ConnectRefused if it cannot."""
    if not access.can_connect_account(by, account):
        raise PermissionDenied
    state = token_generator.token_urlsafe(32)
    label = capabilities_for(account).label
    try:
        begun = sign_in_for(account).begin(callback=callback, state=state, pin=pin)
    except NotConfigured as exc:
        raise ConnectRefused(_("%(platform)s sign-in is not set up: %(message)s") % _said(label, exc)) from None
    except PlatformError as exc:
        raise ConnectRefused(
            _("%(platform)s did not start the sign-in: %(message)s Nothing was changed.") % _said(label, exc)
        ) from None
    flows = _flows(session)
    while len(flows) >= MOST_FLOWS:
        flows.pop(min(flows, key=lambda key: flows[key]["expires"]))
    flows[state] = {
        "account": account.pk,
        "user": by.pk,
        "pin": pin,
        "expires": time.time() + settings.CONNECT_FLOW_SECONDS,
        "secrets": crypto.encrypt_json(begun.secrets) if begun.secrets else "",
    }
    session[SESSION_KEY] = flows
    return state, begun.url


def flow_take(session, *, state: str, by, account: SocialAccount | None = None) -> Flow:
    """The flow ``state`` names, taken out of the session (single use). ConnectRefused when it is unknown
    (never started here, already used, or another session's), expired, another person's or another account's."""
    stored = dict(session.get(SESSION_KEY) or {})
    raw = stored.pop(state, None) if state else None
    session[SESSION_KEY] = stored
    if raw is None:
        raise ConnectRefused(
            _("This sign-in was not started in this session, or it was already used. Nothing was changed; start again.")
        )
    if raw.get("expires", 0) <= time.time():
        raise ConnectRefused(
            _("This sign-in took more than %(minutes)d minutes and expired. Nothing was changed; start again.")
            % {"minutes": settings.CONNECT_FLOW_SECONDS // 60}
        )
    if raw.get("user") != by.pk:
        raise ConnectRefused(_("This sign-in was started by someone else. Nothing was changed."))
    if account is not None and raw.get("account") != account.pk:
        raise ConnectRefused(_("This sign-in was started for another account. Nothing was changed."))
    return Flow(
        state=state,
        account_id=raw["account"],
        user_id=raw["user"],
        pin=bool(raw.get("pin")),
        expires=raw["expires"],
        secrets=crypto.decrypt_json(raw["secrets"]) if raw.get("secrets") else {},
    )


def flow_finish(*, flow: Flow, answer: Mapping[str, str], by, callback: str) -> AccountConnection:
    """Turn what the platform sent back into the account's credentials, if they are the account's."""
    account = SocialAccount.objects.get(pk=flow.account_id)
    if not access.can_connect_account(by, account):
        raise PermissionDenied
    label = capabilities_for(account).label
    try:
        connected = sign_in_for(account).finish(answer=answer, secrets=flow.secrets, callback=callback)
    except SignInCancelled:
        raise ConnectRefused(
            _("The sign-in was cancelled on %(platform)s. Nothing was changed.") % {"platform": label}
        ) from None
    except PlatformError as exc:
        raise ConnectRefused(
            _("%(platform)s refused the sign-in: %(message)s Nothing was changed.") % _said(label, exc)
        ) from None
    problem = identity_problem(account, connected.identity)
    if problem:
        log.info("Sign-in refused for %s: %s", account.display_handle, problem)
        raise ConnectRefused(problem + " " + _("Nothing was stored."))
    method = AccountConnection.Method.PIN if flow.pin else AccountConnection.Method.CALLBACK
    return services.account_connect(
        account=account, by=by, credentials=connected.credentials, identity=connected.identity, method=method
    )


def identity_problem(account: SocialAccount, identity: Identity) -> str:
    """Why this identity cannot serve the account ("" when it can): the right account, with the right permissions.

    The platform id decides when the account has one (a handle can be renamed);
    before the first connection, the handle the platform confirms must be the account's.
    """
    capabilities = capabilities_for(account)
    if account.platform_id:
        same = identity.platform_id == account.platform_id
    else:
        same = bool(identity.handle) and identity.handle.lower() == account.handle.lower()
    if not same:
        who = capabilities.display_handle(identity.handle) if identity.handle else identity.name
        return _(
            "%(platform)s says this sign-in is %(who)s (id %(id)s), not %(account)s. Sign out of %(platform)s, "
            "sign in as %(account)s and try again."
        ) % {
            "platform": capabilities.label,
            "who": who or "?",
            "id": identity.platform_id,
            "account": account.display_handle,
        }
    if identity.missing:
        return _(
            "The sign-in lacks what publishing and moderation need: %(missing)s. Grant every permission asked "
            "for when signing in (on Facebook the app needs App Review for them, and the person the Page's "
            "content and moderation tasks)."
        ) % {"missing": ", ".join(identity.missing)}
    return ""


def connection_verify(*, account_id: int) -> str:
    """One cheap read with the stored credentials: "ok", "needs_reauth" (newly marked), "skipped" or "failed".

    401 on X, Graph 190 (or an invalid token, another identity, a missing
    permission) mark the account needs-re-authorisation; a timeout or a rate
    limit decides nothing and waits for tomorrow.
    """
    account = SocialAccount.objects.get(pk=account_id)
    if not account.has_credentials or account.state == State.NEEDS_REAUTH:
        return "skipped"
    try:
        credentials = account.get_credentials()
        identity = sign_in_for(account).identify(credentials=credentials, platform_id=account.platform_id)
    except crypto.CredentialsUnreadable as exc:
        services.account_mark_needs_reauth(account=account, reason=str(exc))
        return "needs_reauth"
    except NotConfigured:
        return "skipped"
    except AuthRevoked as exc:
        services.account_mark_needs_reauth(account=account, reason=exc.message)
        return "needs_reauth"
    except PlatformError as exc:
        log.info("The daily check of %s could not read the platform: %r", account.display_handle, exc)
        return "failed"
    problem = identity_problem(account, identity)
    if problem:
        services.account_mark_needs_reauth(account=account, reason=problem)
        return "needs_reauth"
    services.account_connection_checked(account=account, identity=identity)
    return "ok"


def accounts_to_verify():
    """Every account with credentials that is not already waiting for re-authorisation."""
    return SocialAccount.objects.exclude(credentials_encrypted="").exclude(state=State.NEEDS_REAUTH).order_by("pk")


def last_connection(account: SocialAccount) -> AccountConnection | None:
    """The latest connection or re-authorisation of the account (not a disconnection), with who made it."""
    return account.connections.exclude(kind=AccountConnection.Kind.DISCONNECTED).select_related("actor").first()


def last_connections(accounts) -> dict[int, AccountConnection]:
    """The latest connection of each account given (as last_connection), by account id: one query for any number."""
    ids = [account.pk for account in accounts]
    if not ids:
        return {}
    made = AccountConnection.objects.exclude(kind=AccountConnection.Kind.DISCONNECTED)
    latest = made.filter(account=OuterRef("account")).order_by("-at", "-id").values("pk")[:1]
    found = made.filter(account_id__in=ids, pk=Subquery(latest)).select_related("actor")
    return {connection.account_id: connection for connection in found}


def _said(label: str, exc: PlatformError) -> dict[str, str]:
    message = exc.message.strip()
    return {"platform": label, "message": message if message.endswith(".") else message + "."}
