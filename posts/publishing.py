"""The publishing engine (§3, §4 of DESIGN): due targets go out once, on time, with the footer.

Only the machine's work lives here: find due targets, claim them, send them,
record the outcome, reconcile the ones in doubt. What people do to targets and
to the publishing switch (retry, decide, withdraw, pause all) are transitions
in posts.services.

The database is the source of truth. A target is claimed with a conditional
UPDATE (scheduled → publishing; 0 rows means someone else has it), the
platform is called outside any transaction (on the worker's bounded send
pool), and the result is recorded in a new short transaction: the successes
of one task's round together, any other outcome on its own. A target whose attempt began but whose outcome is
unknown is never sent blindly again:

* Just before the request that creates the post, the target's ``sent_at`` is
  written in its own committed UPDATE (conditional on the claim still being
  this worker's). A stale target without it was claimed but never sent, and
  is simply put back for the next sweep; one with it may have gone out.
* An attempt that may have gone out (a timeout or a 5xx after sent_at, a
  crash) leaves the target ``in_doubt``: its text and footer are frozen, the
  next attempt first looks for exactly that text on the platform, and a
  look-up that cannot answer (refused, rate-limited, failed) never decides —
  the target waits and looks again, or becomes unconfirmed for a person.
* One deadline bounds each send (PUBLISHING_SEND_DEADLINE_SECONDS), enforced
  by the adapters on every request, below the stale threshold; a success
  that arrives late is still recorded.

Tasks are sent by name (PUBLISH_TASK, RECONCILE_TASK): posts.tasks defines
them and calls this module, never the other way round.
"""

import datetime as dt
import logging
import queue
import random
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.db import connection, close_old_connections, transaction
from django.db.models import BigIntegerField, Case, F, Q, TextField, Value, When
from django.utils import timezone

from accounts import platforms
from accounts import services as account_services
from accounts.models import SocialAccount
from accounts.platforms import MediaItem, PublishResult
from checks import checks
from checks.models import PublishedText
from immisns.celery import enqueue_on_commit
from posts import footer, notifications, office_hours, readiness, selectors
from posts.models import Footer, Post, PostEvent, PostTarget

log = logging.getLogger(__name__)
TState = PostTarget.State
Action = PostEvent.Action

PUBLISH_TASK = "posts.publish_targets"
RECONCILE_TASK = "posts.reconcile_target"
# One task claims at most this many targets; a post has at most 21 (every account).
GROUP_SIZE = 25


# --- Finding work and sending tasks ------------------------------------------------------------


def targets_due(until: dt.datetime):
    """Scheduled targets due by `until`, on active accounts of approved posts."""
    return PostTarget.objects.filter(
        state=TState.SCHEDULED, due_at__lte=until,
        account__state=SocialAccount.State.ACTIVE, post__state=Post.State.APPROVED,
    )


def _lookahead() -> dt.timedelta:
    # Two sweeps ahead, so every target gets a task timed to its second.
    return 2 * dt.timedelta(seconds=settings.PUBLISHING_SWEEP_SECONDS)


def _early_tolerance() -> dt.timedelta:
    # A task this much early (beat's clock ahead of this worker's) is held by one timed task;
    # one earlier than that is left to the sweep. README: the hosts keep their clocks by NTP.
    return max(_lookahead(), dt.timedelta(seconds=settings.PUBLISHING_REQUEUE_SECONDS))


def targets_to_enqueue(now: dt.datetime, *, lookahead: dt.timedelta, requeue_after: dt.timedelta) -> list[tuple[int, dt.datetime]]:
    """(id, due_at) of targets due soon that have no publish task on the queue.

    A task is sent to run at the target's due time (punctual to the second)
    and its time is kept in enqueued_at, so the sweep every few seconds does
    not send it again; a task the broker lost (its time passed `requeue_after`
    ago and the target is still scheduled) is sent again.
    """
    if selectors.publishing_paused():
        return []
    rows = list(
        targets_due(now + lookahead)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - requeue_after))
        .order_by("due_at", "id")
        .values_list("id", "due_at")[:settings.PUBLISHING_SWEEP_BATCH]
    )
    # Marked with the time its task will run: due ones with now, later ones with their due time.
    PostTarget.objects.filter(pk__in=[i for i, due_at in rows if due_at <= now]).update(enqueued_at=now)
    PostTarget.objects.filter(pk__in=[i for i, due_at in rows if due_at > now]).update(enqueued_at=F("due_at"))
    return rows


