"""Factories for every app's models: one place, so tests build data the same way."""

import factory
from django.contrib.auth import get_user_model

from accounts.models import Membership, Office

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    office = factory.LazyFunction(lambda: Office.objects.get(code="tokyo"))
    role = Membership.Role.POSTER


def make_post(author, handles=("IMMI_TOKYO",), *, body="在留手続のお知らせです。", when=None, reason="", submit=False):
    """A post created through the service, as the composer would; optionally submitted."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from accounts.models import SocialAccount
    from posts import services

    when = when or dt.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    accounts = [SocialAccount.objects.get(handle=h) for h in handles]
    post = services.post_create(
        author=author, body=body, scheduled_at=when, accounts=accounts, outside_hours_reason=reason
    )
    if submit:
        post = services.post_submit(post=post, by=author)
    return post


def make_history(*, posts: int, handles, authors, now, body="在留手続のお知らせです。"):
    """`posts` posts in every state across `handles`, written in bulk as years of use would leave them.

    For the query-count tests: rows inserted directly (no services), so that
    200 posts cost a second, in the shapes the services leave: targets in
    every state, their events, and the published texts' digests. Every fifth
    post is pending; pending and draft posts go to every handle, the others
    to one handle each in turn.
    """
    import datetime as dt

    from accounts.models import SocialAccount
    from checks.models import PublishedText, text_digest
    from posts.models import Post, PostEvent, PostTarget

    accounts = [SocialAccount.objects.get(handle=h) for h in handles]
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
        state, target_state, hours = shapes[n % len(shapes)]
        at = now + dt.timedelta(hours=hours - n)
        rows.append(
            Post(
                author=authors[n % len(authors)],
                body=f"{body} #{n}",
                state=state,
                scheduled_at=at,
                approved_by=authors[(n + 1) % len(authors)] if state == Post.State.APPROVED else None,
                approved_at=at if state == Post.State.APPROVED else None,
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
                PostTarget(
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
        events.append(PostEvent.build(post_id=target.post_id, action=PostEvent.Action.CREATE, actor=target.post.author))
        if target.state not in (T.WAITING, T.CANCELLED):
            events.append(
                PostEvent.build(
                    post_id=target.post_id,
                    target=target,
                    action=PostEvent.Action.CLAIM,
                    from_state=T.SCHEDULED,
                    to_state=T.PUBLISHING,
                )
            )
            events.append(
                PostEvent.build(
                    post_id=target.post_id,
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
            PublishedText(
                account_id=t.account_id,
                target_id=t.pk,
                published_at=t.published_at,
                digest=text_digest(t.published_text),
            )
            for t in targets
            if t.state == T.PUBLISHED
        ]
    )
    return created
