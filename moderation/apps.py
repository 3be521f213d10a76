"""The history of the tables' first home.

The content checks (now the checks app) and the replies from the public (now
the replies app) were one app, moderation, whose migrations created their
tables. It holds no code and no models any more; it stays installed so that
a fresh database still gets the tables from its migrations, which stay frozen
(0009 hands the models to checks and replies). The tables keep their names
(moderation_*).
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")
