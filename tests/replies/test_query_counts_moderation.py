"""The pages this work changed make as many queries at 3 rows as at 30."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from replies import services
from tests.conftest import sign_in_with_second_factor
from tests.factories import sorted_reply

pytestmark = pytest.mark.django_db


def _decided(count: int, by) -> None:
    for i in range(count):
        reply = sorted_reply(text=f"宣伝 {i}", author_handle=f"spam_{i}")
        services.reply_decision_record(reply=reply, action="flag", category="advertising", rule="word_list:1")
        services.author_ban(reply=reply, by=by, category="advertising", reason="宣伝")


@pytest.mark.parametrize(
    "url",
    [
        reverse("moderation:queue"),
        reverse("moderation:queue") + "?waiting=on&q=宣伝",
        reverse("audit:log") + "?kind=moderation",
        reverse("sns_account", args=["IMMI_TOKYO"]),
    ],
)
@pytest.mark.parametrize("who", ["viewer", "tokyo_supervisor"])
def test_flat_at_two_sizes(client, request, tokyo_supervisor, url, who):
    person = request.getfixturevalue(who)
    sign_in_with_second_factor(client, person)
    counts = []
    for size in (3, 27):
        _decided(size, tokyo_supervisor)
        client.get(url)  # the first visit creates the person's QueueVisit
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 25, counts
