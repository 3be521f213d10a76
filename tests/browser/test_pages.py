"""The first pages in a real browser: login (password, TOTP), home, language switch, admin, MFA set-up."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.models import Membership
from tests.browser.conftest import BROWSER_DB, login, shoot
from tests.conftest import add_totp
from tests.factories import PASSWORD, make_person

pytestmark = [pytest.mark.browser, BROWSER_DB]


def path_of(page) -> str:
    return urlsplit(page.url).path


def test_login_page_is_japanese(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("h1")).to_contain_text("ログイン")
    expect(page.locator('input[name="login"]')).to_be_visible()
    expect(page.locator('input[name="password"]')).to_be_visible()
    shoot(page, "login")


def test_wrong_password_shows_an_error(page, live_server):
    make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    login(page, live_server, "tokyo-poster", "wrong-password")
    assert path_of(page) == "/accounts/login/"
    expect(page.locator("form .errorlist, .errorlist")).to_be_visible()
    expect(page.locator(".errorlist").first).not_to_be_empty()
    shoot(page, "login-error")


def test_tokyo_poster_sees_home_and_switches_to_english(page, live_server):
    make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    login(page, live_server, "tokyo-poster", PASSWORD)
    assert path_of(page) == "/"
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    main = page.locator("main")
    expect(main).to_contain_text("IMMI_TOKYO")
    link = main.locator('a[href="/accounts/IMMI_TOKYO/"]').first  # the account's page in the console
    expect(link).to_be_visible()
    expect(link).to_contain_text("IMMI_TOKYO")
    shoot(page, "home")

    with page.expect_navigation():
        page.locator("select#language").select_option("en")
    assert path_of(page) == "/"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("header")).to_contain_text("Sign out")
    expect(page.locator("main h1")).to_contain_text("Welcome")
    expect(page.locator("main")).to_contain_text("IMMI_TOKYO")
    shoot(page, "home-en")


def test_supervisor_logs_in_with_password_and_totp(page, live_server):
    supervisor = make_person("tokyo-supervisor", "tokyo", Membership.Role.SUPERVISOR)
    secret = add_totp(supervisor)
    login(page, live_server, "tokyo-supervisor", PASSWORD, totp_secret=secret)
    assert path_of(page) == "/"
    expect(page.locator("header")).to_contain_text("tokyo-supervisor")
    expect(page.locator("main")).to_contain_text("IMMI_TOKYO")


def test_administrator_sees_the_21_accounts_in_the_admin(page, live_server):
    admin = make_person("admin", is_staff=True, is_superuser=True)
    secret = add_totp(admin)
    login(page, live_server, "admin", PASSWORD, totp_secret=secret, next_url="/admin/accounts/socialaccount/")
    assert path_of(page) == "/admin/accounts/socialaccount/"
    expect(page.locator("#result_list tbody tr")).to_have_count(21)
    expect(page.locator("#result_list")).to_contain_text("IMMI_TOKYO")
    shoot(page, "admin-accounts")


def test_supervisor_without_totp_reaches_the_activate_page(page, live_server):
    make_person("osaka-supervisor", "osaka", Membership.Role.SUPERVISOR)
    login(page, live_server, "osaka-supervisor", PASSWORD)
    assert path_of(page) == "/"
    page.goto(f"{live_server.url}/accounts/2fa/totp/activate/")
    if path_of(page) == "/accounts/reauthenticate/":
        shoot(page, "reauthenticate")
        form = page.locator('form[action="/accounts/reauthenticate/"]')
        form.locator('input[name="password"]').fill(PASSWORD)
        with page.expect_navigation():
            form.locator('button[type="submit"]').click()
    assert path_of(page) == "/accounts/2fa/totp/activate/"
    expect(page.locator('input[name="code"]')).to_be_visible()
    expect(page.locator('img[src^="data:image/svg+xml"]')).to_be_visible()
    shoot(page, "mfa-activate")
