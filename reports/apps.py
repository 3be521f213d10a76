from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """What posts achieved, how accounts grow, and the monthly report; it sits on top and nothing imports it."""

    name = "reports"
    verbose_name = _("Reach and reports")
