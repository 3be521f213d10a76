"""Reading reach, faked as the documentation describes it: X's post and user lookups, Graph post fields and insights.

FakeX carries an ``XReachFake`` as ``x.reach`` and FakeGraph a
``GraphReachFake`` as ``graph.reach``; each answers its endpoints on the same
responses mock (and over HTTP through tests/fakes/loopback.py). Figures are
set per post::

    x.reach.set(post.id, impression_count=120, like_count=4)   # public_metrics of a post FakeX holds
    x.reach.schema = "old"                  # retweet_count / tweet_count instead of repost_count / post_count
    x.reach.followers = 5321
    graph.reach.set(post.id, reactions=3, comments=1, shares=0, post_media_view=250)
    graph.reach.removed.add("post_total_media_view_unique")   # Meta removes a metric: #100 for any request naming it

X, after docs.x.com "Get Posts by IDs" (GET /2/tweets, ids comma-separated, 1 to
100, else 400) and the Post object's public_metrics (impression_count,
like_count, reply_count, retweet_count — repost_count in the newer schema —,
quote_count, bookmark_count), given only when tweet.fields names
public_metrics; an id that is not (or no longer) there comes back, with HTTP
200, in "errors" as {"value", "detail": "Could not find tweet with ids: [id].",
"title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
"resource_id", "type": "https://api.twitter.com/2/problems/resource-not-found"}.
"Get User by ID" (GET /2/users/:id): {"data": {"id", "name", "username"}} plus
public_metrics (followers_count, following_count, tweet_count — post_count in
the newer schema —, listed_count, like_count, media_count) when user.fields
names it.

Graph, after developers.facebook.com "Page Post" reference and field expansion:
GET /{post-id}?fields=reactions.summary(total_count).limit(0),comments.summary(true).limit(0),shares
answers {"id", "reactions": {"data": [], "summary": {"total_count", "viewer_reaction"}},
"comments": {"data": [], "summary": {"order", "total_count", "can_comment"}},
"shares": {"count"}} with "shares" absent while nobody shared; an id that does
not exist is error 100 subcode 33 (GraphMethodException). "Page Insights"
(GET /{post-id}/insights?metric=a,b): {"data": [{"name", "period": "lifetime",
"values": [{"value"}], "title", "description", "id"}], "paging"}; after the
15 November 2025 deprecation post_impressions, post_impressions_unique and
page_fans are gone (post_media_view, post_total_media_view_unique, page_follows
replace them) and any request naming a gone metric fails whole with
(#100) "The value must be a valid insights metric". GET /{page-id}?fields=followers_count
answers {"followers_count", "id"}.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import requests

if TYPE_CHECKING:
    from tests.fakes.platforms import FakeGraph, FakeX

Answer = tuple[int, dict[str, str], str | bytes]

X_POST_METRICS = ("impression_count", "like_count", "reply_count", "retweet_count", "quote_count", "bookmark_count")
GRAPH_POST_INSIGHTS = ("post_media_view", "post_total_media_view_unique", "post_clicks", "post_reactions_by_type_total")
GRAPH_REMOVED_2025 = frozenset({"post_impressions", "post_impressions_unique", "page_fans", "page_impressions"})


def _query(request: requests.PreparedRequest) -> dict[str, str]:
    return {key: ",".join(values) for key, values in parse_qs(urlsplit(str(request.url)).query).items()}


class XReachFake:
    endpoints = frozenset({"reach:tweets", "reach:user"})

    def __init__(self, fake: FakeX) -> None:
        self.fake = fake
        self.metrics: dict[str, dict[str, int]] = {}  # post id -> public_metrics (old names)
        self.schema = "new"  # "new": repost_count / post_count; "old": retweet_count / tweet_count
        self.followers = 1000

    def set(self, post_id: str, **metrics: int) -> None:
        self.metrics.setdefault(post_id, dict.fromkeys(X_POST_METRICS, 0)).update(metrics)

    def route(self, method: str, path: str) -> tuple[str, dict[str, str]] | None:
        if method == "GET" and path == "/2/tweets":
            return "reach:tweets", {}
        if method == "GET" and (m := re.fullmatch(r"/2/users/(\d+)", path)):
            return "reach:user", {"id": m.group(1)}
        return None

    def answer(self, endpoint: str, args: dict[str, str], request: requests.PreparedRequest) -> Answer:
        query = _query(request)
        if endpoint == "reach:user":
            return self._user(args["id"], query)
        ids = [i for i in query.get("ids", "").split(",") if i]
        if not 1 <= len(ids) <= 100:
            return self.fake._reply(
                400,
                {
                    "errors": [{"parameters": {"ids": [query.get("ids", "")]}, "message": "ids: size must be 1-100"}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
            )
        fields = set(query.get("tweet.fields", "").split(","))
        data: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for post_id in ids:
            post = self.fake.posts.get(post_id)
            if post is None:
                errors.append(
                    {
                        "value": post_id,
                        "detail": f"Could not find tweet with ids: [{post_id}].",
                        "title": "Not Found Error",
                        "resource_type": "tweet",
                        "parameter": "ids",
                        "resource_id": post_id,
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                )
                continue
            item: dict[str, Any] = {
                "id": post.id,
                "text": self.fake.rendered_text(post),
                "edit_history_tweet_ids": [post.id],
            }
            if "public_metrics" in fields:
                item["public_metrics"] = self._post_metrics(post.id)
            data.append(item)
        payload: dict[str, Any] = {}
        if data:
            payload["data"] = data
        if errors:
            payload["errors"] = errors
        return self.fake._reply(200, payload)

    def _post_metrics(self, post_id: str) -> dict[str, int]:
        metrics = dict(self.metrics.get(post_id) or dict.fromkeys(X_POST_METRICS, 0))
        if self.schema == "new":
            metrics["repost_count"] = metrics.pop("retweet_count")
        return metrics

    def _user(self, user_id: str, query: dict[str, str]) -> Answer:
        user = self.fake.sign_in.users.get(user_id)
        if user is None:
            return self.fake._reply(
                200,
                {
                    "errors": [
                        {
                            "value": user_id,
                            "detail": f"Could not find user with id: [{user_id}].",
                            "title": "Not Found Error",
                            "resource_type": "user",
                            "parameter": "id",
                            "resource_id": user_id,
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    ]
                },
            )
        data: dict[str, Any] = {"id": user.id, "name": user.name, "username": user.username}
        if "public_metrics" in query.get("user.fields", "").split(","):
            posts = "post_count" if self.schema == "new" else "tweet_count"
            data["public_metrics"] = {
                "followers_count": self.followers,
                "following_count": 12,
                posts: len(self.fake.posts),
                "listed_count": 3,
                "like_count": 0,
                "media_count": 0,
            }
        return self.fake._reply(200, {"data": data})


class GraphReachFake:
    def __init__(self, fake: FakeGraph) -> None:
        self.fake = fake
        self.figures: dict[str, dict[str, int]] = {}  # post id -> reactions, comments, shares and insights values
        self.removed: set[str] = set(GRAPH_REMOVED_2025)
        self.followers = 800

    def set(self, post_id: str, **figures: int) -> None:
        self.figures.setdefault(post_id, {}).update(figures)

    def route(self, request: requests.PreparedRequest) -> tuple[str, dict[str, str]] | None:
        """Post nodes, their insights, and the Page asked for its followers (before Facebook Login's Page check)."""
        if request.method != "GET" or urlsplit(str(request.url)).hostname != "graph.facebook.com":
            return None
        path = urlsplit(str(request.url)).path.removeprefix(f"/{self.fake.version}/").strip("/")
        parts = path.split("/")
        if len(parts) == 2 and parts[1] == "insights":
            return "reach:insights", {"node": parts[0]}
        if len(parts) == 1 and parts[0] == self.fake.page_id:
            if _query(request).get("fields", "") == "followers_count":  # other Page reads are Facebook Login's
                return "reach:node", {"node": parts[0]}
            return None
        if len(parts) == 1 and re.fullmatch(r"\d+_\d+", parts[0]):  # a Page post id: PAGEID_POSTID
            return "reach:node", {"node": parts[0]}
        return None

    def answer(self, endpoint: str, args: dict[str, str], params: dict[str, str]) -> Answer:
        node = args["node"]
        if node != self.fake.page_id and node not in self.fake.posts:
            return self.fake._error(
                400,
                100,
                f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due to missing "
                "permissions, or does not support this operation. Please read the Graph API documentation at "
                "https://developers.facebook.com/docs/graph-api",
                type_="GraphMethodException",
                subcode=33,
            )
        if endpoint == "reach:insights":
            return self._insights(node, params)
        fields = params.get("fields", "")
        if node == self.fake.page_id:
            page: dict[str, Any] = {"id": node}
            if "followers_count" in fields.split(","):
                page["followers_count"] = self.followers
            return self.fake._ok(page)
        figures = self.figures.get(node, {})
        item: dict[str, Any] = {"id": node}
        if fields.startswith("reactions") or ",reactions" in fields:
            item["reactions"] = {
                "data": [],
                "summary": {"total_count": figures.get("reactions", 0), "viewer_reaction": "NONE"},
            }
        if "comments" in fields:
            item["comments"] = {
                "data": [],
                "summary": {"order": "ranked", "total_count": figures.get("comments", 0), "can_comment": True},
            }
        if "shares" in fields and figures.get("shares"):
            item["shares"] = {"count": figures["shares"]}  # absent while nobody shared
        return self.fake._ok(item)

    def _insights(self, node: str, params: dict[str, str]) -> Answer:
        metrics = [m for m in params.get("metric", "").split(",") if m]
        if not metrics or any(m in self.removed or m not in GRAPH_POST_INSIGHTS for m in metrics):
            return self.fake._error(400, 100, "(#100) The value must be a valid insights metric")
        figures = self.figures.get(node, {})
        data = [
            {
                "name": metric,
                "period": "lifetime",
                "values": [{"value": figures.get(metric, 0)}],
                "title": metric.replace("_", " ").capitalize(),
                "description": "Lifetime: " + metric.replace("_", " ") + ".",
                "id": f"{node}/insights/{metric}/lifetime",
            }
            for metric in metrics
        ]
        return self.fake._ok(
            {
                "data": data,
                "paging": {"previous": "https://graph.facebook.com/prev", "next": "https://graph.facebook.com/next"},
            }
        )