def targets_stale(now: dt.datetime, *, requeue_after: dt.timedelta | None = None) -> list[int]:
    """Targets left in "publishing" longer than any worker may still be sending them.

    Each is handed to one reconcile task per `requeue_after` (its time kept in
    enqueued_at), not one per sweep: a queue full of reconcile tasks for the
    same targets would only delay them.
    """
    if requeue_after is None:
        requeue_after = dt.timedelta(seconds=settings.PUBLISHING_REQUEUE_SECONDS)
    cutoff = now - dt.timedelta(seconds=settings.PUBLISHING_STALE_SECONDS)
    ids = list(
        PostTarget.objects.filter(state=TState.PUBLISHING, claimed_at__lt=cutoff)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - requeue_after))
        .order_by("claimed_at", "id").values_list("id", flat=True)[:settings.PUBLISHING_SWEEP_BATCH]
    )
    PostTarget.objects.filter(pk__in=ids).update(enqueued_at=now)
    return ids


def batches(due: list[tuple[int, dt.datetime]], now: dt.datetime) -> list[tuple[dt.datetime | None, list[int]]]:
    """Group (id, due_at) into publish tasks: one per moment (ETA, None when due), at most GROUP_SIZE targets each."""
    by_moment: dict[dt.datetime, list[int]] = {}
    for target_id, due_at in due:
        by_moment.setdefault(max(due_at, now), []).append(target_id)
    grouped = []
    for moment, target_ids in by_moment.items():
        eta = moment if moment > now else None
        for start in range(0, len(target_ids), GROUP_SIZE):
            grouped.append((eta, target_ids[start:start + GROUP_SIZE]))
    return grouped


def _send_batches(grouped: list[tuple[dt.datetime | None, list[int]]]) -> None:
    for eta, target_ids in grouped:
        current_app.send_task(PUBLISH_TASK, args=[target_ids], eta=eta)


def sweep(now: dt.datetime | None = None) -> dict:
    """Beat, every few seconds: the database says what is due, whatever the broker lost.

    Batch after batch until nothing due is left without a task, so a backlog of
    any size is on the queue after one tick (each batch's tasks are sent before
    the next batch is read, so the workers start at once).
    """
    now = now or timezone.now()
    requeue_after = dt.timedelta(seconds=settings.PUBLISHING_REQUEUE_SECONDS)
    enqueued = stale_count = 0
    while True:
        due = targets_to_enqueue(now, lookahead=_lookahead(), requeue_after=requeue_after)
        _send_batches(batches(due, now))
        enqueued += len(due)
        if len(due) < settings.PUBLISHING_SWEEP_BATCH:
            break
    while True:
        stale = targets_stale(now, requeue_after=requeue_after)
        for target_id in stale:
            current_app.send_task(RECONCILE_TASK, args=[target_id])
        stale_count += len(stale)
        if len(stale) < settings.PUBLISHING_SWEEP_BATCH:
            break
    return {"enqueued": enqueued, "stale": stale_count}


def enqueue_soon(target_ids: list[int], due_at: dt.datetime) -> None:
    """After approval (on commit): send the task now if the time is near; otherwise the sweep will.

    A broker that cannot be reached does not undo the approval: the targets
    stay unmarked and the sweep sends them once the broker is back.
    """
    now = timezone.now()
    if due_at > now + _lookahead():
        return
    try:
        _send_batches(batches([(target_id, due_at) for target_id in target_ids], now))
    except Exception:  # noqa: BLE001 — any broker failure; the database still says what is due
        log.warning("Could not reach the broker; the sweep will send targets %s", target_ids, exc_info=True)
        return
    PostTarget.objects.filter(pk__in=target_ids, enqueued_at__isnull=True).update(enqueued_at=due_at)


# --- Targets held by their account -------------------------------------------------------------

# Why a due target waits, by its account's state; kept in the target's problem while it waits.
HELD_BY = {SocialAccount.State.PAUSED: "account_paused", SocialAccount.State.NEEDS_REAUTH: "account_needs_reauth"}


