"""Connecting, re-authorising and disconnecting an account with the platform's own sign-in (docs/architecture.md, connecting accounts).

Administrators only (access.can_connect_account; anyone else gets 404), with
the second factor in this sign-in (the middleware's URL table). Every step
that changes anything is a POST with Django's CSRF token; the platform's
callback is a GET that carries the single-use state bound to this session
(accounts.connections), which is what protects it — the OAuth equivalent of
the CSRF token (RFC 6749 §10.12).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import access, connections, services
from accounts.forms import PinForm
from accounts.models import SocialAccount
from accounts.platforms import capabilities_for
from accounts.platforms.sign_in import browser_origins, offers_pin


def _account(request, handle: str) -> SocialAccount:
    """The account an administrator may connect (404 for everyone else, as for a missing one)."""
    accounts = access.accounts_visible_to(request.user).filter(handle__iexact=handle)
    platform = request.GET.get("platform") or request.POST.get("platform") or ""
    if platform in SocialAccount.Platform.values:
        accounts = accounts.filter(platform=platform)
    account = accounts.order_by("platform").first()
    if account is None or not access.can_connect_account(request.user, account):
        raise Http404
    return account


def _callback(request) -> str:
    # One address per console for both platforms: the one registered with X and with Meta.
    return request.build_absolute_uri(reverse("connect_callback"))


def _page(request, account: SocialAccount, **extra):
    context = {
        "account": account,
        "connection": connections.last_connection(account),
        "offers_pin": offers_pin(account),
        "platform_label": capabilities_for(account).label,
        "callback_url": _callback(request),
        **extra,
    }
    response = render(request, "accounts/connect.html", context)
    # The connect form's answer is a redirect to the platform's sign-in: the page's form-action must allow it.
    response._csp_update = {"form-action": list(browser_origins(account))}  # type: ignore[attr-defined]
    return response


def _connect_page_url(account: SocialAccount) -> str:
    return reverse("account_connect", args=[account.handle]) + f"?platform={account.platform}"


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def account_connect(request, handle: str):
    """GET: the connection and the buttons. POST: start the sign-in (or, with pin=1, X's PIN flow)."""
    account = _account(request, handle)
    if request.method != "POST":
        return _page(request, account)
    pin = request.POST.get("pin") == "1" and offers_pin(account)
    try:
        state, url = connections.flow_begin(
            request.session, account=account, by=request.user, callback=_callback(request), pin=pin
        )
    except connections.ConnectRefused as exc:
        messages.error(request, exc.message)
        return redirect(_connect_page_url(account))
    if pin:
        return _page(request, account, pin_state=state, authorize_url=url)
    return HttpResponseRedirect(url)


@require_POST
@login_required
def connect_pin(request, handle: str):
    """X's PIN flow: the PIN X showed, typed in, finishes the sign-in started on this page."""
    account = _account(request, handle)
    form = PinForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(_connect_page_url(account))
    try:
        flow = connections.flow_take(
            request.session, state=form.cleaned_data["state"], by=request.user, account=account
        )
        connections.flow_finish(
            flow=flow,
            answer={"oauth_verifier": form.cleaned_data["pin"]},
            by=request.user,
            callback=_callback(request),
        )
    except connections.ConnectRefused as exc:
        messages.error(request, exc.message)
        return redirect(_connect_page_url(account))
    return _connected(request, account)


@require_safe
@login_required
def connect_callback(request):
    """Where X and Facebook send the administrator back, with the state and a verifier, a code or a refusal."""
    try:
        flow = connections.flow_take(request.session, state=request.GET.get("state", ""), by=request.user)
    except connections.ConnectRefused as exc:
        messages.error(request, exc.message)
        return redirect("home")
    account = SocialAccount.objects.get(pk=flow.account_id)
    try:
        connections.flow_finish(flow=flow, answer=request.GET.dict(), by=request.user, callback=_callback(request))
    except connections.ConnectRefused as exc:
        messages.error(request, exc.message)
        return redirect(_connect_page_url(account))
    return _connected(request, account)


def _connected(request, account: SocialAccount):
    account.refresh_from_db()
    record = connections.last_connection(account)
    confirmed = (
        capabilities_for(account).display_handle(record.identity_handle) if record and record.identity_handle else ""
    )
    messages.success(
        request,
        _("%(account)s is connected: %(platform)s confirmed %(who)s. The tokens are stored encrypted.")
        % {
            "account": account.display_handle,
            "platform": capabilities_for(account).label,
            "who": confirmed or (record.identity_name if record else ""),
        },
    )
    return redirect(account.get_absolute_url() + f"?platform={account.platform}")


@require_POST
@login_required
def account_disconnect(request, handle: str):
    """Forget the account's tokens (the app's access is removed on the platform itself)."""
    account = _account(request, handle)
    try:
        services.account_disconnect(account=account, by=request.user)
    except services.InvalidTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("%(account)s is disconnected: its tokens are forgotten.") % {"account": account.display_handle}
        )
    return redirect(_connect_page_url(account))
