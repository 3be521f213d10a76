"""Every staff page passes axe-core's WCAG 2.0 A and AA rules (JIS X 8341-3:2016) at 1280 and 390 px.

The public pages are checked in test_public.py. Each persona visits the pages it can
reach; the pages are filled with the data that makes them show their forms and tables.
"""

import datetime as dt
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib import admin
from django.test import RequestFactory
from playwright.sync_api import expect

from accounts.models import Membership, Office, SocialAccount
from posts import services
from tests.browser.conftest import BROWSER_DB, assert_accessible, login, shoot, totp_code
from tests.conftest import add_totp
from tests.factories import (
    PASSWORD,
    ClosureDayFactory,
    MembershipFactory,
    SandboxDeliveryFactory,
    make_person,
    post_via_services,
)

pytestmark = [pytest.mark.browser, BROWSER_DB]


def visit(page, live_server, path: str) -> None:
    page.goto(f"{live_server.url}{path}")
    assert urlsplit(page.url).path == path.split("?")[0], f"{path} led to {page.url}"
    assert_accessible(page)


def posts_of_every_state(poster, supervisor):
    """A draft, a pending post and an approved one, made at a fixed working-day morning."""
    with time_machine.travel(dt.datetime(2026, 12, 1, 0, 30, tzinfo=dt.UTC), tick=True):
        draft = post_via_services(poster, body="下書きのお知らせです。")
        # To two accounts that publish the same card: the queue shows it once, naming both.
        pending = post_via_services(poster, ("IMMI_TOKYO", "IMMI_NARITA"), body="承認待ちのお知らせです。", submit=True)
        approved = services.post_approve(
            post=post_via_services(poster, body="承認済みのお知らせです。", submit=True), by=supervisor
        )
    return draft, pending, approved


def test_signed_out_pages(page, live_server):
    visit(page, live_server, "/accounts/login/")
    make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    login(page, live_server, "tokyo-poster", "wrong-password")
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_accessible(page)
    visit(page, live_server, "/accounts/password/reset/")


def test_poster_pages(page, live_server):
    poster = make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    supervisor = make_person("tokyo-supervisor", "tokyo", Membership.Role.SUPERVISOR)
    draft, pending, approved = posts_of_every_state(poster, supervisor)
    delivery = SandboxDeliveryFactory.create(account=SocialAccount.objects.get(handle="IMMI_TOKYO"), text="送信記録")
    login(page, live_server, "tokyo-poster", PASSWORD)
    for path in (
        "/",
        "/posts/",
        "/posts/new/",
        f"/posts/{draft.pk}/",
        f"/posts/{draft.pk}/edit/",
        f"/posts/{pending.pk}/",
        f"/posts/{approved.pk}/",
        f"/sandbox/{delivery.pk}/",
        "/accounts/2fa/",
    ):
        visit(page, live_server, path)
    # The composer with its live preview and a finding shown.
    page.goto(f"{live_server.url}/posts/new/")
    page.get_by_label("@IMMI_TOKYO — 東京出入国在留管理局").check()
    page.locator("textarea[name=body]").fill("在留カード番号 AB12345678CD のお知らせ")
    expect(page.locator(".preview-card").first).to_be_visible()
    page.wait_for_timeout(800)
    assert_accessible(page)
    # The same pages in English.
    with page.expect_navigation():
        page.locator("select#language").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    visit(page, live_server, "/")
    visit(page, live_server, f"/posts/{pending.pk}/")


def test_supervisor_pages(page, live_server):
    poster = make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    supervisor = make_person("tokyo-supervisor", "tokyo", Membership.Role.SUPERVISOR)
    secret = add_totp(supervisor)
    _draft, pending, approved = posts_of_every_state(poster, supervisor)
    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator('form[action^="/accounts/login/"]')
    form.locator('input[name="login"]').fill("tokyo-supervisor")
    form.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert urlsplit(page.url).path == "/accounts/2fa/authenticate/"
    assert_accessible(page)
    form = page.locator('form[action="/accounts/2fa/authenticate/"]')
    form.locator('input[name="code"]').fill(totp_code(secret))
    with page.expect_navigation():
        form.locator('button[type="submit"]').first.click()
    for path in ("/", "/posts/queue/", f"/posts/{pending.pk}/", f"/posts/{approved.pk}/", "/accounts/2fa/"):
        visit(page, live_server, path)
    visit(page, live_server, "/posts/queue/")
    expect(page.locator('[data-testid="also-IMMI_TOKYO"]')).to_contain_text("@IMMI_NARITA")
    shoot(page, "queue-shared-card")


def test_supervisor_setting_up_totp(page, live_server):
    make_person("osaka-supervisor", "osaka", Membership.Role.SUPERVISOR)
    login(page, live_server, "osaka-supervisor", PASSWORD)
    page.goto(f"{live_server.url}/accounts/2fa/totp/activate/")
    if urlsplit(page.url).path == "/accounts/reauthenticate/":
        assert_accessible(page)
        form = page.locator('form[action="/accounts/reauthenticate/"]')
        form.locator('input[name="password"]').fill(PASSWORD)
        with page.expect_navigation():
            form.locator('button[type="submit"]').click()
    assert urlsplit(page.url).path == "/accounts/2fa/totp/activate/"
    assert_accessible(page)


def test_administration_pages(page, live_server):
    admin_user = make_person("admin", is_staff=True, is_superuser=True)
    secret = add_totp(admin_user)
    poster = make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    supervisor = make_person("tokyo-supervisor", "tokyo", Membership.Role.SUPERVISOR)
    _, _pending, _ = posts_of_every_state(poster, supervisor)
    login(page, live_server, "admin", PASSWORD, totp_secret=secret, next_url="/admin/")
    MembershipFactory.create(user=poster, office=Office.objects.get(code="narita"), role=Membership.Role.VIEWER)
    ClosureDayFactory.create(date=dt.date(2026, 12, 28), office=None, reason="庁舎点検")
    visit(page, live_server, "/admin/")
    # Every model's list, add form and the change form of its first row.
    request = RequestFactory().get("/admin/")
    request.user = admin_user  # all that has_add_permission looks at
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        visit(page, live_server, base)
        if model_admin.has_add_permission(request):
            visit(page, live_server, f"{base}add/")
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            visit(page, live_server, f"{base}{first.pk}/change/")
