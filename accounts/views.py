from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from accounts import access
from accounts.models import SandboxDelivery
from immisns.redirects import next_or


@require_safe
def admin_login(request):
    """The admin's own password form would skip the second factor: use ours."""
    return redirect_to_login(next_or(request, "/admin/"))


@require_safe
@login_required
def sandbox_delivery(request, pk: int):
    """What the sandbox adapter "published", for those who may see the account."""
    delivery = get_object_or_404(SandboxDelivery.objects.select_related("account"), pk=pk)
    if not access.can_view_account(request.user, delivery.account):
        raise Http404
    return render(request, "accounts/sandbox.html", {"delivery": delivery})
