"""Sending: the platform called outside any transaction, on the process's bounded pool of send threads.

Just before the request that may create the post, the claim's ``sent_at`` is
committed; an attempt that may have gone out is never sent blindly again
(``_look_before_sending``). A target left in "publishing" by a worker that
died is reconciled by looking for it on the platform, never by resending.
"""

import datetime as dt
import logging
import queue
import threading
import time
from concurrent.futures import Future

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from accounts import platforms
from accounts.platforms import PublishResult
from posts.models import PostEvent, PostTarget
from posts.publishing.claim import Claim, _claim_round
from posts.publishing.reactions import _backoff, reaction_to
from posts.publishing.record import _error, _lookup_failed, _published, _published_round, _record, record_reaction

# The engine's one logger, whichever of its modules writes (the name the log settings know).
log = logging.getLogger("posts.publishing")
TState = PostTarget.State
Action = PostEvent.Action


class _TakenOver(Exception):
    """The claim is no longer this worker's (a reconciliation took the target over): send nothing."""


def _mark_sent(claim: Claim, deadline: float) -> None:
    """The committed write just before the request that may create the post (docs/architecture.md, publishing).

    Conditional on the claim still being this one, so a reconciliation that
    took a slow worker's target over is never raced by a late send.
    """
    if time.monotonic() >= deadline:
        raise platforms.Transient("The send's deadline passed before the post's request; nothing was sent.")
    if not _sent_marks.mark(claim):
        raise _TakenOver


