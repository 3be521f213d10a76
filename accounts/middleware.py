"""Supervisors and administrators must have a second factor before they act."""

from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.shortcuts import redirect
from django.urls import reverse

from accounts import access


def mfa_required(view):
    """Mark a view (approving, withdrawing, …) as needing TOTP set up first."""
    view.mfa_required = True
    return view


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireMFAMiddleware:
    """Send a supervisor or administrator without TOTP to set it up.

    Applies to the admin and to every view marked with @mfa_required; the
    set-up pages themselves and logging out stay reachable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        guarded = request.path.startswith(reverse("admin:index")) or getattr(view_func, "mfa_required", False)
        if not guarded or not access.must_use_mfa(user) or has_totp(user):
            return None
        url = reverse("mfa_activate_totp")
        return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
