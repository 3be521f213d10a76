"""The whole path in a real browser: a Tokyo poster writes a post, a supervisor approves it, a real
Celery worker publishes it through the sandbox publisher, and an Osaka poster cannot see it.

Everything runs on committed data: the live server thread and the worker and beat processes
(tests/posts/worker_harness.py) share the test database and the test process's own broker
(the filesystem broker by default, Redis when CELERY_BROKER_URL says so). Every account uses
the sandbox publisher, the default, so nothing leaves the machine.

Time: the composer takes minutes (datetime-local, "%Y-%m-%dT%H:%M"), so the post is scheduled
at the first whole minute at least SCHEDULE_MARGIN seconds ahead; publishing therefore comes
10–70 s after submitting. When Tokyo's counter (or Narita's) is not open at that minute — the
real clock may say Saturday night — the post carries an outside-hours reason, which lets the
worker publish it without waiting for real office hours. Every wait is bounded and says what
it waited for.

Pages whose HTTP status is an error on purpose (404) are opened in `side_tab`: Chromium logs
"Failed to load resource: … 404" as a console error for them, which the `page` fixture would
count as a JavaScript error. That tab keeps the fixture's rules (nothing from another host, no
JavaScript error) and tolerates only that one message, for the URL the test names.
"""

import datetime as dt
import re
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership, Office, SocialAccount
from posts import footer, office_hours
from posts.length import weighted_length
from posts.models import Post, PostEvent, PostTarget
from tests.browser.conftest import BROWSER_DB, DESKTOP, login, shoot
from tests.conftest import add_totp
from tests.factories import PASSWORD, make_person, post_via_services
from tests.posts.worker_harness import Harness, database_url, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.worker, BROWSER_DB]

HANDLES = ("IMMI_TOKYO", "IMMI_NARITA")
URL = "https://www.moj.go.jp/isa/applications/procedures/online_shinsei/10_00022_zairyu_kikan_koushin.html"
TEXT = (
    "【お知らせ】在留期間更新許可申請は、オンラインでも手続できます。"
    f"詳しくはホームページをご覧ください。\n{URL}\nぜひご利用ください🛂"
)
CARD_NUMBER = "ＡＢ１２３４５６７８ＣＤ"  # a residence card number in full-width characters
PASTED = f"\n在留カード番号：{CARD_NUMBER}"
OFFICIAL_NUMBER = "0570-013904"  # the information centre's number, seeded as an official contact
WITH_OFFICIAL_NUMBER = f"{TEXT}\nお問い合わせ：{OFFICIAL_NUMBER}"
HYPHENATED_CARD = "AB-1234-5678-CD"  # a residence card number written with hyphens
WITH_HYPHENATED_CARD = f"{TEXT}\n在留カード番号：{HYPHENATED_CARD}"
REASON = "システム障害のお知らせのため、窓口受付時間外に投稿します。"
OWN_BODY = "東京局の窓口案内（監督者が自分で作成した投稿）です。"

INSIDE = "窓口受付時間内です。"
OUTSIDE = "窓口受付時間外です。"
PUBLISHED = "公開済み"
PENDING = "承認待ち"

SCHEDULE_MARGIN = 10  # seconds between choosing the time and the latest moment the form may be sent
STAYS_OPEN = dt.timedelta(minutes=3)  # "inside" only if publishing cannot run past closing time
PUBLISH_TIMEOUT = 60  # seconds after the scheduled minute (or after approval, if later)


# --- helpers -----------------------------------------------------------------------------------


def path_of(page) -> str:
    return urlsplit(page.url).path


def next_whole_minute(at: dt.datetime) -> dt.datetime:
    minute = at.replace(second=0, microsecond=0)
    return minute if minute == at else minute + dt.timedelta(minutes=1)


