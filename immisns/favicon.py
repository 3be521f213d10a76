"""/favicon.ico: browsers ask for it on every page whatever the page links; ours, not a 404."""

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import FileResponse, Http404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

ICON = "favicon.ico"


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    # The source folder (development, tests), else what collectstatic gathered (production).
    found = finders.find(ICON)
    try:
        handle = open(found, "rb") if found else staticfiles_storage.open(ICON)
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, content_type="image/x-icon")
