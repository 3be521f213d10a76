"""Headers a security review expects: CSP with nothing inline, no-store when signed in, shared rate limits."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import sign_in_with_second_factor
from tests.test_settings import start

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize("url_name", ["home", "posts:list", "posts:new", "account_login", "public:official_accounts"])
def test_every_page_has_a_policy_without_inline_code(client, tokyo_poster, url_name):
    if url_name != "account_login":
        client.force_login(tokyo_poster)
    response = client.get(reverse(url_name))
    directives = policy(response)
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    page = response.content.decode()
    # No inline script, event handler or style attribute that the policy would block.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline <script>"
    assert not re.search(r"\son[a-z]+=", page), "inline event handler"
    assert not re.search(r"\sstyle=", page), "inline style"
    # htmx is told not to add its own inline <style>, nor to eval.
    if "htmx" in page:
        assert '"includeIndicatorStyles": false' in page and '"allowEval": false' in page


def test_no_template_of_ours_has_inline_script_or_handlers():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son(click|change|submit|load|input)=", text), path


def test_signed_in_pages_are_not_stored(client, tokyo_poster, tokyo_supervisor):
    assert "no-store" not in client.get(reverse("public:official_accounts")).get("Cache-Control", "")
    client.force_login(tokyo_poster)
    for url in (reverse("home"), reverse("posts:list"), reverse("posts:new")):
        assert "no-store" in client.get(url)["Cache-Control"], url
    sign_in_with_second_factor(client, tokyo_supervisor)
    assert "no-store" in client.get(reverse("posts:queue"))["Cache-Control"]


def test_production_refuses_a_cache_per_process(tmp_path):
    from cryptography.fernet import Fernet

    env = {
        "DEBUG": "false",
        "SECRET_KEY": "k3y-" + "q8Zr2vN5" * 8,
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "immisns.example.go.jp",
        "IMMISNS_VAR_DIR": str(tmp_path),
    }
    result = start(env)
    assert result.returncode != 0 and "CACHE_URL" in result.stderr and "rate limits" in result.stderr
    assert start({**env, "CACHE_URL": "redis://redis:6379/1"}).returncode == 0


def test_production_shape_keeps_the_cache_in_redis():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "CACHE_URL: redis://" in compose


@pytest.mark.redis
def test_login_rate_limit_is_kept_in_redis(client, tokyo_poster, redis_url, settings):
    """With CACHE_URL on Redis, failures counted by one web process are in Redis for all of them."""
    import redis
    from django.core.cache import caches
    from django.test import Client

    from tests.factories import PASSWORD

    prefix = "immisns-test-rate-limit"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    server = redis.Redis.from_url(redis_url)

    def forget():  # only this test's keys: the Redis may be shared
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)

    forget()
    try:
        for _ in range(5):
            client.post(reverse("account_login"), {"login": "tokyo-poster", "password": "wrong-password"})
        keys = [k.decode() for k in server.scan_iter(f"{prefix}:*")]
        assert any("login_failed" in k for k in keys), keys
        other = Client()  # another browser, served by any process
        other.post(reverse("account_login"), {"login": "tokyo-poster", "password": PASSWORD})
        assert "_auth_user_id" not in other.session
    finally:
        forget()
        caches["default"].close()


def test_the_admin_alone_may_use_inline_styles_never_scripts(client, administrator):
    sign_in_with_second_factor(client, administrator)
    directives = policy(client.get(reverse("admin:accounts_socialaccount_changelist")))
    assert "'unsafe-inline'" in directives["style-src"] and directives["script-src"] == ["'self'"]
    sign_in_with_second_factor(client, administrator)
    assert "'unsafe-inline'" not in policy(client.get(reverse("home")))["style-src"]
