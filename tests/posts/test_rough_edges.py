"""The rough edges of the daily pages: each as a person meets it."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts import services as account_services
from accounts.models import AccountStateChange, SocialAccount
from posts import publishing, selectors, services
from posts.models import Post, PostEvent, PostTarget
from posts.tasks import sweep
from tests.conftest import sign_in_with_second_factor
from tests.factories import make_history, make_person, post_via_services
from tests.posts.conftest import JST, NOW
from tests.posts.test_publishing_views import published_target
from tests.posts.test_query_counts import CAPS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def account_id(handle):
    return SocialAccount.objects.get(handle=handle).pk


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- 1. Saving an approved post unchanged keeps its approval ------------------------------------


def test_saving_an_approved_post_unchanged_keeps_the_approval(poster_client, tokyo_poster, tokyo_supervisor):
    post = post_via_services(tokyo_poster, ("IMMI_TOKYO", "IMMI_NARITA"), submit=True)
    services.post_approve(post=post, by=tokyo_supervisor, revision=post.revision)
    events = post.events.count()
    with translation.override("en"):
        response = poster_client.post(
            reverse("posts:edit", args=[post.pk]),
            {
                "accounts": [account_id("IMMI_TOKYO"), account_id("IMMI_NARITA")],
                "body": post.body,
                "scheduled_at": "2026-12-02T10:00",
                "outside_hours_reason": "",
                "save": "1",
            },
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
    post.refresh_from_db()
    assert post.state == "approved" and post.approved_by == tokyo_supervisor
    assert set(post.targets.values_list("state", flat=True)) == {"scheduled"}
    assert post.events.count() == events  # no edit recorded, no approval voided
    assert "Nothing was changed; the post stays as it was." in messages_of(response)


def test_changing_an_approved_post_still_voids_the_approval(tokyo_poster, tokyo_supervisor):
    post = post_via_services(tokyo_poster, submit=True)
    services.post_approve(post=post, by=tokyo_supervisor, revision=post.revision)
    services.post_update(
        post=post,
        by=tokyo_poster,
        body=post.body + "（追記）",
        scheduled_at=post.scheduled_at,
        accounts=[SocialAccount.objects.get(handle="IMMI_TOKYO")],
    )
    post.refresh_from_db()
    assert post.state == "pending" and post.approved_by is None
    assert post.events.filter(action=PostEvent.Action.EDIT).count() == 1


# --- 3. A post sent back says so, with the supervisor's comment -------------------------------------


def test_a_sent_back_post_says_so_on_the_post_at_home_and_in_the_list(client, tokyo_poster, tokyo_supervisor):
    post = post_via_services(tokyo_poster, ("IMMI_TOKYO", "IMMI_NARITA"), body="差戻しになる投稿", submit=True)
    plain_draft = post_via_services(tokyo_poster, body="ただの下書き")
    services.post_reject(post=post, by=tokyo_supervisor, comment="日付の表記を確認してください")
    client.force_login(tokyo_poster)
    with translation.override("en"):
        detail = client.get(reverse("posts:detail", args=[post.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        listed = client.get(reverse("posts:list"), {"state": "returned"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        drafts = client.get(reverse("posts:list"), {"state": "draft"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="sent-back"' in detail and "日付の表記を確認してください" in detail
    assert "tokyo-supervisor" in detail or tokyo_supervisor.get_full_name() in detail
    # The account rows say what the post says, not "Waiting for approval".
    assert "Waiting for approval" not in detail and detail.count("state-returned") >= 3
    assert f'data-testid="sent-back-{post.pk}"' in home and "日付の表記を確認してください" in home
    assert f'data-testid="sent-back-{plain_draft.pk}"' not in home
    assert f"#{post.pk}<" in listed and f"#{plain_draft.pk}<" not in listed and "Sent back" in listed
    assert f"#{plain_draft.pk}<" in drafts and f"#{post.pk}<" not in drafts


def test_submitting_again_clears_the_sending_back(tokyo_poster, tokyo_supervisor):
    post = post_via_services(tokyo_poster, submit=True)
    services.post_reject(post=post, by=tokyo_supervisor, comment="直してください")
    post.refresh_from_db()
    assert post.display_state() == "returned" and post.returned_comment == "直してください"
    services.post_submit(post=post, by=tokyo_poster)
    post.refresh_from_db()
    assert post.display_state() == "pending" and post.returned_by is None and post.returned_comment == ""


# --- 4. The list's state filter offers every state a post can be in -------------------------------


LIST_FILTERS = {  # the filter's value → what every listed post must show
    "scheduled": {"scheduled"},
    "published": {"published"},
    "failed": {"failed"},
    "target-failed": {"failed"},
    "target-unconfirmed": {"failed"},
    "withdrawn": {"withdrawn"},
    "returned": {"returned"},
    "draft": {"draft"},
    "pending": {"pending"},
    "cancelled": {"cancelled"},
}


def test_the_list_filter_offers_scheduled_published_failed_withdrawn_and_to_be_checked(poster_client, tokyo_poster):
    with translation.override("ja"):
        page = poster_client.get(reverse("posts:list")).content.decode()
    for value in LIST_FILTERS:
        assert f'<option value="{value}"' in page, value
    with translation.override("ja"):
        labels = dict(poster_client.get(reverse("posts:list")).context["form"].fields["state"].choices)
    assert {
        str(labels["scheduled"]),
        str(labels["published"]),
        str(labels["target-failed"]),
        str(labels["withdrawn"]),
    } == {"予約済み", "公開済み", "失敗", "取下げ済み"}


def test_each_state_filter_lists_exactly_the_posts_in_that_state(
    poster_client, tokyo_poster, tokyo_supervisor, frozen_now
):
    history = make_history(posts=20, handles=["IMMI_TOKYO", "IMMI_NARITA"], authors=[tokyo_poster], now=frozen_now)
    returned = post_via_services(tokyo_poster, submit=True)
    services.post_reject(post=returned, by=tokyo_supervisor, comment="直してください")
    every = {p.pk: p for p in Post.objects.prefetch_related("targets")}
    assert len(every) == len(history) + 1
    for value, shown in LIST_FILTERS.items():
        listed = poster_client.get(reverse("posts:list"), {"state": value}).context["page"].items
        assert listed, value
        assert {p.display_state() for p in listed} == shown, value
        wanted_target = {"target-failed": "failed", "target-unconfirmed": "unconfirmed"}.get(value)
        if wanted_target:
            expected = {
                pk
                for pk, p in every.items()
                if p.state == "approved" and wanted_target in {t.state for t in p.targets.all()}
            }
        else:
            expected = {pk for pk, p in every.items() if p.display_state() in shown}
        assert {p.pk for p in listed} == expected, value


def test_the_new_filters_keep_the_list_flat(client, world, django_assert_max_num_queries):
    sign_in_with_second_factor(client, world["people"]["agency_supervisor"])
    for value in ("target-failed", "target-unconfirmed", "returned"):
        with django_assert_max_num_queries(CAPS["post list"]):
            response = client.get(reverse("posts:list"), {"state": value})
        assert response.status_code == 200


# --- 6. Approving a post whose time has passed warns that it goes out at once ---------------------


SOON = NOW + dt.timedelta(hours=1)  # 10:30, inside office hours
LATER = NOW + dt.timedelta(hours=2)  # past it, within the sign-in's lifetime


def test_the_queue_and_the_post_page_warn_that_a_late_post_goes_out_at_once(supervisor_client, tokyo_poster):
    late = post_via_services(tokyo_poster, body="遅れた投稿", submit=True, when=SOON)
    on_time = post_via_services(
        tokyo_poster, body="間に合う投稿", submit=True, when=dt.datetime(2026, 12, 9, 10, 0, tzinfo=JST)
    )
    with time_machine.travel(LATER, tick=False), translation.override("en"):
        queue = supervisor_client.get(reverse("posts:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        detail = supervisor_client.get(
            reverse("posts:detail", args=[late.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
        fine = supervisor_client.get(
            reverse("posts:detail", args=[on_time.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert f'data-testid="time-passed-{late.pk}"' in queue and f'data-testid="time-passed-{on_time.pk}"' not in queue
    assert "it is published at once" in detail and f'data-testid="time-passed-{late.pk}"' in detail
    assert "time-passed" not in fine


def test_approving_a_late_post_says_it_went_out_at_once(supervisor_client, tokyo_poster):
    late = post_via_services(tokyo_poster, submit=True, when=SOON)
    with time_machine.travel(LATER, tick=False):
        response = supervisor_client.post(
            reverse("posts:approve", args=[late.pk]),
            {"revision": late.revision},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
    late.refresh_from_db()
    assert late.state == "approved"
    assert {t.due_at for t in late.targets.all()} == {LATER}  # due now, not at the time shown
    assert f"The time of #{late.pk} had passed: published at once, not at the time shown." in messages_of(response)


def test_bulk_approval_says_which_went_out_at_once(supervisor_client, tokyo_poster):
    late = post_via_services(tokyo_poster, submit=True, when=SOON)
    on_time = post_via_services(tokyo_poster, submit=True, when=dt.datetime(2026, 12, 9, 10, 0, tzinfo=JST))
    with time_machine.travel(LATER, tick=False):
        response = supervisor_client.post(
            reverse("posts:approve_many"),
            {
                "posts": [late.pk, on_time.pk],
                f"revision-{late.pk}": late.revision,
                f"revision-{on_time.pk}": on_time.revision,
            },
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
    said = messages_of(response)
    assert "Approved 2 post(s)." in said
    assert f"The time of #{late.pk} had passed: published at once, not at the time shown." in said


# --- 2. Targets held by a paused or needs-re-authorisation account ---------------------------------


DUE = dt.datetime(2026, 12, 2, 10, 0, tzinfo=JST)


def _approved_on_tokyo_and_narita(author, administrator):
    post = post_via_services(author, ("IMMI_TOKYO", "IMMI_NARITA"), submit=True)
    services.post_approve(post=post, by=make_person("held-sup", "agency", "supervisor"), revision=post.revision)
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    account_services.account_pause(account=tokyo, by=administrator, reason="点検中")
    return post, post.targets.get(account=tokyo), post.targets.get(account__handle="IMMI_NARITA")


def held_events(target):
    return list(PostEvent.objects.filter(target=target, action=PostEvent.Action.DEFER).values_list("data", flat=True))


def test_a_due_target_on_a_paused_account_is_held_with_one_event_and_the_reason(client, tokyo_poster, administrator):
    post, held, other = _approved_on_tokyo_and_narita(tokyo_poster, administrator)
    with time_machine.travel(DUE + dt.timedelta(minutes=3), tick=False):
        for _tick in range(3):  # beat's sweep, every few seconds
            sweep()
        client.force_login(tokyo_poster)
        with translation.override("en"):
            page = client.get(reverse("posts:detail", args=[post.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert held_events(held) == [{"reason": "account_paused", "account": "@IMMI_TOKYO"}]  # once, not every tick
    assert held_events(other) == []
    held.refresh_from_db()
    assert held.state == "scheduled"  # it still goes out once the account is resumed
    assert f'data-testid="held-{held.pk}"' in page and f'data-testid="held-{other.pk}"' not in page
    assert "@IMMI_TOKYO is paused: held until the account is resumed, then published." in page


def test_a_hold_that_ends_and_comes_back_is_recorded_again(tokyo_poster, administrator):
    _post, held, _other = _approved_on_tokyo_and_narita(tokyo_poster, administrator)
    tokyo = held.account
    with time_machine.travel(DUE + dt.timedelta(minutes=1), tick=False):
        assert publishing.record_held_targets() == 1
        assert publishing.record_held_targets() == 0
        account_services.account_resume(account=tokyo, by=administrator)
        assert publishing.record_held_targets() == 0
        held.refresh_from_db()
        assert held.problem == {}  # the page no longer says it is held
        tokyo.refresh_from_db()
        account_services.account_mark_needs_reauth(account=tokyo, reason="token revoked")
        assert publishing.record_held_targets() == 1
    assert [d["reason"] for d in held_events(held)] == ["account_paused", "account_needs_reauth"]


def test_a_target_not_yet_due_gets_no_event_but_the_page_says_it_is_held(client, tokyo_poster, administrator):
    _post, _held, _other = _approved_on_tokyo_and_narita(tokyo_poster, administrator)
    assert publishing.record_held_targets() == 0  # 12/2 10:00 is still ahead
    client.force_login(tokyo_poster)
    with translation.override("en"):
        home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        listed = client.get(reverse("posts:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "state-held" in home and "state-held" in listed


def test_the_composer_warns_when_a_chosen_account_is_paused(poster_client, administrator):
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    account_services.account_pause(account=tokyo, by=administrator, reason="点検中")
    with translation.override("en"):
        preview = poster_client.post(
            reverse("posts:preview"),
            {"body": "お知らせ", "scheduled_at": "2026-12-02T10:00", "accounts": [tokyo.pk, account_id("IMMI_NARITA")]},
            HTTP_ACCEPT_LANGUAGE="en",
        ).content.decode()
        compose = poster_client.get(reverse("posts:new"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        'data-testid="account-held-IMMI_TOKYO"' in preview and 'data-testid="account-held-IMMI_NARITA"' not in preview
    )
    assert "@IMMI_TOKYO is paused: a post to it waits until the account is resumed." in preview
    assert "(Paused)" in compose  # beside the account's checkbox, before any script runs


# --- 5. Cancel, withdraw, pause-all and resume ask first --------------------------------------------


def confirmation_fields(response) -> dict:
    """The confirmation page's form: what it sends again, confirm=1 included."""
    page = response.content.decode()
    assert 'data-testid="confirmation"' in page
    form = page[page.index('data-testid="confirmation"') :]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def test_cancelling_asks_first_and_a_post_without_confirmation_cancels_nothing(poster_client, tokyo_poster):
    post = post_via_services(tokyo_poster, submit=True)
    page = poster_client.get(reverse("posts:detail", args=[post.pk])).content.decode()
    assert 'data-confirm="' in page and 'name="confirm" value=""' in page  # the dialog's question, and the empty field
    asked = poster_client.post(reverse("posts:cancel", args=[post.pk]), {"comment": "重複のため"})
    assert asked.status_code == 200 and Post.objects.get(pk=post.pk).state == "pending"
    fields = confirmation_fields(asked)
    assert fields["confirm"] == "1" and fields["comment"] == "重複のため"
    poster_client.post(reverse("posts:cancel", args=[post.pk]), fields)
    post.refresh_from_db()
    assert post.state == "cancelled" and post.events.get(action="cancel").comment == "重複のため"


