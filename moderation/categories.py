"""The nine kinds of post the operating policy prohibits in what the public writes (§7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProhibitedAct(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("Personal data of others")
    DEFAMATION = "defamation", _("Defamation or insult")
    IP_INFRINGEMENT = "ip_infringement", _("Infringement of intellectual property")
    ILLEGAL = "illegal", _("Illegal or harmful content")
    IMPERSONATION = "impersonation", _("Impersonation")
    ADVERTISING = "advertising", _("Advertising or spam")
    TAMPERING = "tampering", _("Tampering with posts")
    OFF_TOPIC = "off_topic", _("Off topic")
    OTHER = "other", _("Other")
