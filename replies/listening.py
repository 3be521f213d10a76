"""Listening: poll what the public writes to each account, store it once, sort it, hide what must be hidden (§7).

The console sits on a closed network, so it polls (no webhooks). Per account:

- X: the mentions timeline (replies to our posts are mentions too) and the
  replies in the conversation of each post published in the last
  LISTENING_POST_DAYS days (recent search reaches 7 days back);
- Facebook: the comments on each post published in that window.

Guarantees:

- Idempotent: one Reply per platform item and account (unique constraint);
  what a read returns is stored before its cursor is, so a worker killed
  mid-poll reads the same items again next time and recognises them.
- A cursor is kept only when the read was complete (ReplyBatch.complete).
- X bills every item read: reads (and their estimated cost) are counted per
  account and day (ListeningDay; ListeningState has today's) and an X
  account stops for the day at LISTENING_X_DAILY_READ_BUDGET, with a note.
- One poll per account at a time: a poll takes a lease on the account's
  ListeningState (a conditional UPDATE, so it holds on SQLite and
  PostgreSQL alike, across processes); a second poll meanwhile (two beat
  ticks, two workers) skips and says so in the log. The lease expires after
  POLL_LEASE, so a worker killed mid-poll does not stop the account.
- RateLimited: the account waits until the reset the platform names.
  AuthRevoked: the account is marked needs_reauth (accounts.services), as
  publishing does. Other errors are noted and the next read goes on.
- What arrives is cleaned first (replies.intake: control characters out,
  bidi controls made visible, the reply's address kept only on the
  platform's own host); an item that still cannot be stored is logged,
  named in last_error and skipped, and the cursor moves on.
- A reply that carries personal data (or matches a "hide" word list) is
  hidden by the system at once, recorded with the rule and the finding; a
  hide that could not be sent (a transient error, a killed worker) is tried
  again on the next poll.

Nothing here writes to the platforms except hiding: the console never answers.

Like the whole replies app, this module sits above posts (it reads which of
our posts a reply answers). Every decision the system takes is written by
replies.services.reply_decision_record(), as a person's are.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import platforms
from accounts import services as account_services
from accounts.models import SocialAccount
from checks import checks
from immisns.celery import enqueue_on_commit
from posts import notifications
from posts.models import PostTarget
from replies import coordinated, intake, services
from replies.models import ListeningDay, ListeningState, Reply, ReplyDecision
from replies.sorting import SortingRules, coordinated_finding, sort_reply

log = logging.getLogger(__name__)

MENTIONS = "mentions"
READ_LIMIT = 500  # items per read when no budget is tighter
POLL_LEASE = dt.timedelta(minutes=15)  # longer than any poll; a killed worker's lease runs out


def accounts_to_poll():
    """Accounts whose public is listened to: all but those waiting for new credentials."""
    return SocialAccount.objects.exclude(state=SocialAccount.State.NEEDS_REAUTH).order_by("pk")


def recent_posts(account: SocialAccount, *, now: dt.datetime) -> dict[str, int]:
    """{platform post id: PostTarget id} of the account's posts published in the listening window."""
    since = now - dt.timedelta(days=settings.LISTENING_POST_DAYS)
    return dict(
        PostTarget.objects.filter(account=account, state=PostTarget.State.PUBLISHED, published_at__gte=since)
        .exclude(external_id="")
        .order_by("-published_at")
        .values_list("external_id", "pk")
    )


def _today(now: dt.datetime) -> dt.date:
    return timezone.localtime(now).date()


def _budget(account: SocialAccount) -> int | None:
    return settings.LISTENING_X_DAILY_READ_BUDGET if platforms.capabilities_for(account).bills_reads else None


def _note_budget(state: ListeningState, budget: int) -> None:
    state.note_budget_reached(budget=budget, cost_per_item=settings.LISTENING_X_COST_PER_ITEM)


