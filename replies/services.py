"""What is done to a reply: each person's action checks permission, acts on the platform, and is recorded (§7).

Every ReplyDecision is written here, by reply_decision_record(): the
person's actions below and the system's (listening hides and flags) alike.

Hide and show again: anyone who may post to the account. Delete and ban:
supervisors over the account, with a category and a reason. X offers no
block to this kind of app and lets an account delete only its own posts: a
ban on X is recorded, and the record says it must be done on X itself, at
the author's profile.
"""

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


def reply_hide(*, reply: Reply, by, category: str, reason: str = "") -> Reply:
    _check(access.can_moderate_replies(by, reply.account))
    if reply.state == Reply.State.DELETED:
        raise ModerationError(_("This reply was deleted."))
    if reply.state != Reply.State.HIDDEN:
        _on_platform(reply, lambda adapter: adapter.set_hidden(reply.external_id, True))
    return _record(reply, by=by, action=Action.HIDE, category=category, reason=reason, state=Reply.State.HIDDEN)


def reply_unhide(*, reply: Reply, by, reason: str = "") -> Reply:
    _check(access.can_moderate_replies(by, reply.account))
    if reply.state != Reply.State.HIDDEN:
        raise ModerationError(_("This reply is not hidden."))
    _on_platform(reply, lambda adapter: adapter.set_hidden(reply.external_id, False))
    return _record(reply, by=by, action=Action.UNHIDE, reason=reason, state=Reply.State.VISIBLE)


def reply_confirm(*, reply: Reply, by, category: str = "", reason: str = "") -> Reply:
    """A person agrees with what the system did (or that nothing needs doing)."""
    _check(access.can_moderate_replies(by, reply.account))
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
    """Facebook: the Page's blocked list. X: recorded only; a person blocks the author on X itself."""
    _check(access.can_remove_replies(by, reply.account))
    adapter_bans = platforms.capabilities_for(reply.account).block_author
    if adapter_bans:
        _on_platform(reply, lambda adapter: adapter.ban(reply.author_id))
        data = {"author_id": reply.author_id, "blocked_on_platform": True}
    else:
        data = {"author_id": reply.author_id, "blocked_on_platform": False, "block_on_x_at": reply.author_profile_url}
    return _record(reply, by=by, action=Action.BAN, category=category, reason=reason, data=data)
