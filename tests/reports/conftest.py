"""Accounts wired to the fake platforms (shared with the replies tests) and published posts to read."""

from tests.replies.conftest import FB_PAGE, fakes, published

__all__ = ["FB_PAGE", "fakes", "published"]
