"""The public operating policy (docs/architecture.md, the pages): three languages, no login, generated from what the console enforces."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Office, OfficeHours, SocialAccount
from posts import footer, services
from posts.models import Footer
from public.models import PolicyVersion
from replies.categories import ProhibitedAct
from tests.conftest import sign_in_with_second_factor
from tests.factories import ClosureDayFactory, PolicyVersionFactory, post_via_services

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")

POLICY = reverse("public:policy")

HEADINGS = {
    "ja": [
        "1 基本方針",
        "2 アカウント情報",
        "3 投稿者",
        "4 投稿時間",
        "5 留意事項",
        "6 免責事項",
        "7 禁止事項",
        "8 適用",
    ],
    "en": [
        "1 Basic policy",
        "2 Accounts",
        "3 Who posts",
        "4 Posting hours",
        "5 Notes",
        "6 Disclaimer",
        "7 Prohibited acts",
        "8 Effective date",
    ],
    "zh": ["1 基本方针", "2 账号信息", "3 投稿人", "4 投稿时间", "5 注意事项", "6 免责事项", "7 禁止事项", "8 适用"],
}
NARITA = {
    "ja": "東京出入国在留管理局成田空港支局",
    "en": "Narita Airport District Immigration Services Office",
    "zh": "东京出入国在留管理局成田机场支局",
}
EFFECTIVE = {"ja": "2020年7月22日から適用", "en": "applies from 22 July 2020", "zh": "自2020年7月22日起适用"}


def text_of(response) -> str:
    """The page's visible text, tags dropped, whitespace collapsed."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("language", ["ja", "en", "zh"])
