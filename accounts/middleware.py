"""Every power beyond a poster's needs the second factor, used in this sign-in (docs/architecture.md, the workflow).

One middleware decides, by the URL the request resolved to, so no view,
class-based or not, and no order of decorators can leave the check out:

- SECOND_FACTOR: the pages and actions on others' posts (edit, cancel,
  retry, decide, withdraw, approve, reject, the queue, pausing) and the
  whole admin;
- PASSWORD_ENOUGH: what a poster does with their own posts, reading, and
  the public pages;
- sign-in, sign-out and the second factor's own pages (allauth's views).

For a supervisor or administrator, PASSWORD_ENOUGH means reading only: until
the code is entered in this sign-in, the composer (which drafts for every
account of their scope) and any form they send (other than choosing the
language) ask for it too.

A URL in none of these is treated as needing the second factor, and
tests/accounts/test_second_factor.py lists every URL pattern, so a new view is
classified on purpose. It applies to supervisors and administrators
(access.must_use_mfa); posters and viewers never reach those powers.

"Used in this sign-in" is read from allauth's record of the session's
authentication steps (allauth.account.authentication.get_authentication_records):
an entry {"method": "mfa", "type": "totp" | "recovery_codes"}, written when
the code was entered at sign-in or to confirm the factor later. An
authenticator that merely exists is not enough: a session signed in with the
password before TOTP was set up is asked for a code.
"""

import datetime
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import access
from immisns.redirects import next_or

SECOND_FACTOR = frozenset(
    {
        "posts:queue",
        "posts:approve",
        "posts:reject",
        "posts:approve_many",
        "posts:edit",
        "posts:cancel",
        "calendar_move",
        "posts:target_retry",
        "posts:target_resolve",
        "posts:target_withdraw",
        "posts:publishing_switch",
        # What the public wrote: a supervisor's moderation reaches every account of their subtree.
        "moderation:queue",
        "moderation:hide",
        "moderation:unhide",
        "moderation:confirm",
        "moderation:delete",
        "moderation:ban",
        "moderation:block_done",
        "moderation:bulk",
        # The audit log of a supervisor's subtree (or, for an administrator, everything).
        "audit:log",
        "audit:export",
        # The admin pages' old addresses (/admin/moderation/...), redirected into the admin.
        "moderation_admin_moved",
        # Connecting an account with the platform's sign-in, and forgetting its tokens.
        "account_connect",
        "connect_pin",
        "connect_callback",
        "account_disconnect",
    }
)
PASSWORD_ENOUGH = frozenset(
    {
        "home",
        "calendar",
        "posts:list",
        "posts:new",
        "posts:preview",
        "posts:detail",
        "posts:submit",
        "posts:note",  # a note on a post one may read and work on (posts.rights); a supervisor's needs the code
        "posts:image",
        "posts:django.views.generic.base.RedirectView",  # old sandbox links, redirected
        "sandbox_delivery",
        "admin_login",
        "set_language",
        "favicon",
        "help",
        "notifications",
        "sns_account",  # reading how an account is doing
        # The monthly report and its CSV: figures and counts of what the person may already see, nothing changed.
        "reports:monthly",
        "reports:csv",
        # The public pages, without login.
        "public:policy",
        "public:policy_version",
        "public:official_accounts",
        "public:official_accounts_json",
        "public:transparency",
        "public:transparency_json",
    }
)
# For a supervisor or administrator without the second factor, a form sent here is still fine.
ANY_METHOD = frozenset({"set_language"})
# Composing drafts for every account of a supervisor's or administrator's scope: beyond reading.
COMPOSING = frozenset({"posts:new", "posts:preview", "posts:submit"})
READING = frozenset({"GET", "HEAD", "OPTIONS"})
SECOND_FACTOR_TYPES = frozenset({Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES})
# Where someone sent to set up TOTP was going: kept through allauth's activation (which asks
# for the password first and ends on the recovery codes), offered there as "Continue".
AFTER_SET_UP = "immisns.after_second_factor_set_up"


