from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts import access


@require_safe
@login_required
def home(request):
    memberships = request.user.memberships.select_related("office").order_by("office__sort_order")
    return render(request, "accounts/home.html", {
        "memberships": memberships,
        "draftable": access.accounts_draftable_by(request.user).order_by("platform", "sort_order"),
        "visible": access.accounts_visible_to(request.user).order_by("platform", "sort_order"),
        "is_administrator": access.is_administrator(request.user),
    })


@require_safe
def admin_login(request):
    """The admin's own password form would skip the second factor: use ours."""
    return redirect_to_login(request.GET.get("next", "/admin/"))
