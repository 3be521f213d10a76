from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts import access
from accounts.models import SandboxDelivery
from immisns.redirects import next_or


@require_safe
def admin_login(request):
    """The admin's own password form would skip the second factor: use ours.

    Someone signed in who is not staff would be sent to sign in, straight back to
    the admin and here again, for ever: they go home and are told why.
    """
    if request.user.is_authenticated and not request.user.is_staff:
        messages.error(request, _("The administration pages are for administrators only."))
        return redirect("home")
    return redirect_to_login(next_or(request, "/admin/"))


@require_safe
@login_required
def sandbox_delivery(request, pk: int):
    """What the sandbox adapter "published", for those who may see the account."""
    delivery = get_object_or_404(SandboxDelivery.objects.select_related("account"), pk=pk)
    if not access.can_view_account(request.user, delivery.account):
        raise Http404
    return render(request, "accounts/sandbox.html", {"delivery": delivery})


@require_safe
@login_required
def help_page(request):
    """A short guide per role; the sections for the person's own roles come first and open."""
    user = request.user
    roles = {
        "composing": access.accounts_draftable_by(user).exists(),
        "approving": access.can_approve_anything(user),
        "moderating": access.accounts_draftable_by(user).exists() or access.can_approve_anything(user),
        "administering": access.is_administrator(user),
    }
    order = sorted(roles, key=lambda role: not roles[role])  # theirs first, the others after, for reference
    return render(request, "accounts/help.html", {"sections": [(role, roles[role]) for role in order]})
