"""{% load due %}: how long until a post is due, as the approval queue and the home page say it.

"in 12 min", "in 3 h 5 min", "in 2 days"; a post whose time has passed is
"overdue by 7 min" and marked, so a supervisor sees what to decide first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import template
from django.utils import timezone
from django.utils.translation import gettext, ngettext

register = template.Library()


@dataclass(frozen=True)
class Due:
    text: str
    overdue: bool
    soon: bool  # within the hour


def _span(seconds: float) -> str:
    minutes = max(1, int(seconds // 60))
    if minutes < 60:
        return gettext("%(minutes)d min") % {"minutes": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        if rest:
            return gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
        return gettext("%(hours)d h") % {"hours": hours}
    days = hours // 24
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


def due(at: dt.datetime, now: dt.datetime | None = None) -> Due:
    seconds = (at - (now or timezone.now())).total_seconds()
    if seconds <= 0:
        return Due(gettext("overdue by %(span)s") % {"span": _span(-seconds)}, overdue=True, soon=True)
    return Due(gettext("in %(span)s") % {"span": _span(seconds)}, overdue=False, soon=seconds < 3600)


@register.simple_tag
def due_in(at: dt.datetime) -> Due:
    return due(at)
