"""The public transparency report: counts per month and account, small counts hidden, nothing that names a person."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from public import pages
from replies import services
from replies.models import Reply
from tests.factories import sorted_reply

pytestmark = pytest.mark.django_db

REPORT = reverse("public:transparency")
JSON = reverse("public:transparency_json")


def spam(count: int, *, handle="IMMI_TOKYO", by=None, when=None, category="advertising"):
    """``count`` replies hidden under ``category``, by ``by`` (None: the system)."""
    replies = []
    for i in range(count):
        reply = sorted_reply(
            handle=handle, text=f"格安ビザ {i} 090-1234-5678", author_handle=f"spam_{i}", author_name="山田太郎"
        )
        if when is not None:
            Reply.objects.filter(pk=reply.pk).update(created_at=when)
        if by is None:
            services.reply_decision_record(reply=reply, action="hide", category=category, rule="word_list:1")
        else:
            services.reply_hide(reply=reply, by=by, category=category, reason="宣伝です")
        replies.append(reply)
    return replies


def test_counts_per_month_and_account_with_system_and_person_apart(client, tokyo_supervisor):
    spam(6)
    spam(5, by=tokyo_supervisor, category="personal_data")
    data = client.get(JSON).json()
    [month] = data["months"]
    assert month["month"] == f"{timezone.localdate():%Y-%m}"
    [tokyo] = month["accounts"]
    assert (tokyo["handle"], tokyo["office"]) == ("IMMI_TOKYO", "tokyo")
    assert (tokyo["received"], tokyo["hidden_by_system"], tokyo["hidden_by_person"]) == (11, 6, 5)
    assert tokyo["categories"]["advertising"] == {"hidden": 6, "deleted": 0, "banned": 0}
    assert tokyo["categories"]["personal_data"] == {"hidden": 5, "deleted": 0, "banned": 0}
    assert set(tokyo["categories"]) == {act.value for act in pages.ProhibitedAct} and len(tokyo["categories"]) == 9


def test_counts_below_five_are_shown_as_fewer_than_five(client, tokyo_supervisor):
    spam(2)
    services.author_ban(reply=spam(1, by=tokyo_supervisor)[0], by=tokyo_supervisor, category="advertising", reason="x")
    tokyo = client.get(JSON).json()["months"][0]["accounts"][0]
    assert tokyo["received"] == "fewer_than_5" and tokyo["hidden_by_system"] == "fewer_than_5"
    assert tokyo["categories"]["advertising"]["banned"] == "fewer_than_5"
    assert tokyo["categories"]["defamation"]["hidden"] == 0
    for language, words in (("ja", "5件未満"), ("en", "fewer than 5"), ("zh", "少于5件")):
        content = client.get(REPORT, {"lang": language}).content.decode()
        assert words in content, language
        assert ">1<" not in content and ">2<" not in content and ">3<" not in content


def test_months_are_the_consoles_and_newest_first(client):
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    with time_machine.travel(dt.datetime.combine(last_month, dt.time(12), tzinfo=timezone.get_default_timezone())):
        spam(5)
    spam(5)
    months = [m["month"] for m in client.get(JSON).json()["months"]]
    assert months == [f"{timezone.localdate():%Y-%m}", f"{last_month:%Y-%m}"]


def test_nothing_identifies_a_person(client, tokyo_supervisor):
    spam(5, by=tokyo_supervisor)
    spam(5)
    for language in ("ja", "en", "zh"):
        content = client.get(REPORT, {"lang": language}).content.decode()
        text = client.get(JSON).content.decode()
        for secret in ("格安ビザ", "090-1234-5678", "spam_0", "山田太郎", "tokyo-supervisor", "宣伝です", "word_list"):
            assert secret not in content and secret not in text, (language, secret)


def test_three_languages_and_the_policy_links_to_it(client):
    from public.models import PolicyVersion

    spam(5)
    assert "透明性レポート" in client.get(REPORT, {"lang": "ja"}).content.decode()
    assert "transparency report" in client.get(REPORT, {"lang": "en"}).content.decode()
    assert "透明度报告" in client.get(REPORT, {"lang": "zh"}).content.decode()
    assert "Accept-Language" in client.get(REPORT, HTTP_ACCEPT_LANGUAGE="en")["Vary"]
    assert PolicyVersion.objects.in_effect().exists()
    policy = client.get(reverse("public:policy"), {"lang": "en"}).content.decode()
    assert f'<p id="transparency-link"><a href="{REPORT}?lang=en">' in policy


def test_no_login_and_get_only(client):
    assert client.get(REPORT).status_code == 200
    assert "まだ公表する件数はありません。" in client.get(REPORT, {"lang": "ja"}).content.decode()
    assert client.post(REPORT).status_code == 405
    assert client.get(JSON)["Access-Control-Allow-Origin"] == "*"


def test_query_count_stays_flat(client, tokyo_supervisor):
    counts = []
    for size in (5, 25):
        spam(size)
        spam(size, handle="IMMI_OSAKA", by=None, category="personal_data")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(REPORT, {"lang": "en"}).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 10, counts


def test_the_static_export_has_the_report_and_its_json(tmp_path):
    spam(5)
    call_command("export_public_site", str(tmp_path / "site"))
    for language in ("ja", "en", "zh"):
        html = (tmp_path / "site" / language / "transparency.html").read_text(encoding="utf-8")
        assert 'href="../transparency.json"' in html and 'href="../ja/transparency.html"' in html
    data = json.loads((tmp_path / "site" / "transparency.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == 1 and data["smallest_count_shown"] == 5
    assert data["months"][0]["accounts"][0]["received"] == 5


def months_ago(count: int) -> dt.datetime:
    """Noon on the 10th of the month ``count`` months before this one, in the console's time zone."""
    month = timezone.localdate().replace(day=1)
    for _ in range(count):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return dt.datetime.combine(month.replace(day=10), dt.time(12), tzinfo=timezone.get_default_timezone())


