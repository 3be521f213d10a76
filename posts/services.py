"""Every change to a post: one function per transition (docs/architecture.md, the workflow).

Each function takes keyword arguments, asks posts.rights whether this person
may do it to this post now (scope, four eyes, state, doubt) or accounts.access
for the account-level actions, changes state inside a transaction
(the post row locked), writes a PostEvent and sends its notifications only
once the transaction has committed. Views, forms and admin actions call these;
nothing else sets a state.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access, platforms
from accounts.models import SocialAccount
from checks.models import PublishedText
from immisns.celery import enqueue_on_commit
from posts import images as post_images
from posts import notifications, preview, publishing, readiness, rights
from posts.errors import NotAllowed, PostError
from posts.models import Post, PostEvent, PostImage, PostTarget, PublishingSwitch
from posts.rights import post_rights

State = Post.State
TState = PostTarget.State
Action = PostEvent.Action


@dataclass(frozen=True)
class NewImage:
    image: "post_images.CleanImage"
    alt_text: str


def _locked(post: Post) -> Post:
    # FOR NO KEY UPDATE: a worker recording an event (a foreign key to this row)
    # must not wait on a person editing the post, or the two could deadlock.
    return Post.objects.select_for_update(no_key=True).get(pk=post.pk)


def _check_accounts(author, accounts: Sequence[SocialAccount]) -> None:
    if not accounts:
        raise PostError(_("Choose at least one account."))
    draftable = set(access.accounts_draftable_by(author).values_list("pk", flat=True))
    foreign = [a.display_handle for a in accounts if a.pk not in draftable]
    if foreign:
        raise NotAllowed(_("You may not post to: %(accounts)s") % {"accounts": ", ".join(foreign)})


def _store_images(post: Post, new_images: Sequence[NewImage], *, start: int = 0) -> None:
    for position, item in enumerate(new_images, start=start):
        image = PostImage(
            post=post,
            alt_text=post_images.check_alt_text(item.alt_text),
            mime_type=item.image.mime_type,
            width=item.image.width,
            height=item.image.height,
            size=item.image.size,
            position=position,
        )
        image.file.save(f"image-{position + 1}.{item.image.extension}", ContentFile(item.image.data), save=False)
        image.save()


def _hold_targets(post: Post, *, to_state: str) -> None:
    """Take every target back from the machine (waiting or cancelled), or refuse if one has left.

    A conditional UPDATE, like the worker's claim: if a worker claimed a target
    a moment ago, fewer rows change and the whole change is refused, so a post
    that is going out is never reset or cancelled under the worker.
    """
    movable = [TState.WAITING, TState.SCHEDULED]
    total = post.targets.count()
    moved = post.targets.filter(state__in=movable).update(state=to_state, due_at=None, enqueued_at=None)
    if moved != total:
        raise PostError(_("Publishing of this post has begun; it can no longer be edited or cancelled."))


def _set_targets(post: Post, accounts: Sequence[SocialAccount], overrides: dict[int, str]) -> None:
    wanted = {a.pk for a in accounts}
    post.targets.exclude(account_id__in=wanted).delete()
    for account in accounts:
        PostTarget.objects.update_or_create(
            post=post,
            account=account,
            defaults={"body_override": overrides.get(account.pk) or ""},
        )


@transaction.atomic
def post_create(
    *,
    author,
    body: str,
    scheduled_at: dt.datetime,
    accounts: Sequence[SocialAccount],
    overrides: dict[int, str] | None = None,
    outside_hours_reason: str = "",
    new_images: Sequence[NewImage] = (),
) -> Post:
    """A new draft. Nothing is checked but permission: drafts may be unfinished."""
    _check_accounts(author, accounts)
    post = Post.objects.create(
        author=author,
        body=body,
        scheduled_at=scheduled_at,
        outside_hours_reason=outside_hours_reason,
    )
    _set_targets(post, accounts, overrides or {})
    _store_images(post, new_images)
    PostEvent.record(post_id=post.pk, actor=author, action=Action.CREATE, to_state=State.DRAFT)
    return post


def _changes(
    post: Post,
    *,
    body: str,
    scheduled_at: dt.datetime,
    accounts: Sequence[SocialAccount],
    overrides: dict[int, str],
    outside_hours_reason: str,
    new_images: Sequence[NewImage],
    remove_image_ids: Sequence[int],
) -> list[str]:
    """What an edit changes, in the words of §3: text, accounts, time, images (and the stated reason)."""
    before = {t.account_id: t.body_override for t in post.targets.all()}
    after = {a.pk: overrides.get(a.pk) or "" for a in accounts}
    changed = []
    if body != post.body or any(before[pk] != after[pk] for pk in before.keys() & after.keys()):
        changed.append("text")
    if before.keys() != after.keys():
        changed.append("accounts")
    if scheduled_at != post.scheduled_at:
        changed.append("time")
    if outside_hours_reason != post.outside_hours_reason:
        changed.append("reason")
    if new_images or post.images.filter(pk__in=remove_image_ids).exists():
        changed.append("images")
    return changed


@transaction.atomic
def post_update(
    *,
    post: Post,
    by,
    body: str,
    scheduled_at: dt.datetime,
    accounts: Sequence[SocialAccount],
    overrides: dict[int, str] | None = None,
    outside_hours_reason: str = "",
    new_images: Sequence[NewImage] = (),
    remove_image_ids: Sequence[int] = (),
) -> Post:
    """Edit a draft, pending or approved post. §3: any edit voids an approval (back to pending).

    Saving without changing anything changes nothing: no new revision, no event, the approval stands.
    """
    post = _locked(post)
    post_rights(by, post).refuse(rights.EDIT)  # scope, not cancelled, not in doubt
    changed = _changes(
        post,
        body=body,
        scheduled_at=scheduled_at,
        accounts=accounts,
        overrides=overrides or {},
        outside_hours_reason=outside_hours_reason,
        new_images=new_images,
        remove_image_ids=remove_image_ids,
    )
    if not changed:
        # Saved as it was: nothing to approve again, so the approval (and the schedule) stands.
        return post
    _hold_targets(post, to_state=TState.WAITING)
    _check_accounts(post.author, accounts)
    if by.pk != post.author_id:
        # A supervisor editing someone's post must have every new account in scope too.
        approvable = set(access.accounts_approvable_by(by).values_list("pk", flat=True))
        if any(a.pk not in approvable for a in accounts):
            raise NotAllowed(_("You may not post to one of the chosen accounts."))
    was = post.state
    moved_from = post.scheduled_at
    post.body = body
    post.scheduled_at = scheduled_at
    post.outside_hours_reason = outside_hours_reason
    post.revision += 1
    # What this person changed: §3's four eyes keep them from approving this revision.
    data = {"revision": post.revision, "changed": changed}
    if "time" in changed:
        # A move (on the calendar or the edit page) keeps the old and new time, for the history and the audit log.
        data["time_from"], data["time_to"] = moved_from.isoformat(), scheduled_at.isoformat()
        if "reason" in changed and not outside_hours_reason.strip():
            data["reason_dropped"] = True  # moved into counter hours: no reason is owed any more
    if was in (State.PENDING, State.APPROVED):
        if was == State.APPROVED:
            data["voided_approval_of"] = post.approved_by.get_username() if post.approved_by else "?"
        post.state = State.PENDING
        post.approved_by = None
        post.approved_at = None
    post.save()
    _set_targets(post, accounts, overrides or {})
    post.images.filter(pk__in=remove_image_ids).delete()
    _store_images(post, new_images, start=post.images.count())
    PostEvent.record(post_id=post.pk, actor=by, action=Action.EDIT, from_state=was, to_state=post.state, data=data)
    if was == State.APPROVED:
        enqueue_on_commit(notifications.post_submitted, post.pk)
    return post


@transaction.atomic
def post_submit(*, post: Post, by) -> Post:
    """draft → pending: every check must pass; soft findings are recorded."""
    post = _locked(post)
    post_rights(by, post).refuse(rights.SUBMIT)
    problems = readiness.post_problems(post)
    if problems:
        raise PostError(_("The post cannot be submitted yet."), problems)
    post.state = State.PENDING
    post.returned_by, post.returned_comment = None, ""  # submitted again: the sending back is dealt with
    post.save(update_fields=["state", "returned_by", "returned_comment", "updated_at"])
    PostEvent.record(post_id=post.pk, actor=by, action=Action.SUBMIT, from_state=State.DRAFT, to_state=State.PENDING)
    _record_warnings(post, by)
    enqueue_on_commit(notifications.post_submitted, post.pk)
    return post


def _record_warnings(post: Post, by) -> None:
    """§5: a soft finding warns and is recorded."""
    for target in preview.post_previews(post):
        for finding in target.warnings:
            PostEvent.record(
                post_id=post.pk,
                actor=by,
                action=Action.WARNING,
                data={"account": target.account.display_handle, "kind": finding.kind, "excerpt": finding.excerpt},
            )


@transaction.atomic
def post_approve(*, post: Post, by, comment: str = "", revision: int | None = None) -> Post:
    """pending → approved; the targets are scheduled for the post's time."""
    post = _locked(post)
    # Not the author nor an editor since the last approval (four eyes), in scope, pending, the
    # revision the person read, not in doubt.
    post_rights(by, post).refuse(rights.APPROVE, revision=revision)
    problems = readiness.post_problems(post, for_approval=True)
    if problems:
        raise PostError(_("The post cannot be approved as it stands."), problems)
    now = timezone.now()
    post.state = State.APPROVED
    post.approved_by = by
    post.approved_at = now
    post.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
    data = {"outside_hours_reason": post.outside_hours_reason} if post.outside_hours_reason else {}
    PostEvent.record(
        post_id=post.pk,
        actor=by,
        action=Action.APPROVE,
        from_state=State.PENDING,
        to_state=State.APPROVED,
        data=data,
        comment=comment,
    )
    # The targets now belong to the machine's workflow; a time already past goes out at once.
    due_at = max(post.scheduled_at, now)
    post.targets.update(state=TState.SCHEDULED, due_at=due_at, enqueued_at=None)
    target_ids = list(post.targets.values_list("id", flat=True))
    enqueue_on_commit(notifications.post_decided, post.pk)
    transaction.on_commit(partial(publishing.enqueue_soon, target_ids, due_at))
    return post


