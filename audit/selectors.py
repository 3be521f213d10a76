"""The audit log: every record of every source, read as one time-ordered stream.

Sources, each already append-only where it is written:

    1 posts.PostEvent             post and target transitions (with the engine's data)
    2 accounts.AccountStateChange pause, resume, re-authorisation of an account
    3 posts.Footer                each footer version
    4 posts.PublishingSwitch      stopping and resuming all publishing
    5 audit.AuditEvent            memberships, office hours, closure days, account
                                  settings, sign-ins, second-factor changes
    6 accounts.AccountConnection  connecting, re-authorising and disconnecting an account
                                  (who, and the identity the platform confirmed)
    7 replies.ReplyDecision       every decision on a reply, the system's and people's
                                  (flag, hide, show again, confirm, delete, ban)

Why a UNION ALL rather than copying everything into one table: the sources
stay the only record (nothing to keep in step, nothing to backfill, the engine's
bulk writes need no second write), and the log is still one query. Each source
becomes a values() queryset (post events two: those of a target and the post-wide ones) with the same columns (the `COLUMNS` below); the
scope, the filters and the keyset bound are applied to each part before the
UNION ALL, so the database reads only matching rows from each table's index
and the page asks one query (plus the office and account names, once). The
export iterates the same query with a server-side cursor (.iterator), so a
year of events streams through without being held in memory.

The stream is ordered by (at, source, id), newest first; (source, id) makes
every row unique, so keyset pages (immisns.keyset's idea, with a three-part
cursor) never repeat or skip a row.

Scope (accounts.access): administrators read everything. Everyone else reads
the records of the offices they may see (a poster their own office, a
supervisor or viewer their subtree): post events on those offices' accounts
(a post-level event when they may see the post), those accounts' state
changes and footers, and the memberships, office hours, closure days and
account settings of those offices, and the decisions on those accounts'
replies. Records of no office: the publishing switch,
the platform footers and closure days of every office concern everyone, so
everyone with a role sees them; sign-ins and second-factor changes only the
administrators and the person themselves.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts import access
from accounts.models import AccountConnection, AccountStateChange
from audit.models import AuditEvent
from immisns import keyset
from posts.models import Footer, Post, PostEvent, PostTarget, PublishingSwitch
from replies.models import ReplyDecision

POST, ACCOUNT_STATE, FOOTER, PUBLISHING, RECORD, CONNECTION, MODERATION = 1, 2, 3, 4, 5, 6, 7
SOURCE_NAMES = {
    POST: "post",
    ACCOUNT_STATE: "account_state",
    FOOTER: "footer",
    PUBLISHING: "publishing",
    RECORD: "record",
    CONNECTION: "account_connection",
    MODERATION: "moderation",
}

# The kinds a person filters by: a whole source, or a family of audit.AuditEvent kinds.
KIND_SOURCES = {
    "post": POST,
    "account_state": ACCOUNT_STATE,
    "footer": FOOTER,
    "publishing": PUBLISHING,
    "membership": RECORD,
    "office_hours": RECORD,
    "closure_day": RECORD,
    "social_account": RECORD,
    "login": RECORD,
    "mfa": RECORD,
    "account_connection": CONNECTION,
    "moderation": MODERATION,
}
# Records of no office that concern every office (seen by everyone with a role).
SHARED_KINDS = ("closure_day.added", "closure_day.changed", "closure_day.removed")

COLUMNS = (
    "a_src",
    "a_pk",
    "a_at",
    "a_actor_id",
    "a_actor",
    "a_action",
    "a_object_type",
    "a_object_id",
    "a_office_id",
    "a_account_id",
    "a_before",
    "a_after",
    "a_data",
    "a_note",
    "a_number",
)
PAGE_SIZE = 50
EXPORT_CHUNK = 2000
FIRST_CHUNK = 100


def _none_int():
    return Value(None, output_field=IntegerField())


def _text(value: str = ""):
    return Value(value, output_field=TextField())


def _columns(src: int, **columns) -> dict:
    """The common columns in their one order; every source names all of them."""
    columns = {"a_src": Value(src, output_field=IntegerField()), **columns}
    return {name: columns[name] for name in COLUMNS}


@dataclass(frozen=True)
class Filters:
    since: dt.datetime | None = None
    until: dt.datetime | None = None  # exclusive
    office_ids: frozenset[int] | None = None
    account_id: int | None = None
    person: str = ""
    # The ids of the people `person` names, looked up once by _parts (people_named).
    person_ids: tuple[int, ...] = ()
    kind: str = ""
    object_id: int | None = None  # the object's number as the log shows it, in every source
    # Of reply decisions only: a set category or rule leaves every other source out.
    category: str = ""
    rule: str = ""


def _post_events(user, scope, filters: Filters):
    """Two parts: the events of a target, and the post-wide ones (no target), each with its own scope.

    Kept apart rather than joined by OR: under an OR, PostgreSQL turns the post-wide
    events' EXISTS into a hashed subplan built from every visible post before the first
    row (2 s for a viewer at 100,000 posts); alone, each part walks the (at, id) index
    and stops at a page.
    """
    of_targets = PostEvent.objects.filter(target__isnull=False)
    post_wide = PostEvent.objects.filter(target__isnull=True)
    if not scope.administrator:
        of_targets = of_targets.filter(target__account_id__in=scope.account_ids(scope.see))
        # The GROUP BY … HAVING keeps the post's visibility asked row by row (as in access.posts_visible_to):
        # a plain EXISTS may still be hashed over every visible post for each chunk of an export.
        post_visible = (
            access.posts_visible_to(user, Post.objects.filter(pk=OuterRef("post_id")))
            .values("pk")
            .annotate(rows=Count("pk"))
            .filter(rows__gt=0)
        )
        post_wide = post_wide.filter(Exists(post_visible))

    def on_accounts(lookup: str, value: object) -> None:
        """Events of a target matching ``lookup``, or of a post with such a target (post-wide events)."""
        nonlocal of_targets, post_wide
        of_targets = of_targets.filter(**{f"target__{lookup}": value})
        post_wide = post_wide.filter(Exists(PostTarget.objects.filter(post=OuterRef("post_id"), **{lookup: value})))

    if filters.office_ids is not None:
        on_accounts("account__office_id__in", filters.office_ids)
    if filters.account_id is not None:
        on_accounts("account_id", filters.account_id)
    columns = _columns(
        POST,
        a_pk=F("id"),
        a_at=F("at"),
        a_actor_id=F("actor_id"),
        a_actor=F("actor__username"),
        a_action=F("action"),
        a_object_type=_text("post"),
        a_object_id=F("post_id"),
        a_office_id=F("target__account__office_id"),
        a_account_id=F("target__account_id"),
        a_before=F("from_state"),
        a_after=F("to_state"),
        a_data=Cast("data", TextField()),
        a_note=F("comment"),
        a_number=F("target_id"),
    )
    return [(events, "at", "actor", columns) for events in (of_targets, post_wide)]


def _state_changes(user, scope, filters: Filters):
    changes = AccountStateChange.objects.all()
    if not scope.administrator:
        changes = changes.filter(account_id__in=scope.account_ids(scope.see))
    if filters.office_ids is not None:
        changes = changes.filter(account__office_id__in=filters.office_ids)
    if filters.account_id is not None:
        changes = changes.filter(account_id=filters.account_id)
    return (
        changes,
        "at",
        "actor",
        _columns(
            ACCOUNT_STATE,
            a_pk=F("id"),
            a_at=F("at"),
            a_actor_id=F("actor_id"),
            a_actor=F("actor__username"),
            a_action=_text("state"),
            a_object_type=_text("social_account"),
            a_object_id=F("account_id"),
            a_office_id=F("account__office_id"),
            a_account_id=F("account_id"),
            a_before=F("from_state"),
            a_after=F("to_state"),
            a_data=_text(""),
            a_note=F("reason"),
            a_number=_none_int(),
        ),
    )


def _footers(user, scope, filters: Filters):
    footers = Footer.objects.all()
    if not scope.administrator:
        footers = footers.filter(Q(account__isnull=True) | Q(account_id__in=scope.account_ids(scope.see)))
    if filters.office_ids is not None:
        footers = footers.filter(account__office_id__in=filters.office_ids)
    if filters.account_id is not None:
        footers = footers.filter(account_id=filters.account_id)
    return (
        footers,
        "created_at",
        "created_by",
        _columns(
            FOOTER,
            a_pk=F("id"),
            a_at=F("created_at"),
            a_actor_id=F("created_by_id"),
            a_actor=F("created_by__username"),
            a_action=F("platform"),
            a_object_type=_text("footer"),
            a_object_id=F("id"),
            a_office_id=F("account__office_id"),
            a_account_id=F("account_id"),
            a_before=_text(""),
            a_after=_text(""),
            a_data=_text(""),
            a_note=F("text"),
            a_number=F("version"),
        ),
    )


def _switches(user, scope, filters: Filters):
    if filters.office_ids is not None or filters.account_id is not None:
        return None  # of no office: not part of one office's or account's log
    return (
        PublishingSwitch.objects.all(),
        "at",
        "actor",
        _columns(
            PUBLISHING,
            a_pk=F("id"),
            a_at=F("at"),
            a_actor_id=F("actor_id"),
            a_actor=F("actor__username"),
            a_action=_text("switch"),
            a_object_type=_text("publishing_switch"),
            a_object_id=F("id"),
            a_office_id=_none_int(),
            a_account_id=_none_int(),
            a_before=_text(""),
            a_after=_text(""),
            a_data=_text(""),
            a_note=F("reason"),
            a_number=Cast("paused", IntegerField()),
        ),
    )


def _records(user, scope, filters: Filters):
    records = AuditEvent.objects.all()
    if not scope.administrator:
        own = Q(office__isnull=True, actor_id=user.pk)
        if filters.person_ids:
            # Of one person (_by_person): the reader's own records of no office only if that person is the
            # reader; said so rather than repeated, as the planner counts a repeated condition twice.
            own = Q(office__isnull=True) if user.pk in filters.person_ids else Q(pk__in=[])
        records = records.filter(Q(office_id__in=scope.see) | Q(office__isnull=True, kind__in=SHARED_KINDS) | own)
    if filters.kind:
        records = records.filter(kind__startswith=f"{filters.kind}.")
    if filters.office_ids is not None:
        records = records.filter(office_id__in=filters.office_ids)
    if filters.account_id is not None:
        records = records.filter(account_id=filters.account_id)
    return (
        records,
        "at",
        "actor",
        _columns(
            RECORD,
            a_pk=F("id"),
            a_at=F("at"),
            a_actor_id=F("actor_id"),
            a_actor=F("actor_name"),
            a_action=F("kind"),
            a_object_type=F("object_type"),
            a_object_id=F("object_id"),
            a_office_id=F("office_id"),
            a_account_id=F("account_id"),
            a_before=Cast("before", TextField()),
            a_after=Cast("after", TextField()),
            a_data=Cast("data", TextField()),
            a_note=_text(""),
            a_number=_none_int(),
        ),
    )


def _connections(user, scope, filters: Filters):
    connections = AccountConnection.objects.all()
    if not scope.administrator:
        connections = connections.filter(account_id__in=scope.account_ids(scope.see))
    if filters.office_ids is not None:
        connections = connections.filter(account__office_id__in=filters.office_ids)
    if filters.account_id is not None:
        connections = connections.filter(account_id=filters.account_id)
    return (
        connections,
        "at",
        "actor",
        _columns(
            CONNECTION,
            a_pk=F("id"),
            a_at=F("at"),
            a_actor_id=F("actor_id"),
            a_actor=F("actor__username"),
            a_action=F("kind"),
            a_object_type=_text("social_account"),
            a_object_id=F("account_id"),
            a_office_id=F("account__office_id"),
            a_account_id=F("account_id"),
            a_before=F("method"),
            a_after=F("identity_handle"),
            a_data=F("identity_id"),
            a_note=F("identity_name"),
            a_number=_none_int(),
        ),
    )


def _reply_decisions(user, scope, filters: Filters):
    """Reply decisions, scoped by the reply's account; the reply is named by its id, its text never copied."""
    decisions = ReplyDecision.objects.all()
    if not scope.administrator:
        decisions = decisions.filter(reply__account_id__in=scope.account_ids(scope.see))
    if filters.office_ids is not None:
        decisions = decisions.filter(reply__account__office_id__in=filters.office_ids)
    if filters.account_id is not None:
        decisions = decisions.filter(reply__account_id=filters.account_id)
    if filters.category:
        decisions = decisions.filter(category=filters.category)
    if filters.rule:
        # "personal_data" finds every personal-data rule, "personal_data:passport" the one.
        decisions = decisions.filter(Q(rule=filters.rule) | Q(rule__startswith=f"{filters.rule}:"))
    return (
        decisions,
        "at",
        "actor",
        _columns(
            MODERATION,
            a_pk=F("id"),
            a_at=F("at"),
            a_actor_id=F("actor_id"),
            a_actor=F("actor__username"),
            a_action=F("action"),
            a_object_type=_text("reply"),
            a_object_id=F("reply_id"),
            a_office_id=F("reply__account__office_id"),
            a_account_id=F("reply__account_id"),
            # The category and the rule ride in before/after (Entry reads them back into data).
            a_before=F("category"),
            a_after=F("rule"),
            a_data=Cast("data", TextField()),
            a_note=F("reason"),
            a_number=_none_int(),
        ),
    )


