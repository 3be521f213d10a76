"""What the engine does when the platform answers a send with an error: one table, as data.

The adapters turn every library failure into one of the error kinds of
accounts/platforms/base.py. When a send fails that way before anything went
out (the platform refused, or could not be reached before the post's
request), REACTIONS says, for each kind, where the target goes, whether it
tries again and when, whether the attempt counts, what happens to the
account, and who is told. posts.publishing.record applies a reaction;
posts.publishing.send chooses it with reaction_to().

A send that may have gone out (a timeout or a 5xx after the post's request
left) is not here: it is in doubt, and the engine looks before it does
anything else (send._uncertain, send._look_before_sending).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace

from django.conf import settings

from accounts import platforms
from posts.models import PostEvent, PostTarget

TState = PostTarget.State
Action = PostEvent.Action

# When a target that waits goes again.
KEEP_TIME = "keep"  # its own due time (the account's state holds it meanwhile)
AT_RESET = "at_reset"  # the moment the platform named (RateLimited.until)
AFTER_BACKOFF = "after_backoff"  # exponential backoff with jitter (_backoff)

# What happens to the account (and its people are told: notifications.account_needs_attention).
NEEDS_REAUTH = "needs_reauth"  # its posts wait for new credentials; the other accounts carry on
PAUSE = "pause"  # paused by the system until an administrator resumes it


@dataclass(frozen=True)
class Reaction:
    """What the engine does about one send that failed with one error kind, nothing having gone out."""

    action: str  # the event recorded (PostEvent.Action)
    reason: str  # the event's reason, which posts.history words for people
    state: str  # where the target goes: back to scheduled (it waits), failed, or unconfirmed
    outcome: str  # what the publish task reports for it
    due: str = KEEP_TIME  # when a target that waits goes again
    spends_attempt: bool = True  # False: the attempt is given back (the platform asked us to wait)
    keeps_error: bool = False  # the platform's message is kept on the target (last_error)
    tells_people: bool = False  # the author and supervisors are told, and the post page says why
    account: str = ""  # NEEDS_REAUTH or PAUSE: what happens to the account
    names_attempts: bool = False  # the event says how many attempts were made
    only_this_claim: bool = True  # recorded only while the claim is still this worker's
    # Instead of this reaction, when every attempt has been made (PUBLISHING_MAX_ATTEMPTS).
    last_attempt: Reaction | None = None
    # Instead of this reaction, when an earlier attempt may already be on the platform.
    in_doubt: Reaction | None = None
    # Look for the text on the platform first (found: published), as a stale target is reconciled.
    looks_first: bool = False


# An earlier attempt may be on the platform and no one can tell: a person decides (§3), never a failure.
ASK_A_PERSON = Reaction(
    action=Action.UNCONFIRMED,
    reason="lookup_failed",
    state=TState.UNCONFIRMED,
    outcome="unconfirmed",
    keeps_error=True,
    tells_people=True,
    only_this_claim=False,
)
# The platform said the same text was just posted, and an earlier attempt may have posted it: look for it.
LOOK_FOR_IT = Reaction(
    action=Action.RECONCILE,
    reason="found",
    state=TState.PUBLISHED,
    outcome="reconciled",
    looks_first=True,
)
GAVE_UP = Reaction(
    action=Action.FAIL,
    reason="gave_up",
    state=TState.FAILED,
    outcome="failed",
    keeps_error=True,
    tells_people=True,
    names_attempts=True,
    in_doubt=ASK_A_PERSON,
)
REFUSED = Reaction(
    action=Action.FAIL,
    reason="refused",
    state=TState.FAILED,
    outcome="failed",
    keeps_error=True,
    tells_people=True,
)

# The table. An error kind not named here (PlatformError itself) is refused.
REACTIONS: dict[type[platforms.PlatformError], Reaction] = {
    # §4: wait for the reset the platform names; the attempt is not counted.
    platforms.RateLimited: Reaction(
        action=Action.DEFER,
        reason="rate_limited",
        state=TState.SCHEDULED,
        outcome="rate-limited",
        due=AT_RESET,
        spends_attempt=False,
    ),
    # Nothing that creates a post left (an image upload or the connection failed first): try again later.
    platforms.Transient: Reaction(
        action=Action.RETRY,
        reason="transient",
        state=TState.SCHEDULED,
        outcome="retry",
        due=AFTER_BACKOFF,
        keeps_error=True,
        last_attempt=GAVE_UP,
    ),
    # The account needs new credentials; its posts wait, the other accounts carry on.
    platforms.AuthRevoked: Reaction(
        action=Action.DEFER,
        reason="auth_revoked",
        state=TState.SCHEDULED,
        outcome="needs-reauth",
        spends_attempt=False,
        keeps_error=True,
        account=NEEDS_REAUTH,
    ),
    platforms.OutOfCredits: Reaction(
        action=Action.FAIL,
        reason="out_of_credits",
        state=TState.FAILED,
        outcome="failed",
        keeps_error=True,
        tells_people=True,
        account=PAUSE,
    ),
    platforms.Rejected: REFUSED,
    platforms.PlatformError: REFUSED,
}
# A refusal of a duplicate text is its own kind: it may be our own earlier attempt.
DUPLICATE = replace(REFUSED, in_doubt=LOOK_FOR_IT)


def reaction_to(exc: platforms.PlatformError, *, attempt: int, in_doubt: bool, can_look: bool = True) -> Reaction:
    """The reaction to `exc` for the `attempt`-th attempt of a claim (in doubt: an earlier one may be out).

    `can_look` is False when there is no adapter to look on the platform with.
    """
    if isinstance(exc, platforms.Rejected) and exc.duplicate:
        reaction = DUPLICATE
    else:
        reaction = next(REACTIONS[kind] for kind in type(exc).__mro__ if kind in REACTIONS)
    if reaction.last_attempt is not None and attempt >= settings.PUBLISHING_MAX_ATTEMPTS:
        reaction = reaction.last_attempt
    if in_doubt and reaction.in_doubt is not None and (can_look or not reaction.in_doubt.looks_first):
        reaction = reaction.in_doubt
    return reaction


def _backoff(attempt: int) -> dt.timedelta:
    # Exponential with full jitter, so a platform outage does not get every worker back at once.
    ceiling = settings.PUBLISHING_BACKOFF_SECONDS * (2 ** (attempt - 1))
    return dt.timedelta(seconds=random.uniform(ceiling / 2, ceiling))
