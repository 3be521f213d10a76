"""Reads about posts: what each target would publish, its length, findings and office hours.

The composer's live preview, the post page, the approval queue and the
submit/approve checks all use target_previews(), so what a person sees is
what the server enforces.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts import access
from accounts.models import SocialAccount
from moderation import checks
from posts import footer, length, office_hours
from posts.models import DisplayState, Post, PostEvent, PostTarget, PublishingSwitch


@dataclass
class TargetPreview:
    account: SocialAccount
    body: str
    final_text: str
    length: int
    limit: int
    findings: list[checks.Finding] = field(default_factory=list)
    # The agency's own numbers and addresses in the body: information, not findings (§5).
    official: list[checks.OfficialMatch] = field(default_factory=list)
    is_open: bool | None = None
    next_open: dt.datetime | None = None
    closed_reason: str = ""  # why the office is closed at the chosen time (土曜日, 天皇誕生日, …)
    hours_problem: str = ""

    # Bounded work per preview: a text full of numbers lists and marks only the first of them.
    LISTED = 20
    MARKED = 50

    @property
    def findings_listed(self) -> list[checks.Finding]:
        return self.findings[: self.LISTED]

    @property
    def official_listed(self) -> list[checks.OfficialMatch]:
        return self.official[: self.LISTED]

    @property
    def not_listed(self) -> int:
        return max(0, len(self.findings) - self.LISTED) + max(0, len(self.official) - self.LISTED)

    @property
    def over_limit(self) -> bool:
        return self.length > self.limit

    @property
    def remaining(self) -> int:
        return self.limit - self.length

    @property
    def over_by(self) -> int:
        return max(0, self.length - self.limit)

    @property
    def blocking(self) -> list[checks.Finding]:
        return [f for f in self.findings if f.severity == checks.BLOCK]

    @property
    def warnings(self) -> list[checks.Finding]:
        return [f for f in self.findings if f.severity == checks.WARN]

    @property
    def segments(self) -> list[tuple[str, checks.Finding | checks.OfficialMatch | None]]:
        """The body cut into plain runs and runs a finding or an official contact points at, for highlighting."""
        pieces: list[tuple[str, checks.Finding | checks.OfficialMatch | None]] = []
        position = 0
        marks = [*self.findings[: self.MARKED], *self.official[: self.MARKED]]
        # Where two marks cover the same characters, the blocking one is shown.
        for mark in sorted(marks, key=lambda m: (m.start, -m.end, getattr(m, "severity", "") != checks.BLOCK)):
            if mark.start < position:
                continue  # overlaps one already marked
            pieces.append((self.body[position:mark.start], None))
            pieces.append((self.body[mark.start:mark.end], mark))
            position = mark.end
        pieces.append((self.body[position:], None))
        return [(text, mark) for text, mark in pieces if text]

    @property
    def footer_text(self) -> str:
        return self.final_text[len(self.body):].lstrip("\n")


def target_preview(*, account: SocialAccount, body: str, scheduled_at: dt.datetime | None) -> TargetPreview:
    final_text = footer.compose(body, account)
    measured, limit = length.measure(final_text, platform=account.platform)
    preview = TargetPreview(
        account=account, body=body, final_text=final_text, length=measured, limit=limit,
        findings=checks.scan(body, account=account) if body.strip() else [],
        official=checks.official_contacts(body) if body.strip() else [],
    )
    if scheduled_at is not None:
        try:
            preview.is_open = office_hours.is_open(account.office, scheduled_at)
            preview.next_open = office_hours.next_open(account.office, scheduled_at)
            if not preview.is_open:
                preview.closed_reason = office_hours.closed_reason(account.office, scheduled_at) or ""
        except office_hours.NoOfficeHours as exc:
            preview.is_open, preview.hours_problem = False, str(exc)
    return preview


def target_previews(
    *, body: str, accounts: list[SocialAccount], overrides: dict[int, str] | None = None,
    scheduled_at: dt.datetime | None,
) -> list[TargetPreview]:
    overrides = overrides or {}
    # One read of the allow-list and the official contacts for every account's preview.
    with checks.rules_pinned():
        return [
            target_preview(account=account, body=overrides.get(account.pk) or body, scheduled_at=scheduled_at)
            for account in accounts
        ]


def post_previews(post: Post) -> list[TargetPreview]:
    targets = list(post.targets.select_related("account__office"))
    return target_previews(
        body=post.body, accounts=[t.account for t in targets],
        overrides={t.account_id: t.body_override for t in targets if t.body_override},
        scheduled_at=post.scheduled_at,
    )


# --- Lists ---------------------------------------------------------------------------------


def _with_targets(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.select_related("author", "approved_by").prefetch_related(
        Prefetch("targets", queryset=PostTarget.objects.select_related("account__office")),
    )


def posts_for(user) -> QuerySet[Post]:
    return _with_targets(access.posts_visible_to(user, Post.objects.all()))


def posts_in_display_state(posts: QuerySet[Post], state: str) -> QuerySet[Post]:
    """Posts whose display state (Post.display_state) is `state`, decided in the database."""
    if state in (DisplayState.DRAFT, DisplayState.PENDING, DisplayState.CANCELLED):
        return posts.filter(state=state)
    T = PostTarget.State

    def having(condition: Q) -> Exists:
        return Exists(PostTarget.objects.filter(condition, post=OuterRef("pk")))

    failed = having(Q(state__in=[T.FAILED, T.UNCONFIRMED]))
    published = having(Q(state=T.PUBLISHED))
    any_target = having(Q())
    approved = posts.filter(state=Post.State.APPROVED)
    if state == DisplayState.PUBLISHED:
        return approved.filter(any_target).exclude(having(~Q(state=T.PUBLISHED)))
    if state == DisplayState.FAILED:
        return approved.filter(failed)
    settled = approved.exclude(failed)
    if state == DisplayState.PARTLY:
        return settled.filter(published).filter(having(~Q(state=T.PUBLISHED)))
    if state == DisplayState.WITHDRAWN:
        return settled.exclude(published).filter(any_target).exclude(having(~Q(state=T.WITHDRAWN)))
    if state == DisplayState.SCHEDULED:
        return settled.exclude(published).filter(~any_target | having(~Q(state=T.WITHDRAWN)))
    return posts.none()


def approval_queue(user) -> QuerySet[Post]:
    """Pending posts the user may approve, oldest first (§3)."""
    pending = Post.objects.filter(state=Post.State.PENDING)
    queue = _with_targets(access.posts_approvable_by(user, pending)).prefetch_related(authorship_events())
    return queue.order_by("updated_at", "id")


@dataclass(frozen=True)
class Revision:
    """Who wrote a revision: the author of the first, then each person whose edit changed something."""

    number: int
    by: object  # the user
    at: dt.datetime
    changed: tuple[str, ...]
    approved: bool = False  # an approval came after this revision


def authorship_events() -> Prefetch:
    """Prefetch for the posts of a page that shows who wrote and edited them (one query for all)."""
    events = PostEvent.objects.filter(action__in=[PostEvent.Action.CREATE, PostEvent.Action.EDIT, PostEvent.Action.APPROVE])
    return Prefetch("events", queryset=events.select_related("actor").order_by("at", "id"), to_attr="authorship")


def post_revisions(post: Post) -> list[Revision]:
    """Every revision that changed something, oldest first, from the event log."""
    events = getattr(post, "authorship", None)
    if events is None:
        events = authorship_events().queryset.filter(post=post)
    revisions: list[Revision] = []
    for event in events:
        if event.action == PostEvent.Action.APPROVE:
            if revisions:
                revisions[-1] = Revision(**{**revisions[-1].__dict__, "approved": True})
            continue
        changed = tuple(event.data.get("changed", ("text",))) if event.action == PostEvent.Action.EDIT else ("text",)
        if changed:
            number = event.data.get("revision", 1 if event.action == PostEvent.Action.CREATE else 0)
            revisions.append(Revision(number=number, by=event.actor, at=event.at, changed=changed))
    return revisions


def post_editors_since_approval(post: Post, revisions: list[Revision] | None = None) -> set[int]:
    """§3, four eyes: the author and everyone who changed the post since its last approval.

    None of them may approve the revision that stands now.
    """
    editors = {post.author_id}
    for revision in post_revisions(post) if revisions is None else revisions:
        if revision.approved:
            editors = {post.author_id}
        elif revision.by is not None:
            editors.add(revision.by.pk)
    return editors


def post_timeline(post: Post) -> QuerySet[PostEvent]:
    return post.events.select_related("actor", "target__account").order_by("at", "id")


# --- The dashboard -----------------------------------------------------------------------------


def targets_needing_attention(user) -> QuerySet[PostTarget]:
    """Failed and unconfirmed targets the user may see: where staff look first."""
    visible = access.accounts_visible_to(user).values("pk")
    return (
        PostTarget.objects.filter(state__in=[PostTarget.State.FAILED, PostTarget.State.UNCONFIRMED], account__in=visible)
        .select_related("post__author", "account")
        .order_by("due_at", "id")
    )


def targets_upcoming(user, *, limit: int = 10) -> QuerySet[PostTarget]:
    visible = access.accounts_visible_to(user).values("pk")
    return (
        PostTarget.objects.filter(state__in=[PostTarget.State.SCHEDULED, PostTarget.State.PUBLISHING], account__in=visible)
        .select_related("post", "account")
        .order_by("due_at", "id")[:limit]
    )


def drafts_of(user) -> QuerySet[Post]:
    return _with_targets(Post.objects.filter(author=user, state=Post.State.DRAFT)).order_by("-updated_at")[:20]


def pending_of(user) -> QuerySet[Post]:
    """The user's own posts waiting for a supervisor."""
    return _with_targets(Post.objects.filter(author=user, state=Post.State.PENDING)).order_by("updated_at")[:20]


# --- The kill switch ------------------------------------------------------------------------------


def publishing_switch() -> PublishingSwitch | None:
    """The switch change in force, or None when publishing was never paused."""
    return PublishingSwitch.objects.select_related("actor").first()


def publishing_paused() -> bool:
    current = publishing_switch()
    return bool(current and current.paused)
