"""The move of the models out of moderation into checks and replies loses nothing.

Migrates a database back to where it stood before the split (moderation
0008, posts 0012), writes rows of every moved kind through the models of
that time, migrates to the latest state, and reads them back through today's
models: the same rows with the same values in the same tables, a reply's
post target now a relation (NULL where the number named no target), the
content types and their permissions moved with the models, and the
decisions still append-only in the database.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.conftest import event_log_maintenance

BEFORE_SPLIT = [("moderation", "0008_listening_note_lease_days"), ("posts", "0012_page_indexes_by_state")]
MOVED = {
    "checks": ["allowedlinkdomain", "officialcontact", "publishedtext"],
    "replies": ["reply", "replydecision", "wordlist", "listeningstate", "listeningday", "queuevisit"],
}


def _to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _write_before_the_split() -> dict:
    """Rows of every moved kind, written with the models as they were at moderation 0008."""
    executor = MigrationExecutor(connection)
    # The new apps go back to zero (and moderation 0009 with them, which depends on them).
    executor.migrate([*BEFORE_SPLIT, ("checks", None), ("replies", None)])
    old = MigrationExecutor(connection).loader.project_state(BEFORE_SPLIT).apps
    get = old.get_model
    now = timezone.now().replace(microsecond=0)
    tokyo = get("accounts", "SocialAccount").objects.get(handle="IMMI_TOKYO")
    person = get("auth", "User").objects.create(username="split-supervisor")
    post = get("posts", "Post").objects.create(author=person, body="お知らせ", scheduled_at=now)
    target = get("posts", "PostTarget").objects.create(post=post, account=tokyo, external_id="1900000000000000001")
    missing = get("posts", "PostTarget").objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    Reply = get("moderation", "Reply")
    answered = Reply.objects.create(
        account=tokyo,
        external_id="r-answered",
        author_id="2100000001",
        author_handle="yamada_t",
        author_name="山田 太郎",
        text="予約は必要ですか？",
        created_at=now - dt.timedelta(hours=1),
        post_target_id=target.pk,
        state="hidden",
        findings=[{"kind": "phone", "rule": "personal_data:phone"}],
        category="personal_data",
        risk=3,
        needs_review=True,
    )
    orphan = Reply.objects.create(
        account=tokyo, external_id="r-orphan", text="古い投稿への返信", created_at=now, post_target_id=missing
    )
    Decision = get("moderation", "ReplyDecision")
    by_system = Decision.objects.create(
        reply=answered,
        action="hide",
        category="personal_data",
        rule="personal_data:phone",
        data={"finding": {"kind": "phone"}},
        at=now,
    )
    by_person = Decision.objects.create(reply=answered, actor=person, action="confirm", reason="確認済み", at=now)
    word_list = get("moderation", "WordList").objects.create(
        name="宣伝", category="advertising", action="hide", words="ビザ代行\n最短"
    )
    get("moderation", "ListeningState").objects.create(account=tokyo, reads_today=12, cursors={"mentions": "c1"})
    get("moderation", "ListeningDay").objects.create(account=tokyo, day=now.date(), reads=12, cost=Decimal("0.0600"))
    get("moderation", "QueueVisit").objects.create(user=person, at=now)
    published = get("moderation", "PublishedText").objects.create(
        account=tokyo, digest="d" * 64, published_at=now, target_id=target.pk
    )
    domain = get("moderation", "AllowedLinkDomain").objects.create(domain="split.example.go.jp", note="試験")
    contact = get("moderation", "OfficialContact").objects.create(
        kind="phone", value="03-0000-0000", key="0300000000", note="試験"
    )
    # Today's model: the state at these two nodes may predate contenttypes/0002.
    from django.contrib.contenttypes.models import ContentType

    content_types = dict(ContentType.objects.filter(app_label="moderation").values_list("model", "pk"))
    return {
        "now": now,
        "person": person.pk,
        "target": target.pk,
        "answered": answered.pk,
        "orphan": orphan.pk,
        "by_system": by_system.pk,
        "by_person": by_person.pk,
        "word_list": word_list.pk,
        "published": published.pk,
        "domain": domain.pk,
        "contact": contact.pk,
        "content_types": content_types,
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_row_survives_the_split_and_the_reply_links_to_its_post():
    try:
        rows = _write_before_the_split()
    finally:
        _to_latest()  # the split itself; and whatever happened, the database is left as other tests expect it

    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from checks.models import AllowedLinkDomain, OfficialContact, PublishedText
    from posts.models import PostTarget
    from replies.models import ListeningDay, ListeningState, QueueVisit, Reply, ReplyDecision, WordList

    answered = Reply.objects.select_related("post_target").get(pk=rows["answered"])
    assert (answered.external_id, answered.author_handle, answered.author_name, answered.text) == (
        "r-answered",
        "yamada_t",
        "山田 太郎",
        "予約は必要ですか？",
    )
    assert (answered.state, answered.category, answered.risk, answered.needs_review) == (
        "hidden",
        "personal_data",
        3,
        True,
    )
    assert answered.findings == [{"kind": "phone", "rule": "personal_data:phone"}]
    assert answered.post_target == PostTarget.objects.get(pk=rows["target"])
    assert list(PostTarget.objects.get(pk=rows["target"]).replies.all()) == [answered]
    orphan = Reply.objects.get(pk=rows["orphan"])
    assert orphan.post_target_id is None and orphan.post_target is None and orphan.text == "古い投稿への返信"
    # The database itself now refuses a number that names no target.
    with pytest.raises(IntegrityError), transaction.atomic():
        Reply.objects.create(
            account=answered.account,
            external_id="r-new",
            text="x",
            created_at=rows["now"],
            post_target_id=rows["target"] + 1000,
        )

    by_system, by_person = (
        ReplyDecision.objects.get(pk=rows["by_system"]),
        ReplyDecision.objects.get(pk=rows["by_person"]),
    )
    assert (by_system.reply_id, by_system.actor_id, by_system.action, by_system.rule, by_system.data, by_system.at) == (
        rows["answered"],
        None,
        "hide",
        "personal_data:phone",
        {"finding": {"kind": "phone"}},
        rows["now"],
    )
    assert (by_person.actor_id, by_person.action, by_person.reason) == (rows["person"], "confirm", "確認済み")
    assert list(answered.decisions.values_list("pk", flat=True)) == [rows["by_system"], rows["by_person"]]

    word_list = WordList.objects.get(pk=rows["word_list"])
    assert (word_list.name, word_list.category, word_list.action, word_list.word_set()) == (
        "宣伝",
        "advertising",
        "hide",
        ["ビザ代行", "最短"],
    )
    state = ListeningState.objects.get(account__handle="IMMI_TOKYO")
    assert (state.reads_today, state.cursors) == (12, {"mentions": "c1"})
    assert ListeningDay.objects.get(account__handle="IMMI_TOKYO").cost == Decimal("0.0600")
    assert QueueVisit.objects.get(user_id=rows["person"]).at == rows["now"]
    published = PublishedText.objects.get(pk=rows["published"])
    assert (published.digest, published.target_id, published.published_at) == ("d" * 64, rows["target"], rows["now"])
    assert AllowedLinkDomain.objects.get(pk=rows["domain"]).domain == "split.example.go.jp"
    assert OfficialContact.objects.get(pk=rows["contact"]).key == "0300000000"

    # The content types moved (the same rows, so permissions and admin log entries followed).
    for app_label, models in MOVED.items():
        for model in models:
            moved = ContentType.objects.get(pk=rows["content_types"][model])
            assert (moved.app_label, moved.model) == (app_label, model)
    assert not ContentType.objects.filter(app_label="moderation").exists()
    assert Permission.objects.get(codename="change_reply").content_type.app_label == "replies"

    # The decisions stay append-only in the database itself (moderation/0007's triggers).
    event_log_maintenance(connection, on=False)
    try:
        for sql in ("UPDATE moderation_replydecision SET reason = '書き換え'", "DELETE FROM moderation_replydecision"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
                c.execute(sql)
    finally:
        event_log_maintenance(connection, on=True)
    assert ReplyDecision.objects.get(pk=rows["by_person"]).reason == "確認済み"


@pytest.mark.django_db
def test_a_target_deleted_later_leaves_its_replies_unlinked():
    """The foreign key's SET_NULL: a reply outlives the record of the post it answered."""
    from accounts.models import SocialAccount
    from replies.models import Reply
    from tests.replies.conftest import published

    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    target = published(tokyo, "1900000000000000002")
    reply = Reply.objects.create(
        account=tokyo, external_id="r1", text="返信", created_at=timezone.now(), post_target=target
    )
    target.delete()
    reply.refresh_from_db()
    assert reply.post_target_id is None
