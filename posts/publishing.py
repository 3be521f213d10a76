"""The publishing engine (§3, §4 of DESIGN): due targets go out once, on time, with the footer.

The database is the source of truth. A target is claimed with a conditional
UPDATE (scheduled → publishing; 0 rows means someone else has it), the
platform is called outside any transaction, and the result is recorded in a
new short transaction. A target whose attempt began but whose outcome is
unknown (the worker died after sending) is never sent blindly again: it is
reconciled against the platform by its exact text, or marked unconfirmed for
a person to decide.

Every change writes a PostEvent; every function here that a person triggers
asks accounts.access first.
"""

import datetime as dt
import logging
import random
from dataclasses import dataclass

from django.conf import settings
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts import services as account_services
from accounts.crypto import CredentialsUnreadable
from accounts.models import SocialAccount
from moderation import checks
from posts import footer, notifications, office_hours, selectors
from posts.models import Footer, Post, PostEvent, PostTarget, PublishingSwitch
from posts.publishers import base as errors
from posts.publishers.base import MediaItem, PublishResult
from posts.services import NotAllowed, PostError

log = logging.getLogger(__name__)
TState = PostTarget.State
Action = PostEvent.Action


def publisher_for(account: SocialAccount) -> errors.Publisher:
    """The publisher an account is configured to use (DESIGN §4: which one is configuration)."""
    if account.publisher == SocialAccount.Publisher.SANDBOX:
        from posts.publishers.sandbox import SandboxPublisher

        return SandboxPublisher(account=account)
    try:
        credentials = account.get_credentials()
    except CredentialsUnreadable as exc:
        raise errors.AuthRevoked(str(exc)) from None
    needed = SocialAccount.CREDENTIAL_FIELDS[account.platform]
    if any(not credentials.get(name) for name in needed) or not account.platform_id:
        raise errors.AuthRevoked(
            _("%(account)s has no credentials or platform id; an administrator must enter them.")
            % {"account": account.display_handle}
        )
    if account.platform == SocialAccount.Platform.X:
        from posts.publishers.x import XPublisher

        return XPublisher(
            api_key=settings.X_API_KEY, api_secret=settings.X_API_SECRET,
            access_token=credentials["access_token"], access_token_secret=credentials["access_token_secret"],
            user_id=account.platform_id, timeout=settings.PUBLISHING_REQUEST_TIMEOUT,
        )
    from posts.publishers.facebook import FacebookPublisher

    return FacebookPublisher(
        page_id=account.platform_id, page_access_token=credentials["page_access_token"],
        version=settings.FACEBOOK_GRAPH_API_VERSION, timeout=settings.PUBLISHING_REQUEST_TIMEOUT,
    )


# --- The kill switch --------------------------------------------------------------------------


def publishing_switch() -> PublishingSwitch | None:
    """The switch change in force, or None when publishing was never paused."""
    return PublishingSwitch.objects.select_related("actor").first()


def publishing_paused() -> bool:
    current = publishing_switch()
    return bool(current and current.paused)


@transaction.atomic
def publishing_pause_all(*, by, reason: str) -> PublishingSwitch:
    """Stop all publishing at once (administrators only). Due targets wait; none is skipped."""
    if not access.is_administrator(by):
        raise NotAllowed(_("Only administrators may pause all publishing."))
    if not reason.strip():
        raise PostError(_("Give the reason for pausing all publishing."))
    return PublishingSwitch.objects.create(paused=True, reason=reason.strip(), actor=by)


@transaction.atomic
def publishing_resume_all(*, by, reason: str = "") -> PublishingSwitch:
    if not access.is_administrator(by):
        raise NotAllowed(_("Only administrators may resume publishing."))
    return PublishingSwitch.objects.create(paused=False, reason=reason.strip() or _("Resumed"), actor=by)


# --- Finding work ------------------------------------------------------------------------------


def targets_due(until: dt.datetime):
    """Scheduled targets due by `until`, on active accounts of approved posts."""
    return PostTarget.objects.filter(
        state=TState.SCHEDULED, due_at__lte=until,
        account__state=SocialAccount.State.ACTIVE, post__state=Post.State.APPROVED,
    )


