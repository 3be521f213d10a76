"""Secrets never reach a log, at any level (docs/architecture.md, "Security").

At DEBUG, oauthlib logs the X consumer key and access token (its collected
parameters, the signature base string, URL-encoded twice there),
requests-oauthlib the Authorization header and its client's keys, and
urllib3 every URL, where facebook-sdk puts the Page token as access_token.
RedactSecrets rewrites a record's message (and its traceback) before any
handler sees it:

- every value the adapters register (remember()) and the X app's keys from the
  settings, as typed and URL-encoded once or twice;
- whatever follows a credential's name (oauth_token=, oauth_consumer_key,
  oauth_signature, access_token, resource_owner_key, client_key,
  Authorization: …), so a token the process never registered is hidden too.

configure() (settings.LOGGING_CONFIG) applies the logging settings and makes
every log record pass the filter as it is created, so every logger and every
handler — the console, a test's capture, one added later — gets the redacted
text.
"""

import logging
import logging.config
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
_MINIMUM = 6  # shorter values would redact ordinary words
_lock = threading.Lock()
_secrets: set[str] = set()
_variants: list[str] = []

_NAMES = (
    r"oauth_consumer_key|oauth_token|oauth_signature|oauth_verifier|oauth_token_secret|access_token"
    r"|access_token_secret|consumer_key|consumer_secret|client_secret|appsecret_proof|input_token"
    r"|resource_owner_key|resource_owner_secret|client_key|page_access_token|api_key|api_secret"
    r"|fb_exchange_token|request_token|request_token_secret|verifier|pin"
)
# name, then = (raw or URL-encoded once or twice), or a quoted key and value (dicts, tuples, JSON, headers).
_BY_NAME = re.compile(
    rf"(?i)(\b(?:{_NAMES})(?:%253D|%3D|=\s*\"?|[\"']\s*[:,]\s*[\"']|[\"']?\s*:\s*[\"']))"
    r"(.+?)(?=%2526|%26|%2522|%22|[&\s\"',)>;]|$)"
)
# The header's value runs to the end of the line or its closing single quote (a dict's repr);
# OAuth header values hold double quotes of their own.
# Names too ordinary to redact everywhere ("code=190" is a Graph error code in a log line): hidden
# only as a URL's query parameter, where the sign-in callbacks carry them (Facebook's code, X's denied).
_QUERY_NAMES = re.compile(r"(?i)([?&](?:code|denied|state)(?:=|%3D))([^&\s\"'#]+)")
_AUTHORIZATION = re.compile(r"(?i)(\bauthorization[\"']?\s*[:=]\s*'?)([^'\n]+)")


def remember(*values: str | None) -> None:
    """Register secret values (tokens, keys) to be hidden wherever they appear."""
    with _lock:
        for value in values:
            if value and len(value) >= _MINIMUM and value not in _secrets:
                _secrets.add(value)
                forms = {value, quote(value, safe=""), quote_plus(value), quote(quote(value, safe=""), safe="")}
                _variants.extend(forms)
                _variants.sort(key=len, reverse=True)  # longest first: an encoded form before its parts


def redact(text: str) -> str:
    for value in list(_variants):
        if value in text:
            text = text.replace(value, REDACTED)
    text = _AUTHORIZATION.sub(lambda m: m.group(1) + REDACTED, text)
    text = _QUERY_NAMES.sub(lambda m: m.group(1) + REDACTED, text)
    return _BY_NAME.sub(lambda m: m.group(1) + REDACTED, text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_immisns_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error handling
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._immisns_redacted = True
        return True


_FILTER = RedactSecrets()


class _RedactingRecordFactory:
    """Wraps the record factory in place: every record is redacted as it is made."""

    # Read by _install_record_factory so a second configure() does not wrap the factory twice.
    redacts_secrets = True

    def __init__(self, previous: Callable[..., logging.LogRecord]) -> None:
        self.previous = previous

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        _FILTER.filter(record)
        return record


def _install_record_factory() -> None:
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacts_secrets", False):
        return
    logging.setLogRecordFactory(_RedactingRecordFactory(previous))


def configure(logging_settings: dict) -> None:
    """settings.LOGGING_CONFIG: dictConfig, then redaction for every record of every logger."""
    from django.conf import settings

    remember(
        getattr(settings, "X_API_KEY", ""),
        getattr(settings, "X_API_SECRET", ""),
        getattr(settings, "FACEBOOK_APP_SECRET", ""),
    )
    if logging_settings:
        logging.config.dictConfig(logging_settings)
    _install_record_factory()
