"""The console's own "Page not found" page, also when DEBUG is on (the demo).

Django answers a 404 under DEBUG with its technical page, which lists the
URL table; in the demo people should meet the page they would meet in
production. Only 404s Django itself produces are replaced: an Http404 raised
by a view, and an address no URL matches.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render


def _own_page(request):
    return render(request, "404.html", status=404)


class OwnNotFoundPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            return _own_page(request)  # no URL matched: Django's technical page otherwise
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return _own_page(request)
        return None
