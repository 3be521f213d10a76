"""Faithful fakes of the external platforms, for tests and test workers (see platforms.py)."""

from .platforms import FakeGraph, FakeX, RecordedCall, fake_platforms, install_from_env

__all__ = ["FakeGraph", "FakeX", "RecordedCall", "fake_platforms", "install_from_env"]
