"""The audit log (/audit/): every source, who/when/what/before/after, filters, scope and the export.

Three personas per office as elsewhere: a Tokyo supervisor (the bureau and its
branches), an Osaka poster (another office), the agency viewer (everything
below the agency) and an administrator.
"""

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Membership, Office, OfficeHours, SocialAccount
from audit.models import AuditEvent
from posts import services as post_services
from tests.conftest import sign_in_with_second_factor
from tests.factories import (
    PASSWORD,
    ClosureDayFactory,
    FooterFactory,
    OfficeHoursFactory,
    make_person,
    post_via_services,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

LOG = reverse("audit:log")


def export(client, fmt, **params):
    response = client.get(reverse("audit:export", args=[fmt]), params)
    assert response.status_code == 200, response.content[:300]
    assert response.streaming
    return response, b"".join(response.streaming_content)


def kinds_on_page(response) -> list[str]:
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('data-kind="')[1:]]


@pytest.fixture
def world(db, tokyo_supervisor, osaka_poster, viewer, administrator):
    """One of every kind of record, in Tokyo and in Osaka, through the paths people use."""
    tokyo, osaka = Office.objects.get(code="tokyo"), Office.objects.get(code="osaka")
    tokyo_account = SocialAccount.objects.get(handle="IMMI_TOKYO")
    osaka_account = SocialAccount.objects.filter(office=osaka).first()
    assert osaka_account is not None
    tokyo_poster = make_person("tokyo-writer", "tokyo", Membership.Role.POSTER)
    post = post_via_services(tokyo_poster, submit=True)
    post_services.post_approve(post=post, by=tokyo_supervisor, comment="承認します")
    osaka_post = post_via_services(osaka_poster, handles=(osaka_account.handle,), submit=True)
    account_services.account_pause(account=osaka_account, by=administrator, reason="大阪の点検")
    account_services.account_pause(account=tokyo_account, by=administrator, reason="東京の点検")
    FooterFactory.create(platform="x", text="※返信は行っていません（第3版）", version=3, created_by=administrator)
    post_services.publishing_pause_all(by=administrator, reason="全体停止の訓練")
    OfficeHoursFactory.create(office=tokyo, weekday=6, opens=dt.time(9), closes=dt.time(12))
    ClosureDayFactory.create(date=dt.date(2026, 12, 29), office=osaka, reason="大阪の年末休業")
    return {
        "tokyo": tokyo,
        "osaka": osaka,
        "post": post,
        "osaka_post": osaka_post,
        "tokyo_account": tokyo_account,
        "osaka_account": osaka_account,
        "tokyo_poster": tokyo_poster,
    }


def test_an_administrator_sees_every_source_with_who_what_and_before_after(english, world, administrator):
    client = english
    # Changes in the admin are recorded with the administrator as the person who made them.
    sign_in_with_second_factor(client, administrator)
    newcomer = make_person("newcomer")
    response = client.post(
        reverse("admin:accounts_membership_add"),
        {"user": newcomer.pk, "office": world["tokyo"].pk, "role": Membership.Role.VIEWER},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("admin:accounts_closureday_add"), {"date": "2026-12-31", "office": "", "reason": "大晦日"}
    )
    assert response.status_code == 302

    response = client.get(LOG)
    assert response.status_code == 200
    html = response.content.decode()
    kinds = set(kinds_on_page(response))
    assert {
        "post.create",
        "post.submit",
        "post.approve",
        "account_state.changed",
        "footer.version",
        "publishing.paused",
        "office_hours.added",
        "closure_day.added",
        "membership.added",
        "login.succeeded",
    } <= kinds
    # who, what, before and after, in the reader's language
    assert "承認します" in html and "Approved" in html
    assert "newcomer: Viewer at" in html
    assert "Active" in html and "Paused" in html  # the account's state before and after
    assert "大晦日" in html and "every office" in html
    assert "※返信は行っていません（第3版）" in html and "Version 3 of the footer for X." in html
    record = AuditEvent.objects.get(kind="membership.added", object_id=Membership.objects.get(user=newcomer).pk)
    assert record.after is not None
    assert record.actor == administrator and record.after["role"] == "viewer" and record.before is None


