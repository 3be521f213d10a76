"""What is done to a reply: each person's action checks permission, acts on the platform, and is recorded (§7).

Every ReplyDecision is written here, by reply_decision_record(): the
person's actions below and the system's (listening hides and flags) alike.

Hide and show again: anyone who may post to the account. Delete and ban:
supervisors over the account, with a category and a reason. X offers no
block to this kind of app and lets an account delete only its own posts: a
ban on X hides the reply on X where X allows it (only in conversations the
account started, up to the platform's limit per conversation), is recorded
with what was and was not done, and keeps the reply waiting until a person
records that the author was blocked on X itself (author_block_done_on_x).

Bulk actions (replies_bulk) call the same one-reply actions one by one: each
reply gets its own decision row or its own refusal, never half of one.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import access, platforms
from accounts import services as account_services
from replies.models import Reply, ReplyDecision

Action = ReplyDecision.Action


class ModerationError(Exception):
    """The platform refused or could not be reached; ``message`` says so in the reader's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _on_platform(reply: Reply, call) -> None:
    try:
        call(platforms.adapter_for(reply.account))
    except platforms.AuthRevoked as exc:
        account_services.account_mark_needs_reauth(account=reply.account, reason=exc.message)
        raise ModerationError(
            _("The account's authorisation was revoked; an administrator must renew it. (%(error)s)")
            % {"error": exc.message}
        ) from exc
    except platforms.RateLimited as exc:
        raise ModerationError(
            _("The platform asks us to wait until %(until)s. Try again then.") % {"until": exc.until.strftime("%H:%M")}
        ) from exc
    except platforms.PlatformError as exc:
        raise ModerationError(_("The platform refused: %(error)s") % {"error": exc.message}) from exc


def reply_decision_record(
    *,
    reply: Reply,
    by=None,
    action: str,
    category: str = "",
    reason: str = "",
    rule: str = "",
    data: dict | None = None,
) -> ReplyDecision:
    """Append one decision on ``reply`` to its log; ``by`` is the person, None for the system (with its ``rule``).

    The one writer of ReplyDecision rows (tests/replies/test_decisions_writer.py
    holds every other module to it). It changes nothing on the reply itself:
    the caller does that in the same transaction.
    """
    return ReplyDecision.objects.create(
        reply=reply, actor=by, action=action, category=category, reason=reason, rule=rule, data=data or {}
    )


@transaction.atomic
def _record(
    reply: Reply, *, by, action: str, category: str = "", reason: str = "", data: dict | None = None, **fields
) -> Reply:
    locked = Reply.objects.select_for_update().get(pk=reply.pk)
    for name, value in {"needs_review": False, **fields}.items():
        setattr(locked, name, value)
    if category:
        locked.category = category
    locked.save()
    reply_decision_record(
        reply=locked, by=by, action=action, category=category or locked.category, reason=reason, data=data
    )
    return locked