def test_closed_months_are_counted_once_and_kept(client):
    from replies.models import TransparencyMonth

    with time_machine.travel(months_ago(4)):
        spam(6)
    spam(5)
    first = client.get(JSON).json()["months"]
    assert [m["month"] for m in first] == [f"{timezone.localdate():%Y-%m}", f"{months_ago(4):%Y-%m}"]
    # The months before the previous one are kept, the empty ones too, so they are never counted again.
    kept = {row.month: row.counts for row in TransparencyMonth.objects.all()}
    assert sorted(kept) == [months_ago(n).date().replace(day=1) for n in (4, 3, 2)]
    assert kept[months_ago(4).date().replace(day=1)][0]["received"] == 6
    assert kept[months_ago(3).date().replace(day=1)] == []
    # Read from what was kept: a closed month is not counted again (were it, these replies would leave it).
    Reply.objects.filter(created_at__lt=months_ago(3)).update(created_at=months_ago(1))
    assert client.get(JSON).json()["months"][-1] == first[-1]


def test_query_count_stays_flat_over_years_of_months(client):
    counts = []
    for months in (3, 30):
        with time_machine.travel(months_ago(months)):
            spam(5)
        client.get(REPORT, {"lang": "en"})  # the closed months are counted once
        with CaptureQueriesContext(connection) as captured:
            assert client.get(REPORT, {"lang": "en"}).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 10, counts


def test_one_month_a_page_with_links_to_the_others(client):
    with time_machine.travel(months_ago(4)):
        spam(6, handle="IMMI_OSAKA")
    spam(5)
    newest = client.get(REPORT, {"lang": "en"}).content.decode()
    old_key = f"{months_ago(4):%Y-%m}"
    assert "@IMMI_TOKYO" in newest and "@IMMI_OSAKA" not in newest
    assert f'href="{REPORT}?lang=en&amp;month={old_key}"' in newest
    older = client.get(REPORT, {"lang": "en", "month": old_key}).content.decode()
    assert "@IMMI_OSAKA" in older and "@IMMI_TOKYO" not in older
    # The language switch keeps the month.
    assert f'href="{REPORT}?lang=ja&amp;month={old_key}"' in older
    for month in ("2026-13", "26-01", "x" * 100, f"{months_ago(6):%Y-%m}"):
        assert client.get(REPORT, {"month": month}).status_code == 404, month
    assert client.get(REPORT, {"month": "2026-01\x00"}).status_code == 400  # refused before any view


def test_the_static_export_has_a_page_for_each_month(tmp_path):
    with time_machine.travel(months_ago(4)):
        spam(6, handle="IMMI_OSAKA")
    spam(5)
    call_command("export_public_site", str(tmp_path / "site"))
    old_key = f"{months_ago(4):%Y-%m}"
    newest = (tmp_path / "site" / "en" / "transparency.html").read_text(encoding="utf-8")
    assert f'href="../en/transparency-{old_key}.html"' in newest
    older = (tmp_path / "site" / "en" / f"transparency-{old_key}.html").read_text(encoding="utf-8")
    assert "@IMMI_OSAKA" in older and "@IMMI_TOKYO" not in older
