"""The platform adapters against the fake platforms (tweepy and facebook-sdk really run).

No database: run with ``-p no:django`` or without it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from accounts.platforms import (
    AuthRevoked,
    MediaItem,
    OutOfCredits,
    PlatformAdapter,
    PlatformError,
    RateLimited,
    Rejected,
    Transient,
)
from accounts.platforms.facebook import FacebookAdapter
from accounts.platforms.x import XAdapter, same_post_text
from tests.fakes import FakeGraph, FakeX

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 64


def raised(fn: Callable[..., object], *args: Any, **kwargs: Any) -> PlatformError:
    with pytest.raises(PlatformError) as info:
        fn(*args, **kwargs)
    return info.value


def test_both_adapters_satisfy_the_protocol(x_publisher: XAdapter, fb_publisher: FacebookAdapter) -> None:
    assert isinstance(x_publisher, PlatformAdapter)
    assert isinstance(fb_publisher, PlatformAdapter)


def test_reprs_never_show_credentials(
    x: FakeX, graph: FakeGraph, x_publisher: XAdapter, fb_publisher: FacebookAdapter
) -> None:
    for secret in (x.api_secret, x.access_token, x.access_token_secret, x.api_key):
        assert secret not in repr(x_publisher)
    assert graph.access_token not in repr(fb_publisher)
    assert "PNG" not in repr(MediaItem(PNG, "image/png", "alt"))


# -- X: success ---------------------------------------------------------------------


def test_x_publish_sends_the_exact_signed_request(x: FakeX, x_publisher: XAdapter) -> None:
    result = x_publisher.publish("入管からのお知らせ https://www.moj.go.jp/isa/ & more")

    [call] = x.calls
    assert (call.method, call.url) == ("POST", "https://api.twitter.com/2/tweets")  # tweepy 4.17's host
    assert call.json() == {"text": "入管からのお知らせ https://www.moj.go.jp/isa/ & more"}
    auth = call.headers["Authorization"]
    assert auth.startswith("OAuth ")
    assert f'oauth_consumer_key="{x.api_key}"' in auth
    assert 'oauth_token="1500000000000000001-fake-x-access-token"' in auth
    assert 'oauth_signature_method="HMAC-SHA1"' in auth
    assert x.api_secret not in auth and x.access_token_secret not in auth
    assert call.status == 201  # the fake verified the HMAC-SHA1 signature
    assert result.external_id in x.posts
    assert result.url == f"https://x.com/i/web/status/{result.external_id}"


def test_x_fake_rejects_a_bad_signature(x: FakeX) -> None:
    publisher = XAdapter(**(x.credentials | {"api_secret": "not-the-secret"}))
    error = raised(publisher.publish, "hello")
    assert isinstance(error, AuthRevoked)
    assert x.calls[0].status == 401 and not x.posts


def test_x_client_never_waits_on_rate_limit(x_publisher: XAdapter) -> None:
    assert x_publisher._client.wait_on_rate_limit is False


def test_x_publish_with_images_uses_v2_upload_and_sets_alt_text(x: FakeX, x_publisher: XAdapter) -> None:
    result = x_publisher.publish(
        "写真付き",
        [MediaItem(PNG, "image/png", "入管庁の庁舎"), MediaItem(JPEG, "image/jpeg", "")],
    )

    assert [c.endpoint for c in x.calls] == ["media_upload", "media_metadata", "media_upload", "create"]
    first, metadata, second, create = x.calls
    assert (first.method, first.url) == ("POST", "https://api.x.com/2/media/upload")
    fields = first.multipart()
    assert fields["media"].data == PNG and fields["media"].content_type == "image/png"
    assert fields["media_category"].text == "tweet_image"
    assert fields["media_type"].text == "image/png"
    assert first.headers["Authorization"].startswith("OAuth ") and first.status == 200
    first_id = next(iter(x.media))
    assert (metadata.method, metadata.url) == ("POST", "https://api.x.com/2/media/metadata")
    assert metadata.json() == {"id": first_id, "metadata": {"alt_text": {"text": "入管庁の庁舎"}}}
    assert metadata.status == 200
    # No alt text, no metadata call for the second image.
    second_id = list(x.media)[1]
    assert second.multipart()["media"].data == JPEG
    assert create.json() == {"text": "写真付き", "media": {"media_ids": [first_id, second_id]}}
    assert x.posts[result.external_id].media_ids == [first_id, second_id]
    assert x.media[first_id]["alt_text"] == "入管庁の庁舎"


def test_x_refuses_more_than_four_images_without_calling(x: FakeX, x_publisher: XAdapter) -> None:
    error = raised(x_publisher.publish, "many", [MediaItem(PNG, "image/png", "a")] * 5)
    assert isinstance(error, Rejected) and "4" in error.message
    assert x.call_count() == 0


def test_x_media_upload_errors_are_mapped_and_stop_before_posting(x: FakeX, x_publisher: XAdapter) -> None:
    x.script("rate_limited", endpoint="media_upload", reset_in=120)
    error = raised(x_publisher.publish, "img", [MediaItem(PNG, "image/png", "alt")])
    assert isinstance(error, RateLimited)
    assert x.call_count("create") == 0


def test_x_delete(x: FakeX, x_publisher: XAdapter) -> None:
    post = x.add_post("to be removed")
    x_publisher.delete(post.id)
    [call] = x.calls
    assert (call.method, call.url) == ("DELETE", f"https://api.twitter.com/2/tweets/{post.id}")
    assert call.headers["Authorization"].startswith("OAuth ")
    assert post.id not in x.posts


def test_x_delete_of_a_missing_post_is_rejected(x_publisher: XAdapter) -> None:
    assert isinstance(raised(x_publisher.delete, "1234"), Rejected)


def test_x_find_recent_found_despite_tco_links_escaping_and_media(x: FakeX, x_publisher: XAdapter) -> None:
    x.add_post("older post")
    wanted = x.add_post("在留手続 <案内> & 詳細: https://www.moj.go.jp/isa/applications/index.html。", media_ids=["1"])
    x.add_post("newer post")
    assert "t.co" in x.rendered_text(wanted) and "&amp;" in x.rendered_text(wanted)

    found = x_publisher.find_recent("在留手続 <案内> & 詳細: https://www.moj.go.jp/isa/applications/index.html。")

    assert found is not None and found.external_id == wanted.id
    assert found.url == f"https://x.com/i/web/status/{wanted.id}"
    [call] = x.calls
    assert call.method == "GET" and call.path == f"/2/users/{x.user_id}/tweets"
    assert call.query == {"max_results": ["100"], "tweet.fields": ["note_tweet"]}
    assert call.headers["Authorization"].startswith("OAuth ")


def test_x_find_recent_not_found(x: FakeX, x_publisher: XAdapter) -> None:
    x.add_post("something else")
    assert x_publisher.find_recent("the post we look for") is None
    assert x_publisher.find_recent("something") is None  # a prefix is not a match


def test_x_find_recent_on_an_empty_timeline(x_publisher: XAdapter) -> None:
    assert x_publisher.find_recent("anything") is None


def test_x_find_recent_reads_the_full_text_of_long_posts(x: FakeX, x_publisher: XAdapter) -> None:
    long_text = "在留カードの更新手続について。" * 20
    post = x.add_post(long_text)
    found = x_publisher.find_recent(long_text)
    assert found is not None and found.external_id == post.id


@pytest.mark.parametrize(
    ("sent", "returned", "same"),
    [
        ("a & b", "a &amp; b", True),
        ("see example.com/x.", "see https://t.co/abc123.", True),
        ("see https://e.com/a", "see https://t.co/abc123 https://t.co/media99", True),
        ("photo only", "photo only https://t.co/media99", True),
        (" 前後の空白 ", "前後の空白", True),
        ("see https://e.com/a", "see https://t.co/abc123 extra", False),
        ("hello", "hello world", False),
        ("hello world", "hello", False),
    ],
)
def test_x_text_matching(sent: str, returned: str, same: bool) -> None:
    assert same_post_text(sent, returned) is same


# -- X: errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "options", "error_class", "code", "message"),
    [
        ("duplicate", {}, Rejected, 403, "You are not allowed to create a Tweet with duplicate content."),
        ("forbidden", {"detail": "This account is suspended."}, Rejected, 403, "This account is suspended."),
        (
            "oauth1_permissions",
            {},
            AuthRevoked,
            403,
            "Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.",
        ),
        ("unauthorized", {}, AuthRevoked, 401, "Unauthorized"),
        (
            "payment_required",
            {},
            OutOfCredits,
            402,
            "Your enrolled account [1234567890] does not have any credits to fulfill this request.",
        ),
        ("bad_request", {"message": "text: too long"}, Rejected, 400, "text: too long"),
        ("server_error", {}, Transient, 500, "Internal Server Error"),
        ("unavailable", {}, Transient, 503, "Service Unavailable"),
    ],
)
def test_x_errors_are_mapped(
    x: FakeX,
    x_publisher: XAdapter,
    kind: str,
    options: dict[str, Any],
    error_class: type[PlatformError],
    code: int,
    message: str,
) -> None:
    x.script(kind, **options)
    error = raised(x_publisher.publish, "hello")
    assert type(error) is error_class
    assert error.code == code
    assert error.message == message
    assert not x.posts


def test_x_only_the_duplicate_403_is_flagged_duplicate(x: FakeX, x_publisher: XAdapter) -> None:
    x.script("duplicate")
    x.script("forbidden")
    first = raised(x_publisher.publish, "a")
    second = raised(x_publisher.publish, "b")
    assert isinstance(first, Rejected) and first.duplicate is True
    assert isinstance(second, Rejected) and second.duplicate is False


def test_x_repeated_text_is_a_duplicate(x: FakeX, x_publisher: XAdapter) -> None:
    x_publisher.publish("same words")
    error = raised(x_publisher.publish, "same words")
    assert isinstance(error, Rejected) and error.duplicate


def test_x_rate_limit_waits_until_the_reset_header(x: FakeX, x_publisher: XAdapter) -> None:
    x.script("rate_limited", reset_in=300)
    error = raised(x_publisher.publish, "hello")
    assert isinstance(error, RateLimited) and error.code == 429
    expected = datetime.now(UTC) + timedelta(seconds=300)
    assert error.until.tzinfo is not None
    assert abs((error.until - expected).total_seconds()) <= 2


def test_x_rate_limit_from_the_24_hour_cap_uses_its_reset(x: FakeX, x_publisher: XAdapter) -> None:
    x.script("rate_limited", family="x-user-limit-24hour", reset_in=6 * 3600)
    error = raised(x_publisher.publish, "hello")
    assert isinstance(error, RateLimited)
    assert abs((error.until - (datetime.now(UTC) + timedelta(hours=6))).total_seconds()) <= 2


def test_x_rate_limit_without_reset_header_raises_at_once(x: FakeX, x_publisher: XAdapter) -> None:
    x.script("rate_limited_no_reset")
    started = time.monotonic()
    error = raised(x_publisher.publish, "hello")
    assert time.monotonic() - started < 1  # no sleeping, no retry loop
    assert x.call_count() == 1
    assert isinstance(error, RateLimited)
    assert abs((error.until - (datetime.now(UTC) + timedelta(minutes=15))).total_seconds()) <= 2


@pytest.mark.parametrize("kind", ["timeout", "connection_error"])
def test_x_network_failures_are_transient(x: FakeX, x_publisher: XAdapter, kind: str) -> None:
    x.script(kind)
    error = raised(x_publisher.publish, "hello")
    assert isinstance(error, Transient) and error.code is None
    assert not x.posts


def test_x_client_timeout_is_applied_and_a_late_commit_can_be_reconciled(x: FakeX) -> None:
    publisher = XAdapter(**x.credentials, timeout=0.2)
    x.script("ok", latency=5)
    started = time.monotonic()
    error = raised(publisher.publish, "slow platform")
    assert time.monotonic() - started < 2  # gave up after the 0.2 s timeout, not 5 s
    assert isinstance(error, Transient)
    # The platform committed it anyway: reconciliation finds it.
    found = publisher.find_recent("slow platform")
    assert found is not None and found.external_id in x.posts


def test_x_commit_then_timeout(x: FakeX, x_publisher: XAdapter) -> None:
    x.script("commit_then_timeout")
    assert isinstance(raised(x_publisher.publish, "hello"), Transient)
    assert x_publisher.find_recent("hello") is not None
    retry = raised(x_publisher.publish, "hello")
    assert isinstance(retry, Rejected) and retry.duplicate


# -- Facebook: success ------------------------------------------------------------------


def test_fb_publish_sends_the_exact_request(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    result = fb_publisher.publish("出入国在留管理庁からのお知らせ https://www.moj.go.jp/isa/")

    [call] = graph.calls
    assert (call.method, call.url) == ("POST", f"https://graph.facebook.com/v23.0/{graph.page_id}/feed")
    assert "application/x-www-form-urlencoded" in call.content_type
    assert call.form() == {
        "message": "出入国在留管理庁からのお知らせ https://www.moj.go.jp/isa/",
        "access_token": graph.access_token,
    }
    assert call.status == 200
    assert result.external_id in graph.posts and result.external_id.startswith(f"{graph.page_id}_")
    assert result.url == f"https://www.facebook.com/{result.external_id}"


def test_fb_uses_the_requested_graph_version_only(graph: FakeGraph) -> None:
    publisher = FacebookAdapter(**graph.credentials, version="v24.0")
    error = raised(publisher.publish, "hello")
    # The fake answers v23.0 only, so the request is refused: it really went to v24.0.
    assert isinstance(error, Transient)
    assert "v24.0" in error.message
    assert graph.access_token not in error.message  # the token in the URL is redacted


def test_fb_publish_with_images(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    result = fb_publisher.publish(
        "写真付きのお知らせ",
        [MediaItem(JPEG, "image/jpeg", "窓口の案内表示"), MediaItem(PNG, "image/png", "")],
    )

    assert [c.endpoint for c in graph.calls] == ["photos", "photos", "feed"]
    first, second, feed = graph.calls
    assert (first.method, first.url) == ("POST", f"https://graph.facebook.com/v23.0/{graph.page_id}/photos")
    parts = first.multipart()
    assert parts["source"].data == JPEG and parts["source"].content_type == "image/jpeg"
    assert first.params() == {
        "published": "false",
        "alt_text_custom": "窓口の案内表示",
        "access_token": graph.access_token,
    }
    assert second.params() == {"published": "false", "access_token": graph.access_token}
    photo_ids = list(graph.photos)
    assert feed.form() == {
        "message": "写真付きのお知らせ",
        "attached_media[0]": json.dumps({"media_fbid": photo_ids[0]}),
        "attached_media[1]": json.dumps({"media_fbid": photo_ids[1]}),
        "access_token": graph.access_token,
    }
    assert graph.posts[result.external_id].photo_ids == photo_ids
    assert graph.photos[photo_ids[0]]["published"] is False
    assert graph.photos[photo_ids[0]]["alt_text_custom"] == "窓口の案内表示"


def test_fb_delete(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    post = graph.add_post("to be removed")
    fb_publisher.delete(post.id)
    [call] = graph.calls
    assert call.method == "DELETE"
    assert call.path == f"/v23.0/{post.id}"
    assert call.query == {"access_token": [graph.access_token]}
    assert post.id not in graph.posts


def test_fb_delete_of_a_missing_post_is_rejected(fb_publisher: FacebookAdapter) -> None:
    error = raised(fb_publisher.delete, "104000000000001_999")
    assert isinstance(error, Rejected) and error.code == 100
    assert "does not exist" in error.message


def test_fb_find_recent_found(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    graph.add_post("older")
    wanted = graph.add_post("在留資格の変更について https://www.moj.go.jp/isa/")
    graph.add_post("newer")

    found = fb_publisher.find_recent("在留資格の変更について https://www.moj.go.jp/isa/")

    assert found is not None and found.external_id == wanted.id
    [call] = graph.calls
    assert call.method == "GET" and call.path == f"/v23.0/{graph.page_id}/posts"
    assert call.query == {
        "fields": ["id,message,created_time"],
        "limit": ["25"],
        "access_token": [graph.access_token],
    }


def test_fb_find_recent_not_found(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    graph.add_post("something else")
    assert fb_publisher.find_recent("the post we look for") is None


# -- Facebook: errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "options", "error_class", "code", "message"),
    [
        ("duplicate", {}, Rejected, 506, "(#506) Duplicate status message"),
        ("invalid_parameter", {}, Rejected, 100, "(#100) Invalid parameter"),
        ("blocked", {}, Rejected, 368, "The action attempted has been deemed abusive or is otherwise disallowed"),
        (
            "token_invalid",
            {},
            AuthRevoked,
            190,
            "Error validating access token: The session has been invalidated because the user changed their "
            "password or Facebook has changed the session for security reasons.",
        ),
        ("rate_limited", {"code": 4}, RateLimited, 4, "(#4) Application request limit reached"),
        ("rate_limited", {"code": 17}, RateLimited, 17, "(#17) User request limit reached"),
        ("rate_limited", {"code": 32}, RateLimited, 32, "(#32) Page request limit reached"),
        ("rate_limited", {"code": 613}, RateLimited, 613, "(#613) Calls to this api have exceeded the rate limit."),
        ("unknown_error", {}, Transient, 1, "An unknown error occurred"),
        ("service_unavailable", {}, Transient, 2, "An unexpected error has occurred. Please retry your request later."),
        ("bad_gateway_html", {}, Transient, 502, "Facebook answered HTTP 502 without a readable body."),
    ],
)
def test_fb_errors_are_mapped(
    graph: FakeGraph,
    fb_publisher: FacebookAdapter,
    kind: str,
    options: dict[str, Any],
    error_class: type[PlatformError],
    code: int,
    message: str,
) -> None:
    graph.script(kind, **options)
    error = raised(fb_publisher.publish, "hello")
    assert type(error) is error_class
    assert error.code == code
    assert error.message == message
    assert not graph.posts


def test_fb_duplicate_is_flagged(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    fb_publisher.publish("same words")
    error = raised(fb_publisher.publish, "same words")
    assert isinstance(error, Rejected) and error.duplicate and error.code == 506
    graph.script("invalid_parameter")
    other = raised(fb_publisher.publish, "other words")
    assert isinstance(other, Rejected) and not other.duplicate


def test_fb_wrong_token_needs_reauthorisation(graph: FakeGraph) -> None:
    publisher = FacebookAdapter(page_id=graph.page_id, page_access_token="EAAexpired")
    error = raised(publisher.publish, "hello")
    assert isinstance(error, AuthRevoked) and error.code == 190
    assert graph.calls[0].status == 400


def test_fb_rate_limit_uses_estimated_time_to_regain_access(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    graph.script("rate_limited", code=32, regain_minutes=7)
    error = raised(fb_publisher.publish, "hello")
    assert isinstance(error, RateLimited)
    assert abs((error.until - (datetime.now(UTC) + timedelta(minutes=7))).total_seconds()) <= 2


def test_fb_rate_limit_without_usage_header_waits_ten_minutes(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    graph.script("rate_limited", code=4)
    started = time.monotonic()
    error = raised(fb_publisher.publish, "hello")
    assert time.monotonic() - started < 1
    assert isinstance(error, RateLimited)
    assert abs((error.until - (datetime.now(UTC) + timedelta(minutes=10))).total_seconds()) <= 2


@pytest.mark.parametrize("endpoint", ["feed", "photos", "posts", "delete"])
@pytest.mark.parametrize("kind", ["timeout", "connection_error"])
def test_fb_network_failures_are_transient_and_hide_the_token(
    graph: FakeGraph, fb_publisher: FacebookAdapter, kind: str, endpoint: str
) -> None:
    graph.script(kind, endpoint=endpoint)
    post = graph.add_post("existing")
    action = {
        "feed": lambda: fb_publisher.publish("hello"),
        "photos": lambda: fb_publisher.publish("hello", [MediaItem(JPEG, "image/jpeg", "alt")]),
        "posts": lambda: fb_publisher.find_recent("hello"),
        "delete": lambda: fb_publisher.delete(post.id),
    }[endpoint]
    error = raised(action)
    assert isinstance(error, Transient) and error.code is None
    assert graph.access_token not in error.message
    assert error.__context__ is None and error.__cause__ is None  # nothing chained that holds the URL


def test_fb_client_timeout_is_applied(graph: FakeGraph) -> None:
    publisher = FacebookAdapter(**graph.credentials, timeout=0.2)
    graph.script("ok", latency=5)
    started = time.monotonic()
    error = raised(publisher.publish, "slow platform")
    assert time.monotonic() - started < 2
    assert isinstance(error, Transient)
    assert publisher.find_recent("slow platform") is not None  # committed anyway


def test_fb_commit_then_server_error(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    graph.script("commit_then_error")
    error = raised(fb_publisher.publish, "hello")
    assert isinstance(error, Transient) and error.code == 2
    assert fb_publisher.find_recent("hello") is not None


# -- the fakes themselves ------------------------------------------------------------------


def test_fakes_count_calls_and_consume_scripts_in_order(x: FakeX, x_publisher: XAdapter) -> None:
    x.script("server_error", times=2)
    x.script("ok", latency=0.05)
    assert x.pending("create") == 3
    for _ in range(2):
        assert isinstance(raised(x_publisher.publish, "retry me"), Transient)
    result = x_publisher.publish("retry me")
    assert [c.outcome for c in x.calls] == ["server_error", "server_error", "ok"]
    assert [c.status for c in x.calls] == [500, 500, 201]
    assert x.calls[-1].duration >= 0.05
    assert x.call_count("create") == 3 and x.pending() == 0
    assert result.external_id in x.posts


def test_unknown_script_kind_is_refused(x: FakeX, graph: FakeGraph) -> None:
    with pytest.raises(ValueError, match="FakeX has no script kind 'token_invalid'"):
        x.script("token_invalid")
    with pytest.raises(ValueError, match="FakeGraph has no script kind 'payment_required'"):
        graph.script("payment_required")


def test_install_from_env_in_a_subprocess_logs_every_call(tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"
    config = tmp_path / "fakes.json"
    config.write_text(
        json.dumps(
            {
                "x": {"script": {"create": [{"kind": "server_error"}]}},
                "facebook": {"latency": 0.05},
            }
        )
    )
    program = """
