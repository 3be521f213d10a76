"""Platform adapters. The only package that may import tweepy or facebook-sdk.

The adapters are imported lazily so that importing the interface
(``posts.publishers.base``) does not load either platform library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import (
    AuthRevoked,
    MediaItem,
    OutOfCredits,
    PublishError,
    Publisher,
    PublishResult,
    RateLimited,
    Rejected,
    Transient,
)

if TYPE_CHECKING:
    from .facebook import FacebookPublisher
    from .x import XPublisher

__all__ = [
    "AuthRevoked",
    "FacebookPublisher",
    "MediaItem",
    "OutOfCredits",
    "PublishError",
    "PublishResult",
    "Publisher",
    "RateLimited",
    "Rejected",
    "Transient",
    "XPublisher",
]


def __getattr__(name: str) -> Any:
    if name == "XPublisher":
        from .x import XPublisher

        return XPublisher
    if name == "FacebookPublisher":
        from .facebook import FacebookPublisher

        return FacebookPublisher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
