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
