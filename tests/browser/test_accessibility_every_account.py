"""Accessibility as people who see every account (Facebook's too): WCAG 2.1 A/AA with axe at 1280 and 390 px.

The other browser tests sign in as Tokyo people, who never see a Facebook
account; an administrator and the agency's supervisor see all 21. Besides axe,
two things it does not measure: the focus ring's contrast (WCAG 2.1 1.4.11, 3:1)
and a long Facebook handle staying inside its preview card at 390 px.
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.models import Membership, SocialAccount
from tests.browser.conftest import BROWSER_DB, DESKTOP, PHONE, login
from tests.conftest import add_totp, make_person
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, BROWSER_DB]

AXE_21 = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def assert_wcag21(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe, found = Axe(), []
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        for violation in axe.run(page, options=AXE_21).response["violations"]:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:5]
            found.append(f"{size['width']}px {violation['id']}: {violation['help']} — {targets}")
    page.set_viewport_size(DESKTOP)
    assert not found, f"WCAG 2.1 A/AA violations on {page.url}:\n" + "\n".join(found)


def facebook_account() -> SocialAccount:
    return SocialAccount.objects.filter(platform="facebook").order_by("sort_order")[0]


def contrast(page, selector: str) -> float:
    """The focused element's outline colour against what surrounds it, as WCAG computes contrast."""
    return page.evaluate(
        """(selector) => {
          const el = document.querySelector(selector); el.focus();
          const rgb = (s) => s.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
          const lum = ([r, g, b]) => { const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
          let box = el.parentElement;  // the first ancestor with a background of its own: what the ring is seen against
          while (box && ["rgba(0, 0, 0, 0)", "transparent"].includes(getComputedStyle(box).backgroundColor)) { box = box.parentElement; }
          const a = lum(rgb(getComputedStyle(el).outlineColor)), b = lum(rgb(getComputedStyle(box || document.documentElement).backgroundColor));
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }""",
        selector,
    )


@pytest.mark.parametrize("persona", ["administrator", "agency-supervisor"])
def test_pages_that_show_facebook_accounts(page, live_server, persona):
    if persona == "administrator":
        person = make_person("admin", is_staff=True, is_superuser=True)
    else:
        person = make_person("agency-sup", "agency", Membership.Role.SUPERVISOR)
    secret = add_totp(person)
    login(page, live_server, person.username, PASSWORD, totp_secret=secret)
    account = facebook_account()
    for path in ("/", f"{account.get_absolute_url()}", "/posts/", "/calendar/", "/help/", "/posts/queue/"):
        page.goto(f"{live_server.url}{path}")
        assert urlsplit(page.url).path == path.split("?")[0], page.url
        assert_wcag21(page)
    # The composer's preview of a Facebook account, with a long handle, at 390 px.
    SocialAccount.objects.filter(pk=account.pk).update(display_name="出入国在留管理庁" * 4)
    page.goto(f"{live_server.url}/posts/new/")
    page.locator(f"input[name=accounts][value='{account.pk}']").check()
    page.locator("textarea[name=body]").fill("在留手続のお知らせです。")
    card = page.locator(f".preview-card[data-account='{account.handle}']")
    expect(card).to_be_visible()
    page.wait_for_timeout(800)
    assert_wcag21(page)
    page.set_viewport_size(PHONE)
    overflow = card.evaluate("(el) => el.scrollWidth - el.clientWidth")
    assert overflow <= 1, f"the preview card overflows by {overflow}px at 390 px"
    page.set_viewport_size(DESKTOP)
    # The focus ring: 3:1 at least against the page (WCAG 2.1 1.4.11), on a link and on the date field.
    assert contrast(page, "textarea[name=body]") >= 3
    page.goto(f"{live_server.url}/calendar/")
    assert contrast(page, "main a") >= 3
