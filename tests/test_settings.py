"""Settings come from the environment; a malformed value stops start-up naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEY", "CACHE_URL")
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *(args or ("check",))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://root@localhost/immisns"),
        ("DATABASE_URL", "not a url"),
        ("CELERY_BROKER_URL", "amqp:/broken"),
        ("CELERY_BROKER_URL", "localhost:6379"),
        ("DEBUG", "maybe"),
        ("FIELD_ENCRYPTION_KEY", "too-short"),
        ("SESSION_COOKIE_AGE", "eight hours"),
        ("EMAIL_PORT", "-1"),
        ("CACHE_URL", "memcached://localhost"),
    ],
)
def test_malformed_value_stops_start_up_naming_the_variable(name, value, tmp_path):
    result = start({name: value, "IMMISNS_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and name in result.stderr


def test_production_needs_secret_key_and_encryption_key(tmp_path):
    result = start({"DEBUG": "false", "IMMISNS_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
    result = start(
        {
            "DEBUG": "false",
            "SECRET_KEY": "x" * 60,
            "CACHE_URL": "redis://redis:6379/1",
            "IMMISNS_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode != 0 and "FIELD_ENCRYPTION_KEY" in result.stderr


def test_deploy_check_is_clean_with_debug_off(tmp_path):
    from cryptography.fernet import Fernet

    result = start(
        {
            "DEBUG": "false",
            "CACHE_URL": "redis://redis:6379/1",
            "SECRET_KEY": "k3y-" + "q8Zr2vN5" * 8,
            "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "immisns.example.go.jp",
            "IMMISNS_VAR_DIR": str(tmp_path),
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_embedded_defaults(settings):
    assert settings.TIME_ZONE == "Asia/Tokyo" and settings.USE_TZ
    assert settings.LANGUAGE_CODE == "ja" and [code for code, _ in settings.LANGUAGES] == ["ja", "en"]


@pytest.mark.django_db
def test_postgresql_connections_do_not_jit_compile_short_queries():
    """A page's LIMIT over a large table can be costed high enough to set off the JIT compiler, whose 30 ms of
    compiling outweighs the query; the console's connections keep it off."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the embedded SQLite has no JIT")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