def record_held_targets(now: dt.datetime | None = None) -> int:
    """Due targets that wait on a paused or needs-re-authorisation account: say why, once per hold.

    Beat's sweep task calls this beside sweep(). Such a target stays scheduled
    and goes out once its account is active again; until then its problem
    names the reason (the post page shows it) and one DEFER event records the
    hold. A hold that ended (the account active again, or the target no longer
    scheduled) is forgotten, so a later hold is recorded anew. Returns how many
    holds were recorded now.
    """
    now = now or timezone.now()
    PostTarget.objects.filter(problem__has_key="held").filter(
        ~Q(state=TState.SCHEDULED) | Q(account__state=SocialAccount.State.ACTIVE)).update(problem={})
    waiting = list(
        PostTarget.objects.filter(state=TState.SCHEDULED, due_at__lte=now, post__state=Post.State.APPROVED,
                                  account__state__in=list(HELD_BY))
        .exclude(problem__has_key="held").select_related("account").order_by("due_at", "id")[:settings.PUBLISHING_SWEEP_BATCH]
    )
    recorded = 0
    for target in waiting:
        reason = HELD_BY[target.account.state]
        problem = {"action": Action.DEFER, "reason": reason, "held": True, "account": target.account.display_handle}
        with transaction.atomic():
            # Conditional, like a claim: a target claimed or changed meanwhile is left alone.
            marked = (PostTarget.objects.filter(pk=target.pk, state=TState.SCHEDULED)
                      .exclude(problem__has_key="held").update(problem=problem))
            if marked:
                PostEvent.record(post_id=target.post_id, target=target, action=Action.DEFER,
                                 data={key: value for key, value in problem.items() if key not in ("action", "held")})
                recorded += 1
    return recorded


# --- Claiming -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    target_id: int
    post_id: int
    account: SocialAccount
    body: str
    text: str
    media: list[MediaItem]
    attempt: int
    claimed_at: dt.datetime
    # An earlier attempt may have gone out: look for `text` (frozen) before sending.
    in_doubt: bool = False


class _ClaimRound:
    """What the claims of one moment share: office hours, footers, checks, images.

    One post to 21 accounts is claimed in one transaction with a handful of
    queries, so the platform calls can start together (DESIGN §4: one post to
    every account goes out in about the time of one call).
    """

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.paused = selectors.publishing_paused()
        self._open: dict[int, bool] = {}
        self._footers: list[Footer] | None = None
        self._problems: dict[tuple[str, str, str], list[readiness.Problem]] = {}
        self._media: dict[int, list[MediaItem]] = {}
        self.early: list[tuple[int, dt.datetime]] = []

    def is_open(self, office) -> bool:
        if office.pk not in self._open:
            self._open[office.pk] = office_hours.is_open(office, self.now)
        return self._open[office.pk]

    def footer(self, account: SocialAccount) -> Footer | None:
        """As footer.footer_for(), from one query for the whole round."""
        if self._footers is None:
            self._footers = list(Footer.objects.all())
        return footer.footer_for(account, versions=self._footers)

    def problems(self, target: PostTarget, text: str) -> list[readiness.Problem]:
        """§5: the checks run again before publishing (the allow-list or the rules may have changed)."""
        key = (target.account.platform, target.body, text)
        if key not in self._problems:
            self._problems[key] = readiness.text_problems(account=target.account, body=target.body, final_text=text)
        return self._problems[key]

    def media(self, post: Post) -> list[MediaItem]:
        if post.pk not in self._media:
            items = []
            for image in post.images.all():
                with image.file.open("rb") as handle:
                    items.append(MediaItem(data=handle.read(), mime_type=image.mime_type, alt_text=image.alt_text))
            self._media[post.pk] = items
        return self._media[post.pk]

    def hold(self, target: PostTarget) -> str | None:
        """Why the target does not go out now (and what was done about it), or None when it does."""
        if target.state != TState.SCHEDULED:
            return "not-scheduled"
        if target.post.state != Post.State.APPROVED:
            return "not-approved"
        if target.due_at is None or target.due_at > self.now:
            if target.due_at is not None and target.due_at - self.now <= _early_tolerance():
                # Its task came a little early (this worker's clock is behind beat's): one task
                # timed to the due second by this worker's clock, and the sweep leaves it alone,
                # rather than the sweep sending it again on every tick until the clocks agree.
                PostTarget.objects.filter(pk=target.pk).update(enqueued_at=target.due_at)
                self.early.append((target.pk, target.due_at))
            else:
                PostTarget.objects.filter(pk=target.pk).update(enqueued_at=None)  # the sweep sends it in time
            return "not-due"
        if self.paused or target.account.state != SocialAccount.State.ACTIVE:
            # Waits where it is; this task is spent, so the sweep sends a new one after resume.
            PostTarget.objects.filter(pk=target.pk).update(enqueued_at=None)
            return "paused"
        office = target.account.office
        # §4: checked again at publish time, with the windows and closure days as they are now.
        if not target.post.outside_hours_reason and not self.is_open(office):
            try:
                opening = office_hours.next_open(office, self.now)
            except office_hours.NoOfficeHours as exc:
                return _fail_now(target, {"reason": "no_office_hours", "error": str(exc)})
            PostTarget.objects.filter(pk=target.pk).update(due_at=opening, enqueued_at=None)
            PostEvent.record(post_id=target.post_id, target=target, action=Action.DEFER,
                             data={"reason": "outside_hours", "until": opening.isoformat()})
            return "deferred"
        return None