def _check(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _hide_on_platform(reply: Reply) -> None:
    """Hide the reply on the platform, first refusing what the platform documents it would refuse."""
    limit = platforms.capabilities_for(reply.account).hidden_per_conversation
    if limit is not None and reply.conversation_id:
        hidden = Reply.objects.filter(
            account_id=reply.account_id, conversation_id=reply.conversation_id, state=Reply.State.HIDDEN
        ).count()
        if hidden >= limit:
            raise ModerationError(
                _("The platform hides at most %(limit)s replies in one conversation; this one has reached it.")
                % {"limit": limit}
            )
    _on_platform(reply, lambda adapter: adapter.set_hidden(reply.external_id, True))


def reply_hide(*, reply: Reply, by, category: str, reason: str = "") -> Reply:
    _check(access.can_moderate_replies(by, reply.account))
    if reply.state == Reply.State.DELETED:
        raise ModerationError(_("This reply was deleted."))
    if reply.state != Reply.State.HIDDEN:
        _hide_on_platform(reply)
    return _record(reply, by=by, action=Action.HIDE, category=category, reason=reason, state=Reply.State.HIDDEN)


def reply_unhide(*, reply: Reply, by, reason: str = "") -> Reply:
    _check(access.can_moderate_replies(by, reply.account))
    if reply.state != Reply.State.HIDDEN:
        raise ModerationError(_("This reply is not hidden."))
    _on_platform(reply, lambda adapter: adapter.set_hidden(reply.external_id, False))
    return _record(reply, by=by, action=Action.UNHIDE, reason=reason, state=Reply.State.VISIBLE)


def reply_confirm(*, reply: Reply, by, category: str = "", reason: str = "") -> Reply:
    """A person agrees with what the system did (or that nothing needs doing); not while a block on X waits."""
    _check(access.can_moderate_replies(by, reply.account))
    if block_pending_on_x(reply):
        raise ModerationError(_("A block on X is still to be done: record it once done on X."))
    return _record(reply, by=by, action=Action.CONFIRM, category=category, reason=reason)


def reply_delete(*, reply: Reply, by, category: str, reason: str) -> Reply:
    _check(access.can_remove_replies(by, reply.account))
    if reply.state == Reply.State.DELETED:
        raise ModerationError(_("This reply was already deleted."))
    if not platforms.capabilities_for(reply.account).delete_reply:
        raise ModerationError(_("X lets an account delete only its own posts; hide the reply instead."))
    _on_platform(reply, lambda adapter: adapter.delete_reply(reply.external_id))
    return _record(reply, by=by, action=Action.DELETE, category=category, reason=reason, state=Reply.State.DELETED)


def author_ban(*, reply: Reply, by, category: str, reason: str) -> Reply:
    """Facebook: the Page's blocked list. X: the reply hidden where X allows, and a block to do on X itself.

    On X the ban is recorded even when X refuses to hide the reply (a
    conversation the account did not start, the per-conversation limit, the
    rate limit): the record says what was refused, and the reply stays
    waiting until a person records the block done on X.
    """
    _check(access.can_remove_replies(by, reply.account))
    capabilities = platforms.capabilities_for(reply.account)
    if capabilities.block_author:
        _on_platform(reply, lambda adapter: adapter.ban(reply.author_id))
        data = {"author_id": reply.author_id, "blocked_on_platform": True}
        return _record(reply, by=by, action=Action.BAN, category=category, reason=reason, data=data)
    data = {"author_id": reply.author_id, "blocked_on_platform": False, "block_on_x_at": reply.author_profile_url}
    state = reply.state
    if state == Reply.State.VISIBLE and capabilities.hide_reply:
        try:
            _hide_on_platform(reply)
            state = Reply.State.HIDDEN
        except ModerationError as exc:
            data["hide_refused"] = exc.message[:300]
    data["hidden_on_platform"] = state == Reply.State.HIDDEN
    return _record(
        reply, by=by, action=Action.BAN, category=category, reason=reason, data=data, state=state, needs_review=True
    )


def block_pending_on_x(reply: Reply) -> str:
    """The profile where a recorded ban must still be carried out by hand, "" when none is pending.

    Reads the reply's decisions (prefetch them for a page): the last ban that
    asked for a block on X, unless a later record says the block was done.
    """
    pending = ""
    for decision in reply.decisions.all():
        if decision.action == Action.BAN and decision.data.get("block_on_x_at"):
            pending = decision.data["block_on_x_at"]
        elif decision.data.get("blocked_on_x"):
            pending = ""
    return pending


def author_block_done_on_x(*, reply: Reply, by, reason: str = "") -> Reply:
    """A supervisor records that the author was blocked on X itself: the reply leaves the waiting list."""
    _check(access.can_remove_replies(by, reply.account))
    if not block_pending_on_x(reply):
        raise ModerationError(_("No block on X is waiting for this reply."))
    data = {"author_id": reply.author_id, "blocked_on_x": True}
    return _record(reply, by=by, action=Action.CONFIRM, reason=reason, data=data)


# --- Several replies at once ----------------------------------------------------------------------

BULK_MOST = 100  # replies in one bulk action: two queue pages


@dataclass(frozen=True)
class BulkOutcome:
    reply: Reply
    done: bool
    message: str = ""  # why not, in the reader's language


def replies_bulk(*, replies: list[Reply], by, action: str, category: str, reason: str = "") -> list[BulkOutcome]:
    """Hide, confirm or delete each reply through its own action; a refusal is that reply's alone.

    Each reply's platform call and its decision row stand on their own (the
    one-reply actions are atomic per reply): a platform refusing the third
    leaves the first two done and recorded, and the third unrecorded.
    """
    actions: dict[str, Callable[[Reply], Reply]] = {
        Action.HIDE: lambda reply: reply_hide(reply=reply, by=by, category=category, reason=reason),
        Action.CONFIRM: lambda reply: reply_confirm(reply=reply, by=by, category=category, reason=reason),
        Action.DELETE: lambda reply: reply_delete(reply=reply, by=by, category=category, reason=reason),
    }
    act = actions[action]
    outcomes = []
    for reply in replies[:BULK_MOST]:
        try:
            outcomes.append(BulkOutcome(reply=act(reply), done=True))
        except ModerationError as exc:
            outcomes.append(BulkOutcome(reply=reply, done=False, message=exc.message))
        except PermissionDenied:
            outcomes.append(BulkOutcome(reply=reply, done=False, message=_("You may not do this to this reply.")))
    return outcomes
