"""The audit log in a real browser: a supervisor filters it and downloads the CSV."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import services as account_services
from accounts.models import Membership, SocialAccount
from posts import services as post_services
from tests.browser.conftest import BROWSER_DB, DESKTOP, PHONE, assert_accessible, login, shoot
from tests.conftest import add_totp
from tests.factories import PASSWORD, make_person, post_via_services

pytestmark = [pytest.mark.browser, BROWSER_DB]


def test_a_supervisor_filters_the_audit_log_and_downloads_the_csv(page, live_server):
    supervisor = make_person("tokyo-supervisor", "tokyo", Membership.Role.SUPERVISOR)
    secret = add_totp(supervisor)
    poster = make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    administrator = make_person("admin", is_staff=True, is_superuser=True)
    when = timezone.now() + dt.timedelta(days=7)
    post = post_via_services(poster, submit=True, when=when, reason="年末年始の案内のため時間外に予約します。")
    post_services.post_approve(post=post, by=supervisor, comment="内容を確認しました")
    account_services.account_pause(
        account=SocialAccount.objects.get(handle="IMMI_TOKYO"), by=administrator, reason="東京の点検作業"
    )
    account_services.account_pause(
        account=SocialAccount.objects.filter(office__code="osaka")[0], by=administrator, reason="大阪の点検作業"
    )

    login(page, live_server, "tokyo-supervisor", PASSWORD, totp_secret=secret)
    page.locator('header a[href="/audit/"]').click()
    expect(page.locator("main h1")).to_be_visible()
    rows = page.locator("#audit-entries tbody tr")
    expect(rows.first).to_be_visible()
    expect(page.locator("#audit-entries")).to_contain_text("内容を確認しました")
    expect(page.locator("#audit-entries")).not_to_contain_text("大阪の点検作業")  # another office's
    assert_accessible(page)
    shoot(page, "audit-log")
    page.set_viewport_size(PHONE)  # at phone width each event is one block: nothing scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate("(w => w.scrollWidth <= w.clientWidth)(document.querySelector('.table-wrap'))")
    page.set_viewport_size(DESKTOP)

    page.locator("select#id_kind").select_option("account_state")
    with page.expect_navigation():
        page.locator("#audit-filters button[type=submit]").click()
    assert "kind=account_state" in page.url
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("東京の点検作業")
    assert_accessible(page)
    shoot(page, "audit-log-filtered")

    with page.expect_download() as download_info:
        page.locator("#audit-export-csv").click()
    download = download_info.value
    assert download.suggested_filename.startswith("immisns-audit-") and download.suggested_filename.endswith(".csv")
    content = open(download.path(), "rb").read()
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2, lines  # the header and the one filtered row
    assert "東京の点検作業" in text and "大阪の点検作業" not in text and "内容を確認しました" not in text

    # A date that is not one: a clear error, at both widths.
    page.goto(f"{live_server.url}/audit/?since=2026-02-31")
    expect(page.locator("#id_since-errors")).to_be_visible()
    assert_accessible(page)
    shoot(page, "audit-log-error")