class _SentMarks:
    """The sends about to make their post's request commit their sent_at together.

    One post to 21 accounts reaches its 21 requests at the same moment; 21
    UPDATEs, one per send, would wait for one another (SQLite takes one writer
    at a time and backs off in steps of milliseconds). Instead one send at a
    time writes: it writes every mark waiting at that moment, its own
    included, and a send whose mark was written meanwhile goes straight on.
    Each mark is still committed before its own request leaves.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards the waiting list
        self._writing = threading.Lock()  # one writer at a time
        self._waiting: list[tuple[Claim, Future]] = []

    def mark(self, claim: Claim) -> bool:
        """Commit the claim's sent_at (with any others waiting); False when the claim is no longer this worker's."""
        future: Future = Future()
        with self._lock:
            self._waiting.append((claim, future))
        with self._writing:
            if not future.done():
                with self._lock:
                    batch, self._waiting = self._waiting, []
                try:
                    marked = _write_sent_marks([c for c, _f in batch])
                except BaseException as exc:
                    for _c, waiting in batch:
                        waiting.set_exception(exc)
                else:
                    for c, waiting in batch:
                        waiting.set_result(c.target_id in marked)
        return future.result()


_sent_marks = _SentMarks()


def _write_sent_marks(claims: list[Claim]) -> set[int]:
    """sent_at = now on each claimed target still claimed by that claim; the ids marked."""
    stamp = timezone.now()
    by_claim: dict[dt.datetime, list[int]] = {}
    for claim in claims:
        by_claim.setdefault(claim.claimed_at, []).append(claim.target_id)
    missed = False
    for claimed_at, ids in by_claim.items():
        marked = PostTarget.objects.filter(
            pk__in=ids, state=TState.PUBLISHING, claimed_at=claimed_at, sent_at__isnull=True
        ).update(sent_at=stamp)
        missed = missed or marked != len(ids)
    ids = [claim.target_id for claim in claims]
    if not missed:
        return set(ids)
    # Some claim was taken over: which rows carry this write's time tells the ones that were not.
    return set(PostTarget.objects.filter(pk__in=ids, sent_at=stamp).values_list("pk", flat=True))


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
        except Exception as exc:
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
            except BaseException as exc:
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


def _send(claim: Claim) -> str | PublishResult:
    """Send one claimed target. A success is returned for the round to record; anything else is recorded here."""
    deadline = send_deadline()
    try:
        adapter = platforms.lend_adapter(claim.account)
    except platforms.PlatformError as exc:
        return _not_sent(claim, exc)
    outcome = _send_with(claim, adapter, deadline)
    # Kept for the account's next send (its connection stays open); one that raised is dropped.
    platforms.give_back_adapter(claim.account, adapter)
    return outcome


def _send_with(claim: Claim, adapter, deadline: float) -> str | PublishResult:
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
    except Exception as exc:
        log.exception("Publishing target %s failed unexpectedly", claim.target_id)
        if not sent:
            # Nothing left: the target fails with the cause, and a person may retry it.
            _record(
                claim.target_id,
                from_states=(TState.PUBLISHING,),
                claimed_at=claim.claimed_at,
                action=Action.FAIL,
                data={"reason": "unexpected_before_sending", "error": type(exc).__name__},
                notify=True,
                as_problem=True,
                state=TState.FAILED,
                last_error=type(exc).__name__,
            )
            return "failed"
        _record(
            claim.target_id,
            from_states=(TState.PUBLISHING,),
            action=Action.UNCONFIRMED,
            data={"reason": "unexpected", "error": type(exc).__name__},
            notify=True,
            as_problem=True,
            state=TState.UNCONFIRMED,
            last_error=type(exc).__name__,
        )
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
        _record(
            claim.target_id,
            from_states=(TState.PUBLISHING,),
            claimed_at=claim.claimed_at,
            action=Action.DEFER,
            data={"reason": "lookup_rate_limited", "until": exc.until.isoformat(), **_error(exc)},
            state=TState.SCHEDULED,
            due_at=exc.until,
            attempts=claim.attempt - 1,
            enqueued_at=None,
        )
        return "lookup-rate-limited"
    except platforms.Transient as exc:
        if claim.attempt < settings.PUBLISHING_MAX_ATTEMPTS:
            retry_at = timezone.now() + _backoff(claim.attempt)
            _record(
                claim.target_id,
                from_states=(TState.PUBLISHING,),
                claimed_at=claim.claimed_at,
                action=Action.RETRY,
                data={"reason": "lookup_transient", "retry_at": retry_at.isoformat(), **_error(exc)},
                state=TState.SCHEDULED,
                due_at=retry_at,
                last_error=exc.message,
                enqueued_at=None,
            )
            return "lookup-retry"
        return _lookup_failed(claim.target_id, exc)
    except platforms.PlatformError as exc:
        return _lookup_failed(claim.target_id, exc)
    if found is not None:
        _published(claim.target_id, found, action=Action.RECONCILE, reason="found_after_uncertain")
        return "reconciled"
    return None


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
        _record(
            claim.target_id,
            from_states=(TState.PUBLISHING,),
            claimed_at=claim.claimed_at,
            action=Action.FAIL,
            data={"reason": "gave_up", "attempts": claim.attempt, **_error(exc)},
            notify=True,
            as_problem=True,
            state=TState.FAILED,
            last_error=exc.message,
        )
        return "failed"
    retry_at = timezone.now() + _backoff(claim.attempt)
    _record(
        claim.target_id,
        from_states=(TState.PUBLISHING,),
        claimed_at=claim.claimed_at,
        action=Action.RETRY,
        data={"reason": "transient", "retry_at": retry_at.isoformat(), **_error(exc)},
        state=TState.SCHEDULED,
        due_at=retry_at,
        last_error=exc.message,
        enqueued_at=None,
        in_doubt=True,
    )
    return "retry"


def _not_sent(claim: Claim, exc: platforms.PlatformError, *, adapter=None) -> str:
    """The platform refused or could not be reached before the post's request (or answered that it made none).

    What happens next is the table's (posts.publishing.reactions), by the kind of error.
    """
    reaction = reaction_to(exc, attempt=claim.attempt, in_doubt=claim.in_doubt, can_look=adapter is not None)
    if reaction.looks_first:
        return _reconcile_claimed(claim.target_id, adapter, claim.text)
    return record_reaction(
        reaction,
        exc,
        target_id=claim.target_id,
        attempt=claim.attempt,
        claimed_at=claim.claimed_at,
        account=claim.account,
    )


# --- Reconciling ---------------------------------------------------------------------------------------


def _reconcile_claimed(target_id: int, adapter, text: str) -> str:
    try:
        found = adapter.find_recent(text, deadline=send_deadline())
    except platforms.PlatformError as exc:
        found, problem = None, exc.message
    else:
        problem = ""
    if found is not None:
        _published(
            target_id,
            found,
            action=Action.RECONCILE,
            from_states=(TState.PUBLISHING, TState.UNCONFIRMED),
            reason="found",
        )
        return "reconciled"
    _record(
        target_id,
        from_states=(TState.PUBLISHING,),
        action=Action.UNCONFIRMED,
        data={"reason": "not_found", "lookup_error": problem},
        notify=True,
        as_problem=True,
        state=TState.UNCONFIRMED,
        last_error=problem,
    )
    return "unconfirmed"


def target_reconcile(*, target_id: int, now: dt.datetime | None = None) -> str:
    """A target stuck in "publishing" (its worker died): look for it on the platform, never resend."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.PUBLISHING_STALE_SECONDS)
    # Take it over with a conditional UPDATE, so two sweeps never reconcile it twice.
    if not PostTarget.objects.filter(pk=target_id, state=TState.PUBLISHING, claimed_at__lt=cutoff).update(
        claimed_at=now
    ):
        return "not-stale"
    target = PostTarget.objects.select_related("account").get(pk=target_id)
    if target.sent_at is None:
        # Claimed but the post's request never left (the worker died first): simply sent again
        # by the next sweep, with no one bothered; the attempt is not counted.
        _record(
            target_id,
            from_states=(TState.PUBLISHING,),
            action=Action.RETRY,
            data={"reason": "never_sent"},
            state=TState.SCHEDULED,
            due_at=now,
            attempts=max(target.attempts - 1, 0),
            enqueued_at=None,
        )
        return "rescheduled"
    try:
        adapter = platforms.adapter_for(target.account)
    except platforms.PlatformError as exc:
        _record(
            target_id,
            from_states=(TState.PUBLISHING,),
            action=Action.UNCONFIRMED,
            data={"reason": "no_adapter", **_error(exc)},
            notify=True,
            as_problem=True,
            state=TState.UNCONFIRMED,
            last_error=exc.message,
        )
        return "unconfirmed"
    return _reconcile_claimed(target_id, adapter, target.published_text)
