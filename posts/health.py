"""How each account is doing: its state and why, what it last published, what comes next, what went wrong.

The account page reads one account; the dashboard's health card reads every
account a person may see. Both ask account_health(), which answers for any
number of accounts in the same few queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import access, connections
from accounts.models import AccountConnection, AccountStateChange, ClosureDay, OfficeHours, SocialAccount
from posts import footer, office_hours
from posts.models import Footer, PostEvent, PostTarget

T = PostTarget.State
State = SocialAccount.State

# An account that has published nothing for this long is worth a look (and so is one that never did).
QUIET = dt.timedelta(days=30)
# Failures and unconfirmed attempts are counted over the same stretch.
RECENT = dt.timedelta(days=30)
WEEKS = 26  # the account page's chart of posts per week
CLOSURES_AHEAD = 60  # days ahead the account page lists closures and holidays
CLOSURES_LISTED = 5

# Worst first on the health card.
NEEDS_REAUTH, PAUSED, NEEDS_A_PERSON, QUIET_RANK = 4, 3, 2, 1


@dataclass
class AccountHealth:
    account: SocialAccount
    now: dt.datetime
    last_published_at: dt.datetime | None = None
    next_due_at: dt.datetime | None = None
    waiting_for_a_person: int = 0  # failed or unconfirmed targets now
    failed_recently: int = 0  # targets that failed in the last 30 days (retried since or not)
    unconfirmed_recently: int = 0  # targets whose outcome was unknown in the last 30 days
    state_change: AccountStateChange | None = None  # the change that put the account in its state
    connection: AccountConnection | None = None  # its latest connection; read for the health card only

    @property
    def days_since_published(self) -> int | None:
        if self.last_published_at is None:
            return None
        return max(0, (self.now - self.last_published_at).days)

    @property
    def not_started(self) -> bool:
        """Never published: a new account (or one never connected), not one that fell silent."""
        return self.last_published_at is None

    @property
    def quiet(self) -> bool:
        """Published before, but nothing for 30 days."""
        return self.last_published_at is not None and self.now - self.last_published_at >= QUIET

    @property
    def state_since(self) -> dt.datetime | None:
        return self.state_change.at if self.state_change else None

    @property
    def days_in_state(self) -> int | None:
        return max(0, (self.now - self.state_change.at).days) if self.state_change else None

    @property
    def rank(self) -> int:
        """How bad it is: 0 for a healthy account; higher is worse."""
        if self.account.state == State.NEEDS_REAUTH:
            return NEEDS_REAUTH
        if self.account.state == State.PAUSED:
            return PAUSED
        if self.waiting_for_a_person:
            return NEEDS_A_PERSON
        if self.quiet:
            return QUIET_RANK
        return 0

    @property
    def has_problem(self) -> bool:
        return self.rank > 0

    def sort_key(self):
        # Worst kind first; then the longest in that state, the most waiting, the longest quiet.
        since = self.state_since or self.now
        quiet_since = self.last_published_at or dt.datetime.min.replace(tzinfo=dt.UTC)
        return (
            -self.rank,
            since,
            -self.waiting_for_a_person,
            quiet_since,
            self.account.platform,
            self.account.sort_order,
            self.account.handle,
        )


def account_health(accounts, *, now: dt.datetime | None = None) -> list[AccountHealth]:
    """The health of each account given (a queryset or list): two queries, three when one is stopped, whatever their number."""
    now = now or timezone.now()
    accounts = list(accounts)
    if not accounts:
        return []
    ids = [account.pk for account in accounts]
    # One row per account, each figure an index probe (target_state_account_published,
    # target_state_account_due) rather than a pass over three years of the account's targets.
    targets = PostTarget.objects.filter(account=OuterRef("pk")).order_by()
    found = {
        row["pk"]: row
        for row in SocialAccount.objects.filter(pk__in=ids)
        .annotate(
            last_published_at=Subquery(
                targets.filter(state=T.PUBLISHED, published_at__isnull=False)
                .order_by("-published_at")
                .values("published_at")[:1]
            ),
            next_due_at=Subquery(
                targets.filter(state__in=[T.SCHEDULED, T.PUBLISHING], due_at__isnull=False)
                .order_by("due_at")
                .values("due_at")[:1]
            ),
            waiting_for_a_person=Coalesce(
                Subquery(
                    targets.filter(state__in=[T.FAILED, T.UNCONFIRMED])
                    .values("account")
                    .annotate(n=Count("*"))  # not the id: the index (state, account, due) answers alone
                    .values("n")
                ),
                0,
            ),
        )
        .values("pk", "last_published_at", "next_due_at", "waiting_for_a_person")
        .order_by()
    }
    recent: dict[tuple[int, str], int] = {
        (row["target__account_id"], row["action"]): row["targets"]
        for row in (
            PostEvent.objects.filter(
                action__in=[PostEvent.Action.FAIL, PostEvent.Action.UNCONFIRMED],
                at__gte=now - RECENT,
                target__account_id__in=ids,
            )
            .values("target__account_id", "action")
            .annotate(targets=Count("target_id", distinct=True))
            .order_by()
        )
    }
    stopped = [account.pk for account in accounts if account.state != State.ACTIVE]
    changes: dict[int, AccountStateChange] = {}
    if stopped:
        # Newest first: the first change per account into its current state is the one in force.
        current = {account.pk: account.state for account in accounts}
        for change in AccountStateChange.objects.filter(account_id__in=stopped).select_related("actor"):
            if change.account_id not in changes and change.to_state == current[change.account_id]:
                changes[change.account_id] = change
    health = []
    for account in accounts:
        row = found.get(account.pk, {})
        health.append(
            AccountHealth(
                account=account,
                now=now,
                last_published_at=row.get("last_published_at"),
                next_due_at=row.get("next_due_at"),
                waiting_for_a_person=row.get("waiting_for_a_person", 0),
                failed_recently=recent.get((account.pk, PostEvent.Action.FAIL), 0),
                unconfirmed_recently=recent.get((account.pk, PostEvent.Action.UNCONFIRMED), 0),
                state_change=changes.get(account.pk),
            )
        )
    return health


def _with_connections(shown: list[AccountHealth]) -> list[AccountHealth]:
    """Who connected each account shown and what the platform confirmed, where a connection matters (it
    has tokens, or needs new ones): one query for all of them, none when no account shown has any."""
    connected = [h.account for h in shown if h.account.has_credentials or h.account.state == State.NEEDS_REAUTH]
    found = connections.last_connections(connected)
    for h in shown:
        h.connection = found.get(h.account.pk)
    return shown


# The home page shows this many of the worst, and every stopped account (paused, needs re-authorisation) beyond.
CARD_SHOWN = 5


@dataclass
class HealthCard:
    """The home page's health card: the worst few first, how many more, and how many have not started."""

    shown: list[AccountHealth]
    total: int  # accounts with a problem or quiet for 30 days
    not_started: int  # never published: neither a problem nor silence

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


