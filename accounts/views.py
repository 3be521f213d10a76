from django.contrib.auth.views import redirect_to_login
from django.views.decorators.http import require_safe


@require_safe
def admin_login(request):
    """The admin's own password form would skip the second factor: use ours."""
    return redirect_to_login(request.GET.get("next", "/admin/"))
