"""Search at the agency's scale: `make bench-search` (PostgreSQL only; needs DATABASE_URL).

1. Fills the database DATABASE_URL names (created and migrated when missing)
   with benchmarks/pages.py's three years of posts (100,000, --posts) and
   300,000 replies (--replies) over the 21 accounts and the same three years:
   texts in Japanese, English and the other languages residents write in,
   about 2 % still waiting for a person, the rest decided (flagged, hidden,
   confirmed, deleted, by the system and by people) or never flagged. Rows go
   in with COPY, then VACUUM ANALYZE. Data already there is reused
   (--regenerate writes it afresh).
2. Times the searches through Django's test client in this process (the
   server's time; DEBUG off) for a poster (Tokyo), the Tokyo bureau
   supervisor, the agency supervisor, an agency viewer and an administrator:
   2 warm-ups, then --requests (20) timed requests of the moderation queue
   searched by a Japanese word of 3+ characters, one of 2, an author's handle,
   an English word, words nothing matches, and two of them with a category or
   an account; the post list searched by words of the body; the audit log
   filtered by an object number; the whole round --runs (3) times. Prints per
   search and role the queries of one request, p50 and p95 (ms), each the
   median of the runs, against the target (p95 <= 150 ms), the same
   as a Markdown table, and EXPLAIN (ANALYZE, BUFFERS) of the slowest query
   of each search, as the role that waited longest sent it.

Exits non-zero when a search misses its target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.pages import (  # noqa: E402 - after the path is set
    PAGE_TARGET_MS,
    REPLIES,
    SECOND_FACTOR_ROLES,
    ensure_database,
    fail,
    generate_replies,
    load_or_generate,
    machine,
    percentile,
    time_page,
)

# What the searches look for (the handle is picked from the data).
JA_WORD = "在留カード"
JA_SHORT = "入管"
EN_WORD = "visa"
NO_MATCH = "該当のない語句xyz"
CATEGORY = "personal_data"
POST_WORD = "説明会"
POST_SHORT = "窓口"


def load_or_generate_replies(wanted: int, now: dt.datetime) -> None:
    """benchmarks/pages.py's data set holds its 300,000 replies; another number (--replies) replaces them."""
    from django.db import connection

    from replies.models import Reply

    have = Reply.objects.count()
    if have == wanted:
        print(f"reusing the {have:,} replies already generated (--regenerate to write them afresh)")
        return
    print(f"replacing the {have:,} replies with {wanted:,}")
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("TRUNCATE moderation_replydecision, moderation_reply RESTART IDENTITY CASCADE")
        cursor.execute("SET session_replication_role = DEFAULT")
    generate_replies(wanted, now)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE moderation_reply")
        cursor.execute("VACUUM ANALYZE moderation_replydecision")


# --- 2. The searches --------------------------------------------------------------------------

Search = tuple[str, str, dict[str, object]]  # (name, url, query)


