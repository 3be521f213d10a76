"""Notes on a draft or pending post: written by its author and supervisors, kept in its history."""

import pytest
from django.urls import reverse

from posts import services
from posts.errors import NotAllowed, PostError
from posts.models import PostEvent
from tests.factories import make_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def notes_of(post) -> list[str]:
    return list(post.events.filter(action=PostEvent.Action.NOTE).values_list("comment", flat=True))


def test_a_supervisor_and_the_author_discuss_a_pending_post(supervisor_client, client, tokyo_poster):
    post = make_post(tokyo_poster, submit=True)
    response = supervisor_client.post(reverse("posts:note", args=[post.pk]), {"note": "日付は12/3の方がよいのでは？"})
    assert response["Location"] == reverse("posts:detail", args=[post.pk])
    client.force_login(tokyo_poster)
    client.post(reverse("posts:note", args=[post.pk]), {"note": "承知しました。明日直します。"})
    assert notes_of(post) == ["日付は12/3の方がよいのでは？", "承知しました。明日直します。"]
    page = client.get(reverse("posts:detail", args=[post.pk])).content.decode()
    assert "日付は12/3の方がよいのでは？" in page and 'id="note-form"' in page
    post.refresh_from_db()
    assert post.state == "pending" and post.revision == 1  # a note changes nothing of the post


def test_a_note_does_not_take_away_the_right_to_approve(tokyo_poster, tokyo_supervisor):
    post = make_post(tokyo_poster, submit=True)
    services.post_note(post=post, by=tokyo_supervisor, text="確認しました")
    assert services.post_approve(post=post, by=tokyo_supervisor, revision=post.revision).state == "approved"


def test_no_notes_on_approved_posts_or_from_another_office(tokyo_poster, tokyo_supervisor, osaka_poster):
    post = make_post(tokyo_poster, submit=True)
    with pytest.raises(NotAllowed):
        services.post_note(post=post, by=osaka_poster, text="他局から")
    approved = services.post_approve(post=post, by=tokyo_supervisor, revision=post.revision)
    with pytest.raises(NotAllowed):
        services.post_note(post=approved, by=tokyo_poster, text="遅すぎる")


@pytest.mark.parametrize("text", ["", "   ", "長" * 2001])
def test_an_empty_or_too_long_note_is_refused(tokyo_poster, text):
    post = make_post(tokyo_poster)
    with pytest.raises(PostError):
        services.post_note(post=post, by=tokyo_poster, text=text)
    assert notes_of(post) == []


def test_another_offices_poster_gets_404(client, osaka_poster, tokyo_poster):
    post = make_post(tokyo_poster)
    client.force_login(osaka_poster)
    assert client.post(reverse("posts:note", args=[post.pk]), {"note": "x"}).status_code == 404
    assert client.get(reverse("posts:note", args=[post.pk])).status_code == 405


@pytest.mark.parametrize(
    "typed",
    ["途中に\x00があるメモ", "長" * (services.NOTE_LENGTH + 1)],
    ids=["nul", "over-long"],
)
def test_a_hostile_or_over_long_note_is_refused_with_a_message(supervisor_client, tokyo_poster, typed):
    """A NUL would be a 500 on PostgreSQL (text cannot hold it); an over-long note is refused, not cut."""
    post = make_post(tokyo_poster, submit=True)
    response = supervisor_client.post(reverse("posts:note", args=[post.pk]), {"note": typed}, follow=True)
    assert response.status_code == 200
    assert notes_of(post) == []
    shown = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert shown and all(level == "error" for level, _text in shown)  # what was wrong, never "added"