def _count_day(account: SocialAccount, state: ListeningState) -> None:
    """The day's reads and estimated cost, kept per account and day (X bills every item read)."""
    price = settings.LISTENING_X_COST_PER_ITEM if platforms.capabilities_for(account).bills_reads else 0
    ListeningDay.objects.update_or_create(
        account=account,
        day=state.day,
        defaults={"reads": state.reads_today, "cost": Decimal(str(round(state.reads_today * price, 4)))},
    )


def _take_lease(state: ListeningState) -> dt.datetime | None:
    """Hold the account's poll lease until the returned moment; None if another poll holds it."""
    clock = timezone.now()  # the wall clock, whatever `now` a caller polls as of
    until = clock + POLL_LEASE
    free = Q(polling_until__isnull=True) | Q(polling_until__lte=clock)
    if ListeningState.objects.filter(free, pk=state.pk).update(polling_until=until):
        return until
    return None


def poll_account(account_id: int, *, now: dt.datetime | None = None) -> str:
    """One poll of one account; returns what happened (for logs and tests)."""
    now = now or timezone.now()
    account = SocialAccount.objects.get(pk=account_id)
    if account.state == SocialAccount.State.NEEDS_REAUTH:
        return "needs-reauth"
    state, _created = ListeningState.objects.get_or_create(account=account)
    lease = _take_lease(state)
    if lease is None:
        log.info("Poll of %s skipped: another poll of this account is running.", account.display_handle)
        return "busy"
    try:
        state.refresh_from_db()  # what the poll before this one left
        return _poll(account, state, now=now)
    finally:
        ListeningState.objects.filter(pk=state.pk, polling_until=lease).update(polling_until=None)


def _poll(account: SocialAccount, state: ListeningState, *, now: dt.datetime) -> str:
    if state.day != _today(now):
        state.day, state.reads_today, state.note = _today(now), 0, {}
    if state.wait_until and now < state.wait_until:
        state.save()
        return "waiting"
    state.wait_until = None
    budget = _budget(account)
    if budget is not None and state.reads_today >= budget:
        _note_budget(state, budget)
        state.save()
        return "budget"
    try:
        adapter = platforms.adapter_for(account)
    except platforms.AuthRevoked as exc:
        return _auth_revoked(account, state, exc)

    rules = SortingRules()
    _retry_pending_hides(account, adapter)
    posts = recent_posts(account, now=now)
    reads: list[tuple[str, Callable[..., platforms.ReplyBatch]]] = []
    if platforms.capabilities_for(account).lists_mentions:
        reads.append((MENTIONS, adapter.mentions))
    reads.extend((post_id, _replies_under(adapter, post_id)) for post_id in posts)

    outcome = "ok"
    state.last_error = ""
    waiting = 0
    for key, read in reads:
        limit = READ_LIMIT if budget is None else min(READ_LIMIT, budget - state.reads_today)
        if budget is not None and limit <= 0:  # without a budget the limit is READ_LIMIT
            _note_budget(state, budget)
            outcome = "budget"
            break
        try:
            batch = read(after=state.cursors.get(key), limit=limit)
        except platforms.RateLimited as exc:
            state.wait_until = exc.until
            state.last_error = exc.message[:300]
            outcome = "rate-limited"
            break
        except platforms.AuthRevoked as exc:
            if waiting:
                _tell_moderators(account, waiting)
            return _auth_revoked(account, state, exc)
        except platforms.PlatformError as exc:
            state.last_error = exc.message[:300]
            outcome = "error"
            continue
        skipped: list[str] = []
        with checks.rules_pinned():
            stored = ingest(account, batch.replies, adapter=adapter, rules=rules, posts=posts, skipped=skipped)
        waiting += sum(1 for reply in stored if reply.needs_review)
        if skipped:
            # Recorded and left behind: one hostile item never holds the cursor (§7).
            state.last_error = f"Skipped {len(skipped)} item(s) that could not be stored: {', '.join(skipped)}"[:300]
        # The items are stored; only now move the cursor (and only past a complete read).
        state.reads_today += batch.items_read
        if batch.complete and batch.cursor:
            state.cursors = {**state.cursors, key: batch.cursor}
        state.last_polled_at = now
        with transaction.atomic():
            state.save()
            _count_day(account, state)
    if budget is not None and state.reads_today >= budget:
        _note_budget(state, budget)
        outcome = "budget" if outcome == "ok" else outcome
    state.last_polled_at = now
    state.save()
    if waiting:
        _tell_moderators(account, waiting)
    return outcome


