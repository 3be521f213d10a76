"""Reading and moderating what the public writes, through the adapters, against the fake platforms.

tweepy and facebook-sdk really run; only the socket is replaced. No database.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from accounts.platforms import (
    AuthRevoked,
    ListeningAdapter,
    OutOfCredits,
    RateLimited,
    Rejected,
    Transient,
)
from accounts.platforms.facebook import FacebookAdapter
from accounts.platforms.x import XAdapter
from tests.fakes import FakeGraph, FakeX


def query(call) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.url).query)


def test_both_adapters_listen(x_publisher: XAdapter, fb_publisher: FacebookAdapter) -> None:
    assert isinstance(x_publisher, ListeningAdapter)
    assert isinstance(fb_publisher, ListeningAdapter)
    assert (x_publisher.capabilities.delete_reply, x_publisher.capabilities.block_author) == (False, False)
    assert (fb_publisher.capabilities.delete_reply, fb_publisher.capabilities.block_author) == (True, True)


# -- X -------------------------------------------------------------------------


def test_x_mentions_give_text_author_and_what_they_answer(x: FakeX, x_publisher: XAdapter) -> None:
    ours = x.add_post("窓口の混雑状況のお知らせ")
    reply = x.add_public(
        "在留カードの更新はどこで？ <急ぎ> & 助けて", username="taro_y", name="山田 太郎", reply_to=ours.id
    )
    mention = x.add_public("@IMMI_TOKYO 予約の方法を教えてください", username="hanako")

    batch = x_publisher.mentions()

    assert [r.external_id for r in batch.replies] == [mention.id, reply.id]  # newest first
    got = batch.replies[1]
    assert got.text == "在留カードの更新はどこで？ <急ぎ> & 助けて"  # X's HTML escaping undone
    assert (got.author_handle, got.author_name, got.author_id) == ("taro_y", "山田 太郎", reply.author_id)
    assert (got.answers, got.conversation) == (ours.id, ours.id)
    assert got.url == f"https://x.com/taro_y/status/{reply.id}"
    assert got.created_at.tzinfo is not None
    assert batch.replies[0].answers is None
    assert (batch.cursor, batch.items_read, batch.complete) == (mention.id, 2, True)

    call = x.calls_to("mentions")[0]
    assert call.method == "GET" and call.url.startswith(f"https://api.twitter.com/2/users/{x.user_id}/mentions")
    assert "author_id" in query(call)["expansions"][0]
    assert "since_id" not in query(call)


def test_x_mentions_since_the_cursor_read_only_what_is_new(x: FakeX, x_publisher: XAdapter) -> None:
    x.add_public("一件目")
    first = x_publisher.mentions()
    second_post = x.add_public("二件目")

    again = x_publisher.mentions(after=first.cursor)

    assert [r.external_id for r in again.replies] == [second_post.id]
    assert query(x.calls_to("mentions")[1])["since_id"] == [first.cursor]
    nothing = x_publisher.mentions(after=again.cursor)
    assert (nothing.replies, nothing.cursor, nothing.items_read) == ((), again.cursor, 0)


def test_x_mentions_follow_pages_until_done(x: FakeX, x_publisher: XAdapter) -> None:
    posted = [x.add_public(f"質問 {n}") for n in range(230)]

    batch = x_publisher.mentions()

    assert len(batch.replies) == 230 and batch.complete
    assert {r.external_id for r in batch.replies} == {p.id for p in posted}
    assert batch.cursor == posted[-1].id
    assert len(x.calls_to("mentions")) == 3
    assert query(x.calls_to("mentions")[1])["pagination_token"] == ["100"]


def test_x_a_read_cut_at_its_limit_keeps_the_old_cursor(x: FakeX, x_publisher: XAdapter) -> None:
    old = x.add_public("前回まで")
    cursor = x_publisher.mentions().cursor
    for n in range(250):
        x.add_public(f"新着 {n}")

    batch = x_publisher.mentions(after=cursor, limit=150)

    assert batch.complete is False
    assert batch.cursor == cursor == old.id  # nothing in between is skipped next time
    assert batch.items_read == 200


def test_x_replies_to_a_post_search_its_conversation_of_the_last_week(x: FakeX, x_publisher: XAdapter) -> None:
    ours = x.add_post("年末年始の窓口休止について")
    other = x.add_post("別のお知らせ")
    first = x.add_public("何日からですか", reply_to=ours.id)
    nested = x.add_public("12/29からです", username="helper", reply_to=first.id)
    x.add_public("古い返信", reply_to=ours.id, age=timedelta(days=8))
    x.add_public("関係ない返信", reply_to=other.id)

    batch = x_publisher.replies_to(ours.id)

    assert [r.external_id for r in batch.replies] == [nested.id, first.id]
    assert batch.replies[0].answers == first.id and batch.replies[0].conversation == ours.id
    assert query(x.calls_to("search")[0])["query"] == [f"conversation_id:{ours.id}"]


def test_x_replies_to_refuses_an_id_that_is_not_a_post_without_calling(x: FakeX, x_publisher: XAdapter) -> None:
    with pytest.raises(Rejected):
        x_publisher.replies_to("123 OR from:someone")
    assert x.call_count() == 0


def test_x_hide_and_show_a_reply(x: FakeX, x_publisher: XAdapter) -> None:
    ours = x.add_post("お知らせ")
    reply = x.add_public("個人情報を含む返信", reply_to=ours.id)

    x_publisher.set_hidden(reply.id, True)
    assert x.public[reply.id].hidden is True
    call = x.calls_to("hide")[0]
    assert (call.method, call.json()) == ("PUT", {"hidden": True})
    assert call.url == f"https://api.twitter.com/2/tweets/{reply.id}/hidden"

    x_publisher.set_hidden(reply.id, False)
    assert x.public[reply.id].hidden is False


def test_x_refuses_to_hide_outside_our_conversations(x: FakeX, x_publisher: XAdapter) -> None:
    mention = x.add_public("@IMMI_TOKYO 単独の投稿")
    with pytest.raises(Rejected) as caught:
        x_publisher.set_hidden(mention.id, True)
    assert "conversation you started" in caught.value.message
    assert x.public[mention.id].hidden is False


def test_x_says_plainly_that_it_cannot_delete_or_ban(x: FakeX, x_publisher: XAdapter) -> None:
    with pytest.raises(Rejected, match="only its own posts"):
        x_publisher.delete_reply("1900000000000000005")
    with pytest.raises(Rejected, match="block the author on X"):
        x_publisher.ban("2000001")
    assert x.call_count() == 0


@pytest.mark.parametrize(
    ("kind", "options", "error"),
    [
        ("rate_limited", {"reset_in": 300}, RateLimited),
        ("unauthorized", {}, AuthRevoked),
        ("unavailable", {}, Transient),
        ("timeout", {}, Transient),
        ("payment_required", {}, OutOfCredits),
    ],
)
def test_x_reads_fail_with_the_same_kinds_as_publishing(x: FakeX, x_publisher: XAdapter, kind, options, error) -> None:
    x.script(kind, endpoint="mentions", **options)
    with pytest.raises(error):
        x_publisher.mentions()


def test_x_a_read_refused_by_the_access_level_is_rejected_with_x_s_words(x: FakeX, x_publisher: XAdapter) -> None:
    detail = "You currently have access to a subset of X API V2 endpoints and limited v1.1 endpoints only."
    x.script("forbidden", endpoint="search", detail=detail)
    with pytest.raises(Rejected) as caught:
        x_publisher.replies_to("1900000000000000001")
    assert detail in caught.value.message


def test_x_hide_rate_limit_names_its_reset(x: FakeX, x_publisher: XAdapter) -> None:
    ours = x.add_post("お知らせ")
    reply = x.add_public("返信", reply_to=ours.id)
    x.script("rate_limited", endpoint="hide", reset_in=600)
    with pytest.raises(RateLimited) as caught:
        x_publisher.set_hidden(reply.id, True)
    assert (
        timedelta(seconds=590)
        < caught.value.until - caught.value.until.now(caught.value.until.tzinfo)
        <= timedelta(seconds=600)
    )


# -- Facebook ------------------------------------------------------------------


def test_fb_comments_on_a_post_newest_first_with_replies_to_comments(
    graph: FakeGraph, fb_publisher: FacebookAdapter
) -> None:
    post = graph.add_post("大阪出入国在留管理局からのお知らせ")
    first = graph.add_comment(post.id, "ありがとうございます", from_name="佐藤 花子", age=timedelta(minutes=5))
    answer = graph.add_comment(
        post.id, "私も知りたいです", from_id="7100000000000002", from_name="鈴木", parent=first.id
    )

    batch = fb_publisher.replies_to(post.id)

    assert [r.external_id for r in batch.replies] == [answer.id, first.id]
    got = batch.replies[1]
    assert (got.text, got.author_name, got.author_id, got.author_handle) == (
        "ありがとうございます",
        "佐藤 花子",
        "7100000000000001",
        "",
    )
    assert (got.answers, got.conversation, got.hidden) == (post.id, post.id, False)
    assert batch.replies[0].answers == first.id
    assert got.url.startswith(f"https://www.facebook.com/{post.id}?comment_id=")
    call = graph.calls_to("comments")[0]
    params = call.params()
    assert (params["filter"], params["order"]) == ("stream", "reverse_chronological")
    assert set(params["fields"].split(",")) >= {
        "id",
        "message",
        "from",
        "created_time",
        "parent",
        "is_hidden",
        "can_hide",
        "permalink_url",
    }
    assert batch.cursor == batch.replies[0].created_at.strftime("%Y-%m-%dT%H:%M:%S+0000")


def test_fb_comments_after_the_cursor_and_across_pages(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    post = graph.add_post("お知らせ")
    for n in range(150):
        graph.add_comment(post.id, f"古いコメント {n}", age=timedelta(hours=2, minutes=-n / 10))
    all_of_them = fb_publisher.replies_to(post.id)
    assert len(all_of_them.replies) == 150 and len(graph.calls_to("comments")) == 2
    assert graph.calls_to("comments")[1].params()["after"] == "100"

    new = graph.add_comment(post.id, "新しいコメント")
    again = fb_publisher.replies_to(post.id, after=all_of_them.cursor)

    assert new.id in [r.external_id for r in again.replies]
    assert len(again.replies) < 10  # only what is new, and what shares the cursor's second


def test_fb_comment_without_an_author_is_kept(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    post = graph.add_post("お知らせ")
    graph.add_comment(post.id, "匿名の意見", from_id=None)
    reply = fb_publisher.replies_to(post.id).replies[0]
    assert (reply.text, reply.author_id, reply.author_name) == ("匿名の意見", "", "")
    with pytest.raises(Rejected, match="did not say who wrote"):
        fb_publisher.ban(reply.author_id)


def test_fb_hide_show_delete_and_ban(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    post = graph.add_post("お知らせ")
    comment = graph.add_comment(post.id, "スパム http://spam.example")

    fb_publisher.set_hidden(comment.id, True)
    assert graph.comments[comment.id].is_hidden is True
    call = graph.calls_to("update")[0]
    assert call.method == "POST" and call.params()["is_hidden"] == "true"
    fb_publisher.set_hidden(comment.id, False)
    assert graph.comments[comment.id].is_hidden is False

    assert comment.from_id is not None  # add_comment gives a writer by default
    fb_publisher.ban(comment.from_id)
    assert graph.blocked == {comment.from_id}
    assert graph.calls_to("block")[0].url.startswith(f"{graph.base_url}/{graph.page_id}/blocked")

    fb_publisher.delete_reply(comment.id)
    assert comment.id not in graph.comments
    with pytest.raises(Rejected):
        fb_publisher.delete_reply(comment.id)  # already gone: Graph's own 100


def test_fb_has_no_separate_mentions(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    assert fb_publisher.mentions(after="x").replies == ()
    assert graph.call_count() == 0


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("token_invalid", AuthRevoked),
        ("rate_limited", RateLimited),
        ("service_unavailable", Transient),
        ("bad_gateway_html", Transient),
        ("timeout", Transient),
    ],
)
def test_fb_reads_and_moderation_fail_with_the_same_kinds(
    graph: FakeGraph, fb_publisher: FacebookAdapter, kind, error
) -> None:
    post = graph.add_post("お知らせ")
    comment = graph.add_comment(post.id, "コメント")
    graph.script(kind, endpoint="comments")
    graph.script(kind, endpoint="update")
    with pytest.raises(error):
        fb_publisher.replies_to(post.id)
    with pytest.raises(error):
        fb_publisher.set_hidden(comment.id, True)
    assert graph.comments[comment.id].is_hidden is False


def test_fb_errors_never_carry_the_token(graph: FakeGraph, fb_publisher: FacebookAdapter) -> None:
    graph.script("connection_error", endpoint="comments")
    with pytest.raises(Transient) as caught:
        fb_publisher.replies_to(graph.add_post("お知らせ").id)
    assert graph.access_token not in str(caught.value) and caught.value.__context__ is None


@pytest.mark.django_db
def test_the_sandbox_listens_to_nobody_and_sends_nothing() -> None:
    from accounts.models import SandboxDelivery, SocialAccount
    from accounts.platforms import adapter_for

    account = SocialAccount.objects.filter(publisher=SocialAccount.Publisher.SANDBOX).first()
    adapter = adapter_for(account)
    assert isinstance(adapter, ListeningAdapter)
    assert adapter.mentions(after="c").replies == () and adapter.mentions(after="c").cursor == "c"
    assert adapter.replies_to("sandbox-1").items_read == 0
    adapter.set_hidden("r", True)
    adapter.ban("someone")
    assert SandboxDelivery.objects.count() == 0
