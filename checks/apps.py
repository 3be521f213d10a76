from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecksConfig(AppConfig):
    """How a text is checked before it is published (§5): it sits below posts and imports nothing above it."""

    name = "checks"
    verbose_name = _("Content checks")
