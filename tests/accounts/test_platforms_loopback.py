"""The adapters against the fake platforms served over HTTP on this machine (PLATFORM_API_ORIGIN).

The drain benchmark runs this way, so that each platform call is a real
request on a real socket; these tests show the fakes answer it exactly as
they do in-process (signature checked, post stored, found again).
"""

from __future__ import annotations

import pytest

from accounts.platforms import AuthRevoked
from accounts.platforms.facebook import FacebookAdapter
from accounts.platforms.x import XAdapter
from tests.fakes import FakeGraph, FakeX
from tests.fakes.loopback import serve


@pytest.fixture
def served(settings):
    x, graph = FakeX(latency=0.05), FakeGraph()
    server = serve({"x": x, "facebook": graph})
    settings.PLATFORM_API_ORIGIN = server.origin
    try:
        yield x, graph
    finally:
        server.close()


def test_x_posts_over_loopback_signed_for_its_own_address(served) -> None:
    x, _graph = served
    publisher = XAdapter(**x.credentials)
    result = publisher.publish("入管からのお知らせです。")

    [call] = x.calls
    assert (call.method, call.url) == ("POST", "https://api.twitter.com/2/tweets")
    assert call.status == 201  # the fake verified the HMAC-SHA1 signature over the platform's address
    assert call.duration >= 0.05  # its latency, on the server's side of the socket
    assert result.external_id in x.posts
    found = publisher.find_recent("入管からのお知らせです。")
    assert found is not None
    assert found.external_id == result.external_id


def test_a_bad_signature_is_still_refused_over_loopback(served) -> None:
    x, _graph = served
    publisher = XAdapter(**{**x.credentials, "api_secret": "not-the-secret"})
    with pytest.raises(AuthRevoked):
        publisher.publish("入管からのお知らせです。")
    assert x.calls[0].status == 401 and not x.posts


def test_facebook_posts_over_loopback(served) -> None:
    _x, graph = served
    publisher = FacebookAdapter(**graph.credentials)
    result = publisher.publish("入管からのお知らせです。")
    [call] = graph.calls
    assert call.url.startswith("https://graph.facebook.com/")
    assert result.external_id in graph.posts


def test_x_reach_over_loopback(served) -> None:
    """The reach lookups the collection sends (GET /2/tweets?ids=…, GET /2/users/:id) are answered over HTTP too."""
    x, _graph = served
    reader = XAdapter(**x.credentials)
    post = x.add_post("入管からのお知らせです。")
    x.reach.set(post.id, impression_count=1200, like_count=30)
    x.reach.followers = 5321

    batch = reader.post_reach([post.id, "1999999999999999999"])
    followers = reader.account_reach()

    assert {(p.external_id, p.gone) for p in batch.posts} == {(post.id, False), ("1999999999999999999", True)}
    assert next(p for p in batch.posts if not p.gone).figures["views"] == 1200
    assert (batch.items_read, followers.followers) == (1, 5321)
    assert [c.status for c in x.calls] == [200, 200]  # signed over the platform's address and accepted


def test_facebook_reach_over_loopback(served) -> None:
    _x, graph = served
    reader = FacebookAdapter(**graph.credentials)
    post = graph.add_post("入管からのお知らせです。")
    graph.reach.set(post.id, reactions=12, comments=3, shares=2, post_media_view=900)
    graph.reach.followers = 812

    (got,) = reader.post_reach([post.id]).posts
    followers = reader.account_reach()

    assert (got.figures["liked"], got.figures["reposts"], got.figures["views"]) == (12, 2, 900)
    assert followers.followers == 812
    assert {c.endpoint for c in graph.calls} == {"reach:node", "reach:insights"}