SOURCES = (
    (POST, _post_events),
    (ACCOUNT_STATE, _state_changes),
    (FOOTER, _footers),
    (PUBLISHING, _switches),
    (RECORD, _records),
    (CONNECTION, _connections),
    (MODERATION, _reply_decisions),
)


def _beyond(src: int, cursor: tuple, *, older: bool, at: str) -> Q:
    """This source's rows strictly after `cursor` in the stream's order (older = further down the page)."""
    when, cursor_src, cursor_pk = cursor
    strictly, or_equal, pk = ("lt", "lte", "lt") if older else ("gt", "gte", "gt")
    if (src < cursor_src) if older else (src > cursor_src):
        return Q(**{f"{at}__{or_equal}": when})
    if src == cursor_src:
        return Q(**{f"{at}__{or_equal}": when}) & (
            Q(**{f"{at}__{strictly}": when}) | Q(**{at: when, f"id__{pk}": cursor_pk})
        )
    return Q(**{f"{at}__{strictly}": when})


def people_named(name: str) -> list[int]:
    """The ids of the people whose user name is `name`, whatever its case (one query).

    Django's forms refuse a user name that differs from another only in case,
    but the column does not: every match is kept, usually one, none for a name
    nobody has (any more).
    """
    return list(get_user_model().objects.filter(username__iexact=name).order_by("pk").values_list("pk", flat=True))