def _claim_round(target_ids: list[int], now: dt.datetime) -> tuple[dict[int, str], list[Claim]]:
    """Decide which targets go out now and claim them, in one transaction.

    Only the target rows are locked (of=self): locking the joined post and
    account rows too would deadlock against a person cancelling or editing the
    post at that moment. The claim itself is a conditional UPDATE
    (state = scheduled), as the design requires.
    """
    round_ = _ClaimRound(now)
    outcomes: dict[int, str] = dict.fromkeys(target_ids, "not-scheduled")
    claims: list[Claim] = []
    # The allow-list and contacts as they are now, read once for the round's checks.
    with transaction.atomic(), checks.rules_pinned():
        targets = list(
            PostTarget.objects.select_for_update(of=("self",))
            .select_related("post", "account__office")
            .filter(pk__in=target_ids).order_by("pk")
        )
        ready: dict[tuple[str, int | None], list[PostTarget]] = {}
        footers: dict[int, Footer | None] = {}
        for target in targets:
            held = round_.hold(target)
            if held:
                outcomes[target.pk] = held
                continue
            if target.in_doubt:
                # An attempt with this text may be on the platform: look up and resend exactly it,
                # whatever the footer is now (DESIGN §4: the text of an attempt is frozen).
                footer_version, text = target.footer, target.published_text
            else:
                footer_version = round_.footer(target.account)
                text = footer.join(target.body, footer_version)
                problems = round_.problems(target, text)
                if problems:
                    outcomes[target.pk] = _fail_now(target, {"reason": "checks", "problems": [p.as_data() for p in problems]})
                    continue
            footers[target.pk] = footer_version
            ready.setdefault((text, footer_version.pk if footer_version else None), []).append(target)
        events = []
        if ready:
            # One conditional UPDATE claims them all, each with its own text and footer.
            ids = [t.pk for group in ready.values() for t in group]
            groups = [([t.pk for t in group], text, footer_id) for (text, footer_id), group in ready.items()]
            claimed = PostTarget.objects.filter(pk__in=ids, state=TState.SCHEDULED).update(
                state=TState.PUBLISHING, claimed_at=now, sent_at=None, attempts=F("attempts") + 1,
                published_text=Case(*[When(pk__in=g, then=Value(text)) for g, text, _f in groups],
                                    output_field=TextField()),
                footer_id=Case(*[When(pk__in=g, then=Value(footer_id)) for g, _t, footer_id in groups],
                               output_field=BigIntegerField()),
                last_error="", problem={},
            )
            if claimed != len(ids):
                # The rows are locked by this transaction; anything else is a fault: send nothing.
                raise RuntimeError(f"Claimed {claimed} of targets {ids}; nothing was sent.")
        for (text, _footer_id), group in ready.items():
            for target in group:
                attempt = target.attempts + 1
                version = footers[target.pk]
                outcomes[target.pk] = "claimed"
                claims.append(Claim(target.pk, target.post_id, target.account, target.body, text,
                                    round_.media(target.post), attempt, now, target.in_doubt))
                data = {"attempt": attempt, "footer_version": version.version if version else None}
                if target.in_doubt:
                    data["frozen"] = True
                events.append(PostEvent.build(
                    post_id=target.post_id, target=target, action=Action.CLAIM, from_state=TState.SCHEDULED,
                    to_state=TState.PUBLISHING, data=data,
                ))
        PostEvent.objects.bulk_create(events)
        if round_.early:
            early = round_.early
            transaction.on_commit(lambda: _send_batches(batches(early, now)))
    return outcomes, claims


def _fail_now(target: PostTarget, data: dict) -> str:
    """Fail a target inside the claim round's transaction (it was never sent)."""
    PostTarget.objects.filter(pk=target.pk).update(state=TState.FAILED, problem={"action": Action.FAIL, **data})
    PostEvent.record(post_id=target.post_id, target=target, action=Action.FAIL,
                     from_state=TState.SCHEDULED, to_state=TState.FAILED, data=data)
    enqueue_on_commit(notifications.target_failed, target.pk)
    return "failed"


# --- Recording outcomes -----------------------------------------------------------------------------