def test_anyone_reads_the_eight_sections_in_each_language(client, language, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(POLICY, {"lang": language})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    headings = re.findall(r'<h2 id="s\d">([^<]+)</h2>', html)
    assert headings == HEADINGS[language]
    page = text_of(response)
    assert NARITA[language] in page
    assert EFFECTIVE[language] in page
    for account in SocialAccount.objects.all():
        assert f'href="{account.profile_url}"' in html
    for act in ProhibitedAct:
        assert act.public_wording(language) in page
    assert len(re.findall(r"<li>", html.split('class="policy-list prohibited-acts"')[1].split("</ol>")[0])) == 9


def test_the_language_comes_from_the_browser_and_the_url_wins(client):
    assert 'lang="zh"' in client.get(POLICY, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()[:60]
    assert 'lang="en"' in client.get(POLICY, HTTP_ACCEPT_LANGUAGE="fr-FR,en-GB;q=0.8,ja;q=0.5").content.decode()[:60]
    assert 'lang="ja"' in client.get(POLICY, HTTP_ACCEPT_LANGUAGE="fr-FR").content.decode()[:60]
    response = client.get(POLICY, {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert 'lang="en"' in response.content.decode()[:60]
    assert "Accept-Language" in client.get(POLICY, HTTP_ACCEPT_LANGUAGE="zh").headers["Vary"]


def test_the_language_switch_keeps_the_choice_in_the_url_and_names_each_language(client):
    html = client.get(POLICY, {"lang": "en"}).content.decode()
    for code, name in (("ja", "日本語"), ("en", "English"), ("zh", "中文")):
        assert re.search(rf'<a href="{POLICY}\?lang={code}" lang="{code}" hreflang="{code}"[^>]*>{name}</a>', html)
    assert f'href="{reverse("public:official_accounts")}?lang=en"' in html
    assert f'href="{reverse("public:official_accounts_json")}"' in html


def test_no_staff_data_and_never_a_post(client, tokyo_poster, tokyo_supervisor):
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 30, tzinfo=JST), tick=True):
        draft = post_via_services(tokyo_poster, body="下書きの秘密の本文です。")
        pending = post_via_services(tokyo_poster, body="承認待ちの本文です。", submit=True)
        scheduled = services.post_approve(
            post=post_via_services(tokyo_poster, body="予約済みの本文です。", submit=True), by=tokyo_supervisor
        )
    assert scheduled.targets.get().state == "scheduled"
    SocialAccount.objects.filter(handle="IMMI_OSAKA").update(state=SocialAccount.State.PAUSED)
    for language in ("ja", "en", "zh"):
        for url in (POLICY, reverse("public:official_accounts"), reverse("public:official_accounts_json")):
            page = client.get(url, {"lang": language}).content.decode()
            for secret in (
                draft.body,
                pending.body,
                scheduled.body,
                "tokyo-poster",
                "tokyo-supervisor",
                "paused",
                "一時停止",
                "sandbox",
                "credentials",
            ):
                assert secret not in page, (url, language, secret)


def test_the_page_needs_no_login_and_refuses_other_methods(client):
    assert client.get(POLICY).status_code == 200
    assert client.post(POLICY).status_code == 405
    assert client.get(reverse("public:policy_version", args=[99])).status_code == 404


# --- generated from the data, as administrators change it in the admin ------------------------


@pytest.fixture
def admin_client(client, administrator):
    sign_in_with_second_factor(client, administrator)
    return client


def office_form(office: Office, windows: list[tuple[int, str, str]]) -> dict:
    """The admin's office form with its office-hours inline replaced by `windows`."""
    existing = list(office.hours.all())
    data = {
        "code": office.code,
        "kind": office.kind,
        "parent": office.parent_id or "",
        "name_ja": office.name_ja,
        "name_en": office.name_en,
        "name_zh": office.name_zh,
        "sort_order": office.sort_order,
        "hours-TOTAL_FORMS": str(len(existing) + len(windows)),
        "hours-INITIAL_FORMS": str(len(existing)),
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
    }
    for i, window in enumerate(existing):
        data.update(
            {
                f"hours-{i}-id": window.pk,
                f"hours-{i}-office": office.pk,
                f"hours-{i}-weekday": window.weekday,
                f"hours-{i}-opens": f"{window.opens:%H:%M}",
                f"hours-{i}-closes": f"{window.closes:%H:%M}",
                f"hours-{i}-DELETE": "on",
            }
        )
    for j, (weekday, opens, closes) in enumerate(windows, start=len(existing)):
        data.update(
            {
                f"hours-{j}-office": office.pk,
                f"hours-{j}-weekday": weekday,
                f"hours-{j}-opens": opens,
                f"hours-{j}-closes": closes,
            }
        )
    return data


def hours_rows(client, language="ja") -> list[str]:
    html = client.get(POLICY, {"lang": language}).content.decode()
    table = html.split('<table class="office-hours">')[1].split("</table>")[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ][1:]


def test_posting_hours_follow_the_office_hours_edited_in_the_admin(admin_client):
    sapporo = Office.objects.get(code="sapporo")
    assert "札幌出入国在留管理局 月曜日〜金曜日 9:00–12:00、13:00–16:00" in hours_rows(admin_client)
    windows = [(0, "08:30", "17:15")] + [(day, "09:00", "16:00") for day in (1, 2, 3, 4)]
    response = admin_client.post(
        reverse("admin:accounts_office_change", args=[sapporo.pk]), office_form(sapporo, windows)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert OfficeHours.objects.filter(office=sapporo).count() == 5
    rows = hours_rows(admin_client)
    assert "札幌出入国在留管理局 月曜日 8:30–17:15" in rows
    assert "火曜日〜金曜日 9:00–16:00" in rows
    assert "Tuesday to Friday 9:00–16:00" in hours_rows(admin_client, "en")


def test_closure_days_added_in_the_admin_are_listed_until_they_pass(admin_client):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = admin_client.post(
        reverse("admin:accounts_closureday_add"),
        {"date": tomorrow.isoformat(), "office": Office.objects.get(code="kobe").pk, "reason": "庁舎の電気設備点検"},
    )
    assert response.status_code == 302
    ClosureDayFactory.create(date=timezone.localdate() - dt.timedelta(days=3), office=None, reason="past")
    page = text_of(admin_client.get(POLICY, {"lang": "en"}))
    assert "Counters are also closed on these days:" in page
    assert "Kobe District Immigration Services Office" in page.split("Counters are also closed")[1].split("5 Notes")[0]
    assert page.count("All offices") == 0  # the past closure day is not announced
    assert "庁舎の電気設備点検" not in page  # the administrator's reason is internal


def test_accounts_follow_the_registry_edited_in_the_admin(admin_client):
    kobe = SocialAccount.objects.get(handle="IMMI_KOBE")
    data = {
        "platform": kobe.platform,
        "handle": "IMMI_KOBE_NEW",
        "display_name": kobe.display_name,
        "office": kobe.office_id,
        "publisher": kobe.publisher,
        "platform_id": kobe.platform_id,
        "sort_order": kobe.sort_order,
        "access_token": "",
        "access_token_secret": "",
        "page_access_token": "",
        "state_changes-TOTAL_FORMS": "0",
        "state_changes-INITIAL_FORMS": "0",
        "state_changes-MIN_NUM_FORMS": "0",
        "state_changes-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(reverse("admin:accounts_socialaccount_change", args=[kobe.pk]), data)
    assert response.status_code == 302
    html = admin_client.get(POLICY).content.decode()
    assert 'href="https://x.com/IMMI_KOBE_NEW"' in html and 'href="https://x.com/IMMI_KOBE"' not in html


def test_the_disclaimer_shows_the_footers_in_force_with_the_policy_address(admin_client, settings):
    settings.PUBLIC_POLICY_URL = "https://www.example.go.jp/isa/sns/policy.html"
    page = text_of(admin_client.get(POLICY))
    assert "運用方針 https://www.example.go.jp/isa/sns/policy.html" in page
    assert "{policy_url}" not in page
    response = admin_client.post(
        reverse("admin:posts_footer_add"),
        {"platform": "x", "account": "", "text": "※返信には回答しません。方針 {policy_url}"},
    )
    assert response.status_code == 302
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    admin_client.post(
        reverse("admin:posts_footer_add"), {"platform": "x", "account": tokyo.pk, "text": "※東京局からのお知らせです。"}
    )
    section = text_of(admin_client.get(POLICY)).split("6 免責事項")[1].split("7 禁止事項")[0]
    assert "※返信には回答しません。方針 https://www.example.go.jp/isa/sns/policy.html" in section
    assert "@IMMI_TOKYO の投稿 ※東京局からのお知らせです。" in section
    # What the page says is exactly what the worker appends.
    assert footer.compose("本文", SocialAccount.objects.get(handle="IMMI_OSAKA")).endswith(
        "※返信には回答しません。方針 https://www.example.go.jp/isa/sns/policy.html"
    )


def test_the_seeded_footers_name_the_policy_setting():
    for platform in ("x", "facebook"):
        newest = Footer.objects.filter(platform=platform, account=None).latest("version")
        assert "{policy_url}" in newest.text


# --- versions -----------------------------------------------------------------------------------


def new_version(effective_from: dt.date, purpose: str) -> PolicyVersion:
    return PolicyVersionFactory.like(
        PolicyVersion.objects.get(number=1),
        effective_from=effective_from,
        purpose_ja=purpose,
        purpose_en=purpose,
        purpose_zh=purpose,
    )


def test_a_version_not_yet_in_force_is_not_public(client):
    future = new_version(timezone.localdate() + dt.timedelta(days=7), "来週からの新しい目的")
    assert "来週からの新しい目的" not in client.get(POLICY).content.decode()
    assert client.get(reverse("public:policy_version", args=[future.number])).status_code == 404


def test_a_new_version_takes_over_and_the_earlier_one_stays_readable(client):
    newer = new_version(timezone.localdate(), "新しい版の目的")
    page = text_of(client.get(POLICY))
    assert "新しい版の目的" in page and f"現在の版：第{newer.number}版" in page
    assert "予告なく変更することがあります" in page
    html = client.get(POLICY).content.decode()
    old_url = f"{reverse('public:policy_version', args=[1])}?lang=ja"
    assert f'href="{old_url}"' in html
    earlier = text_of(client.get(reverse("public:policy_version", args=[1])))
    assert "これは過去の版（第1版、2020年7月22日から適用）です。" in earlier and "新しい版の目的" not in earlier


def test_a_version_in_force_is_never_changed_or_deleted():
    first = PolicyVersion.objects.get(number=1)
    first.purpose_ja = "書き換え"
    with pytest.raises(ValueError, match="is never changed"):
        first.save()
    with pytest.raises(ValueError, match="is never deleted"):
        PolicyVersion.objects.get(number=1).delete()
    future = new_version(timezone.localdate() + dt.timedelta(days=3), "予定")
    future.purpose_ja = "予定（修正）"
    future.save()
    assert PolicyVersion.objects.get(pk=future.pk).purpose_ja == "予定（修正）"


def test_the_admin_adds_a_version_from_the_newest_words_and_shows_earlier_ones_read_only(admin_client, administrator):
    add = admin_client.get(reverse("admin:public_policyversion_add")).content.decode()
    assert "出入国在留管理庁の業務や施策などに関する情報を発信し" in add
    change = admin_client.get(
        reverse("admin:public_policyversion_change", args=[PolicyVersion.objects.get(number=1).pk])
    )
    assert change.status_code == 200
    assert 'name="purpose_ja"' not in change.content.decode()  # read only once in force
    data = {
        f"{s}_{lang}": f"{s} {lang}"
        for s in ("preamble", "purpose", "posters", "hours_note", "notes", "disclaimer", "prohibited_note")
        for lang in ("ja", "en", "zh")
    }
    data["effective_from"] = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    assert admin_client.post(reverse("admin:public_policyversion_add"), data).status_code == 302
    added = PolicyVersion.objects.get(number=2)
    assert (added.created_by, added.purpose_en) == (administrator, "purpose en")
