"""Shared fixtures: personas per role and office, and the service guards.

In CI (CI=true) a test that needs Redis fails when Redis is missing; on a
developer's machine without Redis it is skipped with the reason.
"""

import os

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import Membership, Office
from tests.factories import MembershipFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REDIS_URL = os.environ.get("IMMISNS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def pytest_runtest_setup(item):
    if item.get_closest_marker("redis") and not redis_available():
        message = f"Redis is not reachable at {REDIS_URL}"
        if IN_CI:
            pytest.fail(message + " (CI must run every Redis test)", pytrace=False)
        pytest.skip(message)


@pytest.fixture
def redis_url():
    return REDIS_URL


def make_person(username: str, office_code: str | None = None, role: str | None = None, **extra):
    user = UserFactory(username=username, **extra)
    if office_code:
        MembershipFactory(user=user, office=Office.objects.get(code=office_code), role=role)
    return user


def add_totp(user) -> str:
    """Give a person a TOTP authenticator; returns the secret to compute codes from."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture
def tokyo_poster(db):
    return make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)


@pytest.fixture
def tokyo_supervisor(db):
    return make_person("tokyo-supervisor", "tokyo", Membership.Role.SUPERVISOR)


@pytest.fixture
def osaka_poster(db):
    return make_person("osaka-poster", "osaka", Membership.Role.POSTER)


@pytest.fixture
def viewer(db):
    return make_person("auditor", "agency", Membership.Role.VIEWER)


@pytest.fixture
def administrator(db):
    user = make_person("admin", is_staff=True, is_superuser=True)
    add_totp(user)
    return user


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    """Uploaded images land in a folder of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
