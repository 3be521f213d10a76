"""Staff pages at the agency's scale: `make bench-pages` (PostgreSQL only; needs DATABASE_URL).

1. Fills the database DATABASE_URL names (created and migrated when missing)
   with three years of use across the 21 accounts: 100,000 posts (--posts N),
   about 3 targets each (most posts go to one account, one in twenty to all
   21), their events (created, submitted, approved, and each target's claim
   and result), the published texts' digests and the notifications they sent;
   states as years leave them (published, some failed, unconfirmed and
   withdrawn, cancelled, old drafts, and a few hundred pending posts for the
   coming weeks). Then 3 replies a post (300,000) with their decisions, about
   2 % still waiting; the audit records (every staff member's sign-ins on most
   working days, second-factor events, and rarely a role, office hours, a
   closure day or an account's settings), account pauses and connections,
   footer versions and publishing switches; and the reach figures the daily
   collection leaves (benchmarks/reach_data.py: each published target's first
   30 days, the accounts' followers). Rows go in with COPY, then VACUUM
   ANALYZE, as autovacuum would have left them. A table of its own
   (benchmark_data) marks the generator's version and --posts: a database
   filled by the same generator with the same --posts is reused, any other is
   emptied and written afresh (--regenerate forces it).
2. Times every staff page (TIMED; EXCLUDED names the URLs left out and why,
   tests/test_benchmark_covers_urls.py holds both to the URL patterns) through
   Django's test client, in this process (the server's time: middleware,
   views, queries, templates; no network), for a poster (Tokyo), a bureau
   supervisor (Tokyo), the agency supervisor, a viewer (the agency), an
   administrator (also every admin changelist) and the public (the pages
   without sign-in): 2 requests to warm up, then --requests (30) timed ones,
   the whole round --runs (3) times; --only REGEX and --roles a,b time a
   subset. Exports are read to their end and their lines counted. Prints per
   page and role the queries of one request, p50 and p95 in milliseconds,
   each the median of the runs, against the targets (p95 <= 150 ms every
   page, <= 100 ms the preview of 21 accounts), and the same as a Markdown
   table. A streamed export is held to what benchmarks/exports.py holds it
   to: its first chunk leaves within 150 ms (p95; the time shown) and its
   rows stream at >= 20,000 a second (the median read to the end), or it is
   read whole within a second when it has fewer than 20,000 rows.
3. Prints EXPLAIN ANALYZE of the queries the indexes in posts/0010 and 0012 serve.

Exits non-zero when a page misses its target.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import logging
import math
import os
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple, NoReturn
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

YEARS = 3
PAGE_TARGET_MS = 150.0
PREVIEW_TARGET_MS = 100.0
# A streamed export, read to its end: this many rows a second, or within a second when it has fewer rows (the
# start of the response and its queries are a fixed cost that a rate over a few thousand rows would not allow).
EXPORT_ROWS_PER_SECOND = 20_000
SEED = 15

BODIES = [
    "【お知らせ】年末年始（12月29日～1月3日）は窓口を閉庁します。お急ぎの手続はお早めにお越しください。",
    "在留期間更新許可申請のオンライン申請が利用できます。詳しくは https://www.moj.go.jp/isa/ をご覧ください。",
    "本日、窓口が大変混雑しております。待ち時間は約2時間です。ご理解とご協力をお願いいたします。",
    "外国人在留総合インフォメーションセンター 0570-013904 にお問い合わせください。",
    "Notice: The counter will be closed on the national holiday. Please use the online application.",
    "特定技能制度に関する説明会を開催します。参加をご希望の方は事前にお申し込みください。",
    "在留カードの有効期間の更新を忘れずに行ってください。",
    "台風の接近に伴い、本日午後の窓口業務を休止します。",
    "入管庁の採用説明会を開催します。多くの皆様のご参加をお待ちしております。",
    "偽の入管職員を名乗る電話にご注意ください。入管から電話で金銭を求めることはありません。",
]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def machine() -> str:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 0
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(next(line for line in meminfo if line.startswith("MemTotal:")).split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB memory"
    except (OSError, StopIteration, ValueError):
        memory = ""
    load = ""
    try:
        load = ", load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        pass
    return f"{cpus} CPUs{memory}{load}"


def fail(message: str) -> NoReturn:
    print(f"benchmarks/pages.py: {message}", file=sys.stderr)
    raise SystemExit(2)


def ensure_database(url: str) -> None:
    """Create the database DATABASE_URL names when it does not exist (the server must answer)."""
    import dj_database_url
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    config = dj_database_url.parse(url)
    # make_conninfo leaves out the parameters given as None: libpq's defaults apply to those.
    conninfo = make_conninfo(
        dbname="postgres",
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
    )
    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
                print(f"created database {config['NAME']}")
    except psycopg.OperationalError as exc:
        fail(f"cannot reach PostgreSQL at DATABASE_URL: {exc}")


# --- 1. The data ------------------------------------------------------------------------------


class Copier:
    """COPY rows into a model's table, in the order of its concrete columns."""

    def __init__(self, connection) -> None:
        self.raw = connection.connection  # the psycopg connection under Django's

    def copy_all(self, tables) -> None:
        """COPY each (model, rows) in turn with triggers and foreign-key checks off, as a restore loads."""
        with self.raw.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            for model, rows in tables:
                self.copy(model, rows)
        finally:
            with self.raw.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")

    def copy(self, model, rows) -> int:
        from django.db.models import JSONField
        from psycopg.types.json import Jsonb

        fields = model._meta.concrete_fields
        columns = [f.column for f in fields]
        # A JSON column's value goes as JSON (a list or a string too); None stays SQL NULL.
        json = [isinstance(f, JSONField) for f in fields]
        # A column the generator does not fill gets the model's default, as an ORM insert would.
        defaults = {f.column: f.get_default() for f in fields}
        table = model._meta.db_table
        count = 0
        with self.raw.cursor() as cursor:
            quoted = ", ".join(f'"{c}"' for c in columns)
            statement = f'COPY "{table}" ({quoted}) FROM STDIN'
            with cursor.copy(statement) as copy:
                for row in rows:
                    values = [row[c] if c in row else defaults[c] for c in columns]
                    copy.write_row(
                        [
                            Jsonb(v) if j and v is not None and not isinstance(v, Jsonb) else v
                            for v, j in zip(values, json, strict=True)
                        ]
                    )
                    count += 1
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"
            )
        return count


