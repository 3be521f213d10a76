"""One poll per account at a time: two polls of the same account at once (two beat ticks, two workers).

Threads on committed data, each with its own database connection, against the fake X (requests
layer). The first poll holds the account's lease while X answers slowly; the second skips, says so
in the log, and reads nothing (X bills every item read). Runs on SQLite and PostgreSQL alike: the
lease is a conditional UPDATE, which both databases apply atomically.
"""

import logging
import threading

from django.db import connections

from accounts.models import SocialAccount
from replies import listening
from replies.models import ListeningState, Reply
from tests.conftest import COMMITTED_DB
from tests.factories import ListeningStateFactory
from tests.replies.conftest import published

pytestmark = COMMITTED_DB


def run_at_once(*calls):
    """Run each call in its own thread, started together; their results in order."""
    results: list = [None] * len(calls)
    errors: list = []
    start = threading.Barrier(len(calls))

    def run(index, call):
        try:
            start.wait()
            results[index] = call()
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_two_polls_of_one_account_at_once_one_skips_nothing_doubled_nothing_lost(fakes, caplog):
    x, _ = fakes
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    ours = x.add_post("お知らせ")
    published(tokyo, ours.id)
    written = [x.add_public(f"@IMMI_TOKYO 質問 {i}", username=f"person{i}") for i in range(5)]
    written.append(x.add_public("在留カード AB12345678CD の件", username="stranger", reply_to=ours.id))
    x.script("ok", endpoint="mentions", latency=1.0)  # the first read is slow: the polls overlap
    ListeningStateFactory.create(account=tokyo)

    with caplog.at_level(logging.INFO, logger="replies.listening"):
        outcomes = run_at_once(lambda: listening.poll_account(tokyo.pk), lambda: listening.poll_account(tokyo.pk))

    assert sorted(outcomes) == ["busy", "ok"]
    assert "skipped: another poll of this account is running" in caplog.text
    assert x.call_count("mentions") == 1  # X billed one read, not two
    stored = Reply.objects.filter(account=tokyo)
    assert sorted(stored.values_list("external_id", flat=True)) == sorted(p.id for p in written)  # once each
    assert len(x.calls_to("hide")) == 1  # the residence card hidden once
    state = ListeningState.objects.get(account=tokyo)
    assert state.reads_today == len(written) + 1  # the mentions (the reply is one) and the conversation
    assert state.polling_until is None  # released: the next tick polls

    # The next tick polls again and finds nothing new.
    late = x.add_public("@IMMI_TOKYO 追加の質問", username="late")
    assert listening.poll_account(tokyo.pk) == "ok"
    assert stored.count() == len(written) + 1 and stored.filter(external_id=late.id).exists()


def test_a_lease_left_by_a_killed_worker_runs_out(fakes):
    import datetime as dt

    from django.utils import timezone

    x, _ = fakes
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    x.add_public("@IMMI_TOKYO 質問", username="person")
    ListeningStateFactory.create(account=tokyo, polling_until=timezone.now() + dt.timedelta(minutes=5))
    assert listening.poll_account(tokyo.pk) == "busy"
    assert x.call_count("mentions") == 0
    ListeningState.objects.filter(account=tokyo).update(polling_until=timezone.now() - dt.timedelta(seconds=1))
    assert listening.poll_account(tokyo.pk) == "ok"
    assert Reply.objects.filter(account=tokyo).count() == 1