from accounts.platforms import Transient
from accounts.platforms.facebook import FacebookAdapter
from accounts.platforms.x import XAdapter
from tests.fakes import install_from_env
x, graph = install_from_env()
publisher = XAdapter(**x.credentials)
try:
    publisher.publish("first")
except Transient:
    pass
publisher.publish("first")
FacebookAdapter(**graph.credentials).publish("hello page")
"""
    env = {**os.environ, "IMMISNS_FAKE_PLATFORMS": str(config), "IMMISNS_FAKE_PLATFORM_LOG": str(log)}
    subprocess.run([sys.executable, "-c", program], cwd=PROJECT_ROOT, env=env, check=True, timeout=60)

    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(e["platform"], e["endpoint"], e["status"], e["outcome"]) for e in entries] == [
        ("x", "create", 500, "server_error"),
        ("x", "create", 201, "ok"),
        ("facebook", "feed", 200, "ok"),
    ]
    assert json.loads(entries[1]["body"]) == {"text": "first"}
    assert entries[1]["headers"]["Authorization"].startswith("OAuth ")
    assert entries[2]["url"] == "https://graph.facebook.com/v23.0/104000000000001/feed"
    assert entries[2]["duration"] >= 0.05


def test_worker_entry_point_installs_the_fakes_before_celery(tmp_path: Path) -> None:
    env = {**os.environ, "IMMISNS_FAKE_PLATFORMS": "{}", "IMMISNS_FAKE_PLATFORM_LOG": str(tmp_path / "calls.jsonl")}
    done = subprocess.run(
        [sys.executable, "-m", "tests.fakes.platforms", "celery", "--version"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()  # celery printed its version

    env.pop("IMMISNS_FAKE_PLATFORMS")
    refused = subprocess.run(
        [sys.executable, "-m", "tests.fakes.platforms", "celery", "--version"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "IMMISNS_FAKE_PLATFORMS is not set" in refused.stderr


# -- One deadline covers every request of a send, image uploads included -----------------------


@pytest.mark.parametrize("platform", ["x", "facebook"])
def test_the_deadline_covers_image_uploads_and_nothing_is_posted_after_it(fakes, platform: str) -> None:
    x, graph = fakes
    adapter: PlatformAdapter
    if platform == "x":
        adapter, fake, upload, create = XAdapter(**x.credentials), x, "media_upload", "create"
    else:
        adapter, fake, upload, create = FacebookAdapter(**graph.credentials), graph, "photos", "feed"
    fake.script("ok", endpoint=upload, latency=0.5, times=3)
    images = [MediaItem(PNG, "image/png", f"図 {n}") for n in range(3)]
    sending_called = []

    started = time.monotonic()
    with pytest.raises(Transient):
        adapter.publish("画像つきのお知らせ", images, deadline=started + 0.8, sending=lambda: sending_called.append(1))
    elapsed = time.monotonic() - started

    assert elapsed < 1.3  # the second upload was cut to what was left; the third never started
    assert fake.call_count(upload) == 2
    assert fake.call_count(create) == 0 and sending_called == []
