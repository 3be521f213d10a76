"""Replies waiting for a decision are a notification: one unread notice per account and person, not one per reply."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import SocialAccount
from posts.models import Notification, NotificationChoice
from replies import listening
from tests.replies.conftest import published

pytestmark = pytest.mark.django_db

CARD = "在留カード番号は AB12345678CD です。確認してください"


@pytest.fixture
def tokyo(fakes):
    return SocialAccount.objects.get(handle="IMMI_TOKYO")


def waiting_notices(account, person=None):
    found = Notification.objects.filter(kind="replies", account=account)
    return found.filter(recipient=person) if person else found


def test_replies_waiting_tell_the_accounts_moderators_once_until_read(
    fakes, tokyo, client, tokyo_poster, tokyo_supervisor, osaka_poster, viewer, django_capture_on_commit_callbacks
):
    x, _ = fakes
    ours = x.add_post("お知らせ")
    published(tokyo, ours.id)
    x.add_public(CARD, reply_to=ours.id)
    x.add_public("@IMMI_TOKYO " + CARD, username="other")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        listening.poll_account(tokyo.pk)
    told = set(waiting_notices(tokyo).values_list("recipient", flat=True))
    assert told == {tokyo_poster.pk, tokyo_supervisor.pk}  # those who may moderate; not Osaka, not the viewer
    assert sorted(to for m in mail.outbox for to in m.to) == sorted([tokyo_poster.email, tokyo_supervisor.email])

    # More replies before anyone looked: no second notice, no second e-mail.
    x.add_public(CARD, username="third", reply_to=ours.id)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        listening.poll_account(tokyo.pk)
    assert waiting_notices(tokyo, tokyo_poster).count() == 1
    assert mail.outbox == []

    # Once read, the next replies waiting are told again.
    client.force_login(tokyo_poster)
    page = client.get(reverse("notifications")).content.decode()
    assert f"account={tokyo.pk}&amp;waiting=on" in page
    x.add_public(CARD, username="fourth", reply_to=ours.id)
    with django_capture_on_commit_callbacks(execute=True):
        listening.poll_account(tokyo.pk)
    assert waiting_notices(tokyo, tokyo_poster).count() == 2
    assert waiting_notices(tokyo, tokyo_poster).filter(read_at__isnull=True).count() == 1
    assert waiting_notices(tokyo, tokyo_supervisor).count() == 1  # still unread: not told again


def test_replies_that_wait_for_nobody_tell_nobody(fakes, tokyo, tokyo_poster, django_capture_on_commit_callbacks):
    x, _ = fakes
    ours = x.add_post("お知らせ")
    published(tokyo, ours.id)
    x.add_public("ありがとうございます", reply_to=ours.id)
    with django_capture_on_commit_callbacks(execute=True):
        listening.poll_account(tokyo.pk)
    assert not waiting_notices(tokyo).exists()


def test_replies_waiting_follow_the_e_mail_choice(fakes, tokyo, tokyo_poster, django_capture_on_commit_callbacks):
    NotificationChoice.objects.create(user=tokyo_poster, kind="replies", email=False)
    x, _ = fakes
    x.add_public("@IMMI_TOKYO " + CARD)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        listening.poll_account(tokyo.pk)
    assert waiting_notices(tokyo, tokyo_poster).exists()
    assert not any(tokyo_poster.email in m.to for m in mail.outbox)


def test_the_database_keeps_one_unread_notice_per_person_and_account(tokyo_poster):
    from django.db import IntegrityError, transaction

    account = SocialAccount.objects.get(handle="IMMI_TOKYO")
    Notification.objects.create(recipient=tokyo_poster, kind="replies", account=account)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=tokyo_poster, kind="replies", account=account)
