"""May this person approve, edit, submit or cancel this post now? The one answer (docs/architecture.md, the workflow).

Four things decide it, here and nowhere else:

- scope: the person's offices reach every account of the post
  (accounts.access.can_edit_post / can_approve_post, which read the post's
  targets as given, so prefetched targets cost nothing);
- four eyes: nobody approves a revision they wrote a part of, that is the
  author and everyone who changed the post since its last approval;
- the post's state (only a draft is submitted, only a pending post decided,
  a cancelled post never changes);
- doubt: a target whose attempt may already be on the platform (awaiting a
  retry that looks first, or unconfirmed) blocks editing, re-approval and
  cancelling until a person decides it.

The transitions in posts.services raise ``rights.refusal(...)``; the post
page, the approval queue and the calendar ask the same object which actions to
offer. A page offers an action that only doubt stops, so that the transition,
when tried, explains which accounts are in doubt and what to do; it never
offers an edit once a target has left the waiting states (the transition would
refuse it, under a lock, anyway).

Everything is read lazily and from what the caller has: the targets as the
post carries them (prefetched on the queue, the calendar and the post page)
and the revisions when the caller has read them (the queue prefetches them
with selectors.authorship_events()).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from django.utils.translation import gettext as _

from accounts import access
from posts import selectors
from posts.errors import NotAllowed, PostError, PostInDoubt
from posts.models import Post, PostTarget
from posts.selectors import Revision

State = Post.State
TState = PostTarget.State

# The transitions this module answers for.
EDIT, SUBMIT, APPROVE, REJECT, CANCEL = "edit", "submit", "approve", "reject", "cancel"
# A target in these states has not left for the platform: the post can still change.
BEFORE_PUBLISHING = (TState.WAITING, TState.SCHEDULED)


def editors_since_approval(post: Post, revisions: Sequence[Revision]) -> set[int]:
    """§3, four eyes: the author and everyone who changed the post since its last approval.

    None of them may approve the revision that stands now.
    """
    editors = {post.author_id}
    for revision in revisions:
        if revision.approved:
            editors = {post.author_id}
        elif revision.by is not None:
            editors.add(revision.by.pk)
    return editors


def _refuse_in_doubt(doubtful: Sequence[str], doing: str) -> PostInDoubt | None:
    """docs/architecture.md, the workflow: a post one of whose attempts may have gone out cannot be edited, re-approved or cancelled.

    Changing it would either send a second post with the new text or mark a
    live post cancelled; a supervisor must first decide the target in doubt.
    Returns the refusal naming the accounts in doubt, or None.
    """
    if not doubtful:
        return None
    return PostInDoubt(
        _(
            "This post cannot be %(doing)s now: an attempt to publish it on %(accounts)s may already have gone out, "
            "and its outcome is not known yet. Wait for the next attempt, which first looks for it on the platform, "
            "or, if the target is unconfirmed, have a supervisor check the platform and record what they found "
            "(published, or publish again); then try again."
        )
        % {"doing": doing, "accounts": ", ".join(doubtful)}
    )


class PostRights:
    """What one person may do to one post now, and the refusal when they may not."""

    def __init__(self, user, post: Post, *, revisions: Sequence[Revision] | None = None) -> None:
        self.user = user
        self.post = post
        self._revisions = revisions

    # --- The facts, each read once and only when a question needs it --------------------------------

    @cached_property
    def _targets(self) -> list[PostTarget]:
        return list(self.post.targets.all())

    @cached_property
    def is_author(self) -> bool:
        return self.post.author_id == self.user.pk

    @cached_property
    def _may_edit_in_scope(self) -> bool:
        return access.can_edit_post(self.user, self.post)

    @cached_property
    def _may_approve_in_scope(self) -> bool:
        return access.can_approve_post(self.user, self.post)

    @cached_property
    def _wrote_part(self) -> bool:
        revisions = selectors.post_revisions(self.post) if self._revisions is None else self._revisions
        return self.user.pk in editors_since_approval(self.post, revisions)

    @cached_property
    def doubtful(self) -> list[str]:
        """The accounts whose target may already be on the platform (the reason nothing may change)."""
        return [t.account.display_handle for t in self._targets if t.in_doubt or t.state == TState.UNCONFIRMED]

    @cached_property
    def publishing_began(self) -> bool:
        """A target has left the waiting states: what goes out can no longer change."""
        return any(t.state not in BEFORE_PUBLISHING for t in self._targets)

    # --- The answer a transition raises -----------------------------------------------------------------

    def refusal(self, action: str, *, revision: int | None = None) -> PostError | None:
        """Why the person may not do `action` to the post now, or None when they may.

        The order is the order the person should hear it: who they are, then
        the post's state, then doubt. `revision` (approve only) is the revision
        the person read; another one standing now is refused.
        """
        post = self.post
        if action == EDIT:
            if not self._may_edit_in_scope:
                return NotAllowed(_("You may not edit this post."))
            if post.state == State.CANCELLED:
                return PostError(_("A cancelled post cannot be edited."))
            return _refuse_in_doubt(self.doubtful, _("edited"))
        if action == SUBMIT:
            if not self.is_author or not self._may_edit_in_scope:
                return NotAllowed(_("Only the author may submit this post."))
            if post.state != State.DRAFT:
                return PostError(_("Only a draft can be submitted."))
            return None
        if action == APPROVE:
            if self.is_author:
                return NotAllowed(_("Nobody approves their own post."))
            if not self._may_approve_in_scope:
                return NotAllowed(_("You may not approve this post."))
            if self._wrote_part:
                # §3, four eyes: the approver has not written any of what goes out.
                return NotAllowed(
                    _("You changed this post since it was last approved, so another supervisor must approve it.")
                )
            if post.state != State.PENDING:
                return PostError(_("Only a post awaiting approval can be approved."))
            if revision is not None and revision != post.revision:
                return PostError(_("The post was edited while you were reading it; review it again."))
            return _refuse_in_doubt(self.doubtful, _("approved"))
        if action == REJECT:
            if not self._may_approve_in_scope:
                return NotAllowed(_("You may not reject this post."))
            if post.state != State.PENDING:
                return PostError(_("Only a post awaiting approval can be rejected."))
            return None
        if action == CANCEL:
            if not self._may_edit_in_scope:
                return NotAllowed(_("You may not cancel this post."))
            if post.state == State.CANCELLED:
                return PostError(_("The post is already cancelled."))
            return _refuse_in_doubt(self.doubtful, _("cancelled"))
        raise ValueError(f"No such action on a post: {action!r}")

    def refuse(self, action: str, *, revision: int | None = None) -> None:
        """Raise the refusal of `action`, if there is one (the transitions call this first)."""
        refused = self.refusal(action, revision=revision)
        if refused is not None:
            raise refused

    # --- What the pages offer -----------------------------------------------------------------------------

    def _offered(self, action: str) -> bool:
        # Doubt alone does not hide an action: trying it explains which accounts are in doubt.
        refused = self.refusal(action)
        return refused is None or isinstance(refused, PostInDoubt)

    @property
    def open_editor(self) -> bool:
        """The edit page opens (saving it is then refused if publishing has begun)."""
        return self._offered(EDIT)

    @property
    def edit(self) -> bool:
        """The Edit button of the post page and moving on the calendar: nothing has gone out yet."""
        return self._offered(EDIT) and not self.publishing_began

    @property
    def ask_to_cancel(self) -> bool:
        """The cancel form asks its question first (cancelling is then refused if publishing has begun)."""
        return self._offered(CANCEL)

    @property
    def cancel(self) -> bool:
        """The post page's Cancel button: nothing has gone out yet."""
        return self._offered(CANCEL) and not self.publishing_began

    @property
    def submit(self) -> bool:
        return self._offered(SUBMIT) and not self.publishing_began

    @property
    def approve(self) -> bool:
        """Approve and send back, on the post page and in the queue."""
        return self._offered(APPROVE)

    @property
    def note(self) -> bool:
        """Write a note on a draft or pending post: its author, and those who may edit or approve it."""
        if self.post.state not in (State.DRAFT, State.PENDING):
            return False
        return self.is_author or self._may_edit_in_scope or self._may_approve_in_scope

    @property
    def wrote_it(self) -> bool:
        """Four eyes is all that stops the person approving: the page says another supervisor must."""
        return self._may_approve_in_scope and self.post.state == State.PENDING and self._wrote_part


def post_rights(user, post: Post, *, revisions: Sequence[Revision] | None = None) -> PostRights:
    """What `user` may do to `post` now. Pass `revisions` when already read (the queue, the post page)."""
    return PostRights(user, post, revisions=revisions)


def next_to_approve(user, *, after: Post, look_at: int = 10) -> Post | None:
    """The first post of the user's queue, other than `after`, that they may approve now (four eyes, doubt)."""
    queue = selectors.approval_queue(user).exclude(pk=after.pk)[:look_at]
    return next((post for post in queue if post_rights(user, post).approve), None)