def targets_to_enqueue(now: dt.datetime, *, lookahead: dt.timedelta, requeue_after: dt.timedelta) -> list[tuple[int, dt.datetime]]:
    """(id, due_at) of targets due soon that have no publish task on the queue.

    A task is sent to run at the target's due time (punctual to the second)
    and its time is kept in enqueued_at, so the sweep every few seconds does
    not send it again; a task the broker lost (its time passed `requeue_after`
    ago and the target is still scheduled) is sent again.
    """
    if publishing_paused():
        return []
    rows = list(
        targets_due(now + lookahead)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - requeue_after))
        .order_by("due_at", "id")
        .values_list("id", "due_at")[:1000]
    )
    # Marked with the time its task will run; due ones share one UPDATE.
    PostTarget.objects.filter(pk__in=[i for i, due_at in rows if due_at <= now]).update(enqueued_at=now)
    for target_id, due_at in rows:
        if due_at > now:
            PostTarget.objects.filter(pk=target_id).update(enqueued_at=due_at)
    return rows


def targets_stale(now: dt.datetime) -> list[int]:
    """Targets left in "publishing" longer than any worker may still be sending them."""
    cutoff = now - dt.timedelta(seconds=settings.PUBLISHING_STALE_SECONDS)
    return list(PostTarget.objects.filter(state=TState.PUBLISHING, claimed_at__lt=cutoff).values_list("id", flat=True))


# --- Publishing one target -------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    target_id: int
    account: SocialAccount
    text: str
    media: list[MediaItem]
    attempt: int


def _event(target: PostTarget, action: str, *, comment: str = "", from_state: str = "", to_state: str = "", actor=None) -> None:
    PostEvent.objects.create(
        post_id=target.post_id, target=target, actor=actor, action=action,
        from_state=from_state, to_state=to_state, comment=comment,
    )


class _ClaimRound:
    """What the claims of one moment share: office hours, footers, checks, lengths, images.

    One post to 21 accounts is claimed in one transaction with a handful of
    queries, so the platform calls can start together (DESIGN §4: one post to
    every account goes out in about the time of one call).
    """

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.paused = publishing_paused()
        self._open: dict[int, bool] = {}
        self._footers: list[Footer] | None = None
        self._blocking: dict[str, list[str]] = {}
        self._measured: dict[tuple[str, str], tuple[int, int]] = {}
        self._media: dict[int, list[MediaItem]] = {}

    def is_open(self, office) -> bool:
        if office.pk not in self._open:
            self._open[office.pk] = office_hours.is_open(office, self.now)
        return self._open[office.pk]

    def footer(self, account: SocialAccount) -> Footer | None:
        """As footer.footer_for(), from one query for the whole round."""
        if self._footers is None:
            self._footers = list(Footer.objects.all())
        return footer.footer_for(account, versions=self._footers)

    def content_problems(self, target: PostTarget, text: str) -> list[str]:
        """§5: the checks run again before publishing (the allow-list or the rules may have changed)."""
        key = (target.account.platform, text)
        if key not in self._measured:
            self._measured[key] = selectors.measure(text, target.account)
        measured, limit = self._measured[key]
        problems = []
        if measured > limit:
            problems.append(_("%(length)d of %(limit)d characters with the footer.") % {"length": measured, "limit": limit})
        if target.body not in self._blocking:
            # Only blocking findings stop a post here; the duplicate check only warns.
            self._blocking[target.body] = [
                f"{f.message} «{f.excerpt}»" for f in checks.scan(target.body) if f.severity == checks.BLOCK
            ]
        return problems + self._blocking[target.body]

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
            PostTarget.objects.filter(pk=target.pk).update(enqueued_at=None)  # its task came early; the sweep resends
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
                return _fail_now(target, str(exc))
            PostTarget.objects.filter(pk=target.pk).update(due_at=opening, enqueued_at=None)
            _event(target, Action.DEFER, comment=_("Outside office hours now; deferred to %(when)s.") % {
                "when": timezone.localtime(opening).strftime("%Y-%m-%d %H:%M")})
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
    with transaction.atomic():
        targets = list(
            PostTarget.objects.select_for_update(of=("self",))
            .select_related("post", "account__office")
            .filter(pk__in=target_ids).order_by("pk")
        )
        ready: dict[tuple[str, int | None], list[PostTarget]] = {}
        for target in targets:
            held = round_.hold(target)
            if held:
                outcomes[target.pk] = held
                continue
            footer_version = round_.footer(target.account)
            text = footer.join(target.body, footer_version)
            problems = round_.content_problems(target, text)
            if problems:
                outcomes[target.pk] = _fail_now(target, "\n".join(problems))
                continue
            ready.setdefault((text, footer_version.pk if footer_version else None), []).append(target)
        events = []
        for (text, footer_id), group in ready.items():
            ids = [t.pk for t in group]
            claimed = PostTarget.objects.filter(pk__in=ids, state=TState.SCHEDULED).update(
                state=TState.PUBLISHING, claimed_at=now, attempts=F("attempts") + 1,
                published_text=text, footer_id=footer_id, last_error="",
            )
            if claimed != len(ids):
                # The rows are locked by this transaction; anything else is a fault: send nothing.
                raise RuntimeError(f"Claimed {claimed} of targets {ids}; nothing was sent.")
            for target in group:
                attempt = target.attempts + 1
                outcomes[target.pk] = "claimed"
                claims.append(Claim(target.pk, target.account, text, round_.media(target.post), attempt))
                events.append(PostEvent(
                    post_id=target.post_id, target=target, action=Action.CLAIM, from_state=TState.SCHEDULED,
                    to_state=TState.PUBLISHING, comment=_("Attempt %(n)d.") % {"n": attempt},
                ))
        PostEvent.objects.bulk_create(events)
    return outcomes, claims