def make_people():
    """Posters at every office with an account, a supervisor per bureau, the agency supervisor, a viewer, an admin."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model

    from accounts.models import Membership, Office

    User = get_user_model()
    people: dict[str, object] = {}
    # Written at the end in one go, without the audit signal: generate_records dates their records three years back.
    memberships: list[Membership] = []
    offices = {o.code: o for o in Office.objects.all()}

    def person(username: str, office: str | None, role: str | None, **extra):
        user = User(username=username, email=f"{username}@example.invalid", **extra)
        user.set_unusable_password()
        user.save()
        if office is not None and role is not None:
            memberships.append(Membership(user=user, office=offices[office], role=role))
        return user

    from accounts.models import SocialAccount

    account_offices = sorted({a.office.code for a in SocialAccount.objects.select_related("office")})
    posters: dict[str, list] = {}
    for code in account_offices:
        posters[code] = [person(f"bench-{code}-poster-{n}", code, Membership.Role.POSTER) for n in range(3)]
    for office in Office.objects.filter(kind=Office.Kind.BUREAU):
        people[f"supervisor-{office.code}"] = person(
            f"bench-{office.code}-supervisor", office.code, Membership.Role.SUPERVISOR
        )
    people["poster"] = posters["tokyo"][0]
    people["bureau_supervisor"] = people["supervisor-tokyo"]
    people["agency_supervisor"] = person("bench-agency-supervisor", "agency", Membership.Role.SUPERVISOR)
    people["viewer"] = person("bench-viewer", "agency", Membership.Role.VIEWER)
    people["administrator"] = person("bench-admin", None, None, is_staff=True, is_superuser=True)
    Membership.objects.bulk_create(memberships)
    for key in ("bureau_supervisor", "agency_supervisor", "administrator"):
        TOTP.activate(people[key], generate_totp_secret())
    return people, posters


def generate(posts_wanted: int, now: dt.datetime) -> None:
    from django.db import connection

    from accounts.models import Office, SocialAccount
    from benchmarks.reach_data import generate_reach_figures
    from checks.models import PublishedText, text_digest
    from posts.models import Notification, Post, PostEvent, PostTarget

    rng = random.Random(SEED)
    started = time.monotonic()
    people, posters = make_people()
    accounts = list(SocialAccount.objects.select_related("office").order_by("id"))
    bureau_of = {}
    for office in Office.objects.select_related("parent"):
        parent_bureau = office.parent if office.kind == Office.Kind.BRANCH else None
        bureau_of[office.code] = parent_bureau.code if parent_bureau is not None else office.code
    supervisors = {
        key.removeprefix("supervisor-"): user for key, user in people.items() if key.startswith("supervisor-")
    }
    agency_supervisor = people["agency_supervisor"]
    # Busier accounts post more: the agency's and the big bureaus' accounts.
    weights = [5 if a.office.code in ("agency", "tokyo", "osaka", "nagoya") else 2 for a in accounts]

    start = now - dt.timedelta(days=365 * YEARS)
    span = (now - start).total_seconds()
    T, S, A = PostTarget.State, Post.State, PostEvent.Action
    # Rows for Copier.copy, column name to value.
    posts: list[dict[str, Any]] = []
    targets: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    published: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    target_id = event_id = 0

    def notify(recipient, kind, at, post_id):
        # Read within a day or so, but the last days' are partly still unread.
        unread = at > now - dt.timedelta(days=3) and rng.random() < 0.5
        notifications.append(
            {
                "id": len(notifications) + 1,
                "recipient_id": recipient.pk,
                "kind": kind,
                "post_id": post_id,
                "account_id": None,
                "created_at": at,
                "read_at": None if unread else at + dt.timedelta(hours=rng.uniform(0.05, 30)),
            }
        )

    def event(post_id, action, at, *, target=None, actor=None, from_state="", to_state="", data=None):
        nonlocal event_id
        event_id += 1
        events.append(
            {
                "id": event_id,
                "post_id": post_id,
                "target_id": target,
                "actor_id": actor,
                "action": action,
                "from_state": from_state,
                "to_state": to_state,
                "data": data or {},
                "comment": "",
                "at": at,
            }
        )

    future = max(1, posts_wanted // 250)  # posts still ahead: pending, drafts and scheduled in the coming weeks
    for n in range(posts_wanted):
        post_id = n + 1
        ahead = n >= posts_wanted - future
        if ahead:
            scheduled = now + dt.timedelta(hours=rng.uniform(1, 24 * 21))
            state = rng.choices([S.PENDING, S.DRAFT, S.APPROVED], weights=[6, 2, 2])[0]
        else:
            scheduled = start + dt.timedelta(seconds=span * n / posts_wanted + rng.uniform(0, 3600))
            state = rng.choices([S.APPROVED, S.CANCELLED, S.DRAFT], weights=[94, 4, 2])[0]
        fan = rng.random()
        if fan < 0.05:
            chosen = accounts
        elif fan < 0.30:
            chosen = rng.sample(accounts, rng.randint(2, 8))
        else:
            chosen = rng.choices(accounts, weights=weights)
        first = chosen[0].office.code
        author = rng.choice(posters.get(first) or posters["agency"])
        approver = agency_supervisor if len(chosen) > 1 else supervisors.get(bureau_of[first], agency_supervisor)
        created = scheduled - dt.timedelta(hours=rng.uniform(2, 72))
        approved = state == S.APPROVED
        edits = rng.choices((0, 1, 2, 3), weights=(25, 35, 28, 12))[0]
        posts.append(
            {
                "id": post_id,
                "author_id": author.pk,
                "body": f"{rng.choice(BODIES)}（{post_id}）",
                "state": state,
                "scheduled_at": scheduled,
                "outside_hours_reason": "",
                "revision": 1 + edits,
                "approved_by_id": approver.pk if approved else None,
                "approved_at": created + dt.timedelta(hours=1) if approved else None,
                "created_at": created,
                "updated_at": created + dt.timedelta(hours=1),
            }
        )
        event(post_id, A.CREATE, created, actor=author.pk, to_state=S.DRAFT)
        # Drafts are reworked before they are sent for approval: most posts have an edit or two (revision n+1).
        for revision in range(2, 2 + edits):
            event(
                post_id,
                A.EDIT,
                created + dt.timedelta(minutes=revision),
                actor=author.pk,
                from_state=S.DRAFT,
                to_state=S.DRAFT,
                data={"revision": revision, "changed": ["text"]},
            )
        if state != S.DRAFT:
            event(
                post_id,
                A.SUBMIT,
                created + dt.timedelta(minutes=5),
                actor=author.pk,
                from_state=S.DRAFT,
                to_state=S.PENDING,
            )
            notify(approver, Notification.Kind.SUBMITTED, created + dt.timedelta(minutes=5), post_id)
        if approved:
            event(
                post_id,
                A.APPROVE,
                created + dt.timedelta(hours=1),
                actor=approver.pk,
                from_state=S.PENDING,
                to_state=S.APPROVED,
            )
            notify(author, Notification.Kind.APPROVED, created + dt.timedelta(hours=1), post_id)
        if state == S.CANCELLED:
            event(
                post_id,
                A.CANCEL,
                created + dt.timedelta(hours=2),
                actor=author.pk,
                from_state=S.PENDING,
                to_state=S.CANCELLED,
            )
        for account in chosen:
            target_id += 1
            if state in (S.DRAFT, S.PENDING):
                target_state = T.WAITING
            elif state == S.CANCELLED:
                target_state = T.CANCELLED
            elif ahead:
                target_state = T.SCHEDULED
            else:
                target_state = rng.choices(
                    [T.PUBLISHED, T.FAILED, T.UNCONFIRMED, T.WITHDRAWN], weights=[965, 10, 3, 22]
                )[0]
            went_out = target_state in (T.PUBLISHED, T.WITHDRAWN)
            text = posts[-1]["body"]
            targets.append(
                {
                    "id": target_id,
                    "post_id": post_id,
                    "account_id": account.pk,
                    "body_override": "",
                    "state": target_state,
                    "due_at": scheduled if approved else None,
                    "claimed_at": scheduled if went_out or target_state in (T.FAILED, T.UNCONFIRMED) else None,
                    "enqueued_at": None,
                    "attempts": 1 if approved and not ahead else 0,
                    "last_error": "Rate limit exceeded" if target_state == T.FAILED else "",
                    "problem": {"kind": "rejected", "message": "Rate limit exceeded"}
                    if target_state == T.FAILED
                    else {},
                    "external_id": str(10**17 + target_id) if went_out else "",
                    "external_url": f"https://x.com/{account.handle}/status/{10**17 + target_id}" if went_out else "",
                    "published_text": text if went_out else "",
                    "footer_id": None,
                    "published_at": scheduled if went_out else None,
                }
            )
            if approved and not ahead:
                event(
                    post_id,
                    A.CLAIM,
                    scheduled,
                    target=target_id,
                    from_state=T.SCHEDULED,
                    to_state=T.PUBLISHING,
                    data={"attempt": 1},
                )
                result = {
                    T.PUBLISHED: A.PUBLISH,
                    T.WITHDRAWN: A.PUBLISH,
                    T.FAILED: A.FAIL,
                    T.UNCONFIRMED: A.UNCONFIRMED,
                }[target_state]
                event(
                    post_id,
                    result,
                    scheduled + dt.timedelta(seconds=1),
                    target=target_id,
                    from_state=T.PUBLISHING,
                    to_state=T.PUBLISHED if went_out else target_state,
                    data={"attempt": 1},
                )
                if target_state == T.WITHDRAWN:
                    event(
                        post_id,
                        A.WITHDRAW,
                        scheduled + dt.timedelta(days=1),
                        target=target_id,
                        actor=approver.pk,
                        from_state=T.PUBLISHED,
                        to_state=T.WITHDRAWN,
                    )
            if target_state in (T.FAILED, T.UNCONFIRMED):
                kind = Notification.Kind.FAILED if target_state == T.FAILED else Notification.Kind.UNCONFIRMED
                notify(author, kind, scheduled + dt.timedelta(seconds=1), post_id)
            if target_state == T.PUBLISHED:
                published.append(
                    {
                        "id": len(published) + 1,
                        "account_id": account.pk,
                        "digest": text_digest(text),
                        "published_at": scheduled,
                        "target_id": target_id,
                    }
                )

    Copier(connection).copy_all(
        (
            (Post, posts),
            (PostTarget, targets),
            (PostEvent, events),
            (PublishedText, published),
            (Notification, notifications),
        )
    )
    print(
        f"generated {len(posts):,} posts, {len(targets):,} targets, {len(events):,} events, "
        f"{len(published):,} published texts, {len(notifications):,} notifications "
        f"in {time.monotonic() - started:.0f} s"
    )
    generate_replies(REPLIES_PER_POST * posts_wanted, now)
    generate_records(now)
    generate_reach_figures(now, copier=Copier(connection))


# --- Replies and their decisions (benchmarks/search.py searches them too) ---

REPLY_SEED = 7
REPLIES_PER_POST = 3  # 300,000 replies to 100,000 posts
REPLIES = REPLIES_PER_POST * 100_000
WAITING_SHARE = 0.02  # replies still waiting for a person, most of them recent

# What residents write, in pieces a reply strings together (one to three).
JAPANESE = [
    "在留カードの更新はいつまでに申請すればいいですか",
    "ビザの審査が遅すぎます",
    "入管の窓口は何時まで開いていますか",
    "永住許可申請の審査期間を教えてください",
    "特定技能の試験日程はどこで確認できますか",
    "オンライン申請でエラーが出ます",
    "電話が全然つながりません",
    "ありがとうございます、助かりました",
    "この情報は本当ですか？",
    "家族滞在の手続について質問があります",
    "入管の対応がひどいと思います",
    "大阪の窓口がとても混んでいました",
    "技能実習から特定技能への移行はできますか",
    "再入国許可は必要ですか",
    "難民認定の結果はいつ出ますか",
    "資格外活動許可を取りたいです",
    "返信をお待ちしています",
    "詳しい説明をお願いします",
    "配偶者ビザの必要書類が分かりません",
    "在留期間が切れそうで不安です",
    "名古屋の出張所は土曜日も開いていますか",
    "留学生のアルバイトは週何時間までですか",
]
ENGLISH = [
    "When will my visa extension be processed?",
    "The online application keeps failing at the last step.",
    "Thank you for the clear information!",
    "How long does permanent residence usually take?",
    "Is the Tokyo office open on Saturday?",
    "I lost my residence card, what should I do?",
    "Please reply to my email, it has been three weeks.",
    "Can I change jobs while my application is pending?",
    "The waiting time at the counter was terrible today.",
    "Where can I find the forms in English?",
]
OTHER = [
    "请问在留卡更新需要多长时间？",  # Chinese
    "签证申请的材料在哪里下载？",
    "비자 연장은 어떻게 하나요?",  # Korean
    "Tôi muốn hỏi về thị thực lao động kỹ năng đặc định.",  # Vietnamese
    "Quando vou receber o resultado do meu visto?",  # Portuguese
    "Paano mag-renew ng residence card?",  # Tagalog
    "Bagaimana cara memperpanjang izin tinggal?",  # Indonesian
    "मेरो भिसा कहिले आउँछ?",  # Nepali
    "¿Dónde puedo pedir la renovación del permiso?",  # Spanish
]
# What gets a reply flagged or hidden: (text, category, finding kind, risk).
FLAGGED = [
    ("在留カード番号はAB12345678CDです、確認してください", "personal_data", "residence_card", 3),
    ("電話してください 090-1234-5678", "personal_data", "phone", 3),
    ("ビザ代行はこちら https://bit.ly/visa-fast 格安です", "advertising", "url_shortener", 2),
    ("Cheap visa service, contact us now https://visa-agent.example", "advertising", "link_domain", 2),
    ("担当者の田中は無能だ、名前を晒します", "defamation", "word_list", 2),
    ("This is the real immigration account, follow @moj_isa_official", "impersonation", "impersonation_handle", 2),
    ("今日のランチはラーメンでした", "off_topic", "word_list", 1),
]
FAMILY = ["佐藤", "鈴木", "高橋", "田中", "Nguyen", "Tran", "Wang", "Li", "Kim", "Silva", "Santos", "Garcia"]
GIVEN = ["太郎", "花子", "健", "Anh", "Minh", "Wei", "Jun", "Min-jun", "Maria", "Jose", "Ana", "Rizal"]


def _author(rng: random.Random, n: int) -> tuple[str, str, str]:
    """(platform id, handle, display name) of the n-th person who writes."""
    family, given = rng.choice(FAMILY), rng.choice(GIVEN)
    handle = f"{given.lower()}_{family.lower()}{n}" if given.isascii() and family.isascii() else f"user{n:06d}"
    return str(10**12 + n), handle, f"{family} {given}" if family.isascii() else f"{family}{given}"


def _text(rng: random.Random) -> str:
    language = rng.random()
    pieces = JAPANESE if language < 0.65 else ENGLISH if language < 0.85 else OTHER
    return " ".join(rng.sample(pieces, rng.choice((1, 1, 2, 2, 3))))


def generate_replies(wanted: int, now: dt.datetime) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from accounts.models import SocialAccount
    from posts.models import PostTarget
    from replies.models import Reply, ReplyDecision

    rng = random.Random(REPLY_SEED)
    started = time.monotonic()
    accounts = list(SocialAccount.objects.select_related("office").order_by("id"))
    weights = [5 if a.office.code in ("agency", "tokyo", "osaka", "nagoya") else 2 for a in accounts]
    # The person who decides on an account's replies: a poster of its office (benchmarks/pages.py's people).
    users = {u.username: u.pk for u in get_user_model().objects.filter(username__startswith="bench-")}
    decider = {a.pk: users.get(f"bench-{a.office.code}-poster-0", users["bench-agency-supervisor"]) for a in accounts}
    # Each account's published targets in time order: a reply answers one published shortly before it.
    published: dict[int, tuple[list[float], list[int]]] = defaultdict(lambda: ([], []))
    for pk, account_id, at in (
        PostTarget.objects.filter(state=PostTarget.State.PUBLISHED)
        .order_by("published_at")
        .values_list("pk", "account_id", "published_at")
        .iterator(chunk_size=20_000)
    ):
        if at is None:  # published targets all have a time; the type allows none
            continue
        times, ids = published[account_id]
        times.append(at.timestamp())
        ids.append(pk)
    authors = [_author(rng, n) for n in range(wanted // 8)]  # the same people write again and again
    start = now - dt.timedelta(days=365 * YEARS)
    span = (now - start).total_seconds()
    R, A = Reply.State, ReplyDecision.Action
    replies: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []

    def decide(reply_id, action, at, *, actor=None, category="", rule="", data=None):
        decisions.append(
            {
                "id": len(decisions) + 1,
                "reply_id": reply_id,
                "actor_id": actor,
                "action": action,
                "category": category,
                "reason": "",
                "rule": rule,
                "data": data or {},
                "at": at,
            }
        )

    for n in range(wanted):
        reply_id = n + 1
        account = rng.choices(accounts, weights=weights)[0]
        waiting = rng.random() < WAITING_SHARE
        # Waiting replies are mostly the last weeks' (older ones have been decided).
        ago = rng.uniform(0, 60 * 86400) if waiting and rng.random() < 0.8 else rng.uniform(0, span)
        created = now - dt.timedelta(seconds=ago)
        target = None
        times, ids = published.get(account.pk, ([], []))
        if times and rng.random() < 0.7:  # the rest are mentions, not answers to one of our posts
            i = bisect.bisect_right(times, created.timestamp())
            if i:
                target = ids[max(0, i - 1 - rng.randint(0, 3))]
        author_id, handle, name = rng.choice(authors)
        flagged = rng.random() < 0.06 or waiting
        state, findings, category, risk = R.VISIBLE, [], "", 0
        if flagged:
            text, category, kind, risk = rng.choice(FLAGGED)
            findings = [
                {
                    "kind": kind,
                    "category": category,
                    "severity": "high" if risk == 3 else "medium",
                    "start": 0,
                    "end": min(len(text), 12),
                    "excerpt": text[:12],
                    "rule": f"{category}:{kind}",
                }
            ]
        else:
            text = _text(rng)
        rule = f"{category}:{findings[0]['kind']}" if findings else ""
        if flagged:
            outcome = rng.random()
            if risk == 3:  # personal data is hidden at once, then a person confirms it
                state = R.HIDDEN
                decide(reply_id, A.HIDE, created, category=category, rule=rule, data=findings[0])
                if not waiting:
                    decide(reply_id, A.CONFIRM, created + dt.timedelta(hours=2), actor=decider[account.pk])
            else:
                decide(reply_id, A.FLAG, created, category=category, rule=rule, data=findings[0])
                if not waiting:
                    later = created + dt.timedelta(hours=rng.uniform(1, 30))
                    if outcome < 0.5:
                        state = R.HIDDEN
                        decide(reply_id, A.HIDE, later, actor=decider[account.pk], category=category)
                    elif outcome < 0.6:
                        state = R.DELETED
                        decide(reply_id, A.DELETE, later, actor=decider[account.pk], category=category)
                    else:
                        decide(reply_id, A.CONFIRM, later, actor=decider[account.pk])
        replies.append(
            {
                "id": reply_id,
                "account_id": account.pk,
                "external_id": str(10**18 + reply_id),
                "author_id": author_id,
                "author_handle": handle,
                "author_name": name,
                "text": text,
                "text_digest": "",
                "created_at": created,
                "url": f"https://x.com/{handle}/status/{10**18 + reply_id}",
                "answers_id": "",
                "conversation_id": "",
                "post_target_id": target,
                "state": state,
                "findings": findings,
                "category": category,
                "risk": risk,
                "hide_pending": False,
                "needs_review": waiting,
                "received_at": created + dt.timedelta(minutes=rng.uniform(1, 15)),
            }
        )

    Copier(connection).copy_all([(Reply, replies), (ReplyDecision, decisions)])
    print(f"generated {len(replies):,} replies, {len(decisions):,} decisions in {time.monotonic() - started:.0f} s")


# --- Audit records and the other append-only histories ------------------------------------------

RECORD_SEED = 23
JST = dt.timezone(dt.timedelta(hours=9))


def _working_days(start: dt.datetime, now: dt.datetime):
    """Monday to Friday (JST) from start to yesterday."""
    day = start.astimezone(JST).date()
    while day < now.astimezone(JST).date():
        if day.weekday() < 5:
            yield day
        day += dt.timedelta(days=1)


def generate_records(now: dt.datetime) -> None:
    """Three years of audit records, account pauses, connections, footer versions and publishing switches.

    In the proportions the agency's use leaves: every staff member signs in on
    most working days (once or twice) and signs out about every other time, a
    few sign-ins fail; the second factor is set up once and its recovery codes
    renewed now and then; roles, office hours, closure days and account
    settings change a few dozen times in three years; each account is paused
    a few times and re-authorised about every quarter.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection

    from accounts.models import AccountConnection, AccountStateChange, Membership, OfficeHours, SocialAccount
    from audit.models import AuditEvent
    from posts.models import Footer, PublishingSwitch

    rng = random.Random(RECORD_SEED)
    started = time.monotonic()
    start = now - dt.timedelta(days=365 * YEARS)
    people = list(get_user_model().objects.filter(username__startswith="bench-").order_by("pk"))
    memberships = list(Membership.objects.filter(user__in=people).select_related("user"))
    second_factor = [m.user for m in memberships if m.role == Membership.Role.SUPERVISOR] + [
        p for p in people if p.is_superuser
    ]
    admin = next(p for p in people if p.is_superuser)
    accounts = list(SocialAccount.objects.order_by("pk"))
    hours = list(OfficeHours.objects.order_by("pk"))
    audit: list[dict[str, Any]] = []
    state_changes: list[dict[str, Any]] = []
    connections: list[dict[str, Any]] = []

    def at_random(day: dt.date, first_hour: float, last_hour: float) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(), JST) + dt.timedelta(hours=rng.uniform(first_hour, last_hour))
        return moment.astimezone(dt.UTC)

    def record(kind, at, *, actor=None, object_type="", object_id=None, office_id=None, account_id=None, **rest):
        audit.append(
            {
                "id": len(audit) + 1,
                "at": at,
                "actor_id": actor.pk if actor is not None else None,
                "actor_name": actor.get_username() if actor is not None else "",
                "kind": kind,
                "object_type": object_type,
                "object_id": object_id,
                "office_id": office_id,
                "account_id": account_id,
                "before": rest.get("before"),
                "after": rest.get("after"),
                "data": rest.get("data", {}),
            }
        )

    def membership(m, role=None) -> dict:
        return {"user_id": m.user_id, "user": m.user.get_username(), "office_id": m.office_id, "role": role or m.role}

    # The first day: roles given, second factors set up, accounts connected.
    first = start - dt.timedelta(days=1)
    for m in memberships:
        record(
            "membership.added",
            first,
            actor=admin,
            object_type="membership",
            object_id=m.pk,
            office_id=m.office_id,
            after=membership(m),
        )
    for person in second_factor:
        authenticator = {"user_id": person.pk, "user": person.get_username(), "authenticator": "totp"}
        record("mfa.added", first, actor=person, object_type="user", object_id=person.pk, data=authenticator)

    for day in _working_days(start, now):
        for person in people:
            if rng.random() < 0.1:  # leave, training, a day out of the office
                continue
            for _ in range(rng.choice((1, 1, 2, 2, 2))):
                signed_in = at_random(day, 8.5, 17)
                if rng.random() < 0.02:
                    record(
                        "login.failed", signed_in - dt.timedelta(seconds=20), data={"username": person.get_username()}
                    )
                record("login.succeeded", signed_in, actor=person, object_type="user", object_id=person.pk)
                if rng.random() < 0.5:
                    record(
                        "login.signed_out",
                        signed_in + dt.timedelta(hours=rng.uniform(0.5, 8)),
                        actor=person,
                        object_type="user",
                        object_id=person.pk,
                    )
        if rng.random() < 0.005:  # someone types a name that is nobody's
            record("login.failed", at_random(day, 0, 24), data={"username": f"admin{rng.randint(1, 99)}"})
        if rng.random() < 0.02:  # recovery codes renewed
            person = rng.choice(second_factor)
            record(
                "mfa.reset",
                at_random(day, 9, 18),
                actor=person,
                object_type="user",
                object_id=person.pk,
                data={"user_id": person.pk, "user": person.get_username(), "authenticator": "recovery_codes"},
            )
        if rng.random() < 0.03:  # a role changes and changes back
            m = rng.choice(memberships)
            other = Membership.Role.VIEWER if m.role != Membership.Role.VIEWER else Membership.Role.POSTER
            record(
                "membership.changed",
                at_random(day, 9, 18),
                actor=admin,
                object_type="membership",
                object_id=m.pk,
                office_id=m.office_id,
                before=membership(m),
                after=membership(m, other),
            )
            record(
                "membership.changed",
                at_random(day, 9, 18) + dt.timedelta(days=14),
                actor=admin,
                object_type="membership",
                object_id=m.pk,
                office_id=m.office_id,
                before=membership(m, other),
                after=membership(m),
            )
        if hours and rng.random() < 0.02:
            row = rng.choice(hours)
            fields = {"office_id": row.office_id, "weekday": row.weekday, "opens": "09:00", "closes": "16:00"}
            record(
                "office_hours.changed",
                at_random(day, 9, 18),
                actor=admin,
                object_type="office_hours",
                object_id=row.pk,
                office_id=row.office_id,
                before={**fields, "closes": "17:00"},
                after=fields,
            )
        if day.month == 12 and day.day <= 7 and day.weekday() == 0:  # the year-end closure, for every office
            for offset in range(6):
                closed = dt.date(day.year, 12, 29) + dt.timedelta(days=offset)
                record(
                    "closure_day.added",
                    at_random(day, 9, 18),
                    actor=admin,
                    object_type="closure_day",
                    object_id=len(audit) + 1,
                    after={"office_id": None, "date": closed.isoformat(), "reason": "年末年始"},
                )
        if rng.random() < 0.01:  # a typhoon closes one office
            office_id = rng.choice(accounts).office_id
            record(
                "closure_day.added",
                at_random(day, 7, 9),
                actor=admin,
                object_type="closure_day",
                object_id=len(audit) + 1,
                office_id=office_id,
                after={"office_id": office_id, "date": day.isoformat(), "reason": "台風"},
            )
        for account in accounts:
            if rng.random() < 0.004:  # paused for a few hours (an incident, a review), then resumed
                paused = at_random(day, 9, 17)
                actor = rng.choice(second_factor)
                for offset, (was, now_state, reason) in enumerate(
                    (("active", "paused", "誤投稿の確認のため一時停止"), ("paused", "active", "確認済み"))
                ):
                    state_changes.append(
                        {
                            "id": len(state_changes) + 1,
                            "account_id": account.pk,
                            "actor_id": actor.pk,
                            "from_state": was,
                            "to_state": now_state,
                            "reason": reason,
                            "at": paused + dt.timedelta(hours=3 * offset),
                        }
                    )
            if rng.random() < 1 / 65:  # re-authorised about every quarter
                when = at_random(day, 9, 18)
                connections.append(
                    {
                        "id": len(connections) + 1,
                        "account_id": account.pk,
                        "kind": AccountConnection.Kind.REAUTHORISED,
                        "method": AccountConnection.Method.CALLBACK,
                        "actor_id": admin.pk,
                        "identity_id": account.platform_id or str(10**9 + account.pk),
                        "identity_handle": account.handle,
                        "identity_name": account.display_name,
                        "scopes": ["tweet.read", "tweet.write", "users.read", "offline.access"],
                        "expires_at": when + dt.timedelta(days=90),
                        "at": when,
                    }
                )
                record(
                    "social_account.changed",
                    when,
                    actor=admin,
                    object_type="social_account",
                    object_id=account.pk,
                    office_id=account.office_id,
                    account_id=account.pk,
                    before={"credentials_set": True},
                    after={"credentials_set": True, "credentials_updated_at": when.isoformat()},
                )
    for account in accounts:
        connections.append(
            {
                "id": len(connections) + 1,
                "account_id": account.pk,
                "kind": AccountConnection.Kind.CONNECTED,
                "method": AccountConnection.Method.CALLBACK,
                "actor_id": admin.pk,
                "identity_id": account.platform_id or str(10**9 + account.pk),
                "identity_handle": account.handle,
                "identity_name": account.display_name,
                "scopes": ["tweet.read", "tweet.write", "users.read", "offline.access"],
                "expires_at": first + dt.timedelta(days=90),
                "at": first,
            }
        )

    # A new footer text each year on each platform, and one account's own.
    footer_id = Footer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    footers = []
    for platform in SocialAccount.Platform.values:
        version = Footer.objects.filter(platform=platform, account__isnull=True).count()
        for year in range(1, YEARS):
            version += 1
            footer_id += 1
            footers.append(
                {
                    "id": footer_id,
                    "platform": platform,
                    "account_id": None,
                    "version": version,
                    "text": f"※ 運用方針（第{version}版）に基づき運用しています。",
                    "created_by_id": admin.pk,
                    "created_at": start + dt.timedelta(days=365 * year),
                }
            )
    footers.append(
        {
            "id": footer_id + 1,
            "platform": accounts[0].platform,
            "account_id": accounts[0].pk,
            "version": 1,
            "text": "※ この場での個別のご相談にはお答えしていません。",
            "created_by_id": admin.pk,
            "created_at": start + dt.timedelta(days=400),
        }
    )
    # Publishing stopped and started again three times in three years (a platform's outage, a mistaken post).
    switches = []
    for n in range(3):
        stopped = start + dt.timedelta(days=200 + 300 * n, hours=rng.uniform(0, 8))
        switches.append(
            {"id": 2 * n + 1, "paused": True, "reason": "X の障害のため停止", "actor_id": admin.pk, "at": stopped}
        )
        switches.append(
            {
                "id": 2 * n + 2,
                "paused": False,
                "reason": "復旧を確認",
                "actor_id": admin.pk,
                "at": stopped + dt.timedelta(hours=2),
            }
        )

    Copier(connection).copy_all(
        (
            (AuditEvent, audit),
            (AccountStateChange, state_changes),
            (AccountConnection, connections),
            (Footer, footers),
            (PublishingSwitch, switches),
        )
    )
    print(
        f"generated {len(audit):,} audit records, {len(state_changes):,} account state changes, "
        f"{len(connections):,} connections, {len(footers)} footer versions, {len(switches)} publishing switches "
        f"in {time.monotonic() - started:.0f} s"
    )