def test_membership_office_hours_and_account_changes_keep_before_and_after(english, world, administrator):
    membership = Membership.objects.get(user=world["tokyo_poster"])
    membership.role = Membership.Role.SUPERVISOR
    membership.save()
    hours = OfficeHours.objects.get(office=world["tokyo"], weekday=6)
    hours.closes = dt.time(13)
    hours.save()
    hours.delete()
    account = world["tokyo_account"]
    account.display_name = "出入国在留管理庁 東京"
    account.set_credentials({"access_token": "secret-token", "access_token_secret": "secret-2"})
    account.save()
    membership.delete()

    changed = AuditEvent.objects.get(kind="membership.changed")
    assert changed.before is not None and changed.after is not None
    assert (changed.before["role"], changed.after["role"]) == ("poster", "supervisor")
    hours_changed = AuditEvent.objects.get(kind="office_hours.changed")
    assert hours_changed.before is not None and hours_changed.after is not None
    assert (hours_changed.before["closes"], hours_changed.after["closes"]) == ("12:00", "13:00")
    hours_removed = AuditEvent.objects.get(kind="office_hours.removed")
    assert hours_removed.before is not None
    assert hours_removed.before["weekday"] == 6
    account_changed = AuditEvent.objects.get(kind="social_account.changed", account=account)
    assert account_changed.before is not None and account_changed.after is not None
    assert account_changed.after["display_name"] == "出入国在留管理庁 東京"
    assert account_changed.before["credentials_set"] is False and account_changed.after["credentials_set"] is True
    assert "secret-token" not in json.dumps([account_changed.before, account_changed.after, account_changed.data])
    membership_removed = AuditEvent.objects.get(kind="membership.removed")
    assert membership_removed.before is not None
    assert membership_removed.before["user"] == "tokyo-writer"
    # Pausing is the state change log's, not a second record here.
    assert not AuditEvent.objects.filter(kind="social_account.changed", account=world["osaka_account"]).exists()

    sign_in_with_second_factor(english, administrator)
    html = english.get(LOG, {"kind": "social_account"}).content.decode()
    assert "display_name: 出入国在留管理庁 東京" in html


def test_sign_ins_failures_sign_outs_and_second_factor_changes_are_recorded(
    client, world, osaka_poster, django_capture_on_commit_callbacks
):
    from tests.accounts.test_login import totp_code

    assert client.post(reverse("account_login"), {"login": "osaka-poster", "password": "wrong"}).status_code == 200
    failed = AuditEvent.objects.get(kind="login.failed")
    assert failed.data == {"username": "osaka-poster"} and failed.actor is None
    client.post(reverse("account_login"), {"login": "osaka-poster", "password": PASSWORD})
    assert AuditEvent.objects.filter(kind="login.succeeded", actor=osaka_poster).exists()

    response = client.get(reverse("mfa_activate_totp"))
    if response.status_code == 302:  # allauth asks for the password again first
        client.post(response["Location"], {"password": PASSWORD})
        client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    with django_capture_on_commit_callbacks(execute=True):  # allauth announces it on commit
        assert client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)}).status_code == 302
    added = AuditEvent.objects.filter(kind="mfa.added", actor=osaka_poster)
    assert added.exists() and added[0].data["user"] == "osaka-poster"

    # The person sees their own sign-ins; no one else's, and no failures.
    page = client.get(LOG, {"kind": "login"})
    assert set(kinds_on_page(page)) == {"login.succeeded"}
    client.post(reverse("account_logout"))
    assert AuditEvent.objects.filter(kind="login.signed_out", actor=osaka_poster).exists()


def test_scope_never_shows_another_offices_events(client, world, tokyo_supervisor, osaka_poster, viewer, administrator):
    sign_in_with_second_factor(client, tokyo_supervisor)
    _, body = export(client, "jsonl")
    rows = [json.loads(line) for line in body.decode().splitlines()]
    offices = {row["office"] for row in rows}
    assert "tokyo" in offices and "osaka" not in offices
    assert "大阪の点検" not in body.decode() and "大阪の年末休業" not in body.decode()
    assert all(row["object_id"] != world["osaka_post"].pk for row in rows if row["object_type"] == "post")
    # Shared records of no office: the publishing switch and the platform footer.
    kinds = {row["kind"] for row in rows}
    assert {"publishing.paused", "footer.version"} <= kinds
    # Someone else's sign-ins are not theirs to read.
    assert not [row for row in rows if row["kind"].startswith("login.") and row["actor"] != "tokyo-supervisor"]

    # Another office's id in a filter is refused, never answered.
    response = client.get(LOG, {"office": world["osaka"].pk})
    assert response.status_code == 200 and "大阪" not in "".join(kinds_on_page(response))
    assert 'id="audit-entries"' not in response.content.decode()
    response = client.get(reverse("audit:export", args=["csv"]), {"account": world["osaka_account"].pk})
    assert response.status_code == 400

    client.logout()
    client.force_login(osaka_poster)  # a poster: their own office only
    _, body = export(client, "jsonl")
    offices = {json.loads(line)["office"] for line in body.decode().splitlines()}
    assert offices <= {"osaka", ""} and "osaka" in offices

    client.logout()
    client.force_login(viewer)  # the agency's viewer: every office below the agency
    _, body = export(client, "jsonl")
    offices = {json.loads(line)["office"] for line in body.decode().splitlines()}
    assert {"tokyo", "osaka"} <= offices
    assert "login.failed" not in body.decode()


