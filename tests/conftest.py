"""Shared fixtures: personas per role and office, and the service guards.

Tests that need Redis (marked redis) use only the database that
IMMISNS_TEST_REDIS_URL names, and empty it with FLUSHDB before and after,
never FLUSHALL: other databases of the same server (a developer's own data,
the console's broker and cache) are left alone. Without that setting, or with
Redis down, they are skipped with the reason; in CI (CI=true) they fail.
"""

import os
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Membership
from immisns.append_only import maintenance_window
from tests.factories import make_person

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# A Redis database the tests may empty, named by number: redis://127.0.0.1:6379/15.
REDIS_URL = os.environ.get("IMMISNS_TEST_REDIS_URL", "")


def redis_database(url: str) -> tuple[str, int, int] | None:
    """(host, port, database number) of a redis:// URL, or None when it names no number.

    redis-py reads the number from the path (/15) or from ?db=15; without either it uses 0,
    which is where a developer's own data usually is.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return None
    number = parts.path.strip("/") or parse_qs(parts.query).get("db", [""])[0]
    if not number.isdigit():
        return None
    return (parts.hostname or "localhost", parts.port or 6379, int(number))


def redis_misconfigured() -> str | None:
    """Why IMMISNS_TEST_REDIS_URL must not be emptied, or None: these fail wherever the tests run."""
    if not REDIS_URL:
        return None
    ours = redis_database(REDIS_URL)
    if ours is None:
        return f"IMMISNS_TEST_REDIS_URL={REDIS_URL} names no database number (redis://127.0.0.1:6379/15)"
    for setting in ("CELERY_BROKER_URL", "CACHE_URL"):
        if redis_database(os.environ.get(setting, "")) == ours:
            return f"IMMISNS_TEST_REDIS_URL names the same Redis database as {setting}; the tests empty theirs"
    return None


def redis_missing() -> str | None:
    """Why the Redis tests cannot run here (no setting, Redis down), or None."""
    if not REDIS_URL:
        return "IMMISNS_TEST_REDIS_URL is not set (a Redis database the tests may empty: redis://127.0.0.1:6379/15)"
    import redis

    try:
        if redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping():
            return None
    except redis.RedisError:
        pass
    return f"Redis is not reachable at {REDIS_URL}"


def empty_test_redis() -> None:
    """FLUSHDB on the tests' own Redis database, the only cleanup a Redis test does.

    Never FLUSHALL: that would empty every database of a server that may be shared.
    """
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    finally:
        client.close()


def pytest_runtest_setup(item):
    if not item.get_closest_marker("redis"):
        return
    if reason := redis_misconfigured():
        pytest.fail(reason, pytrace=False)
    if reason := redis_missing():
        if IN_CI:
            pytest.fail(reason + " (CI must run every Redis test)", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _redis_tests_empty_their_database(request):
    """A Redis test starts on an empty database of its own and leaves it empty."""
    if request.node.get_closest_marker("redis") is None:
        yield
        return
    empty_test_redis()
    yield
    empty_test_redis()


@pytest.fixture
def redis_url():
    return REDIS_URL


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests make hundreds of people: hash their passwords cheaply (production keeps PBKDF2).

    PBKDF2 stays second in the list, so a hash made outside the test process still verifies.
    """
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def add_totp(user) -> str:
    """Give a person a TOTP authenticator; returns the secret to compute codes from."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def every_pattern(resolver=None, namespaces=()):
    """(view name as request.resolver_match names it, namespaces, view) for every URL pattern."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from every_pattern(entry, (*namespaces, entry.namespace) if entry.namespace else namespaces)
        elif isinstance(entry, URLPattern):
            callback = entry.callback
            if entry.name:
                name = entry.name
            else:
                func = getattr(callback, "view_class", callback)
                name = f"{func.__module__}.{func.__name__}"
            yield ":".join([*namespaces, name]), namespaces, callback