def _fail_now(target: PostTarget, reason: str) -> str:
    PostTarget.objects.filter(pk=target.pk).update(state=TState.FAILED, last_error=reason)
    _event(target, Action.FAIL, from_state=TState.SCHEDULED, to_state=TState.FAILED, comment=reason)
    transaction.on_commit(lambda: notifications.target_failed(target.pk))
    return "failed"


def _record(target_id: int, *, from_states: tuple[str, ...], action: str, comment: str = "", notify=None, **changes) -> bool:
    """Record an outcome in a short transaction, only if no one else recorded one first."""
    with transaction.atomic():
        target = PostTarget.objects.select_for_update().filter(pk=target_id, state__in=from_states).first()
        if target is None:
            return False
        was = target.state
        for name, value in changes.items():
            setattr(target, name, value)
        target.save(update_fields=list(changes))
        _event(target, action, from_state=was, to_state=target.state, comment=comment)
        if notify is not None:
            transaction.on_commit(lambda: notify(target.pk))
        return True


def _published(target_id: int, result: PublishResult, *, action: str = Action.PUBLISH, from_states=(TState.PUBLISHING, TState.UNCONFIRMED), comment: str = "") -> None:
    _record(
        target_id, from_states=from_states, action=action, comment=comment or result.url,
        state=TState.PUBLISHED, external_id=result.external_id, external_url=result.url,
        published_at=timezone.now(), last_error="",
    )


def _backoff(attempt: int) -> dt.timedelta:
    # Exponential with full jitter, so a platform outage does not get every worker back at once.
    ceiling = settings.PUBLISHING_BACKOFF_SECONDS * (2 ** (attempt - 1))
    return dt.timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def target_publish(*, target_id: int, now: dt.datetime | None = None) -> str:
    """Publish one due target, at most once. Returns what happened (for logs and tests)."""
    return targets_publish(target_ids=[target_id], now=now)[target_id]


def targets_publish(*, target_ids: list[int], now: dt.datetime | None = None) -> dict[int, str]:
    """Publish due targets (typically one post's accounts): claimed together, sent in parallel.

    Claiming is database work, done once for all; the platform calls are I/O,
    so each runs in its own thread, after the claims are committed.
    """
    outcomes, claims = _claim_round(list(target_ids), now or timezone.now())
    if len(claims) == 1:
        outcomes[claims[0].target_id] = _send(claims[0])
    elif claims:
        with ThreadPoolExecutor(max_workers=len(claims), thread_name_prefix="publish") as pool:
            for claim, outcome in zip(claims, pool.map(_send_in_thread, claims)):
                outcomes[claim.target_id] = outcome
    return outcomes


def _send_in_thread(claim: Claim) -> str:
    try:
        return _send(claim)
    finally:
        connection.close()  # each thread has its own database connection


