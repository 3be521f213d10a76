"""The public list of official accounts (docs/architecture.md, the pages) and its machine-readable copy, generated from the registry."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Office, SocialAccount

pytestmark = pytest.mark.django_db

LIST = reverse("public:official_accounts")
JSON = reverse("public:official_accounts_json")


@pytest.mark.parametrize(
    ("language", "office_name", "title"),
    [
        ("ja", "東京出入国在留管理局成田空港支局", "出入国在留管理庁 公式SNSアカウント一覧"),
        (
            "en",
            "Narita Airport District Immigration Services Office",
            "Official social media accounts of the Immigration Services Agency of Japan",
        ),
        ("zh", "东京出入国在留管理局成田机场支局", "出入国在留管理厅官方SNS账号一览"),
    ],
)
def test_anyone_sees_every_account_with_its_office_platform_and_link(
    client, language, office_name, title, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        response = client.get(LIST, {"lang": language})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert re.findall(r"<h1>([^<]+)</h1>", html) == [title]
    assert html.count("<main") == 1 and '<a class="skip-link" href="#main">' in html
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td><a href=\"([^\"]+)\"", html)
    assert len(rows) == SocialAccount.objects.count() == 21
    assert (
        office_name,
        {"ja": "X（旧Twitter）", "en": "X (formerly Twitter)", "zh": "X（原Twitter）"}[language],
        "https://x.com/IMMI_NARITA",
    ) in rows
    for account in SocialAccount.objects.all():
        assert f'href="{account.profile_url}"' in html
    assert f'href="{reverse("public:policy")}?lang={language}"' in html
    assert f'href="{JSON}"' in html


def test_the_language_is_chosen_from_accept_language_and_kept_in_the_url(client):
    html = client.get(LIST, HTTP_ACCEPT_LANGUAGE="zh-TW,zh;q=0.9,en;q=0.8").content.decode()
    assert '<html lang="zh">' in html
    assert f'<a href="{LIST}?lang=en" lang="en" hreflang="en">English</a>' in html
    assert '<html lang="ja">' in client.get(LIST, {"lang": "<x>"}, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert client.post(LIST).status_code == 405


def test_generated_from_the_registry(client):
    SocialAccount.objects.filter(handle="IMMI_KOBE").update(handle="IMMI_KOBE_NEW")
    html = client.get(LIST).content.decode()
    assert "@IMMI_KOBE_NEW<" in html and "@IMMI_KOBE<" not in html


def test_the_date_the_list_last_changed(client):
    day_one = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(day_one):
        assert '<time datetime="2026-04-01">2026年4月1日</time>' in client.get(LIST).content.decode()
    with time_machine.travel(day_one + dt.timedelta(days=5)):
        # Nothing changed: the date stays.
        assert '<time datetime="2026-04-01">1 April 2026</time>' in client.get(LIST, {"lang": "en"}).content.decode()
        assert client.get(JSON).json()["updated"] == "2026-04-01"
        Office.objects.filter(code="kobe").update(name_en="Kobe District Immigration Services Office (renamed)")
        assert '<time datetime="2026-04-06">' in client.get(LIST).content.decode()
        assert client.get(JSON).json()["updated"] == "2026-04-06"


# The documented schema (docs/architecture.md, "The public pages"), checked key by key.
ENTRY_KEYS = {"platform", "handle", "url", "office"}


def test_the_json_copy_follows_the_documented_schema(client):
    response = client.get(JSON)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert set(data) == {"schema_version", "publisher", "updated", "accounts"}
    assert data["schema_version"] == 1
    assert data["publisher"] == {
        "ja": "出入国在留管理庁",
        "en": "Immigration Services Agency of Japan",
        "zh": "出入国在留管理厅",
    }
    assert dt.date.fromisoformat(data["updated"]) <= timezone.localdate()
    assert len(data["accounts"]) == 21
    for entry in data["accounts"]:
        assert set(entry) == ENTRY_KEYS
        assert entry["platform"] in ("x", "facebook")
        assert isinstance(entry["handle"], str) and not entry["handle"].startswith("@")
        prefix = {"x": "https://x.com/", "facebook": "https://www.facebook.com/"}[entry["platform"]]
        assert entry["url"] == prefix + entry["handle"]
        assert set(entry["office"]) == {"code", "name"}
        assert set(entry["office"]["name"]) == {"ja", "en", "zh"}
        assert all(isinstance(name, str) and name for name in entry["office"]["name"].values())
    tokyo = next(e for e in data["accounts"] if e["handle"] == "IMMI_TOKYO")
    assert tokyo == {
        "platform": "x",
        "handle": "IMMI_TOKYO",
        "url": "https://x.com/IMMI_TOKYO",
        "office": {
            "code": "tokyo",
            "name": {
                "ja": "東京出入国在留管理局",
                "en": "Tokyo Regional Immigration Services Bureau",
                "zh": "东京出入国在留管理局",
            },
        },
    }


def test_staff_pages_link_to_the_public_pages(client, tokyo_poster):
    client.force_login(tokyo_poster)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{LIST}"' in html and f'href="{reverse("public:policy")}"' in html
    assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
