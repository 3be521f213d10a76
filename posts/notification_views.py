"""/notifications/: what the console told a person, newest first, and their choice of e-mails per kind.

Opening the page marks what it shows as read (the header's count goes to
zero); the form below it saves, per kind, whether an e-mail is sent as well.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from posts.models import Notification, NotificationChoice

SHOWN = 50


class EmailChoicesForm(forms.Form):
    """One checkbox per kind: "also by e-mail"."""

    def __init__(self, *args, chosen: dict[str, bool], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Notification.Kind.choices:
            self.fields[kind] = forms.BooleanField(label=label, required=False, initial=chosen.get(kind, True))


@require_http_methods(["GET", "POST"])
@login_required
def notifications_page(request):
    user = request.user
    chosen = dict(NotificationChoice.objects.filter(user=user).values_list("kind", "email"))
    form = EmailChoicesForm(request.POST or None, chosen=chosen)
    if request.method == "POST" and form.is_valid():
        for kind, _label in Notification.Kind.choices:
            NotificationChoice.objects.update_or_create(
                user=user, kind=kind, defaults={"email": form.cleaned_data[kind]}
            )
        messages.success(request, _("Your e-mail choices were saved."))
        return redirect("notifications")
    shown = list(Notification.objects.filter(recipient=user).select_related("post", "account")[:SHOWN])
    unread = [n.pk for n in shown if n.read_at is None]
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(
        request,
        "posts/notifications.html",
        {"notifications": shown, "unread": set(unread), "form": form, "unread_notifications": 0},
    )
