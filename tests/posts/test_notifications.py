"""In-console notifications with an unread count, and each person's choice of e-mails per kind."""

import pytest
from django.core import mail
from django.urls import reverse

from posts import services
from posts.models import Notification, NotificationChoice
from tests.conftest import sign_in_with_second_factor
from tests.factories import make_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_a_submitted_post_is_in_the_supervisors_console_and_mail(
    client, tokyo_poster, tokyo_supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_post(tokyo_poster, submit=True)
    assert Notification.objects.filter(recipient=tokyo_supervisor, kind="submitted").count() == 1
    assert any(tokyo_supervisor.email in m.to for m in mail.outbox)
    sign_in_with_second_factor(client, tokyo_supervisor)
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="unread-count"' in home
    page = client.get(reverse("notifications")).content.decode()
    assert "承認待ち" in page or "approval" in page
    # Opened: read, and the header's count is gone.
    assert 'data-testid="unread-count"' not in client.get(reverse("home")).content.decode()


def test_a_person_may_keep_a_kind_in_the_console_only(
    client, tokyo_poster, tokyo_supervisor, django_capture_on_commit_callbacks
):
    client.force_login(tokyo_poster)
    data = {kind: "on" for kind, _label in Notification.Kind.choices if kind != "sent_back"}
    assert client.post(reverse("notifications"), data).status_code == 302
    assert NotificationChoice.objects.get(user=tokyo_poster, kind="sent_back").email is False
    post = make_post(tokyo_poster, submit=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_reject(post=post, by=tokyo_supervisor, comment="直してください")
    assert Notification.objects.filter(recipient=tokyo_poster, kind="sent_back").exists()
    assert not any(tokyo_poster.email in m.to for m in mail.outbox)  # no e-mail, as chosen


def test_an_approval_is_told_to_the_author(tokyo_poster, tokyo_supervisor, django_capture_on_commit_callbacks):
    post = make_post(tokyo_poster, submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_approve(post=post, by=tokyo_supervisor, revision=post.revision)
    assert Notification.objects.filter(recipient=tokyo_poster, kind="approved", post=post).exists()


def test_nobody_reads_anothers_notifications(
    client, tokyo_poster, osaka_poster, tokyo_supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_post(tokyo_poster, submit=True)
    client.force_login(osaka_poster)
    page = client.get(reverse("notifications")).content.decode()
    assert 'id="notifications"' not in page
    assert Notification.objects.filter(recipient=tokyo_supervisor, read_at__isnull=True).exists()


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get(reverse("notifications")).status_code == 302


def test_a_note_tells_the_author_and_the_supervisors_but_not_its_writer(
    tokyo_poster, tokyo_supervisor, osaka_poster, django_capture_on_commit_callbacks
):
    post = make_post(tokyo_poster, submit=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_note(post=post, by=tokyo_supervisor, text="日付は12/3の方がよいのでは？")
    notes = Notification.objects.filter(kind="note", post=post)
    assert list(notes.values_list("recipient", flat=True)) == [tokyo_poster.pk]
    assert [m.to for m in mail.outbox] == [[tokyo_poster.email]]
    assert "日付は12/3の方がよいのでは？" in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_note(post=post, by=tokyo_poster, text="承知しました")
    told = set(notes.values_list("recipient", flat=True))
    assert tokyo_supervisor.pk in told and osaka_poster.pk not in told
    assert Notification.objects.filter(kind="note", post=post, recipient=tokyo_poster).count() == 1  # not self
    assert all(tokyo_poster.email not in m.to for m in mail.outbox)


def test_a_note_follows_the_e_mail_choice(tokyo_poster, tokyo_supervisor, django_capture_on_commit_callbacks):
    NotificationChoice.objects.create(user=tokyo_poster, kind="note", email=False)
    post = make_post(tokyo_poster)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_note(post=post, by=tokyo_supervisor, text="見ました")
    assert Notification.objects.filter(kind="note", recipient=tokyo_poster).exists()
    assert not any(tokyo_poster.email in m.to for m in mail.outbox)