def _by_person(src: int, queryset: QuerySet, actor: str, name: str, ids: list[int]) -> QuerySet:
    """The part's rows of the person the filter names (a source other than the records: ids are never empty).

    The name is resolved to ids once (people_named), so each part reads its
    (actor, at, id) index (audit/0005) from the newest row, never joining every
    row to its person. Audit records also keep the name as it was written:
    when nobody has the name now (a person deleted, or renamed since), the
    records written under it are found by their (upper(name), at, id) index.
    Not both at once: an OR of the two is read as a bitmap of every record of
    the person, sorted (800 pages read from disk for 1,700 records), where
    either alone stops at a page.
    """
    if src == RECORD and not ids:
        return queryset.filter(actor_name__iexact=name)
    return queryset.filter(**{f"{actor}_id__in": ids})


def _parts(user, filters: Filters) -> list[tuple[int, QuerySet, str, dict]]:
    """Each source's scoped, filtered rows: (source, queryset, its time field, its columns); [] if none."""
    if not access.can_view_audit_log(user):
        return []
    scope = access.scope_of(user)
    if filters.person:
        filters = dataclasses.replace(filters, person_ids=tuple(people_named(filters.person)))
    person_ids = list(filters.person_ids)
    parts = []
    for src, build in SOURCES:
        if filters.kind and KIND_SOURCES.get(filters.kind) != src:
            continue
        if (filters.category or filters.rule) and src != MODERATION:
            continue
        if filters.person and not person_ids and src != RECORD:
            continue  # nobody has the name now: only audit records can hold it (the name as it was)
        built = build(user, scope, filters)
        if built is None:
            continue
        # A source is one part, or several (post events: of a target, and post-wide).
        for queryset, at, actor, columns in built if isinstance(built, list) else [built]:
            if filters.since is not None:
                queryset = queryset.filter(**{f"{at}__gte": filters.since})
            if filters.until is not None:
                queryset = queryset.filter(**{f"{at}__lt": filters.until})
            if filters.person:
                queryset = _by_person(src, queryset, actor, filters.person, person_ids)
            if filters.object_id is not None:
                queryset = queryset.alias(a_object=columns["a_object_id"]).filter(a_object=filters.object_id)
            parts.append((src, queryset, at, columns))
    return parts


