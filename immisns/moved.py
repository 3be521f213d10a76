"""Addresses that moved, answered with a permanent redirect so bookmarks and links keep working."""

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse

# The admin pages of the models that left the moderation app, by model: the app they belong to now.
MODERATION_ADMIN_MOVED = {
    "allowedlinkdomain": "checks",
    "officialcontact": "checks",
    "publishedtext": "checks",
    "reply": "replies",
    "replydecision": "replies",
    "wordlist": "replies",
    "listeningstate": "replies",
    "listeningday": "replies",
    "queuevisit": "replies",
}


def moderation_admin(request, model: str, rest: str = ""):
    """/admin/moderation/<model>/<rest> → /admin/<checks or replies>/<model>/<rest>, with the same query."""
    app_label = MODERATION_ADMIN_MOVED.get(model)
    if app_label is None:
        raise Http404
    query = request.META.get("QUERY_STRING", "")
    url = f"{reverse('admin:index')}{app_label}/{model}/{rest}"
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
