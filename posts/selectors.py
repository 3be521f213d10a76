"""Reads about posts: querysets already scoped by the access module, and the history they show.

Only reads live here. What a post would publish (final text, length,
findings, office hours) is computed in posts.preview; who may do what to a
post now is answered by posts.rights.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncDate

from accounts import access
from accounts.models import SocialAccount
from posts.models import DisplayState, Post, PostEvent, PostTarget, PublishingSwitch
from posts.office_hours import JST

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# --- Lists ---------------------------------------------------------------------------------


def _with_targets(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.select_related("author", "approved_by").prefetch_related(
        Prefetch("targets", queryset=PostTarget.objects.select_related("account__office")),
    )


# The post list, newest publishing time first; the approval queue, oldest first (§3).
# Both are paged by keyset (immisns.keyset) on these orders, which indexes serve (posts/0010).
POST_LIST_ORDER = ("-scheduled_at", "-id")
# The approval queue in the order posts are due: overdue first, then the next to go out.
QUEUE_ORDER = ("scheduled_at", "id")
# The calendar's, within each day; its day view is paged by keyset on it.
CALENDAR_ORDER = ("scheduled_at", "id")
PAGE_SIZE = 50
QUEUE_PAGE_SIZE = 20
DASHBOARD_ATTENTION = (
    10  # failed and unconfirmed targets shown on the home page, oldest first; the list links to the rest
)


def posts_for(user) -> QuerySet[Post]:
    return _with_targets(access.posts_visible_to(user, Post.objects.all()))


# What a row of the post list shows: the text, the time, the author, each target's account and state.
# The accounts are read once for the page and shared by its targets (a page names the same few).
_LISTED_TARGETS = PostTarget.objects.only("id", "post_id", "account_id", "state")
_LISTED_ACCOUNTS = SocialAccount.objects.only("id", "platform", "handle", "sort_order", "state")


def posts_listed(user) -> QuerySet[Post]:
    """posts_for() with only what the list shows: a page of 50 posts to 21 accounts each stays light."""
    posts = Post.objects.select_related("author").only(
        "id",
        "body",
        "state",
        "scheduled_at",
        "updated_at",
        "author_id",
        "returned_by_id",
        "author__id",
        "author__username",
        "author__first_name",
        "author__last_name",
    )
    return access.posts_visible_to(user, posts).prefetch_related(
        Prefetch("targets", queryset=_LISTED_TARGETS), Prefetch("targets__account", queryset=_LISTED_ACCOUNTS)
    )


# The post list's filter also offers the two kinds of "needs attention" apart.
TARGET_FAILED = "target-failed"
TARGET_UNCONFIRMED = "target-unconfirmed"


def posts_in_display_state(posts: QuerySet[Post], state: str) -> QuerySet[Post]:
    """Posts whose display state (Post.display_state) is `state`, decided in the database."""
    if state == DisplayState.DRAFT:
        return posts.filter(state=Post.State.DRAFT, returned_by__isnull=True)
    if state == DisplayState.RETURNED:
        return posts.filter(state=Post.State.DRAFT, returned_by__isnull=False)
    if state in (DisplayState.PENDING, DisplayState.CANCELLED):
        return posts.filter(state=state)
    T = PostTarget.State

    def having(condition: Q) -> Exists:
        return Exists(PostTarget.objects.filter(condition, post=OuterRef("pk")))

    def among(*states: str) -> Q:
        # The posts with a target in one of these states, a set the database can read from the
        # target index (target_state_post) before it looks at a single post. Each filter below
        # names the states few targets are in: for the rarest (scheduled) PostgreSQL starts from
        # them; for failed and partly it may still walk the list's order when it
        # judges that cheaper (benchmarks/pages.py prints both plans).
        return Q(pk__in=PostTarget.objects.filter(state__in=states).values("post_id"))

    approved = posts.filter(state=Post.State.APPROVED)
    # Narrower than FAILED ("needs attention"), for the list's filter: a target that failed, or
    # one whose outcome a person must check on the platform.
    if state == TARGET_FAILED:
        return approved.filter(among(T.FAILED))
    if state == TARGET_UNCONFIRMED:
        return approved.filter(among(T.UNCONFIRMED))
    if state == DisplayState.FAILED:
        return approved.filter(among(T.FAILED, T.UNCONFIRMED))

    failed = having(Q(state__in=[T.FAILED, T.UNCONFIRMED]))
    published = having(Q(state=T.PUBLISHED))
    if state == DisplayState.PUBLISHED:
        # Most posts: walked in the list's order, each checked for a target not yet published.
        return approved.filter(having(Q())).exclude(having(~Q(state=T.PUBLISHED)))
    # Nothing failed; partly published: a target still to go or withdrawn beside a published one.
    settled = approved.exclude(failed)
    if state == DisplayState.PARTLY:
        return settled.filter(among(T.SCHEDULED, T.PUBLISHING, T.WITHDRAWN)).filter(published)
    to_go = [T.SCHEDULED, T.PUBLISHING]
    if state == DisplayState.SCHEDULED:
        # No published, failed or unconfirmed target, and one still to go out.
        return settled.filter(among(*to_go)).exclude(published)
    if state == DisplayState.WITHDRAWN:
        # Nothing published, failed or still to go: withdrawn everywhere. Few posts are (one in
        # seventy), and walking the list's order to find them read 15,000 posts for a page; so
        # the set is taken from the withdrawn targets (target_state_post), each asked for a
        # target in a state that shows (target_post_state, index only). A post's other targets
        # can only be waiting or cancelled beside these (Post.display_state).
        shows = PostTarget.objects.filter(post=OuterRef("post_id")).exclude(
            state__in=[T.WITHDRAWN, T.WAITING, T.CANCELLED]
        )
        everywhere = PostTarget.objects.filter(state=T.WITHDRAWN).exclude(Exists(shows)).values("post_id")
        return approved.filter(pk__in=everywhere)
    return posts.none()


def posts_with_words(posts: QuerySet[Post], words: str) -> QuerySet[Post]:
    """Posts whose body contains the words (a substring; served by posts/0013's trigram index on PostgreSQL)."""
    return posts.filter(body__icontains=words)


def posts_on_account(posts: QuerySet[Post], account: SocialAccount) -> QuerySet[Post]:
    return posts.filter(Exists(PostTarget.objects.filter(post=OuterRef("pk"), account=account)))


def posts_on_calendar(
    user,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    state: str = "",
    account: SocialAccount | None = None,
    office=None,
) -> QuerySet[Post]:
    """The posts the user may see scheduled in [starts_at, ends_at), in time order, for the calendar.

    Cancelled posts only when `state` asks for them; `account` and `office`
    keep the posts with a target there. Each post carries its targets and
    their accounts (one query for all), which is all a line of the calendar shows.
    """
    posts = access.posts_visible_to(user, Post.objects.filter(scheduled_at__gte=starts_at, scheduled_at__lt=ends_at))
    posts = posts_in_display_state(posts, state) if state else posts.exclude(state=Post.State.CANCELLED)
    if account is not None:
        posts = posts_on_account(posts, account)
    if office is not None:
        posts = posts.filter(Exists(PostTarget.objects.filter(post=OuterRef("pk"), account__office=office)))
    targets = PostTarget.objects.select_related("account").only(
        "id",
        "post_id",
        "account_id",
        "state",
        "account__id",
        "account__platform",
        "account__handle",
        "account__sort_order",
        "account__office_id",
        "in_doubt",  # in_doubt: posts.rights asks it
    )
    return (
        posts.only("id", "body", "state", "scheduled_at", "revision", "author_id", "returned_by_id")
        .prefetch_related(Prefetch("targets", queryset=targets))
        .order_by(*CALENDAR_ORDER)
    )


def first_of_each_day(posts: QuerySet[Post], per_day: int) -> QuerySet[Post]:
    """The first `per_day` of `posts` on each JST day, each with `day_total`, how many posts its day holds.

    The database ranks and counts the posts per day (window functions) and
    returns only those the calendar shows, so a month of 10,000 posts sends
    at most `per_day` a day, and their targets, to Python.
    """
    day = TruncDate("scheduled_at", tzinfo=JST)
    return posts.annotate(
        day_rank=Window(RowNumber(), partition_by=[day], order_by=[F(name).asc() for name in CALENDAR_ORDER]),
        day_total=Window(Count("pk"), partition_by=[day]),
    ).filter(day_rank__lte=per_day)


def approval_queue(user) -> QuerySet[Post]:
    """Pending posts the user may approve, in the order they are due (overdue first)."""
    pending = Post.objects.filter(state=Post.State.PENDING)
    queue = _with_targets(access.posts_approvable_by(user, pending)).prefetch_related(authorship_events())
    return queue.order_by(*QUEUE_ORDER)


@dataclass(frozen=True)
class Revision:
    """Who wrote a revision: the author of the first, then each person whose edit changed something."""

    number: int
    by: "User | None"  # None when the system, not a person, made the change
    at: dt.datetime
    changed: tuple[str, ...]
    approved: bool = False  # an approval came after this revision


def _authorship() -> QuerySet[PostEvent]:
    """The events that say who wrote, edited and approved a post, oldest first."""
    events = PostEvent.objects.filter(
        action__in=[PostEvent.Action.CREATE, PostEvent.Action.EDIT, PostEvent.Action.APPROVE]
    )
    return events.select_related("actor").order_by("at", "id")


def authorship_events() -> Prefetch:
    """Prefetch for the posts of a page that shows who wrote and edited them (one query for all)."""
    return Prefetch("events", queryset=_authorship(), to_attr="authorship")


def post_revisions(post: Post) -> list[Revision]:
    """Every revision that changed something, oldest first, from the event log."""
    events: Iterable[PostEvent] | None = getattr(post, "authorship", None)  # prefetched by authorship_events()
    if events is None:
        events = _authorship().filter(post=post)
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


def post_timeline(post: Post) -> QuerySet[PostEvent]:
    return post.events.select_related("actor", "target__account").order_by("at", "id")


# --- The dashboard -----------------------------------------------------------------------------


def targets_needing_attention(user) -> QuerySet[PostTarget]:
    """Failed and unconfirmed targets the user may see: where staff look first."""
    visible = access.accounts_visible_to(user).values("pk")
    return (
        PostTarget.objects.filter(
            state__in=[PostTarget.State.FAILED, PostTarget.State.UNCONFIRMED], account__in=visible
        )
        .select_related("post", "account")
        .defer("published_text", "post__outside_hours_reason", "post__returned_comment")
        .order_by("due_at", "id")
    )


def first_needing_attention(user, *, limit: int) -> list[PostTarget]:
    """The `limit` oldest of targets_needing_attention(): each state read in due order from its
    index (posttarget state, due_at) and the two merged, so three years of failures are never sorted."""
    found = targets_needing_attention(user)
    ids: list[int] = []
    for state in (PostTarget.State.FAILED, PostTarget.State.UNCONFIRMED):
        ids += found.filter(state=state).values_list("pk", flat=True)[:limit]
    return list(found.filter(pk__in=ids)[:limit])


def targets_upcoming(user, *, limit: int = 10) -> QuerySet[PostTarget]:
    visible = access.accounts_visible_to(user).values("pk")
    return (
        PostTarget.objects.filter(
            state__in=[PostTarget.State.SCHEDULED, PostTarget.State.PUBLISHING], account__in=visible
        )
        .select_related("post", "account")
        .order_by("due_at", "id")[:limit]
    )


# What the home page's short lists show of a post: its number, text and time.
_SUMMARY = ("id", "body", "state", "scheduled_at", "updated_at", "author_id", "returned_by_id")


def approval_queue_summary(user) -> QuerySet[Post]:
    """approval_queue() as the home page lists it: the same posts, without their targets and history."""
    pending = Post.objects.filter(state=Post.State.PENDING).only(*_SUMMARY)
    return access.posts_approvable_by(user, pending).order_by(*QUEUE_ORDER)


def drafts_of(user) -> QuerySet[Post]:
    """The user's drafts, those sent back first (with who sent them back and why), then the newest."""
    drafts = Post.objects.filter(author=user, state=Post.State.DRAFT).select_related("returned_by")
    drafts = drafts.only(
        *_SUMMARY,
        "returned_comment",
        "returned_by__id",
        "returned_by__username",
        "returned_by__first_name",
        "returned_by__last_name",
    )
    return drafts.order_by(F("returned_by").asc(nulls_last=True), "-updated_at")[:20]


def pending_of(user) -> QuerySet[Post]:
    """The user's own posts waiting for a supervisor."""
    return Post.objects.filter(author=user, state=Post.State.PENDING).only(*_SUMMARY).order_by("updated_at")[:20]


# --- The kill switch ------------------------------------------------------------------------------


def publishing_switch() -> PublishingSwitch | None:
    """The switch change in force, or None when publishing was never paused."""
    return PublishingSwitch.objects.select_related("actor").first()


def publishing_paused() -> bool:
    current = publishing_switch()
    return bool(current and current.paused)
