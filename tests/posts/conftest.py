import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import sign_in_with_second_factor

JST = ZoneInfo("Asia/Tokyo")
# A Tuesday morning; the default post time is the next day, 10:00, inside office hours.
NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=JST)


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=True):
        yield NOW


@pytest.fixture
def poster_client(client, tokyo_poster):
    client.force_login(tokyo_poster)
    return client


@pytest.fixture
def supervisor_client(client, tokyo_supervisor):
    """Supervisors act through guarded views only after the second factor."""
    sign_in_with_second_factor(client, tokyo_supervisor)
    return client
