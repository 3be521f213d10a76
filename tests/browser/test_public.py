"""The public pages in a real browser: three languages, the language switch, axe-core, screenshots."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BROWSER_DB, assert_accessible, shoot

pytestmark = [pytest.mark.browser, BROWSER_DB]

LANGUAGES = ("ja", "en", "zh")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_policy_page_is_accessible_in_each_language(page, live_server, language):
    page.goto(f"{live_server.url}/policy/?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main h1")).to_have_count(1)
    expect(page.locator("main h2")).to_have_count(8)
    assert_accessible(page)
    shoot(page, f"public-policy-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_account_list_is_accessible_in_each_language(page, live_server, language):
    page.goto(f"{live_server.url}/official-accounts/?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main tbody tr")).to_have_count(21)
    assert_accessible(page)
    shoot(page, f"public-accounts-{language}")


def test_an_earlier_policy_version_is_accessible(page, live_server):
    page.goto(f"{live_server.url}/policy/v1/?lang=en")
    assert_accessible(page)


def test_the_browser_language_chooses_and_the_switch_keeps_the_choice(browser, live_server):
    context = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort("blockedbyclient")
        ),
    )
    try:
        tab = context.new_page()
        tab.goto(f"{live_server.url}/official-accounts/")
        expect(tab.locator("html")).to_have_attribute("lang", "zh")
        with tab.expect_navigation():
            tab.locator('nav a[lang="en"]').click()
        assert urlsplit(tab.url).query == "lang=en"
        expect(tab.locator("html")).to_have_attribute("lang", "en")
        with tab.expect_navigation():
            tab.locator("main").get_by_role("link", name="Operating policy").click()
        assert urlsplit(tab.url).path == "/policy/" and urlsplit(tab.url).query == "lang=en"
        expect(tab.locator("main h1")).to_contain_text("Operating policy")
    finally:
        context.close()


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page, live_server):
    page.goto(f"{live_server.url}/policy/?lang=ja")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert urlsplit(page.url).fragment == "main"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused
