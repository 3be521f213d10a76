"""Posts, their targets, events and footers: raw rows, and posts made through the services.

PostFactory and PostTargetFactory write rows directly, in whatever state a
test names, as the publishing engine or years of use would leave them; they
check nothing. A test about the workflow builds its post with
post_via_services() instead, so the post went through the same checks and
events as one made in the composer.
"""

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import factory

from accounts.models import SocialAccount
from checks.models import PublishedText
from posts.models import Footer, Post, PostEvent, PostImage, PostTarget, PublishingSwitch
from tests.factories.accounts import UserFactory, social_account
from tests.factories.checks import PublishedTextFactory

BODY = "在留手続のお知らせです。"
# A weekday in office hours, far enough ahead that nothing is due yet.
WHEN = dt.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


class PostFactory(factory.django.DjangoModelFactory[Post]):
    """A post row in any state (a draft by default); approved posts name who approved them."""

    class Meta:
        model = Post

    author = factory.SubFactory(UserFactory)
    body = BODY
    scheduled_at = WHEN
    state = Post.State.DRAFT


class PostTargetFactory(factory.django.DjangoModelFactory[PostTarget]):
    """The post on the account `handle` (IMMI_TOKYO), in any state."""

    class Meta:
        model = PostTarget

    class Params:
        handle = "IMMI_TOKYO"

    post = factory.SubFactory(PostFactory)
    account = factory.LazyAttribute(lambda t: social_account(t.handle))
    state = PostTarget.State.WAITING


class PostEventFactory(factory.django.DjangoModelFactory[PostEvent]):
    """One row of a post's append-only log; created, never updated."""

    class Meta:
        model = PostEvent

    post = factory.SubFactory(PostFactory)
    target = None
    actor = None
    action = PostEvent.Action.CREATE
    data = factory.LazyFunction(dict)


class PostImageFactory(factory.django.DjangoModelFactory[PostImage]):
    class Meta:
        model = PostImage

    post = factory.SubFactory(PostFactory)
    file = factory.django.FileField(filename="image.png")
    alt_text = "画像の説明"
    mime_type = "image/png"
    width = 100
    height = 100
    size = 1000


class FooterFactory(factory.django.DjangoModelFactory[Footer]):
    """One version of a footer: the X platform's own unless an account is given. Versions are never edited."""

    class Meta:
        model = Footer

    platform = SocialAccount.Platform.X
    account = None
    text = factory.LazyAttribute(lambda f: f"※このアカウントは返信を行っていません（第{f.version}版）")
    version = factory.Sequence(lambda n: 100 + n)


class PublishingSwitchFactory(factory.django.DjangoModelFactory[PublishingSwitch]):
    class Meta:
        model = PublishingSwitch

    paused = True
    reason = "点検"
    actor = factory.SubFactory(UserFactory)


def post_via_services(
    author,
    handles: Sequence[str] = ("IMMI_TOKYO",),
    *,
    body: str = BODY,
    when: dt.datetime | None = None,
    reason: str = "",
    submit: bool = False,
) -> Post:
    """A post created through posts.services, as the composer makes it; optionally submitted for approval."""
    from posts import services

    post = services.post_create(
        author=author,
        body=body,
        scheduled_at=when or WHEN,
        accounts=[social_account(h) for h in handles],
        outside_hours_reason=reason,
    )
    if submit:
        post = services.post_submit(post=post, by=author)
    return post


def make_history(*, posts: int, handles: Sequence[str], authors: Sequence, now: dt.datetime, body: str = BODY):
    """`posts` posts in every state across `handles`, written in bulk as years of use would leave them.

    For the query-count tests: rows built with the factories and inserted with
    bulk_create (no services), so that 200 posts cost a second, in the shapes
    the services leave: targets in every state, their events, and the
    published texts' digests. Every fifth post is pending; pending and draft
    posts go to every handle, the others to one handle each in turn.
    """

    accounts = [social_account(h) for h in handles]
    T = PostTarget.State
    shapes = [  # (post state, target state, scheduled relative to now in hours)
        (Post.State.APPROVED, T.PUBLISHED, -48),
        (Post.State.PENDING, T.WAITING, 30),
        (Post.State.APPROVED, T.FAILED, -30),
        (Post.State.DRAFT, T.WAITING, 50),
        (Post.State.APPROVED, T.SCHEDULED, 26),
        (Post.State.APPROVED, T.UNCONFIRMED, -2),
        (Post.State.APPROVED, T.WITHDRAWN, -200),
        (Post.State.CANCELLED, T.CANCELLED, 70),
        (Post.State.APPROVED, T.PUBLISHED, -300),
        (Post.State.PENDING, T.WAITING, 90),
    ]
    rows = []
    for n in range(posts):
        state, _target_state, hours = shapes[n % len(shapes)]
        at = now + dt.timedelta(hours=hours - n)
        approved = state == Post.State.APPROVED
        rows.append(
            PostFactory.build(
                author=authors[n % len(authors)],
                body=f"{body} #{n}",
                state=state,
                scheduled_at=at,
                approved_by=authors[(n + 1) % len(authors)] if approved else None,
                approved_at=at if approved else None,
            )
        )
    created = Post.objects.bulk_create(rows)
    targets = []
    for n, post in enumerate(created):
        _state, target_state, _hours = shapes[n % len(shapes)]
        chosen = accounts if post.state in (Post.State.PENDING, Post.State.DRAFT) else [accounts[n % len(accounts)]]
        for account in chosen:
            published = target_state in (T.PUBLISHED, T.WITHDRAWN)
            targets.append(
                PostTargetFactory.build(
                    post=post,
                    account=account,
                    state=target_state,
                    due_at=post.scheduled_at,
                    attempts=int(published),
                    published_at=post.scheduled_at if published else None,
                    published_text=post.body if published else "",
                    external_id=str(n) if published else "",
                    last_error="rate limited" if target_state == T.FAILED else "",
                )
            )
    targets = PostTarget.objects.bulk_create(targets)
    events = []
    for target in targets:
        events.append(
            PostEventFactory.build(post=target.post, action=PostEvent.Action.CREATE, actor=target.post.author)
        )
        if target.state not in (T.WAITING, T.CANCELLED):
            events.append(
                PostEventFactory.build(
                    post=target.post,
                    target=target,
                    action=PostEvent.Action.CLAIM,
                    from_state=T.SCHEDULED,
                    to_state=T.PUBLISHING,
                )
            )
            events.append(
                PostEventFactory.build(
                    post=target.post,
                    target=target,
                    action=PostEvent.Action.PUBLISH,
                    from_state=T.PUBLISHING,
                    to_state=target.state,
                    data={"url": "https://x.com/i/1"},
                )
            )
    PostEvent.objects.bulk_create(events)
    PublishedText.objects.bulk_create(
        [
            PublishedTextFactory.build(
                account=t.account, target_id=t.pk, published_at=t.published_at, text=t.published_text
            )
            for t in targets
            if t.state == T.PUBLISHED
        ]
    )
    return created