def _record(target_id: int, *, from_states: tuple[str, ...], action: str, data: dict | None = None,
            notify: bool = False, problem: bool = False, claimed_at: dt.datetime | None = None, **changes) -> bool:
    """Record an outcome in a short transaction, only if no one else recorded one first.

    `problem` keeps the event's data on the target too, as why it is failed,
    waiting or in doubt; `notify` e-mails the author and the supervisors;
    `claimed_at`, when given, records only if the claim is still that one (a
    reconciliation that took the target over wins). A target that ends
    published or failed is no longer in doubt; one unconfirmed always is.
    """
    data = data or {}
    with transaction.atomic():
        rows = PostTarget.objects.select_for_update().filter(pk=target_id, state__in=from_states)
        if claimed_at is not None:
            rows = rows.filter(claimed_at=claimed_at)
        target = rows.first()
        if target is None:
            return False
        was = target.state
        state = changes.get("state")
        if state in (TState.PUBLISHED, TState.FAILED):
            changes["in_doubt"] = False
        elif state == TState.UNCONFIRMED:
            changes["in_doubt"] = True
        if problem:
            changes["problem"] = {"action": action, **data}
        for name, value in changes.items():
            setattr(target, name, value)
        target.save(update_fields=list(changes))
        PostEvent.record(post_id=target.post_id, target=target, action=action, from_state=was,
                         to_state=target.state, data=data)
        if target.state == TState.PUBLISHED:
            PublishedText.remember(account_id=target.account_id, text=target.body, target_id=target.pk,
                                   published_at=target.published_at)
        if notify:
            enqueue_on_commit(notifications.target_failed, target.pk)
        return True


def _published(target_id: int, result: PublishResult, *, action: str = Action.PUBLISH,
               from_states=(TState.PUBLISHING, TState.UNCONFIRMED), reason: str = "") -> None:
    data = {"url": result.url, "external_id": result.external_id}
    if reason:
        data["reason"] = reason
    _record(
        target_id, from_states=from_states, action=action, data=data,
        state=TState.PUBLISHED, external_id=result.external_id, external_url=result.url,
        published_at=timezone.now(), last_error="", problem={},
    )


def _backoff(attempt: int) -> dt.timedelta:
    # Exponential with full jitter, so a platform outage does not get every worker back at once.
    ceiling = settings.PUBLISHING_BACKOFF_SECONDS * (2 ** (attempt - 1))
    return dt.timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def _error(exc: platforms.PlatformError) -> dict:
    return {"error": exc.message, "error_code": exc.code}


# --- Sending ------------------------------------------------------------------------------------------


class _TakenOver(Exception):
    """The claim is no longer this worker's (a reconciliation took the target over): send nothing."""


def _mark_sent(claim: Claim, deadline: float) -> None:
    """The committed write just before the request that may create the post (DESIGN §4).

    Conditional on the claim still being this one, so a reconciliation that
    took a slow worker's target over is never raced by a late send.
    """
    if time.monotonic() >= deadline:
        raise platforms.Transient("The send's deadline passed before the post's request; nothing was sent.")
    marked = PostTarget.objects.filter(
        pk=claim.target_id, state=TState.PUBLISHING, claimed_at=claim.claimed_at, sent_at__isnull=True,
    ).update(sent_at=timezone.now())
    if not marked:
        raise _TakenOver


def send_deadline() -> float:
    """A time.monotonic() value: the end of one send that starts now."""
    return time.monotonic() + settings.PUBLISHING_SEND_DEADLINE_SECONDS


def target_publish(*, target_id: int, now: dt.datetime | None = None) -> str:
    """Publish one due target, at most once. Returns what happened (for logs and tests)."""
    return targets_publish(target_ids=[target_id], now=now)[target_id]


def targets_publish(*, target_ids: list[int], now: dt.datetime | None = None) -> dict[int, str]:
    """Publish due targets (typically one post's accounts): claimed together, sent in parallel.

    Claiming is database work, done once for all; the platform calls are I/O,
    so they run on the process's send pool, after the claims are committed.
    The successes of the round are recorded together, in one transaction; every
    other outcome (rare) is recorded by its own send as it happens.
    """
    outcomes, claims = _claim_round(list(target_ids), now or timezone.now())
    futures = [send_pool().submit(_send, claim) for claim in claims] if len(claims) > 1 else []
    published, error = [], None
    for n, claim in enumerate(claims):
        try:
            outcome = futures[n].result() if futures else _send(claim)
        except Exception as exc:  # noqa: BLE001 — the others' successes are still recorded, then it is raised
            error = error or exc
            continue
        if isinstance(outcome, PublishResult):
            published.append((claim, outcome))
            outcome = "published"
        outcomes[claim.target_id] = outcome
    _published_round(published)
    if error is not None:
        raise error
    return outcomes


