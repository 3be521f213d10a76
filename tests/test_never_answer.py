"""The console never answers the public (policy §5.1, §5.2).

Every test runs under the autouse fixture ``the_console_never_answers``
(tests/conftest.py), which scans the requests every fake platform recorded
during the test and fails on any reply, comment, like, follow or repost. This
file proves the detector sees each such endpoint, that the fakes refuse them,
and that the fixture would fail a test that made one.
"""

import json

import pytest
import requests

from tests.fakes.platforms import FakeGraph, FakeX, answering_endpoint, answers_since, fake_platforms, recorded_counts

X = "https://api.twitter.com"
G = "https://graph.facebook.com/v23.0"


@pytest.mark.parametrize(
    ("method", "url", "body", "kind"),
    [
        ("POST", f"{X}/2/tweets", json.dumps({"text": "はい", "reply": {"in_reply_to_tweet_id": "1"}}), "x:reply"),
        ("POST", "https://api.x.com/2/tweets", json.dumps({"text": "見て", "quote_tweet_id": "1"}), "x:quote"),
        ("POST", f"{X}/2/users/15/likes", json.dumps({"tweet_id": "1"}), "x:likes"),
        ("POST", f"{X}/2/users/15/following", json.dumps({"target_user_id": "2"}), "x:following"),
        ("POST", f"{X}/2/users/15/retweets", json.dumps({"tweet_id": "1"}), "x:retweets"),
        ("POST", f"{X}/1.1/statuses/update.json?status=x&in_reply_to_status_id=1", "", "x:v1.1 reply"),
        ("POST", f"{X}/1.1/favorites/create.json?id=1", "", "x:v1.1/1.1/favorites/create.json"),
        ("POST", f"{X}/1.1/friendships/create.json", "user_id=2", "x:v1.1/1.1/friendships/create.json"),
        ("POST", f"{G}/104_1/comments", "message=はい", "facebook:comments"),
        ("POST", f"{G}/104_1/likes", "", "facebook:likes"),
        ("POST", f"{G}/104_1/reactions", "type=LIKE", "facebook:reactions"),
        ("POST", f"{G}/104_1/private_replies", "message=x", "facebook:private_replies"),
        ("POST", f"{G}/1_2", "message=edited", "facebook:edit"),
    ],
)
def test_every_way_of_answering_is_recognised(method, url, body, kind):
    assert answering_endpoint(method, url, body) == kind


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("POST", f"{X}/2/tweets", json.dumps({"text": "お知らせ"})),  # our own post
        ("PUT", f"{X}/2/tweets/1/hidden", json.dumps({"hidden": True})),
        ("GET", f"{X}/2/users/15/mentions", ""),
        ("GET", f"{G}/104_1/comments", ""),
        ("POST", f"{G}/104/feed", "message=お知らせ"),
        ("POST", f"{G}/1_2", "is_hidden=true"),
        ("POST", f"{G}/104/blocked", "user=7"),
        ("DELETE", f"{G}/1_2", ""),
    ],
)
def test_publishing_reading_and_moderating_are_not_answers(method, url, body):
    assert answering_endpoint(method, url, body) is None


def test_the_fakes_refuse_an_answer_and_record_it():
    with fake_platforms(x=FakeX(verify_signatures=False), graph=FakeGraph()) as (x, graph):
        answer = requests.post(f"{X}/2/tweets", json={"text": "はい", "reply": {"in_reply_to_tweet_id": "1"}})
        comment = requests.post(f"{G}/104_1/comments", data={"message": "はい", "access_token": graph.access_token})
    assert answer.status_code == comment.status_code == 403
    assert [c.endpoint for c in x.calls + graph.calls] == ["answering:x:reply", "answering:facebook:comments"]
    x.calls.clear()  # so that this test itself passes the suite-wide check
    graph.calls.clear()


def test_the_suite_wide_check_sees_an_answer_made_during_a_test():
    seen = recorded_counts()
    with fake_platforms(x=FakeX(verify_signatures=False)) as (x, _graph):
        requests.post(f"{X}/2/users/1/likes", json={"tweet_id": "1"})
        found = answers_since(seen)
        x.calls.clear()  # so that this test itself passes the suite-wide check
    assert found == [f"POST {X}/2/users/1/likes (x:likes)"]
    assert answers_since(recorded_counts()) == []


def test_no_adapter_calls_an_answering_method():
    """Besides the requests themselves: the adapters never name a library call that answers."""
    from pathlib import Path

    forbidden = (
        "in_reply_to_tweet_id",
        "quote_tweet_id",
        ".like(",
        ".follow_user(",
        ".retweet(",
        "put_comment",
        "put_like",
        '"comments", message',
        '"likes"',
        '"reactions"',
        "private_replies",
    )
    source = {
        path.name: path.read_text(encoding="utf-8")
        for path in (Path(__file__).resolve().parents[1] / "accounts" / "platforms").glob("*.py")
    }
    assert {
        name: [word for word in forbidden if word in text]
        for name, text in source.items()
        if any(word in text for word in forbidden)
    } == {}