def audit_stream(
    *, user, filters: Filters, cursor: tuple | None = None, older: bool = True, limit: int | None = None
) -> QuerySet | None:
    """The scoped, filtered stream as one UNION ALL of values() querysets, newest first; None if empty.

    With a `limit` (a page), each part is ordered and cut to it before the UNION
    where the database allows (PostgreSQL), so each table's (at, id) index is
    read backwards for at most `limit` rows (audit/0003).
    """
    cut = limit is not None and connection.features.supports_slicing_ordering_in_compound
    parts = []
    for src, queryset, at, columns in _parts(user, filters):
        if cursor is not None:
            queryset = queryset.filter(_beyond(src, cursor, older=older, at=at))
        parts.append((queryset.order_by().values(**columns), (f"-{at}", "-id") if older else (at, "id")))
    if not parts:
        return None
    if len(parts) == 1:
        stream = parts[0][0]
    elif cut:
        stream = (
            parts[0][0]
            .order_by(*parts[0][1])[:limit]
            .union(*(part.order_by(*order)[:limit] for part, order in parts[1:]), all=True)
        )
    else:
        stream = parts[0][0].union(*(part for part, _order in parts[1:]), all=True)
    if older:
        return stream.order_by("-a_at", "-a_src", "-a_pk")
    return stream.order_by("a_at", "a_src", "a_pk")


