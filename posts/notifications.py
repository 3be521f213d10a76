"""Notifications about posts: in the console (the header's unread count) and by e-mail, as Celery tasks that take ids.

Callers enqueue them on commit (immisns.celery.enqueue_on_commit), so a
rolled-back change sends nothing and a slow or failing mail server never
holds up, or breaks, the request or the worker that caused the e-mail.
Each person gets the notification in the console; the e-mail goes to those who
did not turn it off for that kind (NotificationChoice). The console's rows are
written once, before the e-mail: a retried e-mail does not repeat them.
"""

import smtplib
from typing import TypedDict

from celery import current_task, shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts import access
from posts.models import Notification, NotificationChoice, Post, PostEvent


# A mail server that is down or refuses for a moment is tried again, not given up on.
class _RetryOptions(TypedDict):
    autoretry_for: tuple[type[BaseException], ...]
    retry_backoff: int
    max_retries: int


_RETRY: _RetryOptions = {"autoretry_for": (smtplib.SMTPException, OSError), "retry_backoff": 30, "max_retries": 6}


def _post_url(post: Post) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("posts:detail", args=[post.pk])


def _notify(kind: str, people, *, post: Post | None = None, account=None, once_unread: bool = False) -> list[str]:
    """Tell each person in the console; the e-mail addresses of those who also want an e-mail of this kind.

    once_unread: a person who has not yet read the last notice of this kind
    about this account is not told again (the replies waiting: one notice
    per account until it is read, however many polls find more).
    """
    people = {person.pk: person for person in people if person is not None and person.is_active}
    if not people:
        return []
    # A task retried because the mail server failed wrote its console rows on the first run.
    retried = current_task is not None and bool(getattr(current_task.request, "retries", 0))
    if once_unread and not retried:
        already = set(
            Notification.objects.filter(
                recipient_id__in=people, kind=kind, account=account, read_at__isnull=True
            ).values_list("recipient_id", flat=True)
        )
        people = {pk: person for pk, person in people.items() if pk not in already}
        if not people:
            return []
    if not retried:
        # ignore_conflicts: a poll finishing at the same moment may have written the one unread notice.
        Notification.objects.bulk_create(
            (Notification(recipient_id=pk, kind=kind, post=post, account=account) for pk in people),
            ignore_conflicts=once_unread,
        )
    console_only = set(
        NotificationChoice.objects.filter(user_id__in=people, kind=kind, email=False).values_list("user_id", flat=True)
    )
    return [person.email for pk, person in people.items() if pk not in console_only]


def _send(subject_template: str, body_template: str, context: dict, recipients: list[str]) -> None:
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return
    # The staff interface speaks Japanese; e-mails follow the default language.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(subject_template, context).strip().replace("\n", " ")
        body = render_to_string(body_template, context)
    send_mail(subject, body, None, recipients)


@shared_task(name="posts.notify_post_submitted", ignore_result=True, **_RETRY)
def post_submitted(post_id: int) -> None:
    """To the supervisors in scope: a post waits for approval."""
    post = Post.objects.select_related("author").get(pk=post_id)
    accounts = [t.account for t in post.targets.select_related("account")]
    supervisors = access.supervisors_for(accounts).exclude(pk=post.author_id)
    context = {"post": post, "accounts": accounts, "url": _post_url(post)}
    emails = _notify(Notification.Kind.SUBMITTED, supervisors, post=post)
    _send("posts/email/submitted_subject.txt", "posts/email/submitted.txt", context, emails)


@shared_task(name="posts.notify_post_decided", ignore_result=True, **_RETRY)
def post_decided(post_id: int) -> None:
    """To the author: the post was approved, or rejected with a comment."""
    post = Post.objects.select_related("author").get(pk=post_id)
    decision = (
        post.events.filter(action__in=[PostEvent.Action.APPROVE, PostEvent.Action.REJECT])
        .select_related("actor")
        .last()
    )
    context = {
        "post": post,
        "decision": decision,
        "url": _post_url(post),
        "accounts": [t.account for t in post.targets.select_related("account")],
    }
    approved = decision is not None and decision.action == PostEvent.Action.APPROVE
    kind = Notification.Kind.APPROVED if approved else Notification.Kind.SENT_BACK
    emails = _notify(kind, [post.author], post=post)
    _send("posts/email/decided_subject.txt", "posts/email/decided.txt", context, emails)


@shared_task(name="posts.notify_target_failed", ignore_result=True, **_RETRY)
def target_failed(target_id: int) -> None:
    """To the author and the supervisors in scope: a post did not go out, and why."""
    from posts.models import PostTarget

    target = PostTarget.objects.select_related("post__author", "account").get(pk=target_id)
    post = target.post
    supervisors = access.supervisors_for([target.account])
    context = {"post": post, "target": target, "url": _post_url(post)}
    unknown = target.state == PostTarget.State.UNCONFIRMED
    kind = Notification.Kind.UNCONFIRMED if unknown else Notification.Kind.FAILED
    emails = _notify(kind, [post.author, *supervisors], post=post, account=target.account)
    _send("posts/email/failed_subject.txt", "posts/email/failed.txt", context, emails)


@shared_task(name="posts.notify_account_needs_attention", ignore_result=True, **_RETRY)
def account_needs_attention(account_id: int, reason: str) -> None:
    """To the administrators: an account was stopped by the platform (revoked token, no credits)."""
    from django.contrib.auth import get_user_model

    from accounts.models import SocialAccount

    account = SocialAccount.objects.get(pk=account_id)
    admins = get_user_model().objects.filter(is_active=True, is_staff=True)
    url = settings.SITE_URL.rstrip("/") + reverse("admin:accounts_socialaccount_change", args=[account.pk])
    emails = _notify(Notification.Kind.ACCOUNT, admins, account=account)
    _send(
        "posts/email/account_subject.txt",
        "posts/email/account.txt",
        {"account": account, "reason": reason, "url": url},
        emails,
    )


@shared_task(name="posts.notify_post_noted", ignore_result=True, **_RETRY)
def post_noted(event_id: int) -> None:
    """To the author and the supervisors who may approve the post, but not to the note's writer: a note."""
    note = PostEvent.objects.select_related("post__author", "actor").get(pk=event_id)
    post = note.post
    accounts = [t.account for t in post.targets.select_related("account")]
    people = [post.author, *access.supervisors_for(accounts)]
    people = [person for person in people if person is not None and person.pk != note.actor_id]
    context = {"post": post, "note": note, "accounts": accounts, "url": _post_url(post)}
    emails = _notify(Notification.Kind.NOTE, people, post=post)
    _send("posts/email/noted_subject.txt", "posts/email/noted.txt", context, emails)


@shared_task(name="posts.notify_replies_waiting", ignore_result=True, **_RETRY)
def replies_waiting(account_id: int, count: int) -> None:
    """To the people who may moderate the account: replies wait for a decision (one unread notice per account).

    Called by the replies app (which sits above this one) after a poll left
    replies waiting; it passes only the account and how many arrived.
    """
    from accounts.models import SocialAccount

    account = SocialAccount.objects.get(pk=account_id)
    emails = _notify(Notification.Kind.REPLIES, access.moderators_for(account), account=account, once_unread=True)
    url = settings.SITE_URL.rstrip("/") + reverse("moderation:queue") + f"?account={account.pk}&waiting=on"
    _send(
        "posts/email/replies_subject.txt",
        "posts/email/replies.txt",
        {"account": account, "count": count, "url": url},
        emails,
    )