def test_people_without_a_role_and_anonymous_visitors_are_turned_away(client, world):
    assert client.get(LOG).status_code == 302  # to the sign-in page
    client.force_login(make_person("nobody"))
    assert client.get(LOG).status_code == 404
    assert client.get(reverse("audit:export", args=["csv"])).status_code == 404
    assert client.post(LOG).status_code in (404, 405)


def test_the_log_asks_for_the_second_factor_of_a_supervisor(client, tokyo_supervisor):
    client.force_login(tokyo_supervisor)
    response = client.get(LOG)
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_activate_totp"))


def test_filters_by_kind_office_account_person_and_time(english, world, administrator, frozen_now):
    client = english
    sign_in_with_second_factor(client, administrator)
    assert set(kinds_on_page(client.get(LOG, {"kind": "account_state"}))) == {"account_state.changed"}

    tokyo_only = client.get(LOG, {"office": world["tokyo"].pk}).content.decode()
    assert "東京の点検" in tokyo_only and "大阪の点検" not in tokyo_only
    assert "publishing.paused" not in kinds_on_page(client.get(LOG, {"office": world["tokyo"].pk}))  # of no office

    account = client.get(LOG, {"account": world["osaka_account"].pk}).content.decode()
    assert "大阪の点検" in account and "東京の点検" not in account

    person = client.get(LOG, {"person": "Tokyo-Supervisor"})
    assert set(kinds_on_page(person)) == {"post.approve"}

    assert kinds_on_page(client.get(LOG, {"since": "2001-01-01", "until": "2001-01-31"})) == []
    assert kinds_on_page(
        client.get(LOG, {"since": frozen_now.date().isoformat(), "until": frozen_now.date().isoformat()})
    )

    bad = client.get(LOG, {"since": "2026-13-45"})
    assert bad.status_code == 200
    assert 'id="id_since-errors"' in bad.content.decode() and "Enter a valid date." in bad.content.decode()
    assert 'aria-describedby="id_since-errors"' in bad.content.decode()
    backwards = client.get(LOG, {"since": "2026-12-03", "until": "2026-12-01"}).content.decode()
    assert "The end date is before the start date." in backwards
    assert client.get(reverse("audit:export", args=["jsonl"]), {"since": "nonsense"}).status_code == 400


def test_pages_follow_each_other_without_repeating_a_row(client, world, administrator):
    sign_in_with_second_factor(client, administrator)
    AuditEvent.objects.bulk_create(
        [AuditEvent(kind="login.failed", data={"username": f"guess-{n}"}) for n in range(120)]
    )
    seen, pages = [], 0
    query: dict[str, str] = {}
    while True:
        response = client.get(LOG, query)
        page = response.context["page"]
        seen += [(row["a_src"], row["a_pk"]) for row in page]
        pages += 1
        if not page.next_cursor:
            break
        query = {"after": page.next_cursor}
    assert pages >= 3 and len(seen) == len(set(seen))
    _, body = export(client, "jsonl")
    assert len(body.splitlines()) == len(seen)
    # A cursor that is not one of ours (edited, or naive) is the first page.
    import base64

    for token in ("not-a-cursor", base64.urlsafe_b64encode(b'["2026-12-01T00:00:00",5,1]').decode(), "W10"):
        assert client.get(LOG, {"after": token}).context["page"].items == client.get(LOG).context["page"].items
    # and back
    response = client.get(LOG, {"before": page.previous_cursor})
    assert [(row["a_src"], row["a_pk"]) for row in response.context["page"]] == seen[-len(page) - 50 : -len(page)]


