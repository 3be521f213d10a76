"""History as data: events keep facts, people's words stay apart, and messages read in the reader's language."""

import datetime as dt
import importlib

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from accounts.models import SocialAccount
from posts import footer, history, publishing, selectors, services
from posts.models import DisplayState, Post, PostEvent, PostTarget
from tests.conftest import COMMITTED_DB, add_totp, sign_in_with_second_factor
from tests.factories import PASSWORD, SandboxDeliveryFactory, make_person, post_via_services
from tests.posts.conftest import JST

convert = importlib.import_module("posts.migrations.0007_postevent_history_as_data").convert

DUE = dt.datetime(2026, 12, 2, 10, 0, tzinfo=JST)


def approved_post(poster, supervisor, handles=("IMMI_TOKYO",), body="在留手続のお知らせです。"):
    with time_machine.travel(DUE - dt.timedelta(days=1), tick=False):
        post = post_via_services(poster, handles, when=DUE, body=body, submit=True)
        return services.post_approve(post=post, by=supervisor)


@pytest.mark.django_db
def test_a_worker_event_reads_in_the_language_of_its_reader(tokyo_poster, tokyo_supervisor):
    post = approved_post(tokyo_poster, tokyo_supervisor)
    target = post.targets.get()
    with translation.override("ja"), time_machine.travel(DUE, tick=False):  # the worker runs in Japanese
        assert publishing.target_publish(target_id=target.pk) == "published"
    claim = PostEvent.objects.get(target=target, action="claim")
    assert claim.comment == ""
    in_force_footer = footer.footer_for(target.account)
    assert in_force_footer is not None
    in_force = in_force_footer.version  # the seeded footers' newest version
    assert claim.data == {"attempt": 1, "footer_version": in_force}
    with translation.override("en"):
        assert history.event_message(claim) == f"Attempt 1, with footer version {in_force}."
        assert claim.to_state_label == "Publishing"
    with translation.override("ja"):
        assert history.event_message(claim) == f"1 回目の試行（フッター第 {in_force} 版）。"
        assert claim.to_state_label == "投稿処理中"


@pytest.mark.django_db
def test_people_words_stay_in_the_comment_and_system_facts_in_data(tokyo_poster, tokyo_supervisor):
    saturday = dt.datetime(2026, 12, 5, 10, 0, tzinfo=JST)
    with time_machine.travel(DUE - dt.timedelta(days=1), tick=False):
        post = post_via_services(tokyo_poster, when=saturday, reason="台風による臨時閉庁のお知らせ", submit=True)
        services.post_approve(post=post, by=tokyo_supervisor, comment="内容を確認しました")
    approve = post.events.get(action="approve")
    assert approve.comment == "内容を確認しました"
    assert approve.data == {"outside_hours_reason": "台風による臨時閉庁のお知らせ"}
    with translation.override("en"):
        assert history.event_message(approve) == "Approved for outside office hours: 台風による臨時閉庁のお知らせ"


def test_the_display_state_is_one_definition():
    assert [s.value for s in DisplayState] == [
        "draft",
        "returned",
        "pending",
        "scheduled",
        "partly",
        "published",
        "failed",
        "withdrawn",
        "cancelled",
    ]
    with translation.override("ja"):
        assert DisplayState.FAILED.label == "要対応"


