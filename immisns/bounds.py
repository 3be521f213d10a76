"""What the console accepts from an address before it reaches Python's datetime or the database.

Dates and years are kept within 2000–2100, as every form here does: a year
0001 or 9999 is a real `date` in Python, but a day before or after it, or its
conversion to UTC, overflows (a 500), and PostgreSQL refuses years beyond its
own range. A NUL byte is refused before any view: PostgreSQL cannot hold one
in a text value, so a NUL in a path or a parameter that reached a query would
be an error on one database and a miss on the other.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib.admin.views.main import ERROR_FLAG
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def within_years(value: dt.date | dt.datetime | None) -> bool:
    """A date or time the console can compute with (None is "not given", not out of range)."""
    return value is None or EARLIEST_YEAR <= value.year <= LATEST_YEAR


class BoundedDateField(forms.DateField):
    """A date from 2000 to 2100; any other is not a valid date here (Django's own message)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not within_years(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", ""):
        return True
    # The query string is still percent-encoded: %00 is seen once decoded.
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())


# The admin's date filters and date hierarchy put a date's parts in the address (date__year=2026,
# scheduled_at__gte=2026-12-01); Django turns them into dates without bounding them.
PART_RANGES = {"year": (EARLIEST_YEAR, LATEST_YEAR), "month": (1, 12), "day": (1, 31)}
LEADING_YEAR = re.compile(r"\s*([+-]?\d+)-")


def admin_lookup_out_of_range(name: str, value: str) -> bool:
    """An admin list filter naming a year, month or day, or a date, that no calendar here computes."""
    part = name.rsplit("__", 1)[-1]
    if part in PART_RANGES:
        try:
            number = int(value)
        except ValueError:
            return False  # not a number: the admin says the filter is wrong on its own
        low, high = PART_RANGES[part]
        return not low <= number <= high
    year = LEADING_YEAR.match(value)
    return year is not None and not EARLIEST_YEAR <= int(year.group(1)) <= LATEST_YEAR


class BoundedAddressMiddleware:
    """A NUL anywhere in the address is a 400 before any view or query sees it (both databases alike);
    an admin list filtered by a date beyond 2000–2100 is shown as the admin shows a filter it cannot use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return HttpResponseBadRequest(_("The address contains a character that is not allowed."))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or "admin" not in match.namespaces or not (match.url_name or "").endswith("_changelist"):
            return None
        if any(admin_lookup_out_of_range(name, value) for name, value in request.GET.items()):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return None