def test_withdrawing_asks_first_with_the_reason(client, tokyo_poster, tokyo_supervisor):
    target = published_target(tokyo_poster, tokyo_supervisor)
    sign_in_with_second_factor(client, tokyo_supervisor)
    url = reverse("posts:target_withdraw", args=[target.pk])
    asked = client.post(url, {"reason": "日付の誤り", "next": reverse("home")})
    assert PostTarget.objects.get(pk=target.pk).state == "published"
    assert "日付の誤り" in asked.content.decode()
    fields = confirmation_fields(asked)
    assert fields == {"reason": "日付の誤り", "next": reverse("home"), "confirm": "1"}
    response = client.post(url, fields)
    assert PostTarget.objects.get(pk=target.pk).state == "withdrawn"
    assert response["Location"] == reverse("home")


def test_pausing_and_resuming_all_publishing_ask_first(client, administrator):
    sign_in_with_second_factor(client, administrator)
    url = reverse("posts:publishing_switch")
    asked = client.post(url, {"paused": "1", "reason": "障害対応"})
    assert not selectors.publishing_paused()
    client.post(url, confirmation_fields(asked))
    assert selectors.publishing_paused()
    asked = client.post(url, {"paused": "0", "reason": ""})
    assert selectors.publishing_paused()
    fields = confirmation_fields(asked)
    assert fields["paused"] == "0"
    client.post(url, fields)
    assert not selectors.publishing_paused()


def test_pausing_an_account_in_the_admin_asks_for_the_reason(client, administrator):
    sign_in_with_second_factor(client, administrator)
    url = reverse("admin:accounts_socialaccount_changelist")
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    asked = client.post(url, {"action": "pause_accounts", "_selected_action": [tokyo.pk]}, HTTP_ACCEPT_LANGUAGE="en")
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    assert "@IMMI_TOKYO" in asked.content.decode()
    refused = client.post(
        url,
        {"action": "pause_accounts", "_selected_action": [tokyo.pk], "apply": "1", "reason": " "},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Give the reason for pausing the accounts." in refused.content.decode()
    tokyo.refresh_from_db()
    assert tokyo.state == "active"
    client.post(
        url, {"action": "pause_accounts", "_selected_action": [tokyo.pk], "apply": "1", "reason": "不正アクセスの疑い"}
    )
    tokyo.refresh_from_db()
    assert tokyo.state == "paused"
    assert AccountStateChange.objects.get(account=tokyo, to_state="paused").reason == "不正アクセスの疑い"