def _in_index_order(chunk: QuerySet) -> list[dict]:
    """A chunk read along its (at, id) index, never sorted, on PostgreSQL.

    With a time filter, or near the start of the log, the planner expects few
    rows and prefers to hash-join every post target and sort the whole window
    behind the chunk, for each chunk: 1.2 s instead of 40 ms for 1,600 rows of
    a month's export (a supervisor's). The index gives the order; sorting is
    switched off for the chunk's own short transaction.

    (JIT compilation is off on every connection, immisns/settings.py: a scoped
    part's row-by-row visibility check made the planner's cost pass
    jit_above_cost, and each 2,000-row chunk of a supervisor's post-wide events
    spent 50 ms compiling to run 18 ms.)
    """
    if connection.vendor != "postgresql":
        return list(chunk)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        return list(chunk)


def _newest_first(src: int, queryset: QuerySet, at: str, columns: dict, chunk: int) -> Iterator[dict]:
    """One source's rows, newest first, a keyset chunk at a time: each query reads a chunk off its index.

    The first chunks are small, so that the first rows leave after a few
    milliseconds; they grow to `chunk`, so that a million rows are few queries.
    """
    cursor = None
    size = min(FIRST_CHUNK, chunk)
    while True:
        rows = queryset if cursor is None else queryset.filter(_beyond(src, cursor, older=True, at=at))
        page = _in_index_order(rows.order_by(f"-{at}", "-id").values(**columns)[:size])
        yield from page
        if len(page) < size:
            return
        cursor = (page[-1]["a_at"], src, page[-1]["a_pk"])
        size = min(size * 4, chunk)


def _stream_order(row: dict) -> tuple:
    return (row["a_at"], row["a_src"], row["a_pk"])


def audit_rows(*, user, filters: Filters, chunk: int = EXPORT_CHUNK) -> Iterator[dict]:
    """Every row of the stream, newest first, as audit_stream orders them, for the export.

    Not the UNION ALL: with no limit, the database must sort every row of
    every source before it sends the first (a million rows: seconds, and a
    sort spilled to disk). Here each source is read in its index's order in
    keyset chunks, and the ordered sources are merged as they come, so the
    first rows leave at once and memory holds a chunk per source. The sources
    are append-only and read newest first, so a row written during the
    export is never met (it is newer than every cursor), and none is skipped.
    """
    sources = [_newest_first(src, queryset, at, columns, chunk) for src, queryset, at, columns in _parts(user, filters)]
    return heapq.merge(*sources, key=_stream_order, reverse=True)


# --- Keyset pages over the stream -----------------------------------------------------------------


def _encode(row: dict) -> str:
    return keyset.encode([row["a_at"], row["a_src"], row["a_pk"]])


def _decode(token: str) -> tuple | None:
    """The cursor's (at, source, id), or None when it is not one of ours (a stale or edited link)."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        when, src, pk = raw
        when = parse_datetime(when)
        if when is None or timezone.is_naive(when) or not isinstance(src, int) or not isinstance(pk, int):
            return None
        return (when, src, pk)
    except (ValueError, TypeError):
        return None


def audit_page(*, user, filters: Filters, params, size: int = PAGE_SIZE):
    """One page of the stream (immisns.keyset.Page), as the request's `after`/`before` cursor names it."""
    kept = {key: value for key, value in params.items() if key not in (keyset.AFTER, keyset.BEFORE)}
    after = _decode(params[keyset.AFTER]) if params.get(keyset.AFTER) else None
    before = _decode(params[keyset.BEFORE]) if params.get(keyset.BEFORE) and after is None else None
    if before is not None:
        stream = audit_stream(user=user, filters=filters, cursor=before, older=False, limit=size + 1)
        rows = list(stream[: size + 1]) if stream is not None else []
        items = list(reversed(rows[:size]))
        has_previous, has_next = len(rows) > size, True
    else:
        stream = audit_stream(user=user, filters=filters, cursor=after, older=True, limit=size + 1)
        rows = list(stream[: size + 1]) if stream is not None else []
        items = rows[:size]
        has_previous, has_next = after is not None, len(rows) > size
    return keyset.Page(
        items=items,
        next_cursor=_encode(items[-1]) if items and has_next else None,
        previous_cursor=_encode(items[0]) if items and has_previous else None,
        params=kept,
    )


def day_bounds(since: dt.date | None, until: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """From the start of `since` to the end of `until`, as JST days."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=zone) if since else None
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone) if until else None
    return start, end
