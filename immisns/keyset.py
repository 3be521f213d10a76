"""Keyset (cursor) pagination for lists that grow for years: posts, the approval and moderation queues, the audit log.

An offset (``LIMIT 50 OFFSET 40000``) makes the database read and throw away
every row before the page; a keyset page asks for the rows after (or before)
the last one shown, ``WHERE (scheduled_at, id) < (:t, :id) ORDER BY … LIMIT
51``, which an index on the ordering answers by reading 51 rows wherever the
page is. Rows added or removed meanwhile never shift a page, so paging
through a list shows each row once.

The ordering must end with a unique column (``id``), its columns must not be
NULL, and all must go the same way (all ascending or all descending).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet

# Django's row comparisons (its composite keys use them): ROW(a, b) <= ROW(x, y) on PostgreSQL, OR elsewhere.
# django-stubs does not describe this module yet.
from django.db.models.fields.tuple_lookups import (  # type: ignore[import-untyped]
    TupleGreaterThanOrEqual,
    TupleLessThanOrEqual,
)

from immisns.bounds import within_years

AFTER = "after"
BEFORE = "before"
CURSOR_MAX = 300  # characters: ours are under 120; anything longer is not worth decoding


@dataclass
class Page:
    items: list
    next_cursor: str | None  # the rows after the last item
    previous_cursor: str | None  # the rows before the first item
    params: dict  # the request's other query parameters, kept in the links

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)

    def _query(self, key: str, cursor: str | None) -> str:
        return "?" + urlencode({**self.params, key: cursor}) if cursor else ""

    @property
    def next_query(self) -> str:
        return self._query(AFTER, self.next_cursor)

    @property
    def previous_query(self) -> str:
        return self._query(BEFORE, self.previous_cursor)

    @property
    def first_query(self) -> str:
        return "?" + urlencode(self.params) if self.params else "?"


def _fields(queryset: QuerySet, ordering: tuple[str, ...]) -> tuple[list, bool]:
    descending = {name.startswith("-") for name in ordering}
    if len(descending) != 1:
        raise ValueError("A keyset ordering goes one way: all ascending or all descending.")
    names = [name.lstrip("-") for name in ordering]
    fields = [queryset.model._meta.get_field(name) for name in names]
    if not fields[-1].unique:
        raise ValueError("A keyset ordering must end with a unique column.")
    return fields, descending.pop()


def encode(values: list) -> str:
    raw = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(token: str, fields: list) -> list | None:
    """The cursor's values, or None when it is not one of ours (a stale or edited link)."""
    if len(token) > CURSOR_MAX:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(raw, list) or len(raw) != len(fields):
            return None
        # An ordering's columns are never NULL (above); clean() refuses an id beyond the column's range.
        if None in raw:
            return None
        values = [field.clean(value, None) for field, value in zip(fields, raw, strict=True)]
    except (ValueError, TypeError, OverflowError, ValidationError):
        return None
    # A time at the ends of the calendar (year 1 or 9999) overflows once turned to UTC or compared.
    if not all(within_years(value) for value in values if isinstance(value, dt.date)):
        return None
    return values


def _beyond(fields: list, values: list, *, greater: bool) -> Q:
    """Rows strictly beyond `values` in the row order: (a, b) > (va, vb), or < when not greater.

    On PostgreSQL a row comparison, which an index with the ordering's
    columns in the same order (or all reversed) takes whole as the start of
    its range scan: a page reads its own rows however deep it is, even when
    the first column has few values (a flag). It is written ``(a, b) <= (va,
    vb)`` without the cursor's own row (its last column is unique) because
    PostgreSQL estimates a row comparison by its first column alone: past the
    last value of that column a strict ``a < va`` estimates no row at all, and
    the planner would then walk the index for a search that a text index
    answers at once. Where the database has no row comparison (SQLite) Django
    spells it out with OR; the bound on the first column alone (``a <= va``)
    lets an index serve a range there.
    """
    lookup, first = (TupleGreaterThanOrEqual, "gte") if greater else (TupleLessThanOrEqual, "lte")
    names = [field.attname for field in fields]
    return (
        Q(**{f"{names[0]}__{first}": values[0]})
        & lookup(tuple(F(name) for name in names), tuple(values))
        & ~Q(**{names[-1]: values[-1]})
    )


def paginate(queryset: QuerySet, *, ordering: tuple[str, ...], params, size: int = 50) -> Page:
    """The page of `queryset` in `ordering` that the request's ``after`` or ``before`` cursor names.

    `params` is the request's query (request.GET); without a cursor (or with
    one that does not decode) this is the first page.
    """
    fields, descending = _fields(queryset, ordering)
    kept = {key: value for key, value in params.items() if key not in (AFTER, BEFORE)}
    after = decode(params[AFTER], fields) if params.get(AFTER) else None
    before = decode(params[BEFORE], fields) if params.get(BEFORE) and after is None else None
    forward = [f"-{f.attname}" if descending else f.attname for f in fields]
    backward = [f.attname if descending else f"-{f.attname}" for f in fields]

    if before is not None:
        rows = list(queryset.filter(_beyond(fields, before, greater=descending)).order_by(*backward)[: size + 1])
        more_before = len(rows) > size
        items = list(reversed(rows[:size]))
        has_previous, has_next = more_before, True
    else:
        base = queryset if after is None else queryset.filter(_beyond(fields, after, greater=not descending))
        rows = list(base.order_by(*forward)[: size + 1])
        items = rows[:size]
        has_previous, has_next = after is not None, len(rows) > size

    def cursor(item) -> str:
        return encode([getattr(item, f.attname) for f in fields])

    return Page(
        items=items,
        next_cursor=cursor(items[-1]) if items and has_next else None,
        previous_cursor=cursor(items[0]) if items and has_previous else None,
        params=kept,
    )
