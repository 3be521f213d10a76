from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepliesConfig(AppConfig):
    """What the public writes to the accounts and what is decided on it (§7); it sits above posts."""

    name = "replies"
    verbose_name = _("Replies and comments")
