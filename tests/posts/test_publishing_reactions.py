"""The error → reaction table (posts.publishing.reactions), read against accounts/platforms/base.py.

Each error kind's documented meaning is the expectation: rate-limited waits
until the reset without spending an attempt; retryable tries again later and
gives up at the last attempt; auth revoked holds the account's posts; out of
credits pauses the account; rejected fails, unless it is a duplicate of an
attempt that may already be out. The end-to-end behaviour against the fake
platforms is in test_publishing.py and test_publishing_doubt.py.
"""

import datetime as dt

import pytest

from accounts import platforms
from posts.publishing import reactions
from posts.publishing.reactions import reaction_to

UNTIL = dt.datetime(2026, 12, 2, 1, 15, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def three_attempts(settings):
    settings.PUBLISHING_MAX_ATTEMPTS = 3


def react(exc, *, attempt=1, in_doubt=False, can_look=True):
    return reaction_to(exc, attempt=attempt, in_doubt=in_doubt, can_look=can_look)


def test_every_error_kind_of_the_adapters_has_a_reaction():
    kinds = {
        cls
        for cls in vars(platforms.base).values()
        if isinstance(cls, type) and issubclass(cls, platforms.PlatformError)
    }
    assert kinds <= set(reactions.REACTIONS)


def test_rate_limited_waits_for_the_reset_and_gives_the_attempt_back():
    reaction = react(platforms.RateLimited("slow down", until=UNTIL), attempt=3)
    assert (reaction.state, reaction.due, reaction.spends_attempt, reaction.outcome) == (
        "scheduled",
        reactions.AT_RESET,
        False,
        "rate-limited",
    )
    assert not reaction.tells_people and not reaction.account


def test_retryable_tries_again_after_a_backoff_then_gives_up_and_tells_people():
    first = react(platforms.Transient("503"), attempt=1)
    assert (first.state, first.due, first.spends_attempt, first.outcome) == (
        "scheduled",
        reactions.AFTER_BACKOFF,
        True,
        "retry",
    )
    last = react(platforms.Transient("503"), attempt=3)
    assert (last.state, last.reason, last.outcome, last.tells_people) == ("failed", "gave_up", "failed", True)


def test_retryable_at_the_last_attempt_while_an_earlier_one_may_be_out_goes_to_a_person():
    reaction = react(platforms.Transient("503"), attempt=3, in_doubt=True)
    assert (reaction.state, reaction.reason, reaction.tells_people) == ("unconfirmed", "lookup_failed", True)
    # Before the last attempt it simply tries again (looking first, as every attempt in doubt does).
    assert react(platforms.Transient("503"), attempt=2, in_doubt=True).outcome == "retry"


def test_auth_revoked_holds_the_post_and_marks_the_account():
    reaction = react(platforms.AuthRevoked("token revoked"), attempt=2)
    assert (reaction.state, reaction.spends_attempt, reaction.account, reaction.outcome) == (
        "scheduled",
        False,
        reactions.NEEDS_REAUTH,
        "needs-reauth",
    )


def test_out_of_credits_fails_and_pauses_the_account():
    reaction = react(platforms.OutOfCredits("402"))
    assert (reaction.state, reaction.account, reaction.tells_people) == ("failed", reactions.PAUSE, True)


def test_rejected_fails_and_tells_people():
    reaction = react(platforms.Rejected("too long"))
    assert (reaction.state, reaction.reason, reaction.tells_people) == ("failed", "refused", True)
    assert react(platforms.PlatformError("no adapter")).reason == "refused"


def test_a_duplicate_is_looked_for_only_when_an_earlier_attempt_may_have_posted_it():
    duplicate = platforms.Rejected("duplicate", duplicate=True)
    assert react(duplicate, in_doubt=True).looks_first
    assert react(duplicate, in_doubt=False).reason == "refused"
    assert react(duplicate, in_doubt=True, can_look=False).reason == "refused"  # no adapter to look with


def test_a_narrower_error_takes_its_kinds_reaction():
    class Throttled(platforms.RateLimited):
        pass

    assert react(Throttled("slow", until=UNTIL)).outcome == "rate-limited"