@transaction.atomic
def post_reject(*, post: Post, by, comment: str) -> Post:
    """pending → draft, sent back (差戻し) with the reason the author will read on the post and at home."""
    post = _locked(post)
    post_rights(by, post).refuse(rights.REJECT)
    if not comment.strip():
        raise PostError(_("Say why the post is rejected, so the author can fix it."))
    post.state = State.DRAFT
    post.returned_by, post.returned_comment = by, comment
    post.save(update_fields=["state", "returned_by", "returned_comment", "updated_at"])
    PostEvent.record(
        post_id=post.pk, actor=by, action=Action.REJECT, from_state=State.PENDING, to_state=State.DRAFT, comment=comment
    )
    enqueue_on_commit(notifications.post_decided, post.pk)
    return post


NOTE_LENGTH = 2000


@transaction.atomic
def post_note(*, post: Post, by, text: str) -> PostEvent:
    """A note on a draft or pending post, kept in its history for the author and the supervisors to read.

    Notes change nothing of the post: no revision, and the four eyes are untouched.
    """
    post = _locked(post)
    if not post_rights(by, post).note:
        raise NotAllowed(_("Notes are written on drafts and pending posts, by their author and supervisors."))
    text = text.strip()
    if not text:
        raise PostError(_("Write the note first."))
    if len(text) > NOTE_LENGTH:
        raise PostError(_("A note is at most %(limit)d characters.") % {"limit": NOTE_LENGTH})
    note = PostEvent.record(
        post_id=post.pk, actor=by, action=Action.NOTE, from_state=post.state, to_state=post.state, comment=text
    )
    enqueue_on_commit(notifications.post_noted, note.pk)
    return note