def choose_time(accounts, margin: int = SCHEDULE_MARGIN) -> tuple[dt.datetime, dict[str, bool], bool]:
    """(time, {handle: open at that time}, needs a reason): the earliest minute the composer can take.

    The earliest moment is posts.office_hours.next_open(Tokyo, now + a few seconds). If that is not
    within the next whole minute (closed now: night, weekend, holiday), the post goes out at that
    minute anyway, with an outside-hours reason; publishing must not wait for real office hours.
    """
    tokyo = Office.objects.get(code="tokyo")
    scheduled = next_whole_minute(timezone.now() + dt.timedelta(seconds=margin))
    opening = office_hours.next_open(tokyo, scheduled)
    open_at = {a.handle: office_hours.is_open(a.office, scheduled) for a in accounts}
    inside = (
        opening == scheduled
        and all(open_at.values())
        and all(office_hours.is_open(a.office, scheduled + STAYS_OPEN) for a in accounts)
    )
    return scheduled, open_at, not inside


def local_input(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# The composer previews on "input" (after 300 ms) and on "change" (at once), and a new preview
# request aborts the one in flight (hx-sync="this:replace"), which htmx reports with
# console.error. A person finishes one field before the next; the test does the same: after each
# action it waits until no preview request is in flight and nothing happened for a moment.
PACE_SCRIPT = """
(() => {
  const pace = window.__pace = { inflight: 0, last: performance.now() };
  const touch = () => { pace.last = performance.now(); };
  document.addEventListener("input", touch, true);
  document.addEventListener("change", touch, true);
  document.addEventListener("htmx:beforeRequest", () => { pace.inflight += 1; touch(); });
  document.addEventListener("htmx:afterRequest", () => { pace.inflight = Math.max(0, pace.inflight - 1); touch(); });
  document.addEventListener("htmx:afterSettle", touch);
})();
"""


def settle(page) -> None:
    """Wait until the preview is idle: no request in flight, no input or change for 450 ms."""
    page.wait_for_function(
        "() => window.__pace && window.__pace.inflight === 0 && performance.now() - window.__pace.last > 450",
        polling=50,
        timeout=15_000,
    )


def type_into(page, field, text: str) -> None:
    """Replace a field's text, then leave the field (its "change"), one preview at a time."""
    field.fill(text)
    settle(page)
    field.blur()
    settle(page)


def pick_time(page, moment: dt.datetime, reason: str) -> None:
    field = page.locator("#compose-form [name=scheduled_at]")
    field.fill(local_input(moment))
    settle(page)
    field.blur()
    settle(page)
    type_into(page, page.locator("#compose-form [name=outside_hours_reason]"), reason)


def sign_out(page, live_server) -> None:
    with page.expect_navigation():
        page.locator("header form[action='/accounts/logout/'] button").click()
    if path_of(page) != "/accounts/login/":
        page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator('input[name="login"]')).to_be_visible()


def preview_card(page, handle: str):
    return page.locator(f'#preview .preview-card[data-account="{handle}"]')


def post_id_from(page) -> int:
    match = re.fullmatch(r"/posts/(\d+)/(?:edit/)?", path_of(page))
    assert match, f"not a post's page: {page.url}"
    return int(match.group(1))


def load_failure(status: int) -> str:
    """What Chromium logs as a console error for a response with that status."""
    reason = {403: "Forbidden", 404: "Not Found"}[status]
    return f"Failed to load resource: the server responded with a status of {status} ({reason})"


