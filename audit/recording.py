"""Writing the audit records: model signals for the settings people change, auth signals for sign-ins.

Memberships, office hours, closure days and SNS accounts are recorded on every
save and delete, wherever it comes from (the admin and its inlines, the shell,
a service), with the fields before and after as data. The person is the
request's (audit.middleware); outside a request it is empty. An account's
state (pause, resume, re-authorisation) is left out here: AccountStateChange
records it with its reason. Credentials are never copied, only whether they
changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple

from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_save

from accounts.models import ClosureDay, Membership, OfficeHours, SocialAccount
from audit.middleware import current_actor
from audit.models import AuditEvent


def _value(value):
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _membership(row: Membership) -> dict:
    return {
        "user_id": row.user_id,
        "user": row.user.get_username() if row.user_id else "",
        "office_id": row.office_id,
        "role": row.role,
    }


def _office_hours(row: OfficeHours) -> dict:
    return {
        "office_id": row.office_id,
        "weekday": row.weekday,
        "opens": _value(row.opens),
        "closes": _value(row.closes),
    }


def _closure_day(row: ClosureDay) -> dict:
    return {"office_id": row.office_id, "date": _value(row.date), "reason": row.reason}


ACCOUNT_FIELDS = ("platform", "handle", "display_name", "office_id", "publisher", "platform_id", "sort_order")


def _social_account(row: SocialAccount) -> dict:
    fields = {name: getattr(row, name) for name in ACCOUNT_FIELDS}
    # Whether credentials are set, never what they are; a change shows as a new update time.
    fields["credentials_set"] = bool(row.credentials_encrypted)
    fields["credentials_updated_at"] = row.credentials_updated_at.isoformat() if row.credentials_updated_at else None
    return fields


class Tracked(NamedTuple):
    """How the changes of one model are recorded."""

    object_type: str
    fields: Callable[[Any], dict]  # the row's fields as data
    office_of: Callable[[Any], int | None]
    account_of: Callable[[Any], int | None]
    watched: set[str]  # the fields whose save matters


TRACKED: dict[type[Model], Tracked] = {
    Membership: Tracked(
        "membership", _membership, lambda row: row.office_id, lambda row: None, {"user", "office", "role"}
    ),
    OfficeHours: Tracked(
        "office_hours",
        _office_hours,
        lambda row: row.office_id,
        lambda row: None,
        {"office", "weekday", "opens", "closes"},
    ),
    ClosureDay: Tracked(
        "closure_day",
        _closure_day,
        lambda row: row.office_id,
        lambda row: None,
        {"office", "date", "reason"},
    ),
    SocialAccount: Tracked(
        "social_account",
        _social_account,
        lambda row: row.office_id,
        lambda row: row.pk,
        {*ACCOUNT_FIELDS, "office", "credentials_encrypted", "credentials_updated_at"},
    ),
}


def event_record(
    *,
    kind: str,
    actor=None,
    object_type: str = "",
    object_id=None,
    office_id=None,
    account_id=None,
    before=None,
    after=None,
    data: dict | None = None,
) -> AuditEvent:
    """The one way an audit record is written."""
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        object_type=object_type,
        object_id=object_id,
        office_id=office_id,
        account_id=account_id,
        before=before,
        after=after,
        data=data or {},
    )


def _remember_before(sender, instance, raw=False, update_fields=None, **kwargs):
    tracked = TRACKED[sender]
    instance._audit_before = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not tracked.watched & set(update_fields):
        instance._audit_skip = True  # e.g. the engine moving an account's state: recorded elsewhere
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = tracked.fields(old) if old is not None else None


def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw or getattr(instance, "_audit_skip", False):
        instance._audit_skip = False
        return
    object_type, fields, office_of, account_of, _watched = TRACKED[sender]
    before = None if created else getattr(instance, "_audit_before", None)
    after = fields(instance)
    if not created and before == after:
        return  # saved without a change worth recording
    event_record(
        kind=f"{object_type}.{'added' if created or before is None else 'changed'}",
        actor=current_actor(),
        object_type=object_type,
        object_id=instance.pk,
        office_id=office_of(instance),
        account_id=account_of(instance),
        before=before,
        after=after,
    )


def _record_delete(sender, instance, **kwargs):
    object_type, fields, office_of, account_of, _watched = TRACKED[sender]
    event_record(
        kind=f"{object_type}.removed",
        actor=current_actor(),
        object_type=object_type,
        object_id=instance.pk,
        office_id=office_of(instance),
        account_id=account_of(instance),
        before=fields(instance),
        after=None,
    )


def _user_of(request, user=None):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _logged_in(sender, request, user, **kwargs):
    event_record(kind="login.succeeded", actor=user, object_type="user", object_id=user.pk)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        event_record(kind="login.signed_out", actor=user, object_type="user", object_id=user.pk)


def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the name typed is kept.
    typed = str(credentials.get("username") or credentials.get("email") or credentials.get("login") or "")[:150]
    event_record(kind="login.failed", data={"username": typed})


def _mfa(kind: str):
    def receiver(sender, request, user, authenticator, **kwargs):
        actor = _user_of(request, getattr(request, "user", None)) or user
        event_record(
            kind=kind,
            actor=actor,
            object_type="user",
            object_id=user.pk,
            data={"user_id": user.pk, "user": user.get_username(), "authenticator": authenticator.type},
        )

    return receiver


_added, _removed, _reset = _mfa("mfa.added"), _mfa("mfa.removed"), _mfa("mfa.reset")


def connect() -> None:
    for model in TRACKED:
        pre_save.connect(_remember_before, sender=model, dispatch_uid=f"audit-before-{model.__name__}")
        post_save.connect(_record_save, sender=model, dispatch_uid=f"audit-save-{model.__name__}")
        post_delete.connect(_record_delete, sender=model, dispatch_uid=f"audit-delete-{model.__name__}")
    auth_signals.user_logged_in.connect(_logged_in, dispatch_uid="audit-logged-in")
    auth_signals.user_logged_out.connect(_logged_out, dispatch_uid="audit-logged-out")
    auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="audit-login-failed")
    mfa_signals.authenticator_added.connect(_added, dispatch_uid="audit-mfa-added")
    mfa_signals.authenticator_removed.connect(_removed, dispatch_uid="audit-mfa-removed")
    mfa_signals.authenticator_reset.connect(_reset, dispatch_uid="audit-mfa-reset")