def health_card(accounts, *, show_all: bool = False, now: dt.datetime | None = None) -> HealthCard:
    health = account_health(accounts, now=now)
    problems = sorted((h for h in health if h.has_problem), key=AccountHealth.sort_key)
    shown = problems if show_all else [h for n, h in enumerate(problems) if n < CARD_SHOWN or h.rank >= PAUSED]
    return HealthCard(
        shown=_with_connections(shown),
        total=len(problems),
        not_started=sum(1 for h in health if h.not_started and not h.has_problem),
    )


# --- One account's page ---------------------------------------------------------------------------


def account_for_page(user, handle: str, platform: str = "") -> SocialAccount | None:
    """The account with this handle (any case) if the user may see it, else None (the page answers 404).

    Handles are unique per platform; should X and Facebook share one, the
    platform listed first (X) comes first unless ?platform= says otherwise.
    """
    accounts = access.accounts_visible_to(user).filter(handle__iexact=handle)
    if platform:
        accounts = accounts.filter(platform=platform)
    found = sorted(accounts, key=lambda account: SocialAccount.Platform.values.index(account.platform))
    return found[0] if found else None


def last_published(account: SocialAccount) -> PostTarget | None:
    return (
        account.post_targets.filter(state=T.PUBLISHED)
        .exclude(published_at=None)
        .select_related("post")
        .order_by("-published_at", "-id")
        .first()
    )


def next_scheduled(account: SocialAccount) -> PostTarget | None:
    return (
        account.post_targets.filter(state__in=[T.SCHEDULED, T.PUBLISHING])
        .select_related("post")
        .order_by("due_at", "id")
        .first()
    )


def footer_in_force(account: SocialAccount) -> Footer | None:
    return footer.footer_for(account)


def footer_words(found: Footer | None) -> str:
    """The footer's words as they go out (the policy's address filled in)."""
    return footer.footer_text(found) if found else ""


@dataclass
class Closure:
    date: dt.date
    reason: str


@dataclass
class Hours:
    """An office's weekday windows and the coming days its counter is closed beyond weekends."""

    weekdays: list[tuple[str, list[str]]] = field(default_factory=list)  # (weekday, ["09:00–16:00", …])
    closures: list[Closure] = field(default_factory=list)


def office_hours_of(office, *, now: dt.datetime | None = None) -> Hours:
    """Counter hours per weekday, and the next closure days and holidays (weekends left out)."""
    today = (now or timezone.now()).astimezone(office_hours.JST).date()
    windows: dict[int, list[str]] = {}
    for row in OfficeHours.objects.filter(office=office).order_by("weekday", "opens"):
        windows.setdefault(row.weekday, []).append(f"{row.opens:%H:%M}–{row.closes:%H:%M}")
    weekdays = [(str(OfficeHours.Weekday(day).label), windows.get(day, [])) for day in OfficeHours.Weekday.values]
    last = today + dt.timedelta(days=CLOSURES_AHEAD)
    recorded = {}
    for day, office_id, reason in ClosureDay.objects.filter(
        Q(office=office) | Q(office__isnull=True),
        date__range=(today, last),
    ).values_list("date", "office_id", "reason"):
        if office_id is not None or day not in recorded:  # the office's own reason wins
            recorded[day] = reason
    closures: list[Closure] = []
    for offset in range(CLOSURES_AHEAD + 1):
        day = today + dt.timedelta(days=offset)
        holiday = office_hours.holiday_name(day)
        # A run of closed days (12/29–1/3) is listed whole, past the usual count: a list that ends on 1/2
        # reads as if the counter opened on Sunday 1/3.
        in_run = bool(closures) and closures[-1].date == day - dt.timedelta(days=1)
        if len(closures) >= CLOSURES_LISTED and not in_run:
            break
        if day in recorded:
            closures.append(Closure(day, recorded[day]))
        elif holiday and holiday not in office_hours.WEEKEND_NAMES.values():
            closures.append(Closure(day, office_hours.in_reader_language(holiday)))
        elif len(closures) >= CLOSURES_LISTED:
            break
    return Hours(weekdays=weekdays, closures=closures)
