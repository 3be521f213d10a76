"""allauth's adapters: nobody signs up; sign-in limits that name the wait; codes refused with the reason.

Library facts relied on (allauth 65, read from the installed source):
- ``DefaultAccountAdapter.pre_authenticate`` consumes the ``login_failed``
  rate of ``ACCOUNT_RATE_LIMITS`` per address (``ip``) and per login name
  (``key`` = "<site>:<login>"), raising ``too_many_login_attempts`` when either
  is used up; each rate keeps, in the cache, the times of the attempts within
  its window, newest first (``allauth.core.internal.ratelimit``).
- ``is_reauthentication_required(app=…)`` is asked before a second factor is
  added (``raise_if_reauthentication_required``); only a "reauthenticated"
  record counts there, so a password typed at sign-in a minute ago did not.
- A TOTP code is refused as ``incorrect_code`` when wrong *or* when it was
  already used (``TOTP._mark_code_used``: one use per 30-second window).
"""

from __future__ import annotations

import datetime as dt
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core.internal import ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from django import forms
from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

LOGIN_FAILED = "login_failed"


def sign_in_free_at(request, *, key: str) -> tuple[dt.datetime, str] | None:
    """When the first used-up ``login_failed`` rate frees a try, and whether it counts the name or the address."""
    now = time.time()
    latest: tuple[float, str] | None = None
    for rate in ratelimit.get_rates(app="allauth.account", action=LOGIN_FAILED):
        cache_key = ratelimit.get_cache_key(request, app="allauth.account", action=LOGIN_FAILED, rate=rate, key=key)
        history = [at for at in cache.get(cache_key, []) if at > now - rate.duration]
        if len(history) >= rate.amount:
            # The oldest attempt still counted leaves the window first.
            free = history[rate.amount - 1] + rate.duration
            if latest is None or free > latest[0]:
                latest = (free, rate.per)
    if latest is None:
        return None
    return dt.datetime.fromtimestamp(latest[0], tz=dt.UTC), latest[1]


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """Administrators create people in the admin; nobody signs up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError:
            key = self._get_login_attempts_cache_key(request, **credentials)
            raise forms.ValidationError(too_many_message(sign_in_free_at(request, key=key)), code="too_many") from None

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # The password typed at sign-in a moment ago is as good as typing it again (no unexplained second prompt).
        if self.request is not None and _password_entered_recently(self.request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)


def too_many_message(free: tuple[dt.datetime, str] | None) -> str:
    if free is None:
        return gettext("Too many failed sign-ins. Try again in a few minutes.")
    at, per = free
    minutes = max(1, round((at - timezone.now()).total_seconds() / 60 + 0.49))
    values = {"time": time_format(timezone.localtime(at), "H:i"), "minutes": minutes}
    if per == "ip":
        return (
            gettext("Too many failed sign-ins from this network address. Try again at %(time)s (in %(minutes)s min).")
            % values
        )
    return gettext("Too many wrong passwords for this login name. Try again at %(time)s (in %(minutes)s min).") % values


def _password_entered_recently(request) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    now = time.time()
    return any(
        record.get("method") == "password" and now - record.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT
        for record in get_authentication_records(request, user)
    )


class SecondFactorAdapter(DefaultMFAAdapter):
    """A refused code says why: a code is used once, and a new one comes every 30 seconds."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _(
            "This code is wrong or was already used. Wait for the next code in your authenticator app "
            "(a new one every 30 seconds) and enter it."
        ),
    }