@pytest.mark.django_db
def test_the_list_filter_finds_each_display_state_as_the_post_shows_it(tokyo_poster, tokyo_supervisor):
    T = PostTarget.State
    combinations = {
        "scheduled": [T.SCHEDULED, T.SCHEDULED],
        "published": [T.PUBLISHED, T.PUBLISHED],
        "partly": [T.PUBLISHED, T.SCHEDULED],
        "failed": [T.PUBLISHED, T.UNCONFIRMED],
        "withdrawn": [T.WITHDRAWN, T.WITHDRAWN],
        "partly-withdrawn": [T.PUBLISHED, T.WITHDRAWN],
        # Not a state an approved post's targets reach, but display_state() says withdrawn: so must the filter.
        "withdrawn-and-cancelled": [T.WITHDRAWN, T.CANCELLED],
    }
    posts = {}
    for name, states in combinations.items():
        post = approved_post(tokyo_poster, tokyo_supervisor, ("IMMI_TOKYO", "IMMI_NARITA"), body=f"お知らせ {name}")
        for target, state in zip(post.targets.order_by("pk"), states, strict=True):
            PostTarget.objects.filter(pk=target.pk).update(state=state)
        posts[name] = post
    with time_machine.travel(DUE - dt.timedelta(days=1), tick=False):
        posts["draft"] = post_via_services(tokyo_poster, body="下書き")
        posts["pending"] = post_via_services(tokyo_poster, body="承認待ち", submit=True)
    every = Post.objects.all()
    for display in DisplayState:
        found = set(selectors.posts_in_display_state(every, display).values_list("pk", flat=True))
        shown = {post.pk for post in every if post.display_state() == display}
        assert found == shown, display
    assert {p.display_state() for p in every} >= {DisplayState.PARTLY, DisplayState.WITHDRAWN, DisplayState.FAILED}


@pytest.mark.django_db
def test_an_english_reader_sees_the_post_history_in_english(client, tokyo_poster, tokyo_supervisor):
    post = approved_post(tokyo_poster, tokyo_supervisor)
    target = post.targets.get()
    with translation.override("ja"), time_machine.travel(DUE, tick=False):
        publishing.target_publish(target_id=target.pk)
    client.login(username=tokyo_poster.username, password=PASSWORD)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("posts:detail", args=[post.pk])).content.decode()
    in_force = footer.footer_for(post.targets.get().account)
    assert in_force is not None
    assert f"Attempt 1, with footer version {in_force.version}." in page
    assert "回目の試行" not in page


@pytest.mark.django_db
def test_an_smtp_failure_after_approval_does_not_break_the_request(
    client, tokyo_poster, tokyo_supervisor, settings, frozen_now
):
    """The e-mail is a task on the broker: the approval stands and the supervisor sees it done."""
    from immisns.celery import app

    settings.EMAIL_BACKEND = "tests.posts.test_history.RefusingBackend"
    app.conf.task_always_eager = False  # as in production: the task goes to the broker, not into the request
    add_totp(tokyo_supervisor)
    post = post_via_services(tokyo_poster, submit=True)
    sign_in_with_second_factor(client, tokyo_supervisor)
    response = client.post(reverse("posts:approve", args=[post.pk]), {"revision": post.revision})
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).state == "approved"
    assert mail.outbox == []