# Raise it whenever generate() changes: a database filled by an older generator is then written afresh.
DATA_VERSION = 4
# The generator's mark, written last: which version filled the database, with how many posts. A table of
# its own, outside Django's models, copied with the database (CREATE DATABASE ... TEMPLATE) as the data is.
MARK_TABLE = "benchmark_data"


def data_mark() -> tuple[int, int] | None:
    """(version, posts) of the data in the database, or None when no generator finished filling it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT to_regclass('{MARK_TABLE}') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(f"SELECT version, posts FROM {MARK_TABLE}")
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def load_or_generate(posts_wanted: int, regenerate: bool, now: dt.datetime) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    User = get_user_model()
    mark = data_mark()
    if regenerate or mark != (DATA_VERSION, posts_wanted):
        if mark is None:
            print("no complete data set from this generator: writing it")
        else:
            print(f"the data set is version {mark[0]} with {mark[1]:,} posts: writing version {DATA_VERSION} afresh")
        # The database is the benchmark's own: emptied whole, then migrated, so no row of an older
        # generator (or of a run killed half-way) stays behind.
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        call_command("migrate", verbosity=0, interactive=False)
        generate(posts_wanted, now)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {MARK_TABLE} (version integer NOT NULL, posts integer NOT NULL)")
            cursor.execute(f"INSERT INTO {MARK_TABLE} VALUES (%s, %s)", [DATA_VERSION, posts_wanted])
    else:
        print(f"reusing the data set already generated (version {DATA_VERSION}; --regenerate to write it afresh)")
    with connection.cursor() as cursor:
        # As autovacuum leaves a database that has grown for three years: statistics current and
        # the visibility map set, so index-only scans read no table pages (a few seconds when done).
        cursor.execute("VACUUM ANALYZE")
    names = {
        "poster": "bench-tokyo-poster-0",
        "bureau_supervisor": "bench-tokyo-supervisor",
        "agency_supervisor": "bench-agency-supervisor",
        "viewer": "bench-viewer",
        "administrator": "bench-admin",
    }
    return {role: User.objects.get(username=name) for role, name in names.items()}


# --- 2. The pages -----------------------------------------------------------------------------

# Every URL by its name: timed below, or left out with the reason. tests/test_benchmark_covers_urls.py
# holds these to the URL patterns: a URL added without a line here fails it, as does a name that is gone.
TIMED = frozenset(
    {
        "home",
        "help",
        "notifications",
        "posts:list",
        "posts:queue",
        "posts:detail",
        "posts:edit",
        "posts:new",
        "posts:preview",
        "calendar",
        "moderation:queue",
        "audit:log",
        "audit:export",
        "sns_account",
        "account_connect",
        "reports:monthly",
        "reports:csv",
        "public:policy",
        "public:official_accounts",
        "public:official_accounts_json",
        "public:transparency",
        "public:transparency_json",
        "admin:index",
    }
)
_ACTION = "a POST action that changes data and redirects: its page is timed, not the change"
EXCLUDED = {
    "favicon": "a fixed icon from memory, no database",
    "posts:approve_many": _ACTION,
    "posts:submit": _ACTION,
    "posts:cancel": _ACTION,
    "posts:note": _ACTION,
    "posts:approve": _ACTION,
    "posts:reject": _ACTION,
    "posts:target_retry": _ACTION,
    "posts:target_resolve": _ACTION,
    "posts:target_withdraw": _ACTION,
    "posts:publishing_switch": _ACTION,
    "calendar_move": _ACTION,
    "moderation:hide": _ACTION,
    "moderation:unhide": _ACTION,
    "moderation:confirm": _ACTION,
    "moderation:delete": _ACTION,
    "moderation:ban": _ACTION,
    "moderation:block_done": _ACTION,
    "moderation:bulk": _ACTION,
    "connect_pin": _ACTION,
    "account_disconnect": _ACTION,
    "set_language": _ACTION,
    "posts:image": "serves one uploaded image file; the data set has no images",
    "posts:django.views.generic.base.RedirectView": "the sandbox's old address, a redirect",
    "sandbox_delivery": "the sandbox: what a sandbox account would have sent, one row",
    "connect_callback": "the platform's OAuth callback: it needs a sign-in started at the platform",
    "admin_login": "the sign-in page (password, then TOTP), no data",
    "moderation_admin_moved": "the admin's old addresses, redirects",
    "public:policy_version": "an earlier version of the policy page: the same page as public:policy",
    "admin:login": "the admin's sign-in, redirected to the console's",
    "admin:logout": "signing out",
    "admin:password_change_done": "a fixed message",
    "admin:autocomplete": "the admin's search-as-you-type, answered per field; no model uses it",
    "admin:jsi18n": "the admin's JavaScript catalogue, no database",
    "admin:view_on_site": "a redirect to an object's page",
    "admin:app_list": "one app's part of the admin index (admin:index is timed)",
    "admin:django.contrib.admin.sites.catch_all_view": "the admin's 404",
    "admin:django.views.generic.base.RedirectView": "the admin's redirects of old addresses",
}
# The admin's per-model pages by the end of their names: every changelist is timed (admin_pages walks the
# registry), and the post's change page; the others open one row each through the same forms.
ADMIN_TIMED_SUFFIXES = ("_changelist",)
ADMIN_TIMED = frozenset({"admin:posts_post_change"})
ADMIN_EXCLUDED_SUFFIXES = {
    "_change": "one row's form; admin:posts_post_change, the heaviest, is timed",
    "_add": "an empty form",
    "_delete": "a confirmation of one row",
    "_history": "one row's admin history",
}
ALLAUTH_EXCLUDED = "allauth's own pages: sign-in, sign-out, the second factor's set-up, no console data"

ROLES = ("poster", "bureau_supervisor", "agency_supervisor", "viewer", "administrator", "public")
# Roles whose pages sit behind the second factor (accounts/middleware.py): signed in with it.
SECOND_FACTOR_ROLES = ("bureau_supervisor", "agency_supervisor", "administrator")
AUDIT_EXPORT_DAYS = 30
# What a person types into the searches (texts the generator writes).
POST_SEARCH = "説明会"
REPLY_SEARCH = "在留カード"
REPLY_CATEGORY = "personal_data"


class Page(NamedTuple):
    name: str
    url: str
    data: Mapping[str, object] | None = None
    method: str = "get"
    deep: int = 0  # the page this many deep, reached by following the next links as a person would
    rows: bool = False  # an export: the lines it writes are counted


def staff_pages(user) -> list[Page]:
    """Every staff page as this person would open it."""
    from django.urls import reverse
    from django.utils import timezone

    from accounts import access
    from accounts.models import Office, SocialAccount
    from posts import selectors
    from posts.models import DisplayState, Post

    list_url, queue_url, audit_url = reverse("posts:list"), reverse("moderation:queue"), reverse("audit:log")
    visible = list(access.accounts_visible_to(user).order_by("platform", "sort_order"))
    posts = selectors.posts_for(user)
    now = dt.datetime.now(dt.UTC)
    # The newest pending post to all 21 accounts this person may see, and a published one whose 30 days
    # of figures are all collected.
    pending = posts.filter(state=Post.State.PENDING).order_by("-scheduled_at", "-id")
    pending_wide = next((p for p in pending[:200] if len(p.targets.all()) == 21), None) or pending.first()
    published = (
        posts.filter(state=Post.State.APPROVED, scheduled_at__lt=now - dt.timedelta(days=31))
        .order_by("-scheduled_at", "-id")
        .first()
    )
    if pending_wide is None or published is None:
        fail(f"{user} sees no pending or no published post: generate more posts (--posts, --regenerate)")
    wide = len(pending_wide.targets.all())
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    tokyo = Office.objects.get(code="tokyo")
    tokyo_x = SocialAccount.objects.get(office=tokyo, platform=SocialAccount.Platform.X)
    agency_x = SocialAccount.objects.get(office__code="agency", platform=SocialAccount.Platform.X)
    export_days = {"since": (today - dt.timedelta(days=AUDIT_EXPORT_DAYS)).isoformat(), "until": today.isoformat()}
    person = user.get_username()
    return [
        Page("dashboard", reverse("home")),
        Page("dashboard: every account's health", reverse("home"), {"health": "all"}),
        Page("help", reverse("help")),
        Page("notifications", reverse("notifications")),
        Page("post list", list_url),
        *[Page(f"post list: {state}", list_url, {"state": state}) for state in DisplayState.values],
        Page("post list: one account", list_url, {"account": visible[0].pk}),
        Page("post list: mine", list_url, {"mine": "on"}),
        Page(f"post list: search {POST_SEARCH}", list_url, {"q": POST_SEARCH}),
        Page("post list: page 20", list_url, deep=20),
        Page("approval queue", reverse("posts:queue")),
        Page(f"detail: pending ({wide} accounts)", reverse("posts:detail", args=[pending_wide.pk])),
        Page("detail: published", reverse("posts:detail", args=[published.pk])),
        Page(f"edit: pending ({wide} accounts)", reverse("posts:edit", args=[pending_wide.pk])),
        Page("compose", reverse("posts:new")),
        Page(
            f"preview ({len(visible)} accounts)",
            reverse("posts:preview"),
            {
                "body": BODIES[1] + " 0570-013904",
                "scheduled_at": (today + dt.timedelta(days=3)).strftime("%Y-%m-%dT10:00"),
                "accounts": [a.pk for a in visible],
            },
            method="post",
        ),
        Page("calendar: month", reverse("calendar")),
        Page("calendar: week", reverse("calendar"), {"view": "week"}),
        Page("replies queue", queue_url),
        Page("replies queue: page 10", queue_url, deep=10),
        Page("replies queue: waiting", queue_url, {"waiting": "on"}),
        Page(f"replies queue: search {REPLY_SEARCH}", queue_url, {"q": REPLY_SEARCH}),
        Page(f"replies queue: {REPLY_CATEGORY}", queue_url, {"category": REPLY_CATEGORY}),
        Page("audit log", audit_url),
        Page("audit log: page 10", audit_url, deep=10),
        Page("audit log: moderation", audit_url, {"kind": "moderation"}),
        Page("audit log: person", audit_url, {"person": person}),
        Page("audit log: object number", audit_url, {"object": f"#{published.pk}"}),
        *[
            Page(
                f"audit export {fmt}, {AUDIT_EXPORT_DAYS} days",
                reverse("audit:export", args=[fmt]),
                export_days,
                rows=True,
            )
            for fmt in ("csv", "jsonl")
        ],
        Page("account page: Tokyo X", reverse("sns_account", args=[tokyo_x.handle]), {"platform": "x"}),
        Page("account page: agency X", reverse("sns_account", args=[agency_x.handle]), {"platform": "x"}),
        Page("connect page: Tokyo X", reverse("account_connect", args=[tokyo_x.handle]), {"platform": "x"}),
        Page("monthly report", reverse("reports:monthly"), {"month": last_month}),
        Page("monthly report: Tokyo", reverse("reports:monthly"), {"month": last_month, "office": tokyo.pk}),
        Page("monthly report CSV", reverse("reports:csv"), {"month": last_month}, rows=True),
    ]


def public_pages() -> list[Page]:
    """The pages anyone opens without signing in."""
    from django.urls import reverse

    return [
        Page("public: transparency", reverse("public:transparency")),
        Page("public: transparency JSON", reverse("public:transparency_json")),
        Page("public: policy", reverse("public:policy")),
        Page("public: official accounts", reverse("public:official_accounts")),
        Page("public: official accounts JSON", reverse("public:official_accounts_json")),
    ]


def admin_pages() -> list[Page]:
    from django.contrib.admin.sites import site
    from django.urls import reverse

    from posts.models import Post

    pages = [Page("admin: index", reverse("admin:index"))]
    pages += [
        Page(
            f"admin: {model._meta.verbose_name_plural}",
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
        )
        for model in site._registry
    ]
    post = Post.objects.filter(state=Post.State.APPROVED).order_by("-id").first()
    if post is None:
        fail("no approved post: generate more posts (--posts, --regenerate)")
    pages.append(Page("admin: post change page", reverse("admin:posts_post_change", args=[post.pk])))
    return pages


def pages_of(role: str, person) -> list[Page]:
    if role == "public":
        return public_pages()
    return staff_pages(person) + (admin_pages() if role == "administrator" else [])


def _next_query(response) -> str:
    """The query of the page after this one, as its next link has it (keyset or numbered pages)."""
    page = response.context["page"] if response.context else None
    if page is None:
        return ""
    if hasattr(page, "next_query"):  # immisns.keyset
        return page.next_query
    if page.has_next():  # Django's Paginator
        query = response.wsgi_request.GET.copy()
        query["page"] = page.next_page_number()
        return "?" + query.urlencode()
    return ""


def deep_url(client, page: Page) -> str:
    """The address of the page `page.deep` deep, by following the next links from the first."""
    url = page.url + ("?" + urlencode(page.data, doseq=True) if page.data else "")
    for _ in range(page.deep - 1):
        query = _next_query(client.get(url))
        if not query:
            break
        url = page.url + query
    return url


def url_name(url: str) -> str:
    from django.urls import resolve

    return resolve(urlsplit(url).path).view_name


class Timing(NamedTuple):
    status: int
    queries: int  # of one request
    times: list[float]  # ms of each timed request (a streamed response: to its first chunk)
    lines: int  # the lines of the body of one request (an export's rows, with its header)
    whole: list[float]  # ms of each timed request read to its end
    streamed: bool

    @property
    def rate(self) -> float:
        """Lines a second, read to the end (the median request)."""
        return self.lines / (statistics.median(self.whole) / 1000)


def time_page(client, method: str, url: str, data, requests: int) -> Timing:
    """2 warm-ups, one request with its queries counted, then `requests` timed; a streamed body is read whole,
    and the time to its first chunk kept as well."""
    from django.db import connection

    call = getattr(client, method)
    first: list[float] = []

    def request():
        began = time.perf_counter()
        response = call(url, data or {})
        if not response.streaming:
            return response, response.content
        chunks = iter(response.streaming_content)
        body = [next(chunks, b"")]
        first.append((time.perf_counter() - began) * 1000)
        body.extend(chunks)
        return response, b"".join(body)

    for _ in range(2):  # warm-up
        request()
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response, body = request()
    times = []
    first.clear()
    for _ in range(requests):
        began = time.perf_counter()
        request()
        times.append((time.perf_counter() - began) * 1000)
    streamed = bool(response.streaming)
    return Timing(response.status_code, queries[0], first if streamed else times, body.count(b"\n"), times, streamed)


def explain(people: dict) -> None:
    """EXPLAIN ANALYZE of the queries the indexes serve, as the pages send them."""
    from django.db.models import Q

    from accounts import access
    from checks.models import PublishedText, text_digest
    from posts import selectors
    from posts.models import DisplayState, Post, PostTarget

    poster, bureau = people["poster"], people["bureau_supervisor"]
    first_account = access.accounts_visible_to(poster).order_by("pk").first()
    newest = Post.objects.order_by("-id").first()
    published = PublishedText.objects.order_by("-id").first()
    if first_account is None or newest is None or published is None:
        fail(
            "no account, post or published text to explain the queries with: generate more posts (--posts, --regenerate)"
        )
    plans = [
        (
            "post list of a poster (posts.Index post_list_order: scheduled_at, id)",
            selectors.posts_for(poster).order_by(*selectors.POST_LIST_ORDER)[:51],
        ),
        (
            "post list, state failed (target_state_post: state, post)",
            selectors.posts_in_display_state(selectors.posts_listed(poster), DisplayState.FAILED).order_by(
                *selectors.POST_LIST_ORDER
            )[:51],
        ),
        (
            "post list, state scheduled (target_state_post: state, post)",
            selectors.posts_in_display_state(selectors.posts_listed(poster), DisplayState.SCHEDULED).order_by(
                *selectors.POST_LIST_ORDER
            )[:51],
        ),
        (
            "post list, partly published (target_state_post: state, post)",
            selectors.posts_in_display_state(selectors.posts_listed(poster), DisplayState.PARTLY).order_by(
                *selectors.POST_LIST_ORDER
            )[:51],
        ),
        (
            "post list, one account (post_list_order, probing posttarget_one_per_account: post, account)",
            selectors.posts_on_account(selectors.posts_for(poster), first_account).order_by(*selectors.POST_LIST_ORDER)[
                :51
            ],
        ),
        (
            "approval queue of a bureau supervisor (post_state_updated: state, updated_at, id)",
            selectors.approval_queue(bureau).order_by(*selectors.QUEUE_ORDER)[:21],
        ),
        ("my drafts (post_author_state_updated: author, state, updated_at)", selectors.drafts_of(poster)),
        (
            "needs attention, one state of the two (posttarget state, due_at)",
            selectors.targets_needing_attention(poster)
            .filter(state=PostTarget.State.FAILED)
            .values_list("pk", flat=True)[:10],
        ),
        (
            "account health: last published per account (target_state_account_published: state, account, published_at)",
            PostTarget.objects.filter(
                state=PostTarget.State.PUBLISHED, account=first_account, published_at__isnull=False
            )
            .order_by("-published_at")
            .values("published_at")[:1],
        ),
        (
            "account health: next due per account (target_state_account_due: state, account, due_at)",
            PostTarget.objects.filter(
                state__in=[PostTarget.State.SCHEDULED, PostTarget.State.PUBLISHING],
                account=first_account,
                due_at__isnull=False,
            )
            .order_by("due_at")
            .values("due_at")[:1],
        ),
        (
            "this week's load (target_state_account_published, target_state_account_due)",
            PostTarget.objects.filter(account_id__in=[first_account.pk])
            .filter(
                Q(state=PostTarget.State.PUBLISHED, published_at__gte=newest.created_at - dt.timedelta(days=7))
                | Q(state__in=[PostTarget.State.SCHEDULED, PostTarget.State.PUBLISHING], due_at__gte=newest.created_at)
            )
            .values("account_id"),
        ),
        (
            "admin list of posts, newest written first (post_created_order: created_at, id)",
            Post.objects.order_by("-created_at", "-id")[:100],
        ),
        ("timeline of a post (postevent post_id)", selectors.post_timeline(newest)),
        (
            "recent duplicate (publishedtext_lookup: account, digest, published_at)",
            PublishedText.objects.filter(
                account_id=published.account_id,
                digest=text_digest("x"),
                published_at__gte=published.published_at - PublishedText.WINDOW,
            ),
        ),
        (
            "targets of a post (posttarget_one_per_account: post, account)",
            PostTarget.objects.filter(post=newest).select_related("account__office"),
        ),
    ]
    print("\nEXPLAIN ANALYZE of the indexed queries")
    for title, queryset in plans:
        print(f"\n-- {title}")
        print(queryset.explain(analyze=True))


def roles_option(text: str) -> list[str]:
    roles = [role.strip() for role in text.split(",") if role.strip()]
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        raise argparse.ArgumentTypeError(f"roles are among {', '.join(ROLES)}; not {', '.join(unknown) or 'none'}")
    return roles


def regex_option(text: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as exc:
        raise argparse.ArgumentTypeError(f"not a regular expression: {exc}") from exc


def signed_in(role: str, person):
    from django.test import Client

    from tests.conftest import sign_in_with_second_factor

    client = Client()
    if role in SECOND_FACTOR_ROLES:  # supervisors and administrators pass the second factor, as at sign-in
        sign_in_with_second_factor(client, person)
    elif role != "public":
        client.force_login(person)
    return client


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000, help="posts to generate (100,000)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page and role (30)")
    parser.add_argument("--runs", type=int, default=3, help="runs over every page; each figure is their median (3)")
    parser.add_argument("--only", type=regex_option, help="time only the pages whose name matches this expression")
    parser.add_argument(
        "--roles", type=roles_option, default=list(ROLES), help=f"the roles to time, among {','.join(ROLES)} (all)"
    )
    parser.add_argument("--regenerate", action="store_true", help="write the data afresh even when present")
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        fail(
            "needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/immisns_bench "
            "(a database of its own: the benchmark fills it with 100,000 posts)."
        )
    ensure_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "immisns.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, and e-mail kept in memory
    settings.DEBUG = False  # no query log, as in production

    now = dt.datetime.now(dt.UTC)
    people = load_or_generate(args.posts, args.regenerate, now)
    from immisns.wsgi import freeze_what_is_loaded

    freeze_what_is_loaded()  # as each gunicorn worker does before its first request
    # A page a role may not open answers 404, as it should: the table says so, the log need not. (After
    # immisns.wsgi is imported: its django.setup() configures logging afresh.)
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from audit.models import AuditEvent
    from posts.models import Post, PostEvent, PostTarget
    from replies.models import Reply, ReplyDecision

    load = (
        f"{Post.objects.count():,} posts, {PostTarget.objects.count():,} targets, {PostEvent.objects.count():,} events, "
        f"{Reply.objects.count():,} replies, {ReplyDecision.objects.count():,} reply decisions, "
        f"{AuditEvent.objects.count():,} audit records"
    )
    print(
        f"\n{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}; {load}; {args.runs} runs of {args.requests} "
        "timed requests per page after 2 warm-ups"
    )

    roles = args.roles
    header = f"{'page':<40} {'role':<18} {'status':>6} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8}  target"
    runs: dict[tuple[str, str], list[Timing]] = {}
    order: list[tuple[str, str]] = []
    exports: set[str] = set()  # the pages whose lines are counted
    opened: set[str] = set()  # the URL names timed
    for run in range(1, args.runs + 1):
        print(f"\nrun {run} of {args.runs}\n" + header + "\n" + "-" * len(header))
        for role in roles:
            client = signed_in(role, people.get(role))
            for page in pages_of(role, people.get(role)):
                if args.only and not args.only.search(page.name):
                    continue
                page_url, data = (deep_url(client, page), None) if page.deep else (page.url, page.data)
                name = url_name(page_url)
                if name not in TIMED | ADMIN_TIMED and not name.endswith(ADMIN_TIMED_SUFFIXES):
                    fail(f"{page.name}: {name} is timed but not named in TIMED")
                opened.add(name)
                timing = time_page(client, page.method, page_url, data, args.requests)
                p50, p95 = statistics.median(timing.times), percentile(timing.times, 95)
                if (page.name, role) not in runs:
                    order.append((page.name, role))
                if page.rows:
                    exports.add(page.name)
                runs.setdefault((page.name, role), []).append(timing)
                shown = f"  {timing.lines:,} lines" if page.rows else ""
                print(
                    f"{page.name:<40} {role:<18} {timing.status:>6} {timing.queries:>7} {p50:>8.1f} {p95:>8.1f}{shown}",
                    flush=True,
                )

    if args.only is None and set(roles) == set(ROLES) and (TIMED | ADMIN_TIMED) - opened:
        fail(f"named in TIMED but timed by no page: {', '.join(sorted((TIMED | ADMIN_TIMED) - opened))}")
    # Each figure the median of the runs, so that a re-run reproduces it.
    missed = []
    print(
        f"\nmedians of {args.runs} runs ({args.requests} timed requests per page and run)\n"
        + header
        + "\n"
        + "-" * len(header)
    )
    table = {}
    for name, role in order:
        measured = runs[name, role]
        status = max(m.status for m in measured)
        queries = max(m.queries for m in measured)
        lines = max(m.lines for m in measured)
        p50 = statistics.median(statistics.median(m.times) for m in measured)
        p95 = statistics.median(percentile(m.times, 95) for m in measured)
        target = PREVIEW_TARGET_MS if name.startswith("preview (21") else PAGE_TARGET_MS
        # A streamed export: p50 / p95 are to its first chunk, and its rows must stream fast enough.
        streamed = all(m.streamed for m in measured)
        rate = statistics.median(m.rate for m in measured) if streamed else None
        whole = statistics.median(statistics.median(m.whole) for m in measured)
        # A redirect (to sign-in or the second factor) measures nothing: it is a miss, not a pass.
        ok = status in (200, 404) and (
            status != 200 or (p95 <= target and (rate is None or rate >= EXPORT_ROWS_PER_SECOND or whole <= 1000))
        )
        if not ok:
            missed.append(
                (name, role, f"answered {status}")
                if status != 200
                else (name, role, f"p95 {p95:.0f} > {target:.0f} ms" if p95 > target else f"{rate:,.0f} rows/s")
            )
        rows = f", {lines:,} lines" if name in exports else ""
        if rate is not None:
            rows += f" at {rate:,.0f}/s"
        table[name, role] = (
            f"{status} ({queries} q)"
            if status != 200
            else f"{queries} q, {p50:.0f} / {p95:.0f}{rows}{'' if ok else ' ✗'}"
        )
        print(
            f"{name:<40} {role:<18} {status:>6} {queries:>7} {p50:>8.1f} {p95:>8.1f}  "
            f"≤ {target:.0f}{'' if ok else '  MISSED'}{rows}",
            flush=True,
        )
    print("\nAs a table (queries, p50 / p95 ms; ✗ misses its target):\n")
    print("| page | " + " | ".join(roles) + " |\n| --- |" + " --- |" * len(roles))
    for name in dict.fromkeys(n for n, _r in order):
        print(f"| {name} | " + " | ".join(table.get((name, role), "") for role in roles) + " |")

    if not args.no_explain and "poster" in people and "bureau_supervisor" in people:
        explain(people)
    print(f"\n{len(order)} page × role timings; machine at the end: {machine()}")
    if missed:
        print("missed targets: " + "; ".join(f"{n} ({r}) {why}" for n, r, why in missed))
        return 1
    print("every page met its target (404s are pages the role may not open)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
