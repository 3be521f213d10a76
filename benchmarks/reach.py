"""Reach collection benchmark: `make bench-reach` (no arguments).

One day's collection for all 21 accounts (18 X, 3 Facebook): reports.collection
reads each account's followers and the figures of its posts published in the
last 30 days through the real adapters (tweepy and facebook-sdk), from the
fake platforms served over HTTP on 127.0.0.1 (tests/fakes/loopback.py) and
answering after BENCH_LATENCY seconds (0.05), as the drain benchmark's fakes.
Each account has BENCH_POSTS (30) published posts spread over the last 30
days, so 630 posts in all by default.

Prints the seconds the collection took (the 21 accounts one after the other,
as one worker thread would run them), the requests each platform received, the
objects X billed and their estimated cost (REACH_X_* settings), and the rows
stored. A second run the same day must read nothing and store nothing.

A throw-away database: SQLite under a temporary folder, or a database of its
own on the PostgreSQL server DATABASE_URL names. Exits non-zero when a post
or an account was left unread or the second run read anything.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.drain import load_average  # noqa: E402 — after the path is set
from benchmarks.publish import Database, machine  # noqa: E402

LATENCY = float(os.environ.get("BENCH_LATENCY", "0.05"))
POSTS = int(os.environ.get("BENCH_POSTS", "30"))


def published_posts(accounts, x, graph, now: dt.datetime) -> int:
    """BENCH_POSTS posts per account on the fakes, with figures, and their published targets in the database."""
    from posts.models import Post, PostTarget
    from tests.factories.accounts import make_person

    author = make_person("reach-bench-poster", "agency", "poster")
    made = 0
    for account in accounts:
        for n in range(POSTS):
            at = now - dt.timedelta(days=29.5 * n / POSTS, hours=1)
            text = f"お知らせ {account.handle} {n}"
            if account.platform == account.Platform.X:
                external = x.add_post(text).id
                x.reach.set(external, impression_count=100 + n * 37, like_count=n, reply_count=n // 3)
            else:
                external = graph.add_post(text).id
                graph.reach.set(external, reactions=n, comments=n // 3, shares=n // 5, post_media_view=80 + n * 29)
            post = Post.objects.create(author=author, body=text, scheduled_at=at, state=Post.State.APPROVED)
            PostTarget.objects.create(
                post=post,
                account=account,
                state=PostTarget.State.PUBLISHED,
                external_id=external,
                published_at=at,
                published_text=text,
            )
            made += 1
    return made


def reach_calls(fake) -> int:
    return sum(1 for call in fake.calls if call.endpoint.startswith("reach:"))


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="immisns-bench-reach-"))
    database = Database(os.environ.get("DATABASE_URL", ""), folder)
    database.create()
    os.environ.update(
        {"DJANGO_SETTINGS_MODULE": "immisns.settings", "IMMISNS_VAR_DIR": str(folder), "DATABASE_URL": database.url}
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum

    from accounts.models import SocialAccount
    from reports import collection
    from reports.models import AccountFigures, PostFigures, ReachDay
    from tests.fakes import FakeGraph, FakeX
    from tests.fakes.loopback import serve
    from tests.posts.worker_harness import configure_accounts_for_fakes

    try:
        call_command("migrate", verbosity=0)
        x, graph = FakeX(latency=LATENCY), FakeGraph(latency=LATENCY)
        server = serve({"x": x, "facebook": graph})
        settings.PLATFORM_API_ORIGIN = server.origin
        settings.X_API_KEY, settings.X_API_SECRET = x.api_key, x.api_secret
        accounts = configure_accounts_for_fakes()
        now = dt.datetime.now(dt.UTC)
        made = published_posts(accounts, x, graph, now)
        load = load_average()

        started = time.perf_counter()
        outcomes = [collection.collect_account(account.pk, now=now) for account in accounts]
        seconds = time.perf_counter() - started
        requests = {"X": reach_calls(x), "Facebook": reach_calls(graph)}
        billed = ReachDay.objects.filter(account__platform=SocialAccount.Platform.X).aggregate(
            posts=Sum("post_reads"), users=Sum("user_reads"), cost=Sum("cost")
        )
        rows = (PostFigures.objects.count(), AccountFigures.objects.count())

        again = time.perf_counter()
        outcomes_again = [collection.collect_account(account.pk, now=now) for account in accounts]
        seconds_again = time.perf_counter() - again
        requests_again = reach_calls(x) + reach_calls(graph) - sum(requests.values())
        server.close()

        x_accounts = sum(a.platform == SocialAccount.Platform.X for a in accounts)
        print(
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}, load average {load}; {database.kind}; "
            f"fakes on loopback answering in {LATENCY * 1000:.0f} ms"
        )
        print(
            f"one day's collection of {len(accounts)} accounts ({x_accounts} X, {len(accounts) - x_accounts} Facebook), "
            f"{made} posts published in the last 30 days ({POSTS} per account), one account after another:"
        )
        print(f"  {seconds:.2f} s; outcomes {sorted(set(outcomes))}")
        print(f"  requests: X {requests['X']}, Facebook {requests['Facebook']}")
        print(
            f"  objects X billed: {billed['posts'] or 0} posts + {billed['users'] or 0} accounts, "
            f"estimated cost USD {billed['cost'] or 0:.4f} "
            f"({settings.REACH_X_POST_READ_COST} a post, {settings.REACH_X_USER_READ_COST} an account)"
        )
        print(f"  stored: {rows[0]} post figures, {rows[1]} account figures")
        print(f"the same day again: {seconds_again:.2f} s, {requests_again} requests")
        complete = rows == (made, len(accounts)) and set(outcomes) == {"ok"}
        if not complete or requests_again or set(outcomes_again) != {"ok"}:
            print("FAILED: a post or an account was left unread, or the second run read again")
            return 1
        return 0
    finally:
        connection.close()
        database.drop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