class RefusingBackend:
    """A mail server that refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPServerDisconnected("the mail server went away")


@pytest.mark.parametrize(
    ("action", "comment", "data", "words"),
    [
        ("claim", "1 回目の試行。", {"attempt": 1}, ""),
        ("claim", "Attempt 3.", {"attempt": 3}, ""),
        (
            "defer",
            "現在は窓口受付時間外のため、2026-12-03 09:00 に延期しました。",
            {"reason": "outside_hours", "until": "2026-12-03T09:00:00+09:00"},
            "",
        ),
        (
            "defer",
            "Rate limited by the platform until 2026-12-02 10:15:00.",
            {"reason": "rate_limited", "until": "2026-12-02T10:15:00+09:00"},
            "",
        ),
        (
            "fail",
            "プラットフォームが投稿を受け付けませんでした: duplicate content",
            {"reason": "refused", "error": "duplicate content"},
            "",
        ),
        (
            "fail",
            "5 回試行しましたが投稿できませんでした: 503 Service Unavailable",
            {"reason": "gave_up", "attempts": 5, "error": "503 Service Unavailable"},
            "",
        ),
        (
            "retry",
            "一時的な障害（503 Service Unavailable）。次の試行は 10:00:45 です。",
            {"reason": "transient", "error": "503 Service Unavailable", "retry_at": "2026-12-02T10:00:45+09:00"},
            "",
        ),
        (
            "retry",
            "担当者がプラットフォームを確認し、もう一度投稿することにしました。X上に無し",
            {"reason": "person_checked"},
            "X上に無し",
        ),
        ("reconcile", "Recorded as published by a person. 確認済み", {"reason": "person"}, "確認済み"),
        ("publish", "https://x.com/i/web/status/1", {"url": "https://x.com/i/web/status/1"}, ""),
        (
            "edit",
            "承認後に編集されたため、tokyo-supervisor による承認は無効になりました。",
            {"voided_approval_of": "tokyo-supervisor"},
            "",
        ),
        (
            "approve",
            "窓口受付時間外の投稿として承認: 台風のため\n確認しました",
            {"outside_hours_reason": "台風のため"},
            "確認しました",
        ),
        (
            "warning",
            "@IMMI_TOKYO: example.com は許可されたリンク先ドメインにありません。リンクが正しいか確認してください。「example.com」",
            {"account": "@IMMI_TOKYO", "kind": "link_domain", "excerpt": "example.com"},
            "",
        ),
        (
            "unconfirmed",
            "投稿の結果が不明で、アカウントの最近の投稿にも見つかりませんでした (403 Forbidden)。"
            "もう一度投稿するか、公開済みとして記録するかを判断してください。",
            {"reason": "not_found", "lookup_error": "403 Forbidden"},
            "",
        ),
        (
            "fail",
            "@IMMI_TOKYO: 5 of 280 characters",
            {"reason": "legacy", "text": "@IMMI_TOKYO: 5 of 280 characters"},
            "",
        ),
        ("reject", "日付を確認してください", {}, "日付を確認してください"),
        ("withdraw", "日付の誤り", {}, "日付の誤り"),
    ],
)
def test_old_events_are_read_back_into_data(action, comment, data, words):
    at = dt.datetime(2026, 12, 2, 10, 0, 15, tzinfo=JST)
    assert convert(action, comment, at) == (data, words)


@COMMITTED_DB
def test_the_migration_converts_old_events_and_keeps_the_log_append_only(transactional_db):
    """Back to before history was data, write an event as the old worker did, and migrate forward."""
    from django.db import DatabaseError, transaction

    from tests.conftest import event_log_maintenance

    before = [("posts", "0006_postevent_data_posttarget_problem")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    User = old.get_model("auth", "User")
    OldPost = old.get_model("posts", "Post")
    OldEvent = old.get_model("posts", "PostEvent")
    author = User.objects.create(username="old-author")
    post = OldPost.objects.create(author=author, body="古い投稿", scheduled_at=DUE)
    OldEvent.objects.create(post=post, action="claim", comment="2 回目の試行。")
    OldEvent.objects.create(post=post, action="cancel", comment="不要になりました")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    claim, cancel = PostEvent.objects.filter(post_id=post.pk).order_by("id")
    assert (claim.data, claim.comment) == ({"attempt": 2}, "")
    assert (cancel.data, cancel.comment) == ({}, "不要になりました")
    # The triggers still refuse rewriting history once the maintenance window closes.
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL immisns.postevent_maintenance = 'off'")
        else:
            event_log_maintenance(connection, on=False)
        try:
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("UPDATE posts_postevent SET comment = 'x'")
        finally:
            if connection.vendor == "sqlite":
                event_log_maintenance(connection, on=True)


@pytest.mark.django_db
def test_a_sandbox_link_recorded_before_the_move_still_opens(client, tokyo_poster):

    delivery = SandboxDeliveryFactory.create(account=SocialAccount.objects.get(handle="IMMI_TOKYO"), text="x")
    response = client.get(f"/posts/sandbox/{delivery.pk}/")
    assert response.status_code == 301 and response["Location"] == f"/sandbox/{delivery.pk}/"
    client.login(username=tokyo_poster.username, password=PASSWORD)
    assert client.get(f"/sandbox/{delivery.pk}/").status_code == 200
    client.force_login(make_person("osaka-person", "osaka", "poster"))
    assert client.get(f"/sandbox/{delivery.pk}/").status_code == 404