def _send(claim: Claim) -> str:
    account = claim.account
    try:
        publisher = publisher_for(account)
        if claim.attempt > 1:
            # An earlier attempt ended in doubt (timeout, 5xx): it may have gone out. Look first.
            found = publisher.find_recent(claim.text)
            if found is not None:
                _published(claim.target_id, found, action=Action.RECONCILE,
                           comment=_("Found on the platform after an uncertain attempt: %(url)s") % {"url": found.url})
                return "reconciled"
        result = publisher.publish(claim.text, claim.media)
    except errors.RateLimited as exc:
        # §4: wait for the reset the platform names; the attempt is not counted.
        _record(claim.target_id, from_states=(TState.PUBLISHING,), action=Action.DEFER,
                comment=_("Rate limited by the platform until %(when)s.") % {"when": timezone.localtime(exc.until).strftime("%Y-%m-%d %H:%M:%S")},
                state=TState.SCHEDULED, due_at=exc.until, attempts=claim.attempt - 1, enqueued_at=None)
        return "rate-limited"
    except errors.Transient as exc:
        if claim.attempt >= settings.PUBLISHING_MAX_ATTEMPTS:
            _record(claim.target_id, from_states=(TState.PUBLISHING,), action=Action.FAIL,
                    comment=_("Gave up after %(n)d attempts: %(error)s") % {"n": claim.attempt, "error": exc.message},
                    notify=notifications.target_failed, state=TState.FAILED, last_error=exc.message)
            return "failed"
        retry_at = timezone.now() + _backoff(claim.attempt)
        _record(claim.target_id, from_states=(TState.PUBLISHING,), action=Action.RETRY,
                comment=_("Temporary failure (%(error)s); next attempt at %(when)s.") % {
                    "error": exc.message, "when": timezone.localtime(retry_at).strftime("%H:%M:%S")},
                state=TState.SCHEDULED, due_at=retry_at, last_error=exc.message, enqueued_at=None)
        return "retry"
    except errors.AuthRevoked as exc:
        # The account needs new credentials; its posts wait, the other accounts carry on.
        account_services.account_mark_needs_reauth(account=account, reason=exc.message)
        _record(claim.target_id, from_states=(TState.PUBLISHING,), action=Action.DEFER,
                comment=_("The account's authorisation was revoked (%(error)s); waiting until it is re-authorised.") % {"error": exc.message},
                state=TState.SCHEDULED, attempts=claim.attempt - 1, last_error=exc.message, enqueued_at=None)
        transaction.on_commit(lambda reason=exc.message: notifications.account_needs_attention(account.pk, reason))
        return "needs-reauth"
    except errors.OutOfCredits as exc:
        account_services.account_pause_by_system(account=account, reason=exc.message)
        _record(claim.target_id, from_states=(TState.PUBLISHING,), action=Action.FAIL, comment=exc.message,
                notify=notifications.target_failed, state=TState.FAILED, last_error=exc.message)
        transaction.on_commit(lambda reason=exc.message: notifications.account_needs_attention(account.pk, reason))
        return "failed"
    except errors.Rejected as exc:
        if exc.duplicate and claim.attempt > 1:
            return _reconcile_claimed(claim.target_id, publisher, claim.text)
        _record(claim.target_id, from_states=(TState.PUBLISHING,), action=Action.FAIL,
                comment=_("The platform refused the post: %(error)s") % {"error": exc.message},
                notify=notifications.target_failed, state=TState.FAILED, last_error=exc.message)
        return "failed"
    except Exception as exc:  # noqa: BLE001 — an unknown failure leaves the outcome unknown
        log.exception("Publishing target %s failed unexpectedly", claim.target_id)
        reason = _("Unexpected error; the post may or may not have gone out: %(error)s") % {"error": type(exc).__name__}
        _record(claim.target_id, from_states=(TState.PUBLISHING,), action=Action.UNCONFIRMED, comment=reason,
                notify=notifications.target_failed, state=TState.UNCONFIRMED, last_error=reason)
        return "unconfirmed"
    _published(claim.target_id, result)
    return "published"


def _reconcile_claimed(target_id: int, publisher, text: str) -> str:
    try:
        found = publisher.find_recent(text)
    except errors.PublishError as exc:
        found, problem = None, exc.message
    else:
        problem = ""
    if found is not None:
        _published(target_id, found, action=Action.RECONCILE, from_states=(TState.PUBLISHING, TState.UNCONFIRMED),
                   comment=_("Found on the platform: %(url)s") % {"url": found.url})
        return "reconciled"
    reason = _("The outcome of the attempt is unknown and the post was not found among the account's recent posts%(problem)s. Decide whether to publish it again or record it as published.") % {
        "problem": f" ({problem})" if problem else ""}
    _record(target_id, from_states=(TState.PUBLISHING,), action=Action.UNCONFIRMED, comment=reason,
            notify=notifications.target_failed, state=TState.UNCONFIRMED, last_error=reason)
    return "unconfirmed"


