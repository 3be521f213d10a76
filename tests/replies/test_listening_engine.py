"""Polling what the public writes: the engine against the fake platforms (tweepy and facebook-sdk really run)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from accounts.models import AccountStateChange, SocialAccount
from replies import listening, tasks
from replies.categories import ProhibitedAct
from replies.models import ListeningDay, ListeningState, Reply, ReplyDecision
from tests.replies.conftest import FB_PAGE, published

pytestmark = pytest.mark.django_db

CARD = "在留カード番号は AB12345678CD です。確認してください"


@pytest.fixture
def tokyo(fakes):
    return SocialAccount.objects.get(handle="IMMI_TOKYO")


@pytest.fixture
def page(fakes):
    return SocialAccount.objects.get(handle=FB_PAGE)


def test_x_mentions_and_conversation_replies_arrive_once_and_are_linked_to_our_post(fakes, tokyo):
    x, _ = fakes
    ours = x.add_post("窓口のお知らせ")
    target = published(tokyo, ours.id)
    reply = x.add_public("ありがとうございます", username="taro", name="山田 太郎", reply_to=ours.id)
    mention = x.add_public("@IMMI_TOKYO 予約方法は？", username="hanako", name="花子")

    assert listening.poll_account(tokyo.pk) == "ok"
    assert listening.poll_account(tokyo.pk) == "ok"  # again: nothing new, nothing doubled

    rows = {r.external_id: r for r in Reply.objects.filter(account=tokyo)}
    assert set(rows) == {reply.id, mention.id}
    assert rows[reply.id].post_target_id == target.pk
    assert (rows[reply.id].author_handle, rows[reply.id].author_name) == ("taro", "山田 太郎")
    assert rows[reply.id].url == f"https://x.com/taro/status/{reply.id}"
    assert rows[mention.id].post_target_id is None
    assert not rows[reply.id].needs_review
    # the second poll asked only for what is newer
    mentions = x.calls_to("mentions")
    assert "since_id" not in mentions[0].url and f"since_id={mention.id}" in mentions[1].url
    state = ListeningState.objects.get(account=tokyo)
    assert state.cursors["mentions"] == mention.id
    assert state.reads_today == 3  # first poll: two mentions (the reply is one) and the reply in the conversation


def test_a_reply_with_a_residence_card_number_is_hidden_by_the_system_at_once(fakes, tokyo):
    x, _ = fakes
    ours = x.add_post("在留カード更新のお知らせ")
    published(tokyo, ours.id)
    bad = x.add_public(CARD, username="stranger", reply_to=ours.id)

    listening.poll_account(tokyo.pk)

    reply = Reply.objects.get(external_id=bad.id)
    assert reply.state == Reply.State.HIDDEN and reply.needs_review and not reply.hide_pending
    assert reply.category == ProhibitedAct.PERSONAL_DATA and reply.risk == Reply.Risk.HIGH
    assert x.public[bad.id].hidden is True
    hide = reply.decisions.get(action=ReplyDecision.Action.HIDE)
    assert hide.actor is None and hide.rule == "personal_data:residence_card"
    assert hide.data["finding"]["excerpt"] == "AB12345678CD"
    assert len(x.calls_to("hide")) == 1


def test_a_hide_that_failed_for_now_is_tried_again_on_the_next_poll(fakes, tokyo):
    x, _ = fakes
    ours = x.add_post("お知らせ")
    published(tokyo, ours.id)
    bad = x.add_public(CARD, reply_to=ours.id)
    x.script("server_error", endpoint="hide")

    listening.poll_account(tokyo.pk)
    assert Reply.objects.get(external_id=bad.id).hide_pending
    listening.poll_account(tokyo.pk)
    reply = Reply.objects.get(external_id=bad.id)
    assert reply.state == Reply.State.HIDDEN and not reply.hide_pending
    assert x.public[bad.id].hidden is True


def test_a_mention_that_x_will_not_let_us_hide_is_flagged_with_the_reason(fakes, tokyo):
    x, _ = fakes
    bad = x.add_public("@IMMI_TOKYO " + CARD)  # not a reply in our conversation: X refuses to hide it

    listening.poll_account(tokyo.pk)

    reply = Reply.objects.get(external_id=bad.id)
    assert reply.state == Reply.State.VISIBLE and reply.needs_review and not reply.hide_pending
    assert "hide_failed" in reply.decisions.latest("at", "id").data


def test_facebook_comments_are_read_under_each_recent_post(fakes, page):
    _, graph = fakes
    post = graph.add_post("お知らせ")
    target = published(page, post.id)
    old = graph.add_post("古いお知らせ")
    published(page, old.id, age=dt.timedelta(days=8))  # outside the listening window
    ok = graph.add_comment(post.id, "参考になりました", from_name="佐藤")
    bad = graph.add_comment(post.id, "この人の電話は 090-1234-5678", from_id="7100000000000099")
    graph.add_comment(old.id, "古い")

    assert listening.poll_account(page.pk) == "ok"
    listening.poll_account(page.pk)

    rows = {r.external_id: r for r in Reply.objects.filter(account=page)}
    assert set(rows) == {ok.id, bad.id}
    assert rows[ok.id].post_target_id == target.pk and rows[ok.id].author_name == "佐藤"
    assert rows[bad.id].state == Reply.State.HIDDEN and graph.comments[bad.id].is_hidden
    assert all(c.params().get("filter") == "stream" for c in graph.calls_to("comments"))
    assert ListeningState.objects.get(account=page).note == {}


def test_x_stops_at_the_daily_budget_with_a_note_and_keeps_the_old_cursor(fakes, tokyo, settings):
    x, _ = fakes
    settings.LISTENING_X_DAILY_READ_BUDGET, settings.LISTENING_X_COST_PER_ITEM = 150, 0.005
    for i in range(220):
        x.add_public(f"@IMMI_TOKYO 質問 {i}", username=f"user{i}")

    assert listening.poll_account(tokyo.pk) == "budget"
    state = ListeningState.objects.get(account=tokyo)
    assert state.reads_today == 200  # pages of 100: the read stopped at the first page past the budget
    assert "mentions" not in state.cursors  # incomplete read: nothing skipped next time
    assert state.note == {"code": "budget_reached", "reads": 200, "budget": 150, "cost": 1.0}  # 200 x 0.005 USD
    with translation.override("en"):
        assert state.note_text() == "Daily read budget reached (200 items, about 1.00 USD): polling resumes tomorrow."
    calls = x.call_count("mentions")
    assert listening.poll_account(tokyo.pk) == "budget"
    assert x.call_count("mentions") == calls  # no more reads today
    tomorrow = timezone.now() + dt.timedelta(days=1)
    settings.LISTENING_X_DAILY_READ_BUDGET = 1000
    assert listening.poll_account(tokyo.pk, now=tomorrow) == "ok"
    assert Reply.objects.filter(account=tokyo).count() == 220
    state = ListeningState.objects.get(account=tokyo)
    assert state.note == {}
    # Reads and their cost are kept per account and day, yesterday's too.
    days = {d.day: (d.reads, d.cost) for d in ListeningDay.objects.filter(account=tokyo)}
    assert days == {
        timezone.localdate(): (200, Decimal("1.0000")),
        state.day: (state.reads_today, Decimal(str(round(state.reads_today * 0.005, 4)))),
    }
    assert state.day == timezone.localdate(tomorrow) and state.reads_today == 220  # read again from the start


def test_rate_limited_waits_until_the_named_reset(fakes, tokyo):
    x, _ = fakes
    x.add_public("@IMMI_TOKYO こんにちは")
    x.script("rate_limited", endpoint="mentions", reset_in=600)

    assert listening.poll_account(tokyo.pk) == "rate-limited"
    state = ListeningState.objects.get(account=tokyo)
    assert state.wait_until is not None
    assert state.wait_until > timezone.now() + dt.timedelta(seconds=500)
    assert listening.poll_account(tokyo.pk) == "waiting"
    assert x.call_count("mentions") == 1
    assert listening.poll_account(tokyo.pk, now=state.wait_until + dt.timedelta(seconds=1)) == "ok"
    assert Reply.objects.filter(account=tokyo).count() == 1


@pytest.mark.parametrize(("fake", "kind"), [("x", "unauthorized"), ("graph", "token_invalid")])
def test_revoked_authorisation_marks_the_account_needs_reauth(fakes, tokyo, page, fake, kind):
    x, graph = fakes
    account = tokyo if fake == "x" else page
    if fake == "x":
        x.script(kind, endpoint="mentions")
    else:
        post = graph.add_post("お知らせ")
        published(page, post.id)
        graph.script(kind, endpoint="comments")

    assert listening.poll_account(account.pk) == "needs-reauth"
    account.refresh_from_db()
    assert account.state == SocialAccount.State.NEEDS_REAUTH
    assert AccountStateChange.objects.filter(account=account, to_state="needs_reauth", actor=None).exists()
    assert listening.poll_account(account.pk) == "needs-reauth"
    assert account.pk not in listening.poll_all()


def test_a_transient_error_is_noted_and_the_cursor_stays(fakes, tokyo):
    x, _ = fakes
    x.add_public("@IMMI_TOKYO こんにちは")
    x.script("server_error", endpoint="mentions")
    assert listening.poll_account(tokyo.pk) == "error"
    state = ListeningState.objects.get(account=tokyo)
    assert state.last_error and state.cursors == {}
    assert listening.poll_account(tokyo.pk) == "ok"
    assert Reply.objects.filter(account=tokyo).count() == 1


def test_a_poll_killed_after_storing_but_before_the_cursor_duplicates_nothing(fakes, tokyo, monkeypatch):
    x, _ = fakes
    for i in range(3):
        x.add_public(f"@IMMI_TOKYO 質問 {i}")
    original = ListeningState.save

    def die(self, *args, **kwargs):
        if self.cursors:
            raise SystemExit("worker killed")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ListeningState, "save", die)
    with pytest.raises(SystemExit):
        listening.poll_account(tokyo.pk)
    monkeypatch.setattr(ListeningState, "save", original)
    assert Reply.objects.filter(account=tokyo).count() == 3
    listening.poll_account(tokyo.pk)
    assert Reply.objects.filter(account=tokyo).count() == 3


def test_the_beat_task_polls_every_account_and_sandbox_reads_nothing(fakes, tokyo):
    x, _ = fakes
    x.add_public("@IMMI_TOKYO こんにちは")
    assert tasks.poll_all.delay().get() == SocialAccount.objects.count()
    assert Reply.objects.count() == 1
    assert ListeningState.objects.count() == SocialAccount.objects.count()


def test_the_poll_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["listening-poll"]
    assert entry == {"task": "moderation.poll_all", "schedule": float(settings.LISTENING_POLL_SECONDS)}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_budget_note_stored_as_a_sentence_becomes_data(settings):
    """Migration 0008: an old note in whatever language becomes the code and the day's numbers."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    settings.LISTENING_X_DAILY_READ_BUDGET, settings.LISTENING_X_COST_PER_ITEM = 2000, 0.005
    before, after = (
        [("moderation", "0007_replydecision_append_only")],
        [("moderation", "0008_listening_note_lease_days")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    State = old.get_model("moderation", "ListeningState")
    Account = old.get_model("accounts", "SocialAccount")
    State.objects.create(
        account=Account.objects.get(handle="IMMI_TOKYO"),
        reads_today=2000,
        budget_note="1日の読み取り上限に達しました（2000件、約10.00米ドル）。取得は明日再開します。",
    )
    State.objects.create(account=Account.objects.get(handle="IMMI_OSAKA"), reads_today=12)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("moderation", "ListeningState")
    notes = {s.account.handle: s.note for s in new.objects.select_related("account")}
    assert notes == {
        "IMMI_TOKYO": {"code": "budget_reached", "reads": 2000, "budget": 2000, "cost": 10.0},
        "IMMI_OSAKA": {},
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