@transaction.atomic
def post_cancel(*, post: Post, by, comment: str = "") -> Post:
    """draft / pending / approved → cancelled, as long as nothing has gone out."""
    post = _locked(post)
    post_rights(by, post).refuse(rights.CANCEL)  # scope, not cancelled already, not in doubt
    _hold_targets(post, to_state=TState.CANCELLED)
    was = post.state
    post.state = State.CANCELLED
    post.save(update_fields=["state", "updated_at"])
    PostEvent.record(
        post_id=post.pk, actor=by, action=Action.CANCEL, from_state=was, to_state=State.CANCELLED, comment=comment
    )
    return post


# --- What people do about targets and the publishing switch ---------------------------------------


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
    target.problem = {}
    target.save(update_fields=["state", "due_at", "attempts", "enqueued_at", "problem"])
    PostEvent.record(
        post_id=target.post_id,
        target=target,
        actor=by,
        action=Action.RETRY,
        from_state=TState.FAILED,
        to_state=TState.SCHEDULED,
        data={"reason": "person"},
    )
    return target


@transaction.atomic
def target_resolve_unconfirmed(
    *, target: PostTarget, by, published: bool, url: str = "", comment: str = ""
) -> PostTarget:
    """A supervisor in scope decides an unconfirmed target: it went out (with its URL), or send it again."""
    target = _target_for_update(target)
    if not access.can_approve_for(by, target.account):
        raise NotAllowed(_("Only a supervisor of this account may decide."))
    if target.state != TState.UNCONFIRMED:
        raise PostError(_("Only a post whose outcome is unknown can be decided."))
    now = timezone.now()
    in_flight_until = target.sent_at and target.sent_at + dt.timedelta(
        seconds=settings.PUBLISHING_SEND_DEADLINE_SECONDS
    )
    if not published and in_flight_until and now < in_flight_until:
        # Its send may still be running; publishing again now could race it.
        raise PostError(
            _("The last attempt may still be in progress; decide after %(time)s.")
            % {"time": timezone.localtime(in_flight_until).strftime("%H:%M:%S")}
        )
    if published:
        target.state = TState.PUBLISHED
        target.external_url = url
        target.published_at = published_at = timezone.now()
        action, data = Action.RECONCILE, {"reason": "person", "url": url}
    else:
        target.state = TState.SCHEDULED
        target.due_at = timezone.now()
        target.attempts = 0  # a fresh attempt: no reconciliation first, the person checked
        target.enqueued_at = None
        action, data = Action.RETRY, {"reason": "person_checked"}
    target.last_error = ""
    target.problem = {}
    target.in_doubt = False  # a person decided
    target.save()
    if published:
        PublishedText.remember(
            account_id=target.account_id, text=target.body, target_id=target.pk, published_at=published_at
        )
    PostEvent.record(
        post_id=target.post_id,
        target=target,
        actor=by,
        action=action,
        from_state=TState.UNCONFIRMED,
        to_state=target.state,
        data=data,
        comment=comment,
    )
    return target


