"""Secrets never reach a log: every publisher call at DEBUG, through the real tweepy and facebook-sdk.

The platforms are faked at the requests layer (tests/fakes/platforms.py), so
oauthlib signs, requests-oauthlib builds headers and tweepy and facebook-sdk
log exactly as in production. urllib3 is not reached behind the fakes; its
record is reproduced in the form urllib3 writes it.
"""

import logging
from urllib.parse import quote, quote_plus

import pytest

from accounts.platforms import MediaItem, PlatformError
from accounts.platforms.facebook import FacebookAdapter
from accounts.platforms.x import XAdapter
from immisns import log_redaction
from tests.fakes import fake_platforms

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Everything(logging.Handler):
    """A handler with no filter of its own, as a test capture or an error tracker would be."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(logging.Formatter("%(name)s %(message)s").format(record))


@pytest.fixture
def debug_log():
    root = logging.getLogger()
    handler, level = Everything(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in ("urllib3", "oauthlib", "requests_oauthlib", "tweepy", "facebook", "requests"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def forms(value: str) -> set[str]:
    return {value, quote(value, safe=""), quote_plus(value), quote(quote(value, safe=""), safe="")}


def assert_nothing_secret(lines: list[str], secrets: list[str]) -> None:
    text = "\n".join(lines)
    for secret in secrets:
        for form in forms(secret):
            assert form not in text, f"{form!r} reached the log"


def x_calls(adapter: XAdapter):
    result = adapter.publish("在留手続のお知らせ")
    adapter.find_recent("在留手続のお知らせ")
    adapter.delete(result.external_id)
    adapter.publish("画像つき", [MediaItem(data=PNG, mime_type="image/png", alt_text="窓口")])


def fb_calls(adapter: FacebookAdapter):
    result = adapter.publish("在留手続のお知らせ")
    adapter.find_recent("在留手続のお知らせ")
    adapter.delete(result.external_id)
    adapter.publish("画像つき", [MediaItem(data=PNG, mime_type="image/png", alt_text="窓口")])


def test_the_settings_install_the_filter_for_every_record():
    import django  # noqa: F401 - settings are configured by pytest-django
    from django.conf import settings

    assert settings.LOGGING_CONFIG == "immisns.log_redaction.configure"
    assert getattr(logging.getLogRecordFactory(), "redacts_secrets", False)


def test_every_x_call_at_debug_keeps_the_keys_and_tokens_out(debug_log):
    with fake_platforms() as (x, _graph):
        x_calls(XAdapter(**x.credentials))
        secrets = [x.api_key, x.api_secret, x.access_token, x.access_token_secret]
    assert any(line.startswith("oauthlib") for line in debug_log.lines)  # the libraries did log
    assert any("[redacted]" in line for line in debug_log.lines)
    assert_nothing_secret(debug_log.lines, secrets)


def test_every_facebook_call_at_debug_keeps_the_page_token_out(debug_log):
    with fake_platforms() as (_x, graph):
        fb_calls(FacebookAdapter(**graph.credentials))
        secrets = [graph.access_token]
    assert_nothing_secret(debug_log.lines, secrets)


def test_errors_with_tokens_in_their_urls_are_redacted_in_tracebacks(debug_log):
    with fake_platforms() as (_x, graph):
        adapter = FacebookAdapter(**graph.credentials)
        graph.script("token_invalid")
        try:
            adapter.publish("お知らせ")
        except PlatformError:
            logging.getLogger("posts.publishing").exception("publish failed, token %s", graph.access_token)
        secrets = [graph.access_token]
    assert_nothing_secret(debug_log.lines, secrets)


def test_urllib3s_own_lines_are_redacted(debug_log):
    token = "EAAB" + "x7Yq" * 20
    log_redaction.remember(token)
    log = logging.getLogger("urllib3.connectionpool")
    log.debug(
        '%s://%s:%s "%s %s %s" %s %s',
        "https",
        "graph.facebook.com",
        443,
        "GET",
        f"/v23.0/123/feed?access_token={quote(token, safe='')}&fields=message",
        "HTTP/1.1",
        200,
        512,
    )
    assert_nothing_secret(debug_log.lines, [token])


@pytest.mark.parametrize(
    "line",
    [
        "GET /v23.0/me?access_token=EAABunregistered0123456789 HTTP/1.1",
        'Authorization: OAuth oauth_consumer_key="unregisteredkey123", oauth_token="1-unregisteredtoken"',
        "base string: POST&https%3A%2F%2Fapi.x.com&oauth_consumer_key%3Dunregisteredkey123%26oauth_nonce%3D1",
        "Collected params: [('oauth_consumer_key', 'unregisteredkey123'), ('oauth_token', '1-unregisteredtoken')]",
        "<Client client_key=unregisteredkey123, client_secret=****, resource_owner_key=1-unregisteredtoken, x=1>",
        "{'access_token': 'EAABunregistered0123456789'}",
    ],
)
def test_a_token_nobody_registered_is_hidden_by_its_name(debug_log, line):
    logging.getLogger("somewhere").debug(line)
    for secret in ("EAABunregistered0123456789", "unregisteredkey123", "1-unregisteredtoken"):
        assert secret not in debug_log.lines[-1]
    assert "[redacted]" in debug_log.lines[-1]


def test_ordinary_messages_are_untouched(debug_log):
    logging.getLogger("posts").info("Published %s to %s", "在留手続のお知らせ", "IMMI_TOKYO")
    assert debug_log.lines[-1] == "posts Published 在留手続のお知らせ to IMMI_TOKYO"
