"""Every change to a post: one function per transition (§3 of DESIGN).

Each function takes keyword arguments, checks permission through
accounts.access and the current state, changes state inside a transaction
(the post row locked), writes a PostEvent and sends its notifications only
once the transaction has committed. Views, forms and admin actions call these;
nothing else sets a state.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts.models import SocialAccount
from posts import images as post_images
from posts import notifications, selectors
from posts.models import Post, PostEvent, PostImage, PostTarget

State = Post.State
TState = PostTarget.State


class PostError(Exception):
    """A rule stops this change; the message says which, in words for the person."""

    def __init__(self, message: str, problems: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


class NotAllowed(PostError):
    """The person may not do this to this post (views answer 404 or 403)."""


@dataclass(frozen=True)
class NewImage:
    image: "post_images.CleanImage"
    alt_text: str


def _event(post: Post, *, actor, action: str, from_state: str = "", to_state: str = "", comment: str = "", target=None) -> PostEvent:
    return PostEvent.objects.create(
        post=post, target=target, actor=actor, action=action,
        from_state=from_state, to_state=to_state, comment=comment,
    )


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
            post=post, alt_text=post_images.check_alt_text(item.alt_text), mime_type=item.image.mime_type,
            width=item.image.width, height=item.image.height, size=item.image.size, position=position,
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
            post=post, account=account, defaults={"body_override": (overrides.get(account.pk) or "").strip()},
        )


def post_problems(post: Post, *, now: dt.datetime | None = None, for_approval: bool = False) -> list[str]:
    """Every reason the post may not be submitted or approved as it stands (empty when fine)."""
    now = now or timezone.now()
    problems: list[str] = []
    if not post.body.strip():
        problems.append(_("The text is empty."))
    if not for_approval and post.scheduled_at <= now:
        problems.append(_("The publishing time %(time)s is in the past.") % {
            "time": timezone.localtime(post.scheduled_at).strftime("%Y-%m-%d %H:%M")})
    previews = selectors.post_previews(post)
    if not previews:
        problems.append(_("Choose at least one account."))
    outside = []
    for preview in previews:
        handle = preview.account.display_handle
        if preview.over_limit:
            problems.append(_("%(account)s: %(length)d of %(limit)d characters with the footer; shorten it by %(over)d.") % {
                "account": handle, "length": preview.length, "limit": preview.limit, "over": preview.over_by})
        for finding in preview.blocking:
            problems.append(_("%(account)s: %(message)s «%(excerpt)s»") % {
                "account": handle, "message": finding.message, "excerpt": finding.excerpt})
        if preview.is_open is False:
            outside.append(handle)
    if outside and not post.outside_hours_reason.strip():
        problems.append(_("The time is outside office hours for %(accounts)s: give the reason for posting then, or choose another time.") % {
            "accounts": ", ".join(outside)})
    images = list(post.images.all())
    if images:
        try:
            # Stored images were cleaned on upload; their recorded sizes are what the limits need.
            post_images.check_platform_limits(images, sorted({p.account.platform for p in previews}))
        except post_images.ImageRejected as exc:
            problems.append(exc.message)
    return problems


@transaction.atomic
def post_create(
    *, author, body: str, scheduled_at: dt.datetime, accounts: Sequence[SocialAccount],
    overrides: dict[int, str] | None = None, outside_hours_reason: str = "", new_images: Sequence[NewImage] = (),
) -> Post:
    """A new draft. Nothing is checked but permission: drafts may be unfinished."""
    _check_accounts(author, accounts)
    post = Post.objects.create(
        author=author, body=body.strip(), scheduled_at=scheduled_at, outside_hours_reason=outside_hours_reason.strip(),
    )
    _set_targets(post, accounts, overrides or {})
    _store_images(post, new_images)
    _event(post, actor=author, action=PostEvent.Action.CREATE, to_state=State.DRAFT)
    return post


@transaction.atomic
def post_update(
    *, post: Post, by, body: str, scheduled_at: dt.datetime, accounts: Sequence[SocialAccount],
    overrides: dict[int, str] | None = None, outside_hours_reason: str = "",
    new_images: Sequence[NewImage] = (), remove_image_ids: Sequence[int] = (),
) -> Post:
    """Edit a draft, pending or approved post. §3: any edit voids an approval (back to pending)."""
    post = _locked(post)
    if not access.can_edit_post(by, post):
        raise NotAllowed(_("You may not edit this post."))
    if post.state == State.CANCELLED:
        raise PostError(_("A cancelled post cannot be edited."))
    _hold_targets(post, to_state=TState.WAITING)
    _check_accounts(post.author, accounts)
    if by.pk != post.author_id:
        # A supervisor editing someone's post must have every new account in scope too.
        approvable = set(access.accounts_approvable_by(by).values_list("pk", flat=True))
        if any(a.pk not in approvable for a in accounts):
            raise NotAllowed(_("You may not post to one of the chosen accounts."))
    was = post.state
    post.body = body.strip()
    post.scheduled_at = scheduled_at
    post.outside_hours_reason = outside_hours_reason.strip()
    post.revision += 1
    comment = ""
    if was in (State.PENDING, State.APPROVED):
        if was == State.APPROVED:
            comment = _("The approval by %(name)s is void: the post was edited after approval.") % {
                "name": post.approved_by.get_username() if post.approved_by else "?"}
        post.state = State.PENDING
        post.approved_by = None
        post.approved_at = None
    post.save()
    _set_targets(post, accounts, overrides or {})
    post.images.filter(pk__in=remove_image_ids).delete()
    _store_images(post, new_images, start=post.images.count())
    _event(post, actor=by, action=PostEvent.Action.EDIT, from_state=was, to_state=post.state, comment=comment)
    if was == State.APPROVED:
        transaction.on_commit(lambda: notifications.post_submitted(post.pk))
    return post


@transaction.atomic
def post_submit(*, post: Post, by) -> Post:
    """draft → pending: every check must pass; soft findings are recorded."""
    post = _locked(post)
    if post.author_id != by.pk or not access.can_edit_post(by, post):
        raise NotAllowed(_("Only the author may submit this post."))
    if post.state != State.DRAFT:
        raise PostError(_("Only a draft can be submitted."))
    problems = post_problems(post)
    if problems:
        raise PostError(_("The post cannot be submitted yet."), problems)
    post.state = State.PENDING
    post.save(update_fields=["state", "updated_at"])
    _event(post, actor=by, action=PostEvent.Action.SUBMIT, from_state=State.DRAFT, to_state=State.PENDING)
    _record_warnings(post, by)
    transaction.on_commit(lambda: notifications.post_submitted(post.pk))
    return post


def _record_warnings(post: Post, by) -> None:
    """§5: a soft finding warns and is recorded."""
    for preview in selectors.post_previews(post):
        for finding in preview.warnings:
            _event(post, actor=by, action=PostEvent.Action.WARNING,
                   comment=f"{preview.account.display_handle}: {finding.message} «{finding.excerpt}»")


@transaction.atomic
def post_approve(*, post: Post, by, comment: str = "", revision: int | None = None) -> Post:
    """pending → approved; the targets are scheduled for the post's time."""
    post = _locked(post)
    if post.author_id == by.pk:
        raise NotAllowed(_("Nobody approves their own post."))
    if not access.can_approve_post(by, post):
        raise NotAllowed(_("You may not approve this post."))
    if post.state != State.PENDING:
        raise PostError(_("Only a post awaiting approval can be approved."))
    if revision is not None and revision != post.revision:
        raise PostError(_("The post was edited while you were reading it; review it again."))
    problems = post_problems(post, for_approval=True)
    if problems:
        raise PostError(_("The post cannot be approved as it stands."), problems)
    now = timezone.now()
    post.state = State.APPROVED
    post.approved_by = by
    post.approved_at = now
    post.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
    note = comment.strip()
    if post.outside_hours_reason:
        reason = _("Approved for outside office hours: %(reason)s") % {"reason": post.outside_hours_reason}
        note = f"{reason}\n{note}".strip()
    _event(post, actor=by, action=PostEvent.Action.APPROVE, from_state=State.PENDING, to_state=State.APPROVED, comment=note)
    # The targets now belong to the machine's workflow; a time already past goes out at once.
    due_at = max(post.scheduled_at, now)
    post.targets.update(state=TState.SCHEDULED, due_at=due_at, enqueued_at=None)
    target_ids = list(post.targets.values_list("id", flat=True))
    transaction.on_commit(lambda: notifications.post_decided(post.pk))
    transaction.on_commit(lambda: _enqueue(target_ids, due_at))
    return post