def target_reconcile(*, target_id: int, now: dt.datetime | None = None) -> str:
    """A target stuck in "publishing" (its worker died): look for it on the platform, never resend."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.PUBLISHING_STALE_SECONDS)
    # Take it over with a conditional UPDATE, so two sweeps never reconcile it twice.
    if not PostTarget.objects.filter(pk=target_id, state=TState.PUBLISHING, claimed_at__lt=cutoff).update(claimed_at=now):
        return "not-stale"
    target = PostTarget.objects.select_related("account").get(pk=target_id)
    try:
        publisher = publisher_for(target.account)
    except errors.PublishError as exc:
        _record(target_id, from_states=(TState.PUBLISHING,), action=Action.UNCONFIRMED, comment=exc.message,
                notify=notifications.target_failed, state=TState.UNCONFIRMED, last_error=exc.message)
        return "unconfirmed"
    return _reconcile_claimed(target_id, publisher, target.published_text)


# --- What people do about targets ----------------------------------------------------------------


def _target_for_update(target: PostTarget) -> PostTarget:
    return PostTarget.objects.select_for_update(of=("self",)).select_related("post", "account").get(pk=target.pk)


@transaction.atomic
def target_retry(*, target: PostTarget, by) -> PostTarget:
    """failed → scheduled, due now: the author or a supervisor in scope tries again."""
    target = _target_for_update(target)
    if not (access.can_edit_post(by, target.post) or access.can_approve_for(by, target.account)):
        raise NotAllowed(_("You may not retry this post."))
    if target.state != TState.FAILED:
        raise PostError(_("Only a failed post can be retried."))
    if target.post.state != Post.State.APPROVED:
        raise PostError(_("The post is no longer approved."))
    target.state = TState.SCHEDULED
    target.due_at = timezone.now()
    target.attempts = 0
    target.enqueued_at = None
    target.save(update_fields=["state", "due_at", "attempts", "enqueued_at"])
    _event(target, Action.RETRY, from_state=TState.FAILED, to_state=TState.SCHEDULED, actor=by,
           comment=_("Retried by a person."))
    return target


@transaction.atomic
def target_resolve_unconfirmed(*, target: PostTarget, by, published: bool, url: str = "", comment: str = "") -> PostTarget:
    """A supervisor in scope decides an unconfirmed target: it went out (with its URL), or send it again."""
    target = _target_for_update(target)
    if not access.can_approve_for(by, target.account):
        raise NotAllowed(_("Only a supervisor of this account may decide."))
    if target.state != TState.UNCONFIRMED:
        raise PostError(_("Only a post whose outcome is unknown can be decided."))
    if published:
        target.state = TState.PUBLISHED
        target.external_url = url.strip()
        target.published_at = timezone.now()
        action, note = Action.RECONCILE, _("Recorded as published by a person. %(comment)s") % {"comment": comment}
    else:
        target.state = TState.SCHEDULED
        target.due_at = timezone.now()
        target.attempts = 0  # a fresh attempt: no reconciliation first, the person checked
        target.enqueued_at = None
        action, note = Action.RETRY, _("A person checked the platform and chose to publish again. %(comment)s") % {"comment": comment}
    target.last_error = ""
    target.save()
    _event(target, action, from_state=TState.UNCONFIRMED, to_state=target.state, actor=by, comment=note.strip())
    return target


def target_withdraw(*, target: PostTarget, by, reason: str) -> PostTarget:
    """§5.3: a supervisor in scope deletes a published post from the platform, with a reason."""
    with transaction.atomic():
        target = _target_for_update(target)
        if not access.can_approve_for(by, target.account):
            raise NotAllowed(_("Only a supervisor of this account may withdraw the post."))
        if target.state != TState.PUBLISHED:
            raise PostError(_("Only a published post can be withdrawn."))
        if not reason.strip():
            raise PostError(_("Give the reason for withdrawing the post."))
    try:
        publisher_for(target.account).delete(target.external_id)
    except errors.PublishError as exc:
        with transaction.atomic():
            _event(target, Action.WITHDRAW, actor=by,
                   comment=_("Withdrawal failed; the post is still published: %(error)s") % {"error": exc.message})
        raise PostError(_("The platform did not delete the post: %(error)s") % {"error": exc.message}) from None
    with transaction.atomic():
        PostTarget.objects.filter(pk=target.pk, state=TState.PUBLISHED).update(state=TState.WITHDRAWN)
        _event(target, Action.WITHDRAW, from_state=TState.PUBLISHED, to_state=TState.WITHDRAWN, actor=by, comment=reason.strip())
    target.refresh_from_db()
    return target
