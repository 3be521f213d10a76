"""Collection: poll each published post's figures and each account's followers, through the adapters.

The console sits on a closed network, so it polls (no webhooks): beat runs
collect_all every REACH_COLLECT_SECONDS and each account is collected by its
own task. Per account and UTC day:

- the followers once (AccountFigures), then the figures of each post published
  in the last REACH_POST_DAYS days not yet read that day (PostFigures), at most
  the adapter's batch at a time; every batch is stored in its own short
  transaction right after the platform answered, so a worker killed midway
  keeps what it read and the next run reads only what is missing;
- idempotent: one row per item and day (unique constraints, conflicts ignored);
  X bills the same object once per UTC day, so reading again after a kill costs
  nothing more;
- where the platform bills reads (capabilities ``bills_reads``) objects read and
  their estimated cost are counted in ReachDay, and the account stops for the
  day at REACH_X_DAILY_READ_BUDGET with the number of posts left unread, which
  the report names;
- Graph metrics refused as unknown (#100) are recorded as gone in ReachDay and
  not asked again; the account's other figures are kept;
- one collection per account at a time: a lease on ReachDay taken with a
  conditional UPDATE, which expires so a killed worker does not block the account.

Nothing here writes to a platform.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts import platforms
from accounts import services as account_services
from accounts.models import SocialAccount
from accounts.platforms.reach import FIGURES
from posts.models import PostTarget
from reports.models import AccountFigures, PostFigures, ReachDay

log = logging.getLogger(__name__)

BATCH = 100  # ids per read: the most X's post lookup takes in one request
LEASE = dt.timedelta(minutes=20)  # longer than any collection; a killed worker's lease runs out


def accounts_to_collect() -> list[int]:
    return list(
        SocialAccount.objects.exclude(state=SocialAccount.State.NEEDS_REAUTH)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def utc_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(dt.UTC).date()


def _bills(account: SocialAccount) -> bool:
    return platforms.capabilities_for(account).bills_reads


def _take_lease(day: ReachDay) -> dt.datetime | None:
    clock = timezone.now()
    until = clock + LEASE
    free = Q(collecting_until__isnull=True) | Q(collecting_until__lte=clock)
    return until if ReachDay.objects.filter(free, pk=day.pk).update(collecting_until=until) else None


def collect_account(account_id: int, *, now: dt.datetime | None = None) -> str:
    """One collection of one account for the UTC day of ``now``; returns what happened (for logs and tests)."""
    now = now or timezone.now()
    account = SocialAccount.objects.get(pk=account_id)
    if account.state == SocialAccount.State.NEEDS_REAUTH:
        return "needs-reauth"
    day, _created = ReachDay.objects.get_or_create(account=account, day=utc_day(now))
    lease = _take_lease(day)
    if lease is None:
        log.info("Collection of %s skipped: another one is running.", account.display_handle)
        return "busy"
    try:
        day.refresh_from_db()
        return _collect(account, day, now=now)
    finally:
        ReachDay.objects.filter(pk=day.pk, collecting_until=lease).update(collecting_until=None)


def _unread_targets(account: SocialAccount, day: ReachDay, *, now: dt.datetime) -> list[tuple[str, int]]:
    """(platform id, target id) of the account's recent published posts not yet read on this day, newest first."""
    since = now - dt.timedelta(days=settings.REACH_POST_DAYS)
    read = PostFigures.objects.filter(target__account=account, day=day.day).values("target_id")
    return list(
        PostTarget.objects.filter(account=account, state=PostTarget.State.PUBLISHED, published_at__gte=since)
        .exclude(external_id="")
        .exclude(pk__in=read)
        .order_by("-published_at")
        .values_list("external_id", "pk")
    )


def _count(
    day: ReachDay, account: SocialAccount, *, posts: int = 0, users: int = 0, skipped: int | None = None
) -> None:
    """Add what was read to the day's count and its estimated cost (only where the platform bills reads)."""
    price = Decimal(0)
    if _bills(account):
        price = (
            Decimal(str(settings.REACH_X_POST_READ_COST)) * posts
            + Decimal(str(settings.REACH_X_USER_READ_COST)) * users
        )
    changes: dict = {
        "post_reads": F("post_reads") + posts,
        "user_reads": F("user_reads") + users,
        "cost": F("cost") + price,
    }
    if skipped is not None:
        changes["posts_skipped"] = skipped
    ReachDay.objects.filter(pk=day.pk).update(**changes)
    day.refresh_from_db(fields=["post_reads", "user_reads", "cost", "posts_skipped"])


def _room(day: ReachDay, account: SocialAccount) -> int | None:
    """Objects still allowed today, or None where reads are not billed."""
    if not _bills(account):
        return None
    return max(settings.REACH_X_DAILY_READ_BUDGET - day.post_reads - day.user_reads, 0)


def _collect(account: SocialAccount, day: ReachDay, *, now: dt.datetime) -> str:
    try:
        adapter = platforms.reach_adapter_for(account)
    except platforms.AuthRevoked as exc:
        account_services.account_mark_needs_reauth(account=account, reason=exc.message)
        return "needs-reauth"
    outcome = "ok"
    errors: list[str] = []
    try:
        if not AccountFigures.objects.filter(account=account, day=day.day).exists() and _room(day, account) != 0:
            reach = adapter.account_reach()
            with transaction.atomic():
                AccountFigures.objects.bulk_create(
                    [AccountFigures(account=account, day=day.day, read_at=timezone.now(), followers=reach.followers)],
                    ignore_conflicts=True,
                )
                _count(day, account, users=reach.items_read)
        unread = _unread_targets(account, day, now=now)
        room = _room(day, account)
        if room is not None and len(unread) > room:
            skipped = len(unread) - room
            unread = unread[:room]
            outcome = "budget"
            _count(day, account, skipped=skipped)
        gone = list(day.metrics_gone)
        for start in range(0, len(unread), BATCH):
            _read_batch(adapter, account, day, unread[start : start + BATCH], gone)
    except platforms.AuthRevoked as exc:
        account_services.account_mark_needs_reauth(account=account, reason=exc.message)
        return "needs-reauth"
    except platforms.PlatformError as exc:
        errors.append(exc.message)
        outcome = "error"
    ReachDay.objects.filter(pk=day.pk).update(
        last_error=(errors[0] if errors else "")[:300], collected_at=timezone.now()
    )
    return outcome


def _read_batch(
    adapter: platforms.ReachAdapter,
    account: SocialAccount,
    day: ReachDay,
    batch: Sequence[tuple[str, int]],
    gone: list[str],
) -> None:
    targets = dict(batch)
    result = adapter.post_reach(list(targets), skip_metrics=gone)
    read_at = timezone.now()
    rows = []
    for post in result.posts:
        target_id = targets.get(post.external_id)
        if target_id is None:
            continue
        figures = {name: post.figures.get(name) for name in FIGURES}
        rows.append(
            PostFigures(
                target_id=target_id, day=day.day, read_at=read_at, metrics=list(post.metrics), gone=post.gone, **figures
            )
        )
    with transaction.atomic():
        PostFigures.objects.bulk_create(rows, ignore_conflicts=True)
        _count(day, account, posts=result.items_read)
        new_gone = sorted(set(gone) | set(result.metrics_gone))
        if new_gone != sorted(day.metrics_gone):
            ReachDay.objects.filter(pk=day.pk).update(metrics_gone=new_gone)
            day.metrics_gone = new_gone
    gone[:] = new_gone