def searches(user) -> list[Search]:
    from django.urls import reverse

    from accounts import access
    from posts import selectors
    from replies.models import Reply

    replies = access.replies_visible_to(user, Reply.objects.all())
    # A handle of someone who wrote to this person's accounts, as a moderator would type it.
    author = replies.exclude(author_handle="").order_by("-id").values_list("author_handle", flat=True).first()
    account = access.accounts_visible_to(user).order_by("platform", "sort_order").first()
    # A post from the middle of the three years, with its events and targets.
    posts = selectors.posts_for(user)
    newest = posts.order_by("-pk").values_list("pk", flat=True).first() or 0
    post = posts.filter(pk__lte=newest // 2).order_by("-pk").values_list("pk", flat=True).first()
    if author is None or account is None or post is None:
        fail(f"{user} sees no reply, account or post: generate the data (--regenerate)")
    queue, post_list, audit = reverse("moderation:queue"), reverse("posts:list"), reverse("audit:log")
    return [
        (f"queue: {JA_WORD} (ja, 5 chars)", queue, {"q": JA_WORD}),
        (f"queue: {JA_SHORT} (ja, 2 chars)", queue, {"q": JA_SHORT}),
        ("queue: author handle", queue, {"q": f"@{author}"}),
        (f"queue: {EN_WORD} (en)", queue, {"q": EN_WORD}),
        ("queue: no match", queue, {"q": NO_MATCH}),
        (f"queue: {JA_WORD} + category", queue, {"q": JA_WORD, "category": CATEGORY}),
        (f"queue: {EN_WORD} + account", queue, {"q": EN_WORD, "account": account.pk}),
        (f"queue: {JA_SHORT} + category", queue, {"q": JA_SHORT, "category": CATEGORY}),
        (f"post list: {POST_WORD} (3 chars)", post_list, {"q": POST_WORD}),
        (f"post list: {POST_SHORT} (2 chars)", post_list, {"q": POST_SHORT}),
        ("audit log: object number", audit, {"object": f"#{post}"}),
    ]


def slowest_query(client, url: str, data: dict) -> tuple[float, str, Any]:
    """(ms, sql, params) of the slowest query one request sends."""
    from django.db import connection

    slowest: list[tuple[float, str, Any]] = []

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            slowest.append(((time.perf_counter() - began) * 1000, sql, params))

    with connection.execute_wrapper(timed):
        client.get(url, data)
    return max(slowest, key=lambda q: q[0])


def explain(sql: str, params: Any) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000, help="posts to generate (100,000)")
    parser.add_argument("--replies", type=int, default=REPLIES, help="replies to generate (300,000)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per search and role (20)")
    parser.add_argument("--runs", type=int, default=3, help="runs over every search; each figure is their median (3)")
    parser.add_argument("--regenerate", action="store_true", help="write the data afresh even when present")
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        fail(
            "needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/immisns_bench_search "
            "(a database of its own: the benchmark fills it with 100,000 posts and 300,000 replies)."
        )
    started_on = machine()
    ensure_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "immisns.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tests.conftest import sign_in_with_second_factor

    setup_test_environment()  # the test client's host, and e-mail kept in memory
    settings.DEBUG = False  # no query log, as in production

    now = dt.datetime.now(dt.UTC)
    people = load_or_generate(args.posts, args.regenerate, now)
    load_or_generate_replies(args.replies, now)
    from immisns.wsgi import freeze_what_is_loaded

    freeze_what_is_loaded()  # as each gunicorn worker does before its first request
    from posts.models import Post
    from replies.models import Reply, ReplyDecision

    size = (
        f"{Post.objects.count():,} posts, {Reply.objects.count():,} replies "
        f"({Reply.objects.filter(needs_review=True).count():,} waiting), {ReplyDecision.objects.count():,} decisions"
    )
    print(
        f"\n{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; at the start {started_on}; {size}; "
        f"{args.runs} runs of {args.requests} timed requests per search after 2 warm-ups"
    )

    roles = ["poster", "bureau_supervisor", "agency_supervisor", "viewer", "administrator"]
    header = f"{'page':<34} {'role':<18} {'status':>6} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8}  target"
    clients = {}
    for role in roles:
        clients[role] = Client()
        if role in SECOND_FACTOR_ROLES:  # supervisors and administrators pass the second factor, as at sign-in
            sign_in_with_second_factor(clients[role], people[role])
        else:
            clients[role].force_login(people[role])
    measured: dict[tuple[str, str], list[tuple[int, int, float, float]]] = {}
    names: list[str] = []
    for run in range(1, args.runs + 1):
        print(f"\nrun {run} of {args.runs}\n" + header + "\n" + "-" * len(header))
        for role in roles:
            for name, page_url, data in searches(people[role]):
                timing = time_page(clients[role], "get", page_url, data, args.requests)
                p50, p95 = statistics.median(timing.times), percentile(timing.times, 95)
                if name not in names:
                    names.append(name)
                measured.setdefault((name, role), []).append((timing.status, timing.queries, p50, p95))
                print(
                    f"{name:<34} {role:<18} {timing.status:>6} {timing.queries:>7} {p50:>8.1f} {p95:>8.1f}", flush=True
                )

    # Each figure the median of the runs, so that a re-run reproduces it.
    print(f"\nmedians of {args.runs} runs\n" + header + "\n" + "-" * len(header))
    results: dict[tuple[str, str], tuple[int, int, float, float]] = {}
    worst: dict[str, tuple[float, Client, str, dict]] = {}  # per search: the role with the highest p95
    missed = []
    for role in roles:
        for name, page_url, data in searches(people[role]):
            runs = measured[name, role]
            status, queries = max(r[0] for r in runs), max(r[1] for r in runs)
            p50, p95 = statistics.median(r[2] for r in runs), statistics.median(r[3] for r in runs)
            results[name, role] = (status, queries, p50, p95)
            # A redirect (to sign-in or the second factor) measures nothing: it is a miss, not a pass.
            ok = status in (200, 404) and (status != 200 or p95 <= PAGE_TARGET_MS)
            if not ok:
                missed.append((name, role, p95, status))
            if status == 200 and p95 > worst.get(name, (-1.0,))[0]:
                worst[name] = (p95, clients[role], page_url, data)
            print(
                f"{name:<34} {role:<18} {status:>6} {queries:>7} {p50:>8.1f} {p95:>8.1f}  "
                f"≤ {PAGE_TARGET_MS:.0f}{'' if ok else '  MISSED'}",
                flush=True,
            )

    print("\nAs a table (queries, p50 / p95 ms; ✗ misses its target):\n")
    print("| search | " + " | ".join(roles) + " |\n| --- |" + " --- |" * len(roles))
    for name in names:
        cells = []
        for role in roles:
            status, queries, p50, p95 = results[name, role]
            ok = status == 200 and p95 <= PAGE_TARGET_MS
            cells.append(
                f"{status} ({queries} q)"
                if status != 200
                else f"{queries} q, {p50:.0f} / {p95:.0f}{'' if ok else ' ✗'}"
            )
        print(f"| {name} | " + " | ".join(cells) + " |")

    if not args.no_explain:
        print("\nEXPLAIN (ANALYZE, BUFFERS) of each search's slowest query, for the role with the highest p95")
        for name in names:
            if name not in worst:
                continue
            _p95, client, page_url, data = worst[name]
            ms, sql, params = slowest_query(client, page_url, data)
            print(f"\n-- {name}: {ms:.1f} ms\n{sql}\n-- parameters: {params!r}")
            print(explain(sql, params))
    print(f"\nmachine at the end: {machine()}")
    if missed:
        print(
            "missed targets: "
            + "; ".join(
                f"{n} ({r}) " + (f"p95 {p:.0f} > {PAGE_TARGET_MS:.0f} ms" if s == 200 else f"answered {s}")
                for n, r, p, s in missed
            )
        )
        return 1
    print("every search met its target (404s are pages the role may not open)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