def _tell_moderators(account: SocialAccount, waiting: int) -> None:
    """Replies now wait for a person: the posts app's notification (one unread per account, however many polls)."""
    with transaction.atomic():
        enqueue_on_commit(notifications.replies_waiting, account.pk, waiting)


def _replies_under(adapter: platforms.ListeningAdapter, post_id: str) -> Callable[..., platforms.ReplyBatch]:
    return lambda *, after, limit: adapter.replies_to(post_id, after=after, limit=limit)


def _auth_revoked(account: SocialAccount, state: ListeningState, exc: platforms.AuthRevoked) -> str:
    account_services.account_mark_needs_reauth(account=account, reason=exc.message)
    state.last_error = exc.message[:300]
    state.save()
    return "needs-reauth"


def ingest(
    account: SocialAccount,
    replies,
    *,
    adapter,
    rules: SortingRules,
    posts: dict[str, int],
    skipped: list[str] | None = None,
) -> list[Reply]:
    """Store each reply once, sorted; hide at once what must be. Returns the rows created now.

    One item that cannot be stored (hostile or malformed beyond what
    replies.intake cleans) is logged, named in ``skipped`` and left behind:
    it never stops the others, nor the cursor (§7).
    """
    known = set(
        Reply.objects.filter(account=account, external_id__in=[r.external_id for r in replies]).values_list(
            "external_id", flat=True
        )
    )
    fresh = [r for r in replies if r.external_id not in known]
    # Answers to our older posts: resolve them in one query.
    wanted = {i for r in fresh for i in (r.conversation, r.answers) if i and i not in posts}
    targets = dict(posts)
    if wanted:
        targets.update(
            PostTarget.objects.filter(account=account, external_id__in=wanted).values_list("external_id", "pk")
        )
    created: list[Reply] = []
    for item in fresh:
        try:
            reply = _store(account, item, adapter=adapter, rules=rules, targets=targets)
        except (DatabaseError, ValueError, TypeError, AttributeError) as exc:
            log.warning("Reply %r to %s skipped: %s", item.external_id, account.display_handle, exc)
            if skipped is not None:
                skipped.append(str(item.external_id)[:100])
            continue
        if reply is not None:
            created.append(reply)
    return created


