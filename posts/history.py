"""A post's history in words: system messages rendered from event data in the reader's language.

The engine and the services record what happened as data (PostEvent.data, and
PostTarget.problem for a target's current trouble): the reason kind, the
attempt, the platform's error and code, the URL, the footer version. Only
here does that become a sentence, at the moment someone reads it, so a
supervisor reading in English sees English whatever language the worker ran in.
People's own words (PostEvent.comment) are shown as they wrote them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checks import checks
from posts.models import PostEvent, PostTarget
from posts.readiness import Problem

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Action = PostEvent.Action


def _when(value: str | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, dt.datetime):
        return str(value or "")
    return timezone.localtime(moment).strftime(fmt)


def _problems(data: dict) -> str:
    return "; ".join(Problem.from_data(item).message for item in data.get("problems", []))


# The system's sentences by (action, reason). Lazy, so that only the one an event needs is translated: an
# export renders a million events, most of which (created, submitted, approved) have no sentence at all.
MESSAGES: dict[tuple[str, str], StrOrPromise] = {
    (Action.DEFER, "outside_hours"): gettext_lazy("Outside office hours now; deferred to %(until)s."),
    (Action.DEFER, "rate_limited"): gettext_lazy("Rate limited by the platform until %(until)s."),
    (Action.DEFER, "account_paused"): gettext_lazy(
        "%(account)s is paused: held until the account is resumed, then published."
    ),
    (Action.DEFER, "account_needs_reauth"): gettext_lazy(
        "%(account)s needs re-authorisation: held until an administrator authorises the account again, then published."
    ),
    (Action.DEFER, "auth_revoked"): gettext_lazy(
        "The account's authorisation was revoked (%(error)s); waiting until it is re-authorised."
    ),
    (Action.FAIL, "checks"): gettext_lazy("The post no longer passes the checks: %(problems)s"),
    (Action.FAIL, "gave_up"): gettext_lazy("Gave up after %(attempts)d attempts: %(error)s"),
    (Action.FAIL, "refused"): gettext_lazy("The platform refused the post: %(error)s"),
    (Action.FAIL, "out_of_credits"): gettext_lazy(
        "The platform refused the post for lack of credits; the account is paused: %(error)s"
    ),
    (Action.FAIL, "no_office_hours"): gettext_lazy("The account's office has no office hours to publish in: %(error)s"),
    (Action.RETRY, "transient"): gettext_lazy("Temporary failure (%(error)s); next attempt at %(retry_at)s."),
    (Action.RETRY, "person"): gettext_lazy("Retried by a person."),
    (Action.RETRY, "person_checked"): gettext_lazy("A person checked the platform and chose to publish again."),
    (Action.UNCONFIRMED, "unexpected"): gettext_lazy(
        "Unexpected error; the post may or may not have gone out: %(error)s"
    ),
    (Action.UNCONFIRMED, "not_found"): gettext_lazy(
        "The outcome of the attempt is unknown and the post was not found among the account's recent posts%(lookup)s. Decide whether to publish it again or record it as published."
    ),
    (Action.UNCONFIRMED, "lookup_failed"): gettext_lazy(
        "An earlier attempt may have gone out, and the platform could not be searched for it (%(error)s). Check the account on the platform, then record the post as published or publish it again."
    ),
    (Action.DEFER, "lookup_rate_limited"): gettext_lazy(
        "An earlier attempt may have gone out; searching for it was rate limited until %(until)s, then it is searched again."
    ),
    (Action.RETRY, "lookup_transient"): gettext_lazy(
        "An earlier attempt may have gone out; searching for it failed (%(error)s) and is tried again at %(retry_at)s."
    ),
    (Action.RETRY, "never_sent"): gettext_lazy(
        "The worker stopped before the request left; the post goes out with the next sweep."
    ),
    (Action.FAIL, "unexpected_before_sending"): gettext_lazy("Unexpected error before anything was sent: %(error)s"),
    (Action.WITHDRAW, "delete_uncertain"): gettext_lazy(
        "The platform did not answer the withdrawal (%(error)s); the post may or may not still be there. Check the account on the platform."
    ),
    (Action.WITHDRAW, "requested"): gettext_lazy(
        "Withdrawal requested; its outcome is not recorded yet. If this stays, check on the platform whether the post is still there."
    ),
    (Action.UNCONFIRMED, "no_adapter"): gettext_lazy(
        "The outcome of the attempt is unknown and the platform could not be asked: %(error)s"
    ),
    (Action.RECONCILE, "found_after_uncertain"): gettext_lazy(
        "Found on the platform after an uncertain attempt: %(url)s"
    ),
    (Action.RECONCILE, "found"): gettext_lazy("Found on the platform: %(url)s"),
    (Action.RECONCILE, "person"): gettext_lazy("Recorded as published by a person. %(url)s"),
    (Action.WITHDRAW, "delete_failed"): gettext_lazy("Withdrawal failed; the post is still published: %(error)s"),
}


def describe(action: str, data: dict) -> str:
    """The system's part of an event (or of a target's problem) as one sentence; "" when it has none."""
    reason = data.get("reason", "")
    error = data.get("error", "")
    if reason == "legacy":
        return data.get("text", "")  # written before history was data, in the language of its time
    if action == Action.CLAIM:
        if data.get("footer_version"):
            return _("Attempt %(attempt)d, with footer version %(version)s.") % {
                "attempt": data.get("attempt", 0),
                "version": data["footer_version"],
            }
        return _("Attempt %(attempt)d.") % {"attempt": data.get("attempt", 0)}
    if action == Action.PUBLISH:
        return data.get("url", "")
    if action == Action.EDIT and (data.get("voided_approval_of") or data.get("time_to")):
        parts = []
        if data.get("time_to"):
            parts.append(
                _("Moved from %(from)s to %(to)s JST.")
                % {
                    "from": _when(data.get("time_from"), "%Y-%m-%d %H:%M"),
                    "to": _when(data["time_to"], "%Y-%m-%d %H:%M"),
                }
            )
        if data.get("reason_dropped"):
            parts.append(_("The outside-hours reason was removed: the new time is within counter hours."))
        if data.get("voided_approval_of"):
            parts.append(
                _("The approval by %(name)s is void: the post was edited after approval.")
                % {"name": data["voided_approval_of"]}
            )
        return " ".join(parts)
    if action == Action.APPROVE and data.get("outside_hours_reason"):
        return _("Approved for outside office hours: %(reason)s") % {"reason": data["outside_hours_reason"]}
    if action == Action.WARNING:
        return _("%(account)s: %(message)s «%(excerpt)s»") % {
            "account": data.get("account", ""),
            "message": checks.finding_message(data.get("kind", ""), data.get("excerpt", "")),
            "excerpt": data.get("excerpt", ""),
        }
    template = MESSAGES.get((action, reason))
    if template is None:
        return ""
    lookup_error = data.get("lookup_error", "")
    return (
        str(template)
        % {
            "until": _when(data.get("until")),
            "retry_at": _when(data.get("retry_at"), "%H:%M:%S"),
            "error": error,
            "attempts": data.get("attempts", 0),
            "url": data.get("url", ""),
            "problems": _problems(data),
            "lookup": f" ({lookup_error})" if lookup_error else "",
            "account": data.get("account", ""),
        }
    ).strip()


def event_message(event: PostEvent) -> str:
    return describe(event.action, event.data)


def target_held(target: PostTarget) -> str:
    """Why a scheduled target waits on its account (paused, needs re-authorisation); "" when it does not."""
    reason = target.held_by_account
    if not reason:
        return ""
    return describe(Action.DEFER, {"reason": reason, "account": target.account.display_handle})


def target_problem(target: PostTarget) -> str:
    """Why a target is failed or in doubt, in the reader's language (its platform error if no more is known)."""
    if target.problem:
        return describe(target.problem.get("action", ""), target.problem) or target.last_error
    return target.last_error