def _enqueue(target_ids: list[int], due_at: dt.datetime) -> None:
    from posts.tasks import enqueue_soon

    enqueue_soon(target_ids, due_at)


@transaction.atomic
def post_reject(*, post: Post, by, comment: str) -> Post:
    """pending → draft, with the reason the author will read."""
    post = _locked(post)
    if not access.can_approve_post(by, post):
        raise NotAllowed(_("You may not reject this post."))
    if post.state != State.PENDING:
        raise PostError(_("Only a post awaiting approval can be rejected."))
    if not comment.strip():
        raise PostError(_("Say why the post is rejected, so the author can fix it."))
    post.state = State.DRAFT
    post.save(update_fields=["state", "updated_at"])
    _event(post, actor=by, action=PostEvent.Action.REJECT, from_state=State.PENDING, to_state=State.DRAFT, comment=comment.strip())
    transaction.on_commit(lambda: notifications.post_decided(post.pk))
    return post


@transaction.atomic
def post_cancel(*, post: Post, by, comment: str = "") -> Post:
    """draft / pending / approved → cancelled, as long as nothing has gone out."""
    post = _locked(post)
    if not access.can_edit_post(by, post):
        raise NotAllowed(_("You may not cancel this post."))
    if post.state == State.CANCELLED:
        raise PostError(_("The post is already cancelled."))
    _hold_targets(post, to_state=TState.CANCELLED)
    was = post.state
    post.state = State.CANCELLED
    post.save(update_fields=["state", "updated_at"])
    _event(post, actor=by, action=PostEvent.Action.CANCEL, from_state=was, to_state=State.CANCELLED, comment=comment.strip())
    return post
