import pytest


@pytest.fixture
def english(client):
    """The page in English, so tests can read its words whether or not the catalogue has them yet."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


from tests.posts.conftest import frozen_now  # noqa: E402,F401  (posts are made for the next day's office hours)