def test_csv_starts_with_the_bom_keeps_japanese_and_jsonl_parses(english, world, administrator):
    sign_in_with_second_factor(english, administrator)
    response, body = export(english, "csv", kind="account_state")
    assert body.startswith("\ufeff".encode())
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="immisns-audit-' in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))  # its header in the reader's language
    assert {row["Comment"] for row in rows} == {"大阪の点検", "東京の点検"}
    assert {row["Before"] for row in rows} == {"active"} and {row["After"] for row in rows} == {"paused"}
    assert {row["Kind"] for row in rows} == {"Account state changed"}
    assert {row["Office"] for row in rows} <= {
        "Osaka Regional Immigration Services Bureau",
        "Tokyo Regional Immigration Services Bureau",
    }  # the office's name in the reader's language, not its code

    response, body = export(english, "jsonl")
    assert response["Content-Type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in body.decode("utf-8").splitlines()]
    approve = next(row for row in rows if row["kind"] == "post.approve")
    assert approve["actor"] == "tokyo-supervisor" and approve["comment"] == "承認します"
    assert approve["before"] == "pending" and approve["after"] == "approved"
    assert approve["at"].endswith("+09:00")
    footer = next(row for row in rows if row["kind"] == "footer.version" and row["actor"] == "admin")
    assert footer["data"] == {"version": 3, "platform": "x"} and footer["after"] == "※返信は行っていません（第3版）"


def test_what_people_typed_never_becomes_a_spreadsheet_formula(client, world, administrator):
    formula = '=HYPERLINK("https://evil.example","点検")'
    account_services.account_resume(account=world["tokyo_account"], by=administrator, reason=formula)
    sign_in_with_second_factor(client, administrator)
    _, body = export(client, "csv", kind="account_state")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert "'" + formula in {row["コメント"] for row in rows}
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())
    _, body = export(client, "jsonl", kind="account_state")
    assert formula in {json.loads(line)["comment"] for line in body.decode().splitlines()}  # JSON keeps it as typed


def test_post_events_keep_the_engines_data_in_the_export(english, world, administrator):
    from posts.models import PostEvent

    target = world["post"].targets.get()
    PostEvent.record(
        post_id=world["post"].pk,
        target=target,
        action=PostEvent.Action.CLAIM,
        from_state="scheduled",
        to_state="publishing",
        data={"attempt": 2, "footer_version": 3},
    )
    PostEvent.record(
        post_id=world["post"].pk,
        target=target,
        action=PostEvent.Action.PUBLISH,
        from_state="publishing",
        to_state="published",
        data={"url": "https://x.com/IMMI_TOKYO/status/1"},
    )
    sign_in_with_second_factor(english, administrator)
    _, body = export(english, "jsonl", kind="post", account=world["tokyo_account"].pk)
    rows = {row["kind"]: row for row in map(json.loads, body.decode().splitlines())}
    claim, publish = rows["post.claim"], rows["post.publish"]
    assert claim["data"] == {"attempt": 2, "footer_version": 3, "target_id": target.pk}
    assert claim["description"] == "Attempt 2, with footer version 3."
    assert claim["office"] == "tokyo" and claim["account"] == "@IMMI_TOKYO"
    assert publish["data"]["url"] == "https://x.com/IMMI_TOKYO/status/1" and publish["after"] == "published"
    # The same data in Japanese when the reader reads Japanese.
    english.defaults["HTTP_ACCEPT_LANGUAGE"] = "ja"
    _, body = export(english, "jsonl", kind="post")
    claim_ja = next(row for row in map(json.loads, body.decode().splitlines()) if row["kind"] == "post.claim")
    assert claim_ja["data"] == claim["data"] and claim_ja["kind_label"] != "Publishing started"


def test_the_audit_table_refuses_changes(world):
    record = AuditEvent.objects.all()[0]
    with pytest.raises(ValueError, match="append-only"):
        record.save()
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.all().delete()
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.update(kind="x")


def test_the_database_refuses_rewriting_audit_records(world):
    """The triggers of audit/0002, with the maintenance window (open for the test database) closed."""
    from django.db import DatabaseError, connection, transaction

    from tests.conftest import event_log_maintenance

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL immisns.postevent_maintenance = 'off'")
        else:
            event_log_maintenance(connection, on=False)
        try:
            for statement in ("UPDATE audit_auditevent SET kind = 'x'", "DELETE FROM audit_auditevent"):
                with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(statement)
        finally:
            if connection.vendor == "sqlite":
                event_log_maintenance(connection, on=True)
    assert AuditEvent.objects.exclude(kind="x").count() == AuditEvent.objects.count() > 0


def test_the_csv_speaks_the_readers_language(client, world, administrator):
    sign_in_with_second_factor(client, administrator)
    _, body = export(client, "csv", kind="account_state")
    header = body.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("日時,記録元,ID,種類（コード）,種別,利用者") and "官署" in header and "コメント" in header
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert {row["官署"] for row in rows} == {"東京出入国在留管理局", "大阪出入国在留管理局"}


def test_second_factor_kinds_are_named_in_words():
    from django.utils import translation

    from audit.entries import SECOND_FACTOR_KINDS

    with translation.override("ja"):
        assert str(SECOND_FACTOR_KINDS["totp"]) == "認証アプリ（TOTP）"
        assert str(SECOND_FACTOR_KINDS["recovery_codes"]) == "リカバリーコード"
    with translation.override("en"):
        assert str(SECOND_FACTOR_KINDS["recovery_codes"]) == "recovery codes"
