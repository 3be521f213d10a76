import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

JST = ZoneInfo("Asia/Tokyo")
# A Tuesday morning; the default post time is the next day, 10:00, inside office hours.
NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=JST)


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=True):
        yield NOW