def _store(account: SocialAccount, item, *, adapter, rules: SortingRules, targets: dict[str, int]) -> Reply | None:
    """Clean, sort and store one item; None when another poll stored it a moment ago."""
    text = intake.clean_text(item.text)
    author_id = intake.clean_text(item.author_id)
    author_handle = intake.clean_text(item.author_handle)
    author_name = intake.clean_text(item.author_name)
    links = tuple(
        link if link.end <= len(text) and text[link.start : link.end] == link.url else replace(link, start=0, end=0)
        for link in item.links
    )
    key = coordinated.spam_key(text, [link.expanded_url for link in links])
    copies = coordinated.earlier_copies(key=key, author_id=author_id, account_id=account.pk, at=item.created_at)
    result = sort_reply(
        text=text,
        author_id=author_id,
        author_handle=author_handle,
        author_name=author_name,
        account_id=account.pk,
        external_id=item.external_id,
        links=links,
        coordinated=copies is not None,
        rules=rules,
    )
    state = Reply.State.HIDDEN if item.hidden else Reply.State.VISIBLE
    reply = Reply(
        account=account,
        external_id=item.external_id,
        author_id=author_id,
        author_handle=author_handle,
        author_name=author_name[:200],
        text=text,
        text_digest=key,
        created_at=item.created_at,
        url=intake.clean_url(item.url, platform=account.platform)[:500],
        answers_id=item.answers or "",
        conversation_id=item.conversation or "",
        post_target_id=targets.get(item.conversation or "") or targets.get(item.answers or ""),
        state=state,
        findings=result.findings,
        category=result.category,
        risk=result.risk,
        needs_review=result.needs_review,
        hide_pending=bool(result.hide_rule) and state == Reply.State.VISIBLE,
    )
    try:
        with transaction.atomic():
            reply.save()
            if result.findings:
                services.reply_decision_record(
                    reply=reply,
                    action=ReplyDecision.Action.FLAG,
                    category=result.category,
                    rule=(result.hide_rule or result.findings[0]["rule"]),
                    data={"findings": result.findings},
                )
            if copies:
                _flag_earlier_copies(copies)
    except IntegrityError:  # another poll stored it a moment ago
        return None
    if reply.hide_pending:
        hide_by_system(reply, adapter=adapter, rule=result.hide_rule, finding=result.hide_finding)
    return reply


def _flag_earlier_copies(pks: list[int]) -> None:
    """Coordinated spam: the copies that came before are flagged too, the first one included."""
    for earlier in Reply.objects.select_for_update().filter(pk__in=pks).order_by("pk"):
        if any(f.get("rule") == "advertising:coordinated" for f in earlier.findings):
            continue
        finding = coordinated_finding(earlier.text)
        earlier.findings = [*earlier.findings, finding]
        earlier.needs_review = True
        if earlier.risk < Reply.Risk.MEDIUM:
            earlier.risk = Reply.Risk.MEDIUM
            earlier.category = finding["category"]
        earlier.save(update_fields=["findings", "needs_review", "risk", "category"])
        services.reply_decision_record(
            reply=earlier,
            action=ReplyDecision.Action.FLAG,
            category=finding["category"],
            rule=finding["rule"],
            data={"findings": [finding]},
        )


def hide_by_system(reply: Reply, *, adapter, rule: str, finding: dict | None) -> bool:
    """Hide ``reply`` on the platform at once, recorded as done by the system with the rule and the finding."""
    try:
        adapter.set_hidden(reply.external_id, True)
    except (platforms.Transient, platforms.RateLimited) as exc:
        log.warning("Could not hide reply %s yet: %s", reply.pk, exc.message)
        return False  # hide_pending stays: the next poll tries again
    except platforms.PlatformError as exc:
        with transaction.atomic():
            Reply.objects.filter(pk=reply.pk).update(hide_pending=False)
            services.reply_decision_record(
                reply=reply,
                action=ReplyDecision.Action.FLAG,
                category=reply.category,
                rule=rule,
                data={"finding": finding, "hide_failed": exc.message[:300]},
            )
        reply.hide_pending = False
        return False
    with transaction.atomic():
        Reply.objects.filter(pk=reply.pk).update(state=Reply.State.HIDDEN, hide_pending=False, needs_review=True)
        services.reply_decision_record(
            reply=reply,
            action=ReplyDecision.Action.HIDE,
            category=reply.category,
            rule=rule,
            reason="",
            data={"finding": finding},
        )
    reply.state, reply.hide_pending, reply.needs_review = Reply.State.HIDDEN, False, True
    return True


def _retry_pending_hides(account: SocialAccount, adapter) -> None:
    for reply in Reply.objects.filter(account=account, hide_pending=True, state=Reply.State.VISIBLE):
        finding = next((f for f in reply.findings if f.get("hides")), None)
        hide_by_system(reply, adapter=adapter, rule=(finding or {}).get("rule", ""), finding=finding)


def poll_all() -> list[int]:
    """The ids of the accounts to poll now (the task sends one poll per account)."""
    return list(accounts_to_poll().values_list("pk", flat=True))
