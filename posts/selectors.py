"""Reads about posts: what each target would publish, its length, findings and office hours.

The composer's live preview, the post page, the approval queue and the
submit/approve checks all use target_previews(), so what a person sees is
what the server enforces.
"""

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts import access
from accounts.models import SocialAccount
from moderation import checks
from posts import footer, length, office_hours
from posts.models import Post, PostEvent, PostTarget

DUPLICATE_WINDOW = dt.timedelta(days=30)


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
        marks = [*self.findings, *self.official]
        for mark in sorted(marks, key=lambda m: (m.start, -m.end)):
            if mark.start < position:
                continue  # overlaps one already marked
            pieces.append((self.body[position:mark.start], None))
            pieces.append((self.body[mark.start:mark.end], mark))
            position = mark.end
        pieces.append((self.body[position:], None))
        return [(text, mark) for text, mark in pieces if text]

    @property
    def footer_text(self) -> str:
        return self.final_text[len(self.body.strip()):].lstrip("\n")


def measure(text: str, account: SocialAccount) -> tuple[int, int]:
    """(length, limit) of a final text on the account's platform."""
    if account.platform == SocialAccount.Platform.X:
        return length.weighted_length(text), length.X_MAX_WEIGHTED_LENGTH
    return length.facebook_length(text), length.FACEBOOK_MAX_LENGTH


def target_preview(*, account: SocialAccount, body: str, scheduled_at: dt.datetime | None) -> TargetPreview:
    final_text = footer.compose(body, account)
    measured, limit = measure(final_text, account)
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
    return [
        target_preview(account=account, body=overrides.get(account.pk) or body, scheduled_at=scheduled_at)
        for account in accounts
    ]


def post_previews(post: Post) -> list[TargetPreview]:
    targets = list(post.targets.select_related("account__office"))
    previews = target_previews(
        body=post.body, accounts=[t.account for t in targets],
        overrides={t.account_id: t.body_override for t in targets if t.body_override},
        scheduled_at=post.scheduled_at,
    )
    for preview in previews:
        # Once published, a post would otherwise be the recent duplicate of itself.
        if any(f.kind == "duplicate" for f in preview.findings) and not is_recent_duplicate(
            preview.body, preview.account, excluding_post=post,
        ):
            preview.findings = [f for f in preview.findings if f.kind != "duplicate"]
    return previews


def _normalised(text: str) -> str:
    # Width and spacing differences do not make a text new in a reader's eyes (nor in X's).
    return "".join(unicodedata.normalize("NFKC", text).split())


def recent_published_texts(account: SocialAccount, *, excluding_post: Post | None = None) -> list[str]:
    """Bodies published on the account within 30 days (X refuses duplicates, §5)."""
    since = timezone.now() - DUPLICATE_WINDOW
    targets = PostTarget.objects.filter(
        account=account, state=PostTarget.State.PUBLISHED, published_at__gte=since,
    ).select_related("post")
    if excluding_post is not None:
        targets = targets.exclude(post=excluding_post)
    return [t.body for t in targets]


def is_recent_duplicate(text: str, account: SocialAccount, *, excluding_post: Post | None = None) -> bool:
    wanted = _normalised(text)
    return any(_normalised(previous) == wanted for previous in recent_published_texts(account, excluding_post=excluding_post))


# --- Lists ---------------------------------------------------------------------------------


def _with_targets(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.select_related("author", "approved_by").prefetch_related(
        Prefetch("targets", queryset=PostTarget.objects.select_related("account__office")),
    )


def posts_for(user) -> QuerySet[Post]:
    return _with_targets(access.posts_visible_to(user, Post.objects.all()))


def approval_queue(user) -> QuerySet[Post]:
    """Pending posts the user may approve, oldest first (§3)."""
    pending = Post.objects.filter(state=Post.State.PENDING)
    return _with_targets(access.posts_approvable_by(user, pending)).order_by("updated_at", "id")


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
