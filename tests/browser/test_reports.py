"""The monthly report in a real browser: the agency opens the month's report, exports it, and prints it on A4."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership, SocialAccount
from posts.models import Post, PostTarget
from reports.selectors import Month
from tests.browser.conftest import BROWSER_DB, SCREENSHOTS, assert_accessible, login, shoot
from tests.factories import PASSWORD, PostFactory, PostTargetFactory, make_person
from tests.factories_reports import AccountFiguresFactory, PostFiguresFactory

pytestmark = [pytest.mark.browser, BROWSER_DB]


def _month_of_posts(month: Month) -> None:
    author = make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    for n, handle in enumerate(["IMMI_TOKYO", "IMMI_NARITA", "IMMI_OSAKA", "IMMI_FUKUOKA"] * 3):
        account = SocialAccount.objects.get(handle=handle, platform="x")
        at = month.start + dt.timedelta(days=n + 1, hours=10)
        post = PostFactory.create(
            author=author,
            body=f"在留手続きのお知らせ その{n + 1}",
            scheduled_at=at,
            state=Post.State.APPROVED,
            outside_hours_reason="台風の接近に伴う緊急のお知らせ" if n == 5 else "",
        )
        target = PostTargetFactory.create(
            post=post, account=account, state=PostTarget.State.PUBLISHED, external_id=str(n), published_at=at
        )
        PostFiguresFactory.create(target=target, day=month.last, views=200 + 37 * n, liked=n)
    for account in SocialAccount.objects.all():
        AccountFiguresFactory.create(account=account, day=month.last, followers=1000 + account.pk * 10)


def test_the_agency_opens_the_months_report_exports_it_and_prints_it(page, live_server, tmp_path):
    month = Month.of(timezone.localdate()).previous
    _month_of_posts(month)
    make_person("auditor", "agency", Membership.Role.VIEWER)

    login(page, live_server, "auditor", PASSWORD)
    page.locator('header a[href="/reports/"]').click()
    expect(page.locator("main h1")).to_contain_text(str(month))
    expect(page.locator("#report-accounts-table tbody tr").first).to_be_visible()
    expect(page.locator("#report-top-table tbody tr")).to_have_count(5)
    expect(page.locator("#report-hours-table")).to_contain_text("台風")
    assert_accessible(page)
    shoot(page, "monthly-report")

    with page.expect_download() as download_info:
        page.locator("#report-export-csv").click()
    download = download_info.value
    assert download.suggested_filename == f"immisns-report-{month}.csv"
    text = open(download.path(), encoding="utf-8").read()
    assert text.startswith("\ufeff") and "投稿数" in text

    pdf = tmp_path / "report.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True, print_background=False)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(pdf), str(SCREENSHOTS / "monthly-report-print")], check=True
        )
        pages = sorted(SCREENSHOTS.glob("monthly-report-print*.png"))
        assert 1 <= len(pages) <= 4  # the month on a few A4 pages, without the navigation
    expect(page.locator("header nav")).to_be_hidden()


def test_a_poster_reads_a_posts_reach_and_the_accounts_followers(page, live_server):
    """The post page's reach card (one account's figures in full, a Facebook Page's with the blanks it gave)
    and the account page's followers and best posts pass axe at 1280 and 390 px."""
    make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    author = make_person("agency-poster", "agency", Membership.Role.POSTER)
    now = timezone.now()
    post = PostFactory.create(
        author=author, body="在留カードの更新手続きのお知らせ", scheduled_at=now, state=Post.State.APPROVED
    )
    today = timezone.now().date()
    # Published this month (the account page ranks this month's posts), up to five days ago.
    published_at = max(now - dt.timedelta(days=5), Month.of(timezone.localdate()).start)
    read_days = (today - published_at.date()).days
    shown = {}
    for handle, views in (("IMMI_TOKYO", 900), ("ImmigrationServicesAgency.MOJ", None)):
        target = PostTargetFactory.create(
            post=post,
            account=SocialAccount.objects.get(handle=handle),
            state=PostTarget.State.PUBLISHED,
            external_id=f"reach-{handle}",
            published_at=published_at,
        )
        for day in range(read_days, -1, -1):
            seen = None if views is None else views - 150 * day
            PostFiguresFactory.create(target=target, day=today - dt.timedelta(days=day), views=seen, liked=40 - day)
        shown[handle] = f"#reach-{target.pk}"
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    for day in range(60, -1, -3):
        AccountFiguresFactory.create(account=tokyo, day=today - dt.timedelta(days=day), followers=5000 - 4 * day)

    login(page, live_server, "tokyo-poster", PASSWORD)
    page.goto(f"{live_server.url}/posts/{post.pk}/")
    card = page.locator("#post-reach")
    expect(card.locator(".reach-target")).to_have_count(2)
    expect(card.locator(shown["IMMI_TOKYO"]).locator("dd").first).to_have_text("900")
    expect(card.locator(shown["IMMI_TOKYO"]).locator("svg").first).to_be_visible()
    # The Page's views were never given: blank, and no empty picture of them.
    expect(card.locator(shown["ImmigrationServicesAgency.MOJ"]).locator("dd").first).to_have_text("")
    expect(card.locator(shown["ImmigrationServicesAgency.MOJ"]).locator("svg")).to_have_count(0)
    assert_accessible(page)
    shoot(page, "post-reach")

    page.goto(f"{live_server.url}/accounts/IMMI_TOKYO/")
    expect(page.locator("#account-reach")).to_contain_text("5000")
    expect(page.locator("#account-best-posts tbody tr")).to_have_count(1)
    assert_accessible(page)
    shoot(page, "account-reach")
