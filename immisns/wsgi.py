import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "immisns.settings")
application = get_wsgi_application()


def freeze_what_is_loaded() -> None:
    """Keep what every request uses (Django, the apps, the URL table) out of the garbage collector's full passes.

    Those objects live as long as the process; left in, each full pass walks
    them all again, and the request it lands on waits tens of milliseconds.
    Called once per web worker, before its first request.
    """
    from django.urls import get_resolver

    _ = get_resolver().url_patterns  # reading the URL table imports every view module
    gc.collect()
    gc.freeze()


freeze_what_is_loaded()