def mfa_required(view):
    """Kept for views outside the URL table; the table above is what decides."""
    view.mfa_required = True
    return view


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def used_second_factor(request) -> bool:
    """Did this session's sign-in (or a confirmation since) include a TOTP or recovery code?"""
    return any(
        record.get("method") == "mfa" and record.get("type") in SECOND_FACTOR_TYPES
        for record in get_authentication_records(request, request.user)
    )


def count_set_up_as_second_factor(request, *, since: datetime.datetime) -> None:
    """Setting up TOTP proves a code in this session: record it as allauth records one entered at sign-in.

    allauth's activation checks a code from the new authenticator but records no
    "mfa" step, so the console would ask for a code again at once, and a code of
    the same 30-second window would be refused as already used. Only a TOTP
    created by this very request counts (an existing one proves nothing here).
    """
    from allauth.account.internal.flows.login import record_authentication

    user = request.user
    created = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP, created_at__gte=since).first()
    if created is not None:
        record_authentication(request, user, method="mfa", type=Authenticator.Type.TOTP, id=created.pk)


def needs_second_factor(view_name: str, namespaces, view_func) -> bool:
    if "admin" in namespaces:
        return True
    if getattr(view_func, "mfa_required", False):
        return True
    if getattr(view_func, "view_class", view_func).__module__.startswith("allauth."):
        return False  # signing in and out, and setting up or confirming the second factor
    return view_name not in PASSWORD_ENOUGH


def beyond_reading(method: str, view_name: str, view_func) -> bool:
    """Would this request do more than read, for someone who must use the second factor?"""
    if getattr(view_func, "view_class", view_func).__module__.startswith("allauth."):
        return False  # signing out, and entering or setting up the second factor
    if view_name in COMPOSING:
        return True
    return method not in READING and view_name not in ANY_METHOD


class RequireMFAMiddleware:
    """Send a supervisor or administrator without the second factor in this session to enter or set it up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = timezone.now()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            request.method == "POST"
            and match is not None
            and match.view_name == "mfa_activate_totp"
            and response.status_code == 302
            and request.user.is_authenticated
        ):
            count_set_up_as_second_factor(request, since=started)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        match = request.resolver_match
        if not user.is_authenticated or match is None:
            return None
        _remember_where_set_up_leads(request, match.view_name)
        if not needs_second_factor(match.view_name, match.namespaces, view_func) and not beyond_reading(
            request.method, match.view_name, view_func
        ):
            return None
        if not access.must_use_mfa(user) or used_second_factor(request):
            return None
        url = reverse("mfa_reauthenticate" if has_totp(user) else "mfa_activate_totp")
        return redirect(f"{url}?{urlencode({'next': _come_back_to(request)})}")


def _remember_where_set_up_leads(request, view_name: str) -> None:
    if view_name == "mfa_activate_totp" and request.GET.get("next"):
        wanted = next_or(request, "")
        if wanted:
            request.session[AFTER_SET_UP] = wanted
    elif request.session.get(AFTER_SET_UP) == request.get_full_path():
        del request.session[AFTER_SET_UP]  # arrived


def after_set_up(request) -> str:
    """Where the person was going before setting up the second factor; "" when nowhere."""
    wanted = request.session.get(AFTER_SET_UP, "")
    safe = wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe else ""


def _come_back_to(request) -> str:
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    # A form's action cannot be opened again with GET: go back to the page it was sent from.
    referer = request.headers.get("referer", "")
    if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return referer
    return reverse("home")


class NoStoreWhenSignedInMiddleware:
    """Pages for a signed-in person are never kept by the browser or a proxy (Cache-Control: no-store)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


class AdminInlineStylesMiddleware:
    """The Django admin sets inline styles of its own: allow those (styles only, never scripts) in the admin.

    Listed after csp.middleware.CSPMiddleware, so the policy it writes includes this.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and "admin" in match.namespaces:
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
        return response
