"""The Redis tests empty their own database only: a developer's Redis keeps its other data through `make test`."""

import uuid

import pytest

from tests.conftest import REDIS_URL, empty_test_redis, redis_database


def test_the_test_database_is_told_by_number():
    assert redis_database("redis://127.0.0.1:6379/15") == ("127.0.0.1", 6379, 15)
    assert redis_database("redis://localhost/3") == ("localhost", 6379, 3)
    assert redis_database("redis://127.0.0.1:6380?db=4") == ("127.0.0.1", 6380, 4)
    # Without a number redis-py uses database 0, where a developer's own data usually is.
    assert redis_database("redis://127.0.0.1:6379") is None
    assert redis_database("redis://127.0.0.1:6379/") is None
    assert redis_database("filesystem://") is None


@pytest.mark.redis
def test_emptying_the_test_database_leaves_the_others_alone():
    import redis

    address = redis_database(REDIS_URL)
    assert address is not None  # the setup refuses a URL without a database number
    host, port, ours = address
    # Database 9 is used by no test, no CI setting and no compose file; any other number would do.
    other_number = 9 if ours != 9 else 8
    other = redis.Redis(host=host, port=port, db=other_number)
    mine = redis.Redis.from_url(REDIS_URL)
    other_key = f"immisns-test-survivor-{uuid.uuid4().hex}"  # unique: the database may hold someone's data
    try:
        other.set(other_key, "kept")
        mine.set("immisns-test-scratch", "emptied")

        empty_test_redis()

        assert other.get(other_key) == b"kept"
        assert mine.get("immisns-test-scratch") is None
        assert mine.dbsize() == 0
    finally:
        other.delete(other_key)
        other.close()
        mine.close()
