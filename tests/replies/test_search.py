"""Finding a reply by its words, its author's handle or name, with the queue's filters; and the same on posts and audit."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from replies import services
from replies.models import Reply
from tests.conftest import sign_in_with_second_factor
from tests.factories import make_post, sorted_reply

pytestmark = pytest.mark.django_db
QUEUE = reverse("moderation:queue")


def texts(client, **params) -> list[str]:
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    return sorted(item["reply"].text for item in response.context["items"])


def test_words_in_japanese_text_without_spaces(poster_client):
    sorted_reply(text="在留資格の更新について教えてください")
    sorted_reply(text="格安ビザはこちら")
    assert texts(poster_client, q="資格の更新") == ["在留資格の更新について教えてください"]
    assert texts(poster_client, q="  格安  ") == ["格安ビザはこちら"]


def test_author_handle_with_or_without_at_and_name(poster_client):
    sorted_reply(text="一", author_handle="Spam_Bot", author_name="宣伝屋")
    sorted_reply(text="二", author_handle="resident", author_name="住民")
    assert texts(poster_client, q="@spam_bot") == ["一"]
    assert texts(poster_client, q="宣伝屋") == ["一"]


def test_search_keeps_the_other_filters_and_the_scope(poster_client):
    sorted_reply(handle="IMMI_TOKYO", text="東京 宣伝", state=Reply.State.HIDDEN)
    sorted_reply(handle="IMMI_TOKYO", text="東京 宣伝 その二")
    sorted_reply(handle="IMMI_OSAKA", text="大阪 宣伝")
    assert texts(poster_client, q="宣伝") == ["東京 宣伝", "東京 宣伝 その二"]
    assert texts(poster_client, q="宣伝", state="hidden") == ["東京 宣伝"]


def test_date_range_in_the_consoles_days(poster_client):
    now = timezone.now()
    sorted_reply(text="昨日", created_at=now - dt.timedelta(days=1))
    sorted_reply(text="先月", created_at=now - dt.timedelta(days=40))
    today = timezone.localdate(now)
    assert texts(poster_client, since=(today - dt.timedelta(days=2)).isoformat()) == ["昨日"]
    assert texts(poster_client, until=(today - dt.timedelta(days=30)).isoformat()) == ["先月"]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "あ" * 101},
        {"since": "1999-12-31"},
        {"until": "2101-01-01"},
        {"since": "2026-12-03", "until": "2026-12-01"},
        {"since": "nonsense"},
    ],
)
def test_out_of_bounds_parameters_are_refused_and_show_nothing(poster_client, params):
    sorted_reply(text="何か")
    response = poster_client.get(QUEUE, params)
    assert response.status_code == 200
    assert response.context["items"] == [] and response.context["form"].errors


def test_search_query_count_stays_flat(poster_client):
    counts = []
    for size in (3, 30):
        for i in range(size):
            reply = sorted_reply(text=f"宣伝の返信 {i}")
            services.reply_decision_record(reply=reply, action="flag", category="advertising", rule="word_list:1")
        poster_client.get(QUEUE, {"q": "宣伝"})
        with CaptureQueriesContext(connection) as captured:
            poster_client.get(QUEUE, {"q": "宣伝", "waiting": "on"})
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 20, counts


def test_the_post_list_finds_words_of_the_body(poster_client, tokyo_poster):
    make_post(tokyo_poster, body="年末年始の窓口のご案内です。")
    make_post(tokyo_poster, body="在留カードの更新についてのお知らせです。")
    response = poster_client.get(reverse("posts:list"), {"q": "窓口"})
    content = response.content.decode()
    assert "年末年始の窓口" in content and "在留カードの更新" not in content
    assert poster_client.get(reverse("posts:list"), {"q": "あ" * 101}).status_code == 200


def test_the_audit_log_finds_one_object(client, administrator, tokyo_supervisor):
    reply = sorted_reply(text="宣伝", author_handle="spam_bot")
    other = sorted_reply(text="別の宣伝")
    services.author_ban(reply=reply, by=tokyo_supervisor, category="advertising", reason="宣伝")
    services.reply_hide(reply=other, by=tokyo_supervisor, category="advertising")
    sign_in_with_second_factor(client, administrator)
    response = client.get(reverse("audit:log"), {"kind": "moderation", "object": f"#{reply.pk}"})
    assert [entry.object_id for entry in response.context["entries"]] == [reply.pk]
    assert client.get(reverse("audit:log"), {"object": "abc"}).context["page"] is None