@contextmanager
def side_tab(page, live_server, *, may_fail: dict[str, int] | None = None):
    """A tab signed in as the page's user, for URLs that answer an HTTP error on purpose.

    may_fail maps a path to the one error status it may answer; Chromium's console error for that
    response is tolerated, every other console or page error and every request to another host
    fails the test, as in the `page` fixture. Yields the tab; closes it afterwards.
    """
    server = urlsplit(live_server.url)
    foreign: list[str] = []
    errors: list[str] = []
    allowed = {f"{live_server.url}{path}": load_failure(status) for path, status in (may_fail or {}).items()}

    def is_local(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob", "about") or (
            (parts.scheme, parts.hostname, parts.port) == (server.scheme, server.hostname, server.port)
        )

    def on_request(request):
        if not is_local(request.url):
            foreign.append(request.url)

    def guard(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def on_console(message):
        if message.type != "error":
            return
        where = message.location.get("url", "") if message.location else ""
        if allowed.get(where) == message.text:
            return
        errors.append(f"console error on {where or message.page.url}: {message.text}")

    context = page.context.browser.new_context(
        viewport=DESKTOP,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        storage_state=page.context.storage_state(),
    )
    context.set_default_timeout(15_000)
    context.on("request", on_request)
    context.on("console", on_console)
    context.on("weberror", lambda error: errors.append(f"page error: {error.error}"))
    context.route("**/*", guard)
    try:
        yield context.new_page()
    finally:
        context.close()
    assert not foreign, f"requests left the live server ({live_server.url}): {foreign}"
    assert not errors, "JavaScript errors: " + "; ".join(errors)


def post_approve_in_browser(page, post: Post):
    """POST /posts/<id>/approve/ from the page shown, with its CSRF token, as a form would; returns the response."""
    with page.expect_navigation() as navigation:
        page.evaluate(
            """([action, revision]) => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = action;
                for (const [name, value] of [
                    ["csrfmiddlewaretoken", document.querySelector("[name=csrfmiddlewaretoken]").value],
                    ["revision", String(revision)],
                ]) {
                    const input = document.createElement("input");
                    input.type = "hidden"; input.name = name; input.value = value;
                    form.appendChild(input);
                }
                document.body.appendChild(form);
                form.submit();
            }""",
            [f"/posts/{post.pk}/approve/", post.revision],
        )
    return navigation.value


@pytest.fixture
def harness(tmp_path, transactional_db):
    """A worker and beat on the test database and the test process's broker; stopped in teardown."""
    harness = Harness(
        directory=tmp_path,
        database_url=database_url(connection.settings_dict),
        broker_url=django_settings.CELERY_BROKER_URL,
        var_dir=str(django_settings.VAR_DIR),
        # Beat sweeps every second. The browser fixture sets DJANGO_ALLOW_ASYNC_UNSAFE in this
        # process while Chromium runs; the workers must not inherit it.
        env={"PUBLISHING_SWEEP_SECONDS": "1", "DJANGO_ALLOW_ASYNC_UNSAFE": ""},
    )
    harness.purge()  # messages left on the broker by earlier tests would run too
    try:
        yield harness
    finally:
        harness.stop_all()
        print(harness.output())  # shown by pytest when the test failed


def explain(harness, post):
    def text() -> str:
        rows = list(
            PostTarget.objects.filter(post=post).values(
                "account__handle", "state", "due_at", "enqueued_at", "attempts", "last_error"
            )
        )
        events = list(PostEvent.objects.filter(post=post).order_by("at", "id").values_list("action", "comment"))
        return f"now: {timezone.now():%H:%M:%S}\ntargets: {rows}\nevents: {events}\n{harness.output()}"

    return text


# --- the journey ---------------------------------------------------------------------------------


def test_from_login_to_published(page, live_server, harness):
    make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    supervisor = make_person("tokyo-supervisor", "tokyo", Membership.Role.SUPERVISOR)
    secret = add_totp(supervisor)
    make_person("osaka-poster", "osaka", Membership.Role.POSTER)
    accounts = {a.handle: a for a in SocialAccount.objects.filter(handle__in=HANDLES).select_related("office")}
    assert set(accounts) == set(HANDLES)
    assert all(a.publisher == SocialAccount.Publisher.SANDBOX for a in accounts.values())
    # Workers start while the people work; beat sweeps every second as the safety net.
    worker = harness.start_worker("w1", wait=False)
    beat = harness.start_beat(wait=False)

    # --- a. The poster writes the post ---------------------------------------------------------
    page.add_init_script(PACE_SCRIPT)
    login(page, live_server, "tokyo-poster", PASSWORD)
    assert path_of(page) == "/"
    with page.expect_navigation():
        page.locator("header nav a[href='/posts/new/']").click()
    assert path_of(page) == "/posts/new/"
    expect(page.locator("h1")).to_have_text("新規投稿")
    settle(page)
    for handle in HANDLES:
        page.locator(f"#compose-form input[name=accounts][value='{accounts[handle].pk}']").check()
        settle(page)
    body = page.locator("#compose-form textarea[name=body]")
    type_into(page, body, TEXT)
    for handle in HANDLES:
        expected = weighted_length(footer.compose(TEXT, accounts[handle]))
        # Room for the pasted card number, so that it is the one thing to fix.
        assert expected + weighted_length(PASTED) <= 280, f"the journey's text is too long for {handle}: {expected}"
        expect(page.locator(f"[data-testid=counter-{handle}] .count")).to_have_text(str(expected))
    tokyo_footer = footer.footer_for(accounts["IMMI_TOKYO"])
    assert tokyo_footer is not None
    expect(preview_card(page, "IMMI_TOKYO").locator(".post-text")).to_contain_text(footer.footer_text(tokyo_footer))
    expect(page.locator("#preview .finding-block")).to_have_count(0)

    # The agency's own number is shown as an official contact, not as personal data.
    type_into(page, body, WITH_OFFICIAL_NUMBER)
    for handle in HANDLES:
        card = preview_card(page, handle)
        expect(card.locator("mark.official")).to_have_text(OFFICIAL_NUMBER)
        expect(card.locator("li.official")).to_contain_text(OFFICIAL_NUMBER)
        expect(card.locator("li.official")).to_contain_text("外国人在留総合インフォメーションセンター")
    expect(page.locator("#preview .finding-block")).to_have_count(0)
    shoot(page, "journey-compose-official-number")
    type_into(page, body, TEXT)
    expect(page.locator("#preview mark")).to_have_count(0)

    # A time for now (the refused submission below must still find it in the future); chosen again before the real submission.
    scheduled, open_at, needs_reason = choose_time(accounts.values(), margin=120)
    pick_time(page, scheduled, REASON if needs_reason else "")
    for handle in HANDLES:
        expect(preview_card(page, handle).locator(".hours")).to_contain_text(INSIDE if open_at[handle] else OUTSIDE)
    shoot(page, "journey-compose")

    # A residence card number pasted in full-width characters: blocked in the preview and on submit.
    body.focus()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text(PASTED)
    settle(page)
    body.blur()
    settle(page)
    for handle in HANDLES:
        card = preview_card(page, handle)
        expect(card.locator("mark.finding-block")).to_have_text(CARD_NUMBER)
        expect(card.locator("li.finding-block")).to_contain_text("要修正")
        expect(card.locator("li.finding-block")).to_contain_text("在留カード番号のようです。投稿前に削除してください。")
    shoot(page, "journey-compose-blocked")
    with page.expect_navigation():
        page.locator("#submit-for-approval").click()
    post_id = post_id_from(page)
    assert path_of(page) == f"/posts/{post_id}/edit/", "a refused submission goes back to the composer"
    messages = page.locator(".messages .message.error")
    expect(messages.first).to_have_text("この投稿はまだ承認申請できません。")
    expect(page.locator(".messages")).to_contain_text("在留カード番号のようです。投稿前に削除してください。")
    expect(page.locator(".messages")).to_contain_text(CARD_NUMBER)
    expect(messages).to_have_count(1 + len(HANDLES))  # the headline, then the card number on each account
    post = Post.objects.get(pk=post_id)
    assert post.state == Post.State.DRAFT, "the refused post is kept as a draft"
    assert CARD_NUMBER in post.body
    settle(page)
    shoot(page, "journey-compose-refused")

    # Remove it: the finding goes away; choose the time again (minutes have passed) and submit.
    body = page.locator("#compose-form textarea[name=body]")
    expect(body).to_have_value(TEXT + PASTED)

    # The card number written with hyphens is caught as well, at the characters as typed.
    type_into(page, body, WITH_HYPHENATED_CARD)
    for handle in HANDLES:
        card = preview_card(page, handle)
        expect(card.locator("mark.finding-block")).to_have_text(HYPHENATED_CARD)
        expect(card.locator("li.finding-block")).to_contain_text("在留カード番号のようです。投稿前に削除してください。")
    shoot(page, "journey-compose-hyphenated-card")
    type_into(page, body, TEXT)
    expect(page.locator("#preview .finding-block")).to_have_count(0)
    expect(page.locator("#preview mark")).to_have_count(0)
    for handle in HANDLES:
        expect(page.locator(f"[data-testid=counter-{handle}] .count")).to_have_text(
            str(weighted_length(footer.compose(TEXT, accounts[handle])))
        )
    scheduled, open_at, needs_reason = choose_time(accounts.values())
    pick_time(page, scheduled, REASON if needs_reason else "")
    for handle in HANDLES:
        expect(preview_card(page, handle).locator(".hours")).to_contain_text(INSIDE if open_at[handle] else OUTSIDE)
    with page.expect_navigation():
        page.locator("#submit-for-approval").click()
    assert path_of(page) == f"/posts/{post_id}/", page.locator(".messages, .errorlist").all_inner_texts()
    expect(page.locator(".messages .message.success")).to_have_text("承認申請しました。")
    expect(page.locator("h1 .post-state")).to_have_text(PENDING)
    post.refresh_from_db()
    assert (post.state, post.body, post.scheduled_at) == (Post.State.PENDING, TEXT, scheduled)
    assert post.outside_hours_reason == (REASON if needs_reason else "")
    shoot(page, "journey-detail-pending")
    page.goto(f"{live_server.url}/")
    expect(page.locator("main")).to_contain_text("IMMI_TOKYO")
    shoot(page, "journey-home-poster")
    sign_out(page, live_server)

    # --- b. The supervisor approves it; their own post they cannot ------------------------------
    own = post_via_services(
        supervisor,
        ["IMMI_TOKYO"],
        body=OWN_BODY,
        when=timezone.now() + dt.timedelta(days=2),
        reason=REASON,
        submit=True,
    )
    login(page, live_server, "tokyo-supervisor", PASSWORD, totp_secret=secret)
    assert path_of(page) == "/"
    expect(page.locator("header")).to_contain_text("tokyo-supervisor")
    shoot(page, "journey-home-supervisor")
    with page.expect_navigation():
        page.locator("header nav a[href='/posts/queue/']").click()
    assert path_of(page) == "/posts/queue/"
    item = page.locator(f"#post-{post_id}")
    expect(item).to_be_visible()
    expect(item).to_contain_text("tokyo-poster")
    if needs_reason:
        expect(item.locator(".message.warning")).to_contain_text(REASON)
    else:
        expect(item.locator(".message.warning")).to_have_count(0)
    expect(page.locator(f"#post-{own.pk}")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(OWN_BODY)
    shoot(page, "journey-queue")
    with page.expect_navigation():
        item.locator("form.decision-inline button:not([formaction])").click()
    assert path_of(page) == "/posts/queue/"  # the next post waiting would open; their own is not one
    expect(page.locator(".messages .message.success")).to_have_text(f"投稿 #{post_id} を承認しました。")
    approved_at = timezone.now()
    post.refresh_from_db()
    assert (post.state, post.approved_by_id) == (Post.State.APPROVED, supervisor.pk)

    # Their own post: not in the queue (above); POSTing approve for it is refused, and the page says why.
    page.goto(f"{live_server.url}/posts/{own.pk}/")
    expect(page.locator("#decision-form")).to_have_count(0)
    response = post_approve_in_browser(page, own)
    assert response.status == 200, f"approving one's own post answered {response.status}"
    assert path_of(page) == f"/posts/{own.pk}/"
    expect(page.locator(".messages .message.error")).to_contain_text("自分の投稿は承認できません。")
    expect(page.locator("h1 .post-state")).to_have_text(PENDING)
    own.refresh_from_db()
    assert (own.state, own.approved_by_id) == (Post.State.PENDING, None)
    assert not own.events.filter(action=PostEvent.Action.APPROVE).exists()
    shoot(page, "journey-own-post-refused")
    sign_out(page, live_server)

    # --- c. The worker publishes it at its time; the poster sees it ---------------------------------
    harness.wait_ready(worker)
    harness.wait_ready(beat)
    login(page, live_server, "tokyo-poster", PASSWORD)
    page.goto(f"{live_server.url}/posts/{post_id}/")
    states = page.locator(".target-row .post-state")
    deadline = (
        time.monotonic() + PUBLISH_TIMEOUT + max(0.0, (scheduled - max(approved_at, timezone.now())).total_seconds())
    )
    while True:
        texts = states.all_inner_texts()
        if texts == [PUBLISHED, PUBLISHED]:
            break
        if time.monotonic() > deadline:
            raise AssertionError(
                f"both targets were not 公開済み {PUBLISH_TIMEOUT} s after {scheduled:%H:%M:%S} "
                f"(the page says {texts})\n{explain(harness, post)()}"
            )
        page.wait_for_timeout(1000)
        page.reload()
    published_at = timezone.now()
    for target in post.targets.select_related("account"):
        assert target.state == PostTarget.State.PUBLISHED
        assert target.published_at is not None
        assert target.published_at >= scheduled - dt.timedelta(seconds=1), "published before its time"
        expected_text = footer.compose(TEXT, target.account)
        assert target.published_text == expected_text
        row = page.locator(f"#target-{target.pk}")
        link = row.locator("[data-testid=published-link]")
        expect(link).to_have_attribute("href", re.compile(r"^/sandbox/\d+/$"))
        text = row.locator("[data-testid=published-text]")  # in full, not under a fold
        expect(text).to_be_visible()
        assert text.text_content() == expected_text
    assert (published_at - scheduled).total_seconds() < PUBLISH_TIMEOUT + 60
    shoot(page, "journey-detail-published")

    detail = page.url
    for index, target in enumerate(post.targets.select_related("account").order_by("account__sort_order")):
        if index:
            page.goto(detail)
        link = page.locator(f"#target-{target.pk} [data-testid=published-link]")
        with page.expect_navigation():
            link.click()
        assert re.fullmatch(r"/sandbox/\d+/", path_of(page)), page.url
        expect(page.locator(".preview-head")).to_contain_text(target.account.handle)
        assert page.locator("[data-testid=sandbox-text]").text_content() == footer.compose(TEXT, target.account)
        if index == 0:
            shoot(page, "journey-sandbox")
    sign_out(page, live_server)

    # --- d. An Osaka poster does not see it ---------------------------------------------------------
    login(page, live_server, "osaka-poster", PASSWORD)
    assert path_of(page) == "/"
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator(f"main a[href='/posts/{post_id}/']")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("在留期間更新許可申請")
    page.goto(f"{live_server.url}/posts/")
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator(f"main a[href='/posts/{post_id}/']")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("在留期間更新許可申請")
    with side_tab(page, live_server, may_fail={f"/posts/{post_id}/": 404}) as tab:
        response = tab.goto(f"{live_server.url}/posts/{post_id}/")
        assert response.status == 404, f"another office's post answered {response.status}"
        expect(tab.locator("body")).not_to_contain_text("在留期間更新許可申請")
        shoot(tab, "journey-not-found")


def test_acting_while_the_preview_loads_logs_no_console_error(page, live_server):
    make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    login(page, live_server, "tokyo-poster", PASSWORD)
    with side_tab(page, live_server) as tab:
        held = []  # a slow server: the preview answers only when the test lets it
        tab.route("**/posts/preview/", lambda route: held.append(route))
        tab.goto(f"{live_server.url}/posts/new/")
        wait_for(lambda: held or tab.wait_for_timeout(50), timeout=10, what="the preview request on load")
        tab.locator(f"#compose-form input[name=accounts][value='{tokyo.pk}']").check()
        tab.wait_for_timeout(500)  # the delayed "input" trigger fires too
        tab.unroute("**/posts/preview/")
        for route in held:
            try:
                route.continue_()
            except Exception:
                pass
        expect(tab.locator("[data-testid=counter-IMMI_TOKYO]")).to_be_visible()