class SendPool:
    """The process's threads for platform calls: a fixed number, each with its own database connection.

    The threads live as long as the process, so a worker never has more
    database connections than its Celery threads plus PUBLISHING_SEND_THREADS
    (immisns.capacity counts them). A thread keeps its connection while there
    is work (CONN_MAX_AGE still applies) and closes it after `idle_seconds`
    with nothing to send.
    """

    def __init__(self, size: int, *, idle_seconds: float = 2.0) -> None:
        self.size = size
        self.idle_seconds = idle_seconds
        self._work: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        self._work.put((future, fn, args))
        with self._lock:
            if len(self._threads) < self.size:
                thread = threading.Thread(target=self._run, name=f"publish-send-{len(self._threads) + 1}", daemon=True)
                self._threads.append(thread)
                thread.start()
        return future

    def _run(self) -> None:
        while True:
            try:
                item = self._work.get(timeout=self.idle_seconds)
            except queue.Empty:
                connection.close()  # nothing to send for a while: give the slot back
                item = self._work.get()
            future, fn, args = item
            if not future.set_running_or_notify_cancel():
                continue
            close_old_connections()  # one that broke or outlived CONN_MAX_AGE is replaced
            try:
                result = fn(*args)
            except BaseException as exc:  # noqa: BLE001 — handed to the waiting task, which raises it
                future.set_exception(exc)
            else:
                future.set_result(result)
            finally:
                if not settings.DATABASES["default"].get("CONN_MAX_AGE"):
                    connection.close()


_pool: SendPool | None = None
_pool_lock = threading.Lock()


def send_pool() -> SendPool:
    global _pool
    with _pool_lock:
        if _pool is None or _pool.size != settings.PUBLISHING_SEND_THREADS:
            _pool = SendPool(settings.PUBLISHING_SEND_THREADS)
        return _pool


def _published_round(published: list[tuple[Claim, PublishResult]]) -> None:
    """Record a round's successes in one transaction, as _published() would one by one.

    A success is recorded even when it arrives late, after a reconciliation
    took the target over (from publishing or unconfirmed), never over an
    outcome someone else recorded first.
    """
    if not published:
        return
    results = {claim.target_id: result for claim, result in published}
    now = timezone.now()
    with transaction.atomic():
        targets = list(
            PostTarget.objects.select_for_update(of=("self",)).select_related("post")
            .filter(pk__in=results, state__in=(TState.PUBLISHING, TState.UNCONFIRMED)).order_by("pk")
        )
        events, texts = [], []
        for target in targets:
            result = results[target.pk]
            was = target.state
            target.state, target.in_doubt = TState.PUBLISHED, False
            target.external_id, target.external_url = result.external_id, result.url
            target.published_at, target.last_error, target.problem = now, "", {}
            events.append(PostEvent.build(post_id=target.post_id, target=target, action=Action.PUBLISH, from_state=was,
                                          to_state=TState.PUBLISHED, data={"url": result.url, "external_id": result.external_id}))
            texts.append((target.account_id, target.body, target.pk))
        PostTarget.objects.bulk_update(targets, ["state", "in_doubt", "external_id", "external_url", "published_at",
                                                 "last_error", "problem"])
        PostEvent.objects.bulk_create(events)
        PublishedText.remember_many(texts, published_at=now)


def _send(claim: Claim) -> str | PublishResult:
    """Send one claimed target. A success is returned for the round to record; anything else is recorded here."""
    deadline = send_deadline()
    try:
        adapter = platforms.adapter_for(claim.account)
    except platforms.PlatformError as exc:
        return _not_sent(claim, exc)
    if claim.in_doubt:
        looked = _look_before_sending(claim, adapter, deadline)
        if looked is not None:
            return looked
    sent = False

    def sending() -> None:
        nonlocal sent
        _mark_sent(claim, deadline)
        sent = True

    try:
        result = adapter.publish(claim.text, claim.media, deadline=deadline, sending=sending)
    except _TakenOver:
        return "taken"
    except platforms.PlatformError as exc:
        if sent and isinstance(exc, platforms.Transient):
            return _uncertain(claim, adapter, exc)
        return _not_sent(claim, exc, adapter=adapter)
    except Exception as exc:  # noqa: BLE001 — an unknown failure
        log.exception("Publishing target %s failed unexpectedly", claim.target_id)
        if not sent:
            # Nothing left: the target fails with the cause, and a person may retry it.
            _record(claim.target_id, from_states=(TState.PUBLISHING,), claimed_at=claim.claimed_at, action=Action.FAIL,
                    data={"reason": "unexpected_before_sending", "error": type(exc).__name__},
                    notify=True, problem=True, state=TState.FAILED, last_error=type(exc).__name__)
            return "failed"
        _record(claim.target_id, from_states=(TState.PUBLISHING,), action=Action.UNCONFIRMED,
                data={"reason": "unexpected", "error": type(exc).__name__},
                notify=True, problem=True, state=TState.UNCONFIRMED, last_error=type(exc).__name__)
        return "unconfirmed"
    return result


