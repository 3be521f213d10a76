"""History as data: system sentences already in the event log become PostEvent.data.

Until now the engine and the services wrote their messages into `comment`,
in the language of whoever caused them (the worker wrote Japanese). This
migration reads each known message back, in English or Japanese, into the
structured fields posts.history renders in the reader's language, and leaves
in `comment` only the words people wrote (a reason, an approver's comment).
A system sentence it does not recognise is kept as it was, as `legacy` text.

The event log is append-only in the database (0002): the conversion runs in
the log's maintenance window. On SQLite, adding the `data` column (0006)
rebuilt the table, which drops its triggers; they are created again here.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.db import migrations

JST = ZoneInfo("Asia/Tokyo")

SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS posts_postevent_no_update",
    "DROP TRIGGER IF EXISTS posts_postevent_no_delete",
    """CREATE TRIGGER posts_postevent_no_update BEFORE UPDATE ON posts_postevent
       WHEN NOT EXISTS (SELECT 1 FROM posts_postevent_maintenance)
       BEGIN SELECT RAISE(ABORT, 'posts_postevent is append-only'); END""",
    """CREATE TRIGGER posts_postevent_no_delete BEFORE DELETE ON posts_postevent
       WHEN NOT EXISTS (SELECT 1 FROM posts_postevent_maintenance)
       BEGIN SELECT RAISE(ABORT, 'posts_postevent is append-only'); END""",
]


def _pattern(*formats: str) -> list[re.Pattern]:
    """Regexes for Python %-format strings: %(name)s matches any text, %(name)d digits."""
    compiled = []
    for fmt in formats:
        parts = re.split(r"(%\(\w+\)[sd])", fmt)
        regex = ""
        for part in parts:
            named = re.fullmatch(r"%\((\w+)\)([sd])", part)
            if named:
                name, kind = named.groups()
                regex += rf"(?P<{name}>\d+)" if kind == "d" else rf"(?P<{name}>.*?)"
            else:
                regex += re.escape(part)
        compiled.append(re.compile(regex, re.DOTALL))
    return compiled


# (action, reason, patterns in English and Japanese); the first that matches wins.
MESSAGES = [
    ("claim", "", _pattern("Attempt %(n)d.", "%(n)d 回目の試行。")),
    ("defer", "outside_hours", _pattern("Outside office hours now; deferred to %(when)s.",
                                        "現在は窓口受付時間外のため、%(when)s に延期しました。")),
    ("defer", "rate_limited", _pattern("Rate limited by the platform until %(when)s.",
                                       "プラットフォームの投稿数制限により %(when)s まで待機します。")),
    ("defer", "auth_revoked", _pattern(
        "The account's authorisation was revoked (%(error)s); waiting until it is re-authorised.",
        "アカウントの認証が取り消されました（%(error)s）。再認証されるまで待機します。")),
    ("fail", "gave_up", _pattern("Gave up after %(n)d attempts: %(error)s",
                                 "%(n)d 回試行しましたが投稿できませんでした: %(error)s")),
    ("fail", "refused", _pattern("The platform refused the post: %(error)s",
                                 "プラットフォームが投稿を受け付けませんでした: %(error)s")),
    ("retry", "transient", _pattern("Temporary failure (%(error)s); next attempt at %(when)s.",
                                    "一時的な障害（%(error)s）。次の試行は %(when)s です。")),
    ("retry", "person", _pattern("Retried by a person.", "担当者が再試行しました。")),
    ("retry", "person_checked", _pattern(
        "A person checked the platform and chose to publish again. %(comment)s",
        "担当者がプラットフォームを確認し、もう一度投稿することにしました。%(comment)s")),
    ("unconfirmed", "unexpected", _pattern("Unexpected error; the post may or may not have gone out: %(error)s",
                                           "予期しないエラーです。投稿されたかどうか分かりません: %(error)s")),
    ("unconfirmed", "not_found", _pattern(
        "The outcome of the attempt is unknown and the post was not found among the account's recent posts"
        "%(problem)s. Decide whether to publish it again or record it as published.",
        "投稿の結果が不明で、アカウントの最近の投稿にも見つかりませんでした%(problem)s。"
        "もう一度投稿するか、公開済みとして記録するかを判断してください。")),
    ("reconcile", "found_after_uncertain", _pattern(
        "Found on the platform after an uncertain attempt: %(url)s",
        "結果が不明だった試行の後、プラットフォーム上で確認できました: %(url)s")),
    ("reconcile", "found", _pattern("Found on the platform: %(url)s", "プラットフォーム上で確認できました: %(url)s")),
    ("reconcile", "person", _pattern("Recorded as published by a person. %(comment)s",
                                     "担当者が公開済みとして記録しました。%(comment)s")),
    ("withdraw", "delete_failed", _pattern("Withdrawal failed; the post is still published: %(error)s",
                                           "取下げに失敗しました。投稿は公開されたままです: %(error)s")),
    ("edit", "", _pattern("The approval by %(name)s is void: the post was edited after approval.",
                          "承認後に編集されたため、%(name)s による承認は無効になりました。")),
]
OUTSIDE_HOURS_APPROVAL = _pattern("Approved for outside office hours: %(reason)s", "窓口受付時間外の投稿として承認: %(reason)s")
WARNING = _pattern("%(account)s: %(message)s «%(excerpt)s»", "%(account)s: %(message)s「%(excerpt)s」")
WARNING_KINDS = [
    ("duplicate", _pattern(
        "The same text was posted on this account within the last 30 days; X refuses duplicates.",
        "このアカウントで過去30日以内に同じ文章が投稿されています。X は重複投稿を受け付けません。")),
    ("link_domain", _pattern(
        "%(domain)s is not on the list of allowed link domains. Check that the link is right.",
        "%(domain)s は許可されたリンク先ドメインにありません。リンクが正しいか確認してください。")),
]
# Actions whose comment the system wrote; on the others it holds a person's words.
SYSTEM_ACTIONS = {"claim", "defer", "fail", "unconfirmed", "publish", "warning"}


def _match(patterns, text):
    for pattern in patterns:
        found = pattern.fullmatch(text)
        if found:
            return found.groupdict()
    return None


def _moment(text: str, at: dt.datetime, *, time_only: bool = False) -> str:
    """A JST wall-clock time the old message showed, as an ISO timestamp (time-only ones on the event's day)."""
    text = text.strip()
    try:
        if time_only:
            local_at = at.astimezone(JST)
            clock = dt.datetime.strptime(text, "%H:%M:%S").time()
            moment = dt.datetime.combine(local_at.date(), clock, tzinfo=JST)
            if moment < local_at - dt.timedelta(minutes=1):
                moment += dt.timedelta(days=1)
        else:
            fmt = "%Y-%m-%d %H:%M:%S" if text.count(":") == 2 else "%Y-%m-%d %H:%M"
            moment = dt.datetime.strptime(text, fmt).replace(tzinfo=JST)
    except ValueError:
        return text
    return moment.isoformat()


def convert(action: str, comment: str, at: dt.datetime) -> tuple[dict, str]:
    """(data, comment) for an event written before history was data."""
    text = comment.strip()
    if not text:
        return {}, ""
    if action == "publish":
        return {"url": text}, ""
    if action == "approve":
        first, _, rest = text.partition("\n")
        found = _match(OUTSIDE_HOURS_APPROVAL, first)
        if found:
            return {"outside_hours_reason": found["reason"]}, rest.strip()
        return {}, text
    if action == "warning":
        found = _match(WARNING, text)
        if found:
            for kind, patterns in WARNING_KINDS:
                if _match(patterns, found["message"]):
                    return {"account": found["account"], "kind": kind, "excerpt": found["excerpt"]}, ""
        return {"reason": "legacy", "text": text}, ""
    for message_action, reason, patterns in MESSAGES:
        if message_action != action:
            continue
        found = _match(patterns, text)
        if found is None:
            continue
        data = {"reason": reason} if reason else {}
        person_words = (found.pop("comment", "") or "").strip()
        if "n" in found:
            data["attempt" if action == "claim" else "attempts"] = int(found.pop("n"))
        if "when" in found:
            key = "retry_at" if action == "retry" else "until"
            data[key] = _moment(found.pop("when"), at, time_only=action == "retry")
        if "problem" in found:
            problem = found.pop("problem").strip()
            data["lookup_error"] = problem[1:-1].strip() if problem.startswith(("(", "（")) else problem
        if "name" in found:
            data["voided_approval_of"] = found.pop("name")
        data.update(found)
        return data, person_words
    if action in SYSTEM_ACTIONS:
        return {"reason": "legacy", "text": text}, ""
    return {}, text


def forward(apps, schema_editor):
    connection = schema_editor.connection
    PostEvent = apps.get_model("posts", "PostEvent")
    opened_here = False
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in SQLITE_TRIGGERS:
                cursor.execute(statement)
            cursor.execute("SELECT COUNT(*) FROM posts_postevent_maintenance")
            if not cursor.fetchone()[0]:
                cursor.execute("INSERT INTO posts_postevent_maintenance (id) VALUES (1)")
                opened_here = True
        elif connection.vendor == "postgresql":
            cursor.execute("SET LOCAL immisns.postevent_maintenance = 'on'")
    try:
        for event in PostEvent.objects.exclude(comment="").iterator(chunk_size=2000):
            data, comment = convert(event.action, event.comment, event.at)
            if data or comment != event.comment:
                PostEvent.objects.filter(pk=event.pk).update(data={**event.data, **data}, comment=comment)
    finally:
        with connection.cursor() as cursor:
            if opened_here:
                cursor.execute("DELETE FROM posts_postevent_maintenance")
            elif connection.vendor == "postgresql":
                cursor.execute("SET LOCAL immisns.postevent_maintenance = 'off'")


def restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            for statement in SQLITE_TRIGGERS:
                cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("posts", "0006_postevent_data_posttarget_problem")]

    # Going back keeps the data column's contents (it is dropped with the column by 0006's reverse).
    operations = [migrations.RunPython(forward, restore_sqlite_triggers)]
