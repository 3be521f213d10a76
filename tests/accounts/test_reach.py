"""Reading reach through the adapters, against the fakes of tests/fakes/reach.py (no database)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from accounts.platforms.facebook import FacebookAdapter
from accounts.platforms.reach import FACEBOOK_RENAMED, ReachAdapter
from accounts.platforms.x import XAdapter
from tests.fakes import FakeGraph, FakeX


def query(call) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.url).query)


def test_both_adapters_read_reach(x_publisher: XAdapter, fb_publisher: FacebookAdapter) -> None:
    assert isinstance(x_publisher, ReachAdapter) and isinstance(fb_publisher, ReachAdapter)


def test_x_post_figures_in_the_newer_schema(x: FakeX, x_publisher: XAdapter) -> None:
    post = x.add_post("お知らせ")
    x.reach.set(post.id, impression_count=1200, like_count=30, retweet_count=4, reply_count=2, bookmark_count=1)

    batch = x_publisher.post_reach([post.id])

    (got,) = batch.posts
    assert got.figures == {"views": 1200, "liked": 30, "reposts": 4, "replies": 2, "quotes": 0, "bookmarks": 1}
    assert "repost_count" in got.metrics and "retweet_count" not in got.metrics
    assert batch.items_read == 1
    (call,) = x.calls_to("reach:tweets")
    assert query(call)["ids"] == [post.id] and query(call)["tweet.fields"] == ["public_metrics"]


def test_x_post_figures_in_the_older_schema(x: FakeX, x_publisher: XAdapter) -> None:
    x.reach.schema = "old"
    post = x.add_post("お知らせ")
    x.reach.set(post.id, retweet_count=7)

    (got,) = x_publisher.post_reach([post.id]).posts

    assert got.figures["reposts"] == 7 and "retweet_count" in got.metrics


def test_a_deleted_x_post_is_gone_and_not_billed(x: FakeX, x_publisher: XAdapter) -> None:
    post = x.add_post("お知らせ")

    batch = x_publisher.post_reach([post.id, "1999999999999999999"])

    assert {(p.external_id, p.gone) for p in batch.posts} == {(post.id, False), ("1999999999999999999", True)}
    assert batch.items_read == 1  # X bills only what it returned


def test_x_followers_in_either_schema(x: FakeX, x_publisher: XAdapter) -> None:
    x.reach.followers = 5321
    assert (x_publisher.account_reach().followers, x_publisher.account_reach().items_read) == (5321, 1)
    x.reach.schema = "old"
    assert x_publisher.account_reach().followers == 5321
    assert query(x.calls_to("reach:user")[0])["user.fields"] == ["public_metrics"]


def test_facebook_post_fields_and_insights(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    post = graph.add_post("お知らせ")
    graph.reach.set(post.id, reactions=12, comments=3, post_media_view=900, post_total_media_view_unique=640)

    batch = fb_publisher.post_reach([post.id])

    (got,) = batch.posts
    assert got.figures == {"liked": 12, "replies": 3, "reposts": None, "views": 900, "viewers": 640}
    assert got.figures["reposts"] is None  # Graph leaves "shares" out while nobody shared: blank, not 0
    assert set(got.metrics) == {"reactions", "comments", "post_media_view", "post_total_media_view_unique"}
    assert batch.metrics_gone == ()
    (insights,) = graph.calls_to("reach:insights")
    assert query(insights)["metric"] == ["post_media_view,post_total_media_view_unique"]


def test_a_removed_insights_metric_is_gone_not_a_failure(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    post = graph.add_post("お知らせ")
    graph.reach.set(post.id, reactions=1, post_media_view=77, shares=2)
    graph.reach.removed.add("post_total_media_view_unique")  # Meta removes one more

    batch = fb_publisher.post_reach([post.id])

    (got,) = batch.posts
    assert (got.figures["views"], got.figures.get("viewers"), got.figures["reposts"]) == (77, None, 2)
    assert batch.metrics_gone == ("post_total_media_view_unique",)
    # once known to be gone, it is not asked for again
    fb_publisher.post_reach([post.id], skip_metrics=batch.metrics_gone)
    assert query(graph.calls_to("reach:insights")[-1])["metric"] == ["post_media_view"]


def test_the_2025_names_replace_the_removed_ones(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    post = graph.add_post("お知らせ")
    for old in FACEBOOK_RENAMED:
        assert old in graph.reach.removed
    fb_publisher.post_reach([post.id])
    assert "post_impressions" not in graph.calls_to("reach:insights")[0].url


def test_a_deleted_facebook_post_is_gone(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    (got,) = fb_publisher.post_reach([f"{graph.page_id}_999"]).posts
    assert got.gone


def test_facebook_page_followers(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    graph.reach.followers = 4321
    assert fb_publisher.account_reach().followers == 4321
    assert query(graph.calls_to("reach:node")[0])["fields"] == ["followers_count"]