def target_withdraw(*, target: PostTarget, by, reason: str) -> PostTarget:
    """§5.3: a supervisor in scope deletes a published post from the platform, with a reason.

    Three steps, each committed: the intent (an event, and the target's problem,
    so the page says a withdrawal is under way), the platform's delete, the
    outcome. If anything fails after the intent, the page still tells the truth.
    """
    if "\x00" in reason:
        raise PostError(_("The reason contains a character that cannot be stored."))
    with transaction.atomic():
        target = _target_for_update(target)
        if not access.can_approve_for(by, target.account):
            raise NotAllowed(_("Only a supervisor of this account may withdraw the post."))
        if target.state != TState.PUBLISHED:
            raise PostError(_("Only a published post can be withdrawn."))
        if not reason.strip():
            raise PostError(_("Give the reason for withdrawing the post."))
        requested = {"action": Action.WITHDRAW, "reason": "requested"}
        PostTarget.objects.filter(pk=target.pk).update(problem=requested)
        PostEvent.record(
            post_id=target.post_id,
            target=target,
            actor=by,
            action=Action.WITHDRAW,
            data={"reason": "requested"},
            comment=reason,
        )
    try:
        platforms.adapter_for(target.account).delete(target.external_id)
    except platforms.Transient as exc:
        # No answer (a timeout, a 5xx): the delete may or may not have happened. The page says so.
        uncertain = {
            "action": Action.WITHDRAW,
            "reason": "delete_uncertain",
            "error": exc.message,
            "error_code": exc.code,
        }
        with transaction.atomic():
            PostTarget.objects.filter(pk=target.pk, state=TState.PUBLISHED).update(problem=uncertain)
            PostEvent.record(
                post_id=target.post_id,
                target=target,
                actor=by,
                action=Action.WITHDRAW,
                data={key: value for key, value in uncertain.items() if key != "action"},
                comment=reason,
            )
        raise PostError(
            _(
                "The platform did not answer (%(error)s); the post may or may not have been deleted. "
                "Check the account on the platform."
            )
            % {"error": exc.message}
        ) from None
    except platforms.PlatformError as exc:
        with transaction.atomic():
            PostTarget.objects.filter(pk=target.pk, state=TState.PUBLISHED).update(problem={})
            PostEvent.record(
                post_id=target.post_id,
                target=target,
                actor=by,
                action=Action.WITHDRAW,
                data={"reason": "delete_failed", "error": exc.message, "error_code": exc.code},
                comment=reason,
            )
        raise PostError(_("The platform did not delete the post: %(error)s") % {"error": exc.message}) from None
    with transaction.atomic():
        PostTarget.objects.filter(pk=target.pk, state=TState.PUBLISHED).update(state=TState.WITHDRAWN, problem={})
        PublishedText.forget(target_id=target.pk)
        PostEvent.record(
            post_id=target.post_id,
            target=target,
            actor=by,
            action=Action.WITHDRAW,
            from_state=TState.PUBLISHED,
            to_state=TState.WITHDRAWN,
            comment=reason,
        )
    target.refresh_from_db()
    return target


@transaction.atomic
def publishing_pause_all(*, by, reason: str) -> PublishingSwitch:
    """Stop all publishing at once (administrators only). Due targets wait; none is skipped."""
    if not access.is_administrator(by):
        raise NotAllowed(_("Only administrators may pause all publishing."))
    if not reason.strip():
        raise PostError(_("Give the reason for pausing all publishing."))
    return PublishingSwitch.objects.create(paused=True, reason=reason, actor=by)


@transaction.atomic
def publishing_resume_all(*, by, reason: str = "") -> PublishingSwitch:
    if not access.is_administrator(by):
        raise NotAllowed(_("Only administrators may resume publishing."))
    return PublishingSwitch.objects.create(paused=False, reason=reason or _("Resumed"), actor=by)