def sign_in_with_second_factor(client, user) -> None:
    """Sign a person in as the login page does after password and TOTP code (a TOTP is set up if missing).

    allauth records each authentication step of the session
    (allauth.account.authentication); the middleware reads the "mfa" step.
    """
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.mfa.models import Authenticator

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        add_totp(user)
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "username": user.get_username()},
        {"method": "mfa", "at": time.time(), "id": totp.pk, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


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
def poster_client(client, tokyo_poster):
    """The test client signed in as the Tokyo poster."""
    client.force_login(tokyo_poster)
    return client


@pytest.fixture
def supervisor_client(client, tokyo_supervisor):
    """Supervisors act through guarded views only after the second factor."""
    sign_in_with_second_factor(client, tokyo_supervisor)
    return client


@pytest.fixture
def administrator(db):
    user = make_person("admin", is_staff=True, is_superuser=True)
    add_totp(user)
    return user


@pytest.fixture(autouse=True)
def tasks_run_in_the_test_process(request):
    """Tasks sent with apply_async/delay (the e-mails) run here, at once, as Celery's eager mode does.

    On commit, a service enqueues its e-mail task; eagerly, the task then runs
    in this process, so tests read mail.outbox. Publish and reconcile tasks are
    sent by name (send_task) and never run eagerly. Tests that start real
    worker processes (marked worker) keep tasks on the broker.
    """
    from immisns.celery import app

    eager = request.node.get_closest_marker("worker") is None
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def the_console_never_answers():
    """Policy §5.1, §5.2: after every test, no fake platform saw a reply, comment, like, follow or repost.

    The fakes refuse such requests (403) and record them; this fails the test
    that made one, whichever code path it took.
    """
    from tests.fakes.platforms import answers_since, recorded_counts

    seen = recorded_counts()
    yield
    answered = answers_since(seen)
    assert answered == [], "The console must never answer the public: " + "; ".join(answered)


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    """Uploaded images land in a folder of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


# --- Tests whose data must be committed (live server, worker processes) ---------------------------

# The live server thread and worker processes see only committed rows. Such a
# test starts with the migration data (offices, the 21 accounts, footers)
# reloaded, and its tables are emptied afterwards.
COMMITTED_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# The append-only logs with database triggers, by maintenance window:
# (PostgreSQL setting, SQLite table) — posts/0002, moderation/0007 and those made with immisns.append_only.
APPEND_ONLY_WINDOWS = (
    ("immisns.postevent_maintenance", "posts_postevent_maintenance"),
    ("immisns.replydecision_maintenance", "moderation_replydecision_maintenance"),
    maintenance_window("accounts_accountconnection"),
)


def event_log_maintenance(connection, *, on: bool) -> None:
    """Open or close the maintenance window of every append-only log (posts/0002, moderation/0007).

    Emptying tables between tests that commit must delete the post event and
    reply decision rows, which the append-only triggers otherwise refuse. Open
    for the whole test database; the append-only tests close it inside their
    own transaction.
    """
    with connection.cursor() as cursor:
        for setting, table in APPEND_ONLY_WINDOWS:
            if connection.vendor == "postgresql":
                value = "on" if on else "off"
                name = connection.ops.quote_name(connection.settings_dict["NAME"])
                cursor.execute(f"ALTER DATABASE {name} SET {setting} = '{value}'")
                cursor.execute(f"SET {setting} = '{value}'")
            elif on:
                cursor.execute(f"INSERT OR IGNORE INTO {table} (id) VALUES (1)")
            else:
                cursor.execute(f"DELETE FROM {table}")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connection

    with django_db_blocker.unblock():
        event_log_maintenance(connection, on=True)
    yield
    # Tests that commit leave the tables empty; put the migration data back so a
    # later run with --reuse-db finds the database as migrations left it.
    contents = getattr(connection, "_test_serialized_contents", None)
    with django_db_blocker.unblock():
        from accounts.models import Office

        if contents and not Office.objects.exists():
            from django.core.management import call_command

            call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
            connection.creation.deserialize_db_from_string(contents)
            # The rows came back with their ids; on PostgreSQL the flush restarted the sequences at 1,
            # so the next run's first office, domain or contact would collide with a restored one.
            from django.apps import apps
            from django.core.management.color import no_style

            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                    cursor.execute(statement)