def _look_before_sending(claim: Claim, adapter, deadline: float) -> str | None:
    """An earlier attempt may have gone out: look for its exact text first. None: not found, send.

    A look-up that cannot answer never decides: a rate limit waits for its
    reset and looks again, a temporary fault looks again after a backoff (until
    the attempts run out), anything else (X's 403 code 453 "subset of
    endpoints", 402 no credits, Graph's refusals) leaves the target
    unconfirmed for a person. It is never failed and never sent again blindly.
    """
    try:
        found = adapter.find_recent(claim.text, deadline=deadline)
    except platforms.RateLimited as exc:
        _record(claim.target_id, from_states=(TState.PUBLISHING,), claimed_at=claim.claimed_at, action=Action.DEFER,
                data={"reason": "lookup_rate_limited", "until": exc.until.isoformat(), **_error(exc)},
                state=TState.SCHEDULED, due_at=exc.until, attempts=claim.attempt - 1, enqueued_at=None)
        return "lookup-rate-limited"
    except platforms.Transient as exc:
        if claim.attempt < settings.PUBLISHING_MAX_ATTEMPTS:
            retry_at = timezone.now() + _backoff(claim.attempt)
            _record(claim.target_id, from_states=(TState.PUBLISHING,), claimed_at=claim.claimed_at, action=Action.RETRY,
                    data={"reason": "lookup_transient", "retry_at": retry_at.isoformat(), **_error(exc)},
                    state=TState.SCHEDULED, due_at=retry_at, last_error=exc.message, enqueued_at=None)
            return "lookup-retry"
        return _lookup_failed(claim.target_id, exc)
    except platforms.PlatformError as exc:
        return _lookup_failed(claim.target_id, exc)
    if found is not None:
        _published(claim.target_id, found, action=Action.RECONCILE, reason="found_after_uncertain")
        return "reconciled"
    return None


def _lookup_failed(target_id: int, exc: platforms.PlatformError) -> str:
    _record(target_id, from_states=(TState.PUBLISHING,), action=Action.UNCONFIRMED,
            data={"reason": "lookup_failed", **_error(exc)},
            notify=True, problem=True, state=TState.UNCONFIRMED, last_error=exc.message)
    return "unconfirmed"


def _uncertain(claim: Claim, adapter, exc: platforms.Transient) -> str:
    """The post's request left and no answer came back (a timeout, a 5xx): it may be on the platform."""
    if claim.attempt >= settings.PUBLISHING_MAX_ATTEMPTS:
        # Before giving up, look once more: a failure must not be recorded for a live post.
        try:
            found = adapter.find_recent(claim.text, deadline=send_deadline())
        except platforms.PlatformError as lookup:
            return _lookup_failed(claim.target_id, lookup)
        if found is not None:
            _published(claim.target_id, found, action=Action.RECONCILE, reason="found_after_uncertain")
            return "reconciled"
        _record(claim.target_id, from_states=(TState.PUBLISHING,), claimed_at=claim.claimed_at, action=Action.FAIL,
                data={"reason": "gave_up", "attempts": claim.attempt, **_error(exc)},
                notify=True, problem=True, state=TState.FAILED, last_error=exc.message)
        return "failed"
    retry_at = timezone.now() + _backoff(claim.attempt)
    _record(claim.target_id, from_states=(TState.PUBLISHING,), claimed_at=claim.claimed_at, action=Action.RETRY,
            data={"reason": "transient", "retry_at": retry_at.isoformat(), **_error(exc)},
            state=TState.SCHEDULED, due_at=retry_at, last_error=exc.message, enqueued_at=None, in_doubt=True)
    return "retry"


