"""Polling with a real Celery worker process (no eager mode), on the test database and broker."""

import pytest
from django.conf import settings as django_settings
from django.db import connection

from immisns.celery import app
from replies.models import ListeningState, Reply, ReplyDecision
from tests.posts.worker_harness import Harness, configure_accounts_for_fakes, database_url, wait_for

try:
    from tests.conftest import COMMITTED_DB
except ImportError:  # pragma: no cover
    COMMITTED_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)

pytestmark = [pytest.mark.worker, COMMITTED_DB]


@pytest.fixture
def harness(tmp_path, transactional_db):
    harness = Harness(
        directory=tmp_path,
        database_url=database_url(connection.settings_dict),
        broker_url=django_settings.CELERY_BROKER_URL,
        var_dir=str(django_settings.VAR_DIR),
    )
    harness.purge()
    try:
        yield harness
    finally:
        harness.stop_all()
        print(harness.output())


def test_the_worker_polls_stores_once_and_hides_personal_data(harness):
    (tokyo,) = configure_accounts_for_fakes(["IMMI_TOKYO"])
    public = [
        {"text": "@IMMI_TOKYO 窓口は何時まで？", "username": "hanako"},
        {"text": "@IMMI_TOKYO 友人の在留カード AB12345678CD", "username": "stranger"},
    ]
    harness.start_worker("w1", fakes={"x": {"public": public}, "facebook": {}})

    # Twice, one after the other: the second poll finds nothing new. (Sent together, the worker's
    # threads would run them at once and the second would skip: one poll per account at a time.)
    for polls in (1, 2):
        app.send_task("moderation.poll_account", args=[tokyo.pk])

        def polled(times: int = polls) -> bool:
            return len(harness.calls(endpoint="mentions", event="answered")) >= times

        wait_for(
            polled,
            timeout=60,
            what=f"{polls} poll(s) of the mentions",
            explain=harness.output,
        )
        wait_for(
            lambda: not ListeningState.objects.filter(account=tokyo, polling_until__isnull=False).exists(),
            timeout=30,
            what="the poll to finish",
            explain=harness.output,
        )
    wait_for(
        lambda: Reply.objects.filter(account=tokyo).count() == 2,
        timeout=30,
        what="two replies stored",
        explain=harness.output,
    )

    assert Reply.objects.filter(account=tokyo).count() == 2
    card = Reply.objects.get(text__contains="AB12345678CD")
    assert card.category == "personal_data" and card.needs_review
    # A mention outside our conversations: X refuses the hide, and the record says so.
    assert harness.calls(endpoint="hide", event="answered")[0]["status"] == 403
    assert "hide_failed" in ReplyDecision.objects.filter(reply=card).latest("at", "id").data


def test_two_polls_of_one_account_sent_together_to_a_threaded_worker_run_once(harness):
    """Two beat ticks' tasks in one worker's threads at once: one polls, the other skips and says so."""
    (tokyo,) = configure_accounts_for_fakes(["IMMI_TOKYO"])
    public = [{"text": f"@IMMI_TOKYO 質問 {i}", "username": f"person{i}"} for i in range(3)]
    # X answers the first read slowly, so that the two polls overlap.
    harness.start_worker(
        "w1", fakes={"x": {"public": public, "script": {"mentions": [{"kind": "ok", "latency": 1.5}]}}, "facebook": {}}
    )

    for _ in range(2):
        app.send_task("moderation.poll_account", args=[tokyo.pk])
    wait_for(
        lambda: harness.output().count("succeeded in") >= 2,
        timeout=60,
        what="both polls to finish",
        explain=harness.output,
    )

    output = harness.output()
    assert "'busy'" in output and "'ok'" in output
    assert "skipped: another poll of this account is running" in output
    assert len(harness.calls(endpoint="mentions", event="answered")) == 1  # X billed one read
    assert Reply.objects.filter(account=tokyo).count() == 3
    assert ListeningState.objects.get(account=tokyo).polling_until is None
