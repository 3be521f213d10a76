"""The fake platforms and an adapter on each, for the adapter tests (no database needed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from accounts.platforms.facebook import FacebookAdapter
from accounts.platforms.x import XAdapter
from tests.fakes import FakeGraph, FakeX, fake_platforms


@pytest.fixture
def fakes() -> Iterator[tuple[FakeX, FakeGraph]]:
    with fake_platforms() as pair:
        yield pair


@pytest.fixture
def x(fakes: tuple[FakeX, FakeGraph]) -> FakeX:
    return fakes[0]


@pytest.fixture
def graph(fakes: tuple[FakeX, FakeGraph]) -> FakeGraph:
    return fakes[1]


@pytest.fixture
def x_publisher(x: FakeX) -> XAdapter:
    return XAdapter(**x.credentials)


@pytest.fixture
def fb_publisher(graph: FakeGraph) -> FacebookAdapter:
    return FacebookAdapter(**graph.credentials)
