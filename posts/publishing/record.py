"""Recording outcomes: each in a new short transaction, moving a target only out of the state it expects.

A worker that lost its claim (a reconciliation took the target over), or an
outcome someone else recorded first, changes nothing.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts import platforms
from accounts import services as account_services
from accounts.platforms import PublishResult
from checks.models import PublishedText
from immisns.celery import enqueue_on_commit
from immisns.row_values import by_id
from posts import notifications
from posts.models import PostEvent, PostTarget
from posts.publishing.claim import Claim
from posts.publishing.reactions import (
    AFTER_BACKOFF,
    ASK_A_PERSON,
    AT_RESET,
    NEEDS_REAUTH,
    PAUSE,
    Reaction,
    _backoff,
)

TState = PostTarget.State
Action = PostEvent.Action


def _record(
    target_id: int,
    *,
    from_states: tuple[str, ...],
    action: str,
    data: dict | None = None,
    notify: bool = False,
    as_problem: bool = False,
    claimed_at: dt.datetime | None = None,
    **changes,
) -> bool:
    """Record an outcome in a short transaction, only if no one else recorded one first.

    `as_problem` keeps the event's data on the target too (its `problem`), as
    why it is failed, waiting or in doubt (a change may also set `problem`
    itself, as a success clears it); `notify` e-mails the author and the supervisors;
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
        if as_problem:
            changes["problem"] = {"action": action, **data}
        for name, value in changes.items():
            setattr(target, name, value)
        target.save(update_fields=list(changes))
        PostEvent.record(
            post_id=target.post_id, target=target, action=action, from_state=was, to_state=target.state, data=data
        )
        if target.state == TState.PUBLISHED:
            assert target.published_at is not None, "a success is recorded with its time (_published)"
            PublishedText.remember(
                account_id=target.account_id, text=target.body, target_id=target.pk, published_at=target.published_at
            )
        if notify:
            enqueue_on_commit(notifications.target_failed, target.pk)
        return True


def _published(
    target_id: int,
    result: PublishResult,
    *,
    action: str = Action.PUBLISH,
    from_states=(TState.PUBLISHING, TState.UNCONFIRMED),
    reason: str = "",
) -> None:
    data = {"url": result.url, "external_id": result.external_id}
    if reason:
        data["reason"] = reason
    _record(
        target_id,
        from_states=from_states,
        action=action,
        data=data,
        state=TState.PUBLISHED,
        external_id=result.external_id,
        external_url=result.url,
        published_at=timezone.now(),
        last_error="",
        problem={},
    )


def _error(exc: platforms.PlatformError) -> dict:
    return {"error": exc.message, "error_code": exc.code}


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
            PostTarget.objects.select_for_update(of=("self",))
            .select_related("post")
            .filter(pk__in=results, state__in=(TState.PUBLISHING, TState.UNCONFIRMED))
            .order_by("pk")
        )
        events, texts = [], []
        for target in targets:
            result = results[target.pk]
            was = target.state
            target.state, target.in_doubt = TState.PUBLISHED, False
            target.external_id, target.external_url = result.external_id, result.url
            target.published_at, target.last_error, target.problem = now, "", {}
            events.append(
                PostEvent.build(
                    post_id=target.post_id,
                    target=target,
                    action=Action.PUBLISH,
                    from_state=was,
                    to_state=TState.PUBLISHED,
                    data={"url": result.url, "external_id": result.external_id},
                )
            )
            texts.append((target.account_id, target.body, target.pk))
        # One UPDATE: what every success shares is set once; only the post's id and address vary by row
        # (bulk_update resolves a CASE of seven fields row by row, which costs more CPU than the send).
        locked = [target.pk for target in targets]
        PostTarget.objects.filter(pk__in=locked).update(
            state=TState.PUBLISHED,
            in_doubt=False,
            published_at=now,
            last_error="",
            problem={},
            external_id=by_id(PostTarget, "external_id", {pk: results[pk].external_id for pk in locked}),
            external_url=by_id(PostTarget, "external_url", {pk: results[pk].url for pk in locked}),
        )
        PostEvent.objects.bulk_create(events)
        PublishedText.remember_many(texts, published_at=now)


# What a reaction does to the account, before its outcome is recorded (the account's own services).
_ACCOUNT_ACTIONS = {
    NEEDS_REAUTH: account_services.account_mark_needs_reauth,
    PAUSE: account_services.account_pause_by_system,
}


def record_reaction(
    reaction: Reaction,
    exc: platforms.PlatformError,
    *,
    target_id: int,
    attempt: int,
    claimed_at: dt.datetime | None = None,
    account=None,
) -> str:
    """Apply one reaction of the table (posts.publishing.reactions) to a send that failed with `exc`.

    Returns the outcome the publish task reports.
    """
    if reaction.looks_first:
        raise ValueError("A reaction that looks on the platform first is the sender's to apply.")
    data: dict = {"reason": reaction.reason}
    changes: dict = {"state": reaction.state}
    if reaction.due == AT_RESET:
        # The table waits for a reset only on RateLimited, the one error that names its moment.
        if not isinstance(exc, platforms.RateLimited):
            raise TypeError(f"{reaction.reason} waits for a reset that {type(exc).__name__} does not name.")
        data["until"] = exc.until.isoformat()
        changes["due_at"] = exc.until
    elif reaction.due == AFTER_BACKOFF:
        retry_at = timezone.now() + _backoff(attempt)
        data["retry_at"] = retry_at.isoformat()
        changes["due_at"] = retry_at
    if reaction.names_attempts:
        data["attempts"] = attempt
    data.update(_error(exc))
    if not reaction.spends_attempt:
        changes["attempts"] = attempt - 1
    if reaction.keeps_error:
        changes["last_error"] = exc.message
    if reaction.state == TState.SCHEDULED:
        changes["enqueued_at"] = None  # this task is spent: the sweep sends a new one when it is due
    record = {
        "from_states": (TState.PUBLISHING,),
        "action": reaction.action,
        "data": data,
        "notify": reaction.tells_people,
        "as_problem": reaction.tells_people,
        "claimed_at": claimed_at if reaction.only_this_claim else None,
        **changes,
    }
    if not reaction.account:
        _record(target_id, **record)
        return reaction.outcome
    _ACCOUNT_ACTIONS[reaction.account](account=account, reason=exc.message)
    with transaction.atomic():
        _record(target_id, **record)
        enqueue_on_commit(notifications.account_needs_attention, account.pk, exc.message)
    return reaction.outcome


def _lookup_failed(target_id: int, exc: platforms.PlatformError) -> str:
    """Nobody can tell whether an earlier attempt is on the platform: a person decides (unconfirmed)."""
    return record_reaction(ASK_A_PERSON, exc, target_id=target_id, attempt=0)