def _not_sent(claim: Claim, exc: platforms.PlatformError, *, adapter=None) -> str:
    """The platform refused or could not be reached before the post's request (or answered that it made none)."""
    account = claim.account
    mine = {"from_states": (TState.PUBLISHING,), "claimed_at": claim.claimed_at}
    if isinstance(exc, platforms.RateLimited):
        # §4: wait for the reset the platform names; the attempt is not counted.
        _record(claim.target_id, **mine, action=Action.DEFER,
                data={"reason": "rate_limited", "until": exc.until.isoformat(), **_error(exc)},
                state=TState.SCHEDULED, due_at=exc.until, attempts=claim.attempt - 1, enqueued_at=None)
        return "rate-limited"
    if isinstance(exc, platforms.Transient):
        # Nothing that creates a post left (an image upload or the connection failed first).
        if claim.attempt >= settings.PUBLISHING_MAX_ATTEMPTS and not claim.in_doubt:
            _record(claim.target_id, **mine, action=Action.FAIL,
                    data={"reason": "gave_up", "attempts": claim.attempt, **_error(exc)},
                    notify=True, problem=True, state=TState.FAILED, last_error=exc.message)
            return "failed"
        if claim.attempt >= settings.PUBLISHING_MAX_ATTEMPTS:
            return _lookup_failed(claim.target_id, exc)  # an earlier attempt is still in doubt: for a person
        retry_at = timezone.now() + _backoff(claim.attempt)
        _record(claim.target_id, **mine, action=Action.RETRY,
                data={"reason": "transient", "retry_at": retry_at.isoformat(), **_error(exc)},
                state=TState.SCHEDULED, due_at=retry_at, last_error=exc.message, enqueued_at=None)
        return "retry"
    if isinstance(exc, platforms.AuthRevoked):
        # The account needs new credentials; its posts wait, the other accounts carry on.
        account_services.account_mark_needs_reauth(account=account, reason=exc.message)
        with transaction.atomic():
            _record(claim.target_id, **mine, action=Action.DEFER,
                    data={"reason": "auth_revoked", **_error(exc)},
                    state=TState.SCHEDULED, attempts=claim.attempt - 1, last_error=exc.message, enqueued_at=None)
            enqueue_on_commit(notifications.account_needs_attention, account.pk, exc.message)
        return "needs-reauth"
    if isinstance(exc, platforms.OutOfCredits):
        account_services.account_pause_by_system(account=account, reason=exc.message)
        with transaction.atomic():
            _record(claim.target_id, **mine, action=Action.FAIL,
                    data={"reason": "out_of_credits", **_error(exc)},
                    notify=True, problem=True, state=TState.FAILED, last_error=exc.message)
            enqueue_on_commit(notifications.account_needs_attention, account.pk, exc.message)
        return "failed"
    if isinstance(exc, platforms.Rejected) and exc.duplicate and claim.in_doubt and adapter is not None:
        return _reconcile_claimed(claim.target_id, adapter, claim.text)
    _record(claim.target_id, **mine, action=Action.FAIL,
            data={"reason": "refused", **_error(exc)},
            notify=True, problem=True, state=TState.FAILED, last_error=exc.message)
    return "failed"


# --- Reconciling ---------------------------------------------------------------------------------------


def _reconcile_claimed(target_id: int, adapter, text: str) -> str:
    try:
        found = adapter.find_recent(text, deadline=send_deadline())
    except platforms.PlatformError as exc:
        found, problem = None, exc.message
    else:
        problem = ""
    if found is not None:
        _published(target_id, found, action=Action.RECONCILE, from_states=(TState.PUBLISHING, TState.UNCONFIRMED),
                   reason="found")
        return "reconciled"
    _record(target_id, from_states=(TState.PUBLISHING,), action=Action.UNCONFIRMED,
            data={"reason": "not_found", "lookup_error": problem},
            notify=True, problem=True, state=TState.UNCONFIRMED, last_error=problem)
    return "unconfirmed"


def target_reconcile(*, target_id: int, now: dt.datetime | None = None) -> str:
    """A target stuck in "publishing" (its worker died): look for it on the platform, never resend."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.PUBLISHING_STALE_SECONDS)
    # Take it over with a conditional UPDATE, so two sweeps never reconcile it twice.
    if not PostTarget.objects.filter(pk=target_id, state=TState.PUBLISHING, claimed_at__lt=cutoff).update(claimed_at=now):
        return "not-stale"
    target = PostTarget.objects.select_related("account").get(pk=target_id)
    if target.sent_at is None:
        # Claimed but the post's request never left (the worker died first): simply sent again
        # by the next sweep, with no one bothered; the attempt is not counted.
        _record(target_id, from_states=(TState.PUBLISHING,), action=Action.RETRY, data={"reason": "never_sent"},
                state=TState.SCHEDULED, due_at=now, attempts=max(target.attempts - 1, 0), enqueued_at=None)
        return "rescheduled"
    try:
        adapter = platforms.adapter_for(target.account)
    except platforms.PlatformError as exc:
        _record(target_id, from_states=(TState.PUBLISHING,), action=Action.UNCONFIRMED,
                data={"reason": "no_adapter", **_error(exc)},
                notify=True, problem=True, state=TState.UNCONFIRMED, last_error=exc.message)
        return "unconfirmed"
    return _reconcile_claimed(target_id, adapter, target.published_text)
