"""The Django admin: Japanese, credentials write-only, pause/resume, filters, MFA-guarded."""

import pytest
from django.urls import reverse

from accounts.models import AccountStateChange, SocialAccount
from tests.conftest import add_totp, sign_in_with_second_factor
from tests.factories import AccountStateChangeFactory, make_person

pytestmark = pytest.mark.django_db

SECRET = "EAAB-page-token-0123456789abcdef"


@pytest.fixture
def admin_client(client, administrator):
    sign_in_with_second_factor(client, administrator)
    return client


def change_url(account):
    return reverse("admin:accounts_socialaccount_change", args=[account.pk])


def form_data(account, **overrides):
    data = {
        "platform": account.platform,
        "handle": account.handle,
        "display_name": account.display_name,
        "office": account.office_id,
        "publisher": account.publisher,
        "platform_id": account.platform_id,
        "sort_order": account.sort_order,
        "access_token": "",
        "access_token_secret": "",
        "page_access_token": "",
        "state_changes-TOTAL_FORMS": "0",
        "state_changes-INITIAL_FORMS": "0",
        "state_changes-MIN_NUM_FORMS": "0",
        "state_changes-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_admin_speaks_japanese(admin_client):
    response = admin_client.get(reverse("admin:accounts_socialaccount_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "SNSアカウント" in page and "IMMI_TOKYO" in page and "一時停止" in page


def test_credentials_are_write_only(admin_client):
    page_account = SocialAccount.objects.get(handle="nagoya.nyukan.support")
    response = admin_client.post(change_url(page_account), form_data(page_account, page_access_token=SECRET))
    assert response.status_code == 302, response.content.decode()[:2000]
    page_account.refresh_from_db()
    assert page_account.get_credentials() == {"page_access_token": SECRET}
    assert SECRET not in page_account.credentials_encrypted

    shown = admin_client.get(change_url(page_account)).content.decode()
    assert SECRET not in shown and page_account.credentials_encrypted not in shown
    assert "保存されています" in shown  # "a value is stored" instead of the value

    # An empty input keeps what is stored.
    admin_client.post(change_url(page_account), form_data(page_account, display_name="renamed"))
    page_account.refresh_from_db()
    assert page_account.display_name == "renamed"
    assert page_account.get_credentials() == {"page_access_token": SECRET}


def test_a_credential_of_the_other_platform_is_refused(admin_client):
    x_account = SocialAccount.objects.get(handle="IMMI_TOKYO")
    response = admin_client.post(change_url(x_account), form_data(x_account, page_access_token=SECRET))
    assert response.status_code == 200
    x_account.refresh_from_db()
    assert not x_account.has_credentials


def test_pause_and_resume_actions_are_recorded(admin_client, administrator):
    url = reverse("admin:accounts_socialaccount_changelist")
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    admin_client.post(
        url, {"action": "pause_accounts", "_selected_action": [tokyo.pk], "apply": "1", "reason": "点検のため"}
    )
    tokyo.refresh_from_db()
    assert tokyo.state == "paused"
    admin_client.post(url, {"action": "resume_accounts", "_selected_action": [tokyo.pk]})
    tokyo.refresh_from_db()
    assert tokyo.state == "active"
    changes = list(
        AccountStateChange.objects.filter(account=tokyo).order_by("id").values_list("from_state", "to_state", "actor")
    )
    assert changes == [("active", "paused", administrator.pk), ("paused", "active", administrator.pk)]
    assert AccountStateChange.objects.filter(account=tokyo, to_state="paused").get().reason == "点検のため"


def test_state_changes_are_append_only():
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    change = AccountStateChangeFactory.create(account=tokyo, from_state="active", to_state="paused")
    with pytest.raises(ValueError, match="append-only"):
        change.save()
    with pytest.raises(ValueError, match="append-only"):
        change.delete()


def test_filters_and_search(admin_client):
    url = reverse("admin:accounts_socialaccount_changelist")
    page = admin_client.get(url, {"platform__exact": "facebook"}).content.decode()
    assert "nagoya.nyukan.support" in page and "IMMI_TOKYO" not in page
    page = admin_client.get(url, {"q": "NARITA"}).content.decode()
    assert "IMMI_NARITA" in page and "IMMI_OSAKA" not in page
    tokyo_office = SocialAccount.objects.get(handle="IMMI_TOKYO").office_id
    page = admin_client.get(url, {"office__id__exact": tokyo_office}).content.decode()
    assert "IMMI_TOKYO" in page and "IMMI_NARITA" not in page


def test_memberships_are_edited_on_the_user_page(admin_client, tokyo_poster):
    page = admin_client.get(reverse("admin:auth_user_change", args=[tokyo_poster.pk])).content.decode()
    assert "memberships-TOTAL_FORMS" in page and "東京出入国在留管理局" in page


def test_staff_without_totp_is_sent_to_set_it_up(client):
    staff = make_person("newadmin", is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    add_totp(staff)
    # An authenticator that exists is not enough: this sign-in has not used it.
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_reauthenticate"))
    sign_in_with_second_factor(client, staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_login_goes_through_the_console_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    followed = client.get(response["Location"])
    assert followed.status_code == 302
    assert followed["Location"].startswith(reverse("account_login"))


def test_non_staff_cannot_enter_the_admin(client, tokyo_supervisor):
    sign_in_with_second_factor(client, tokyo_supervisor)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_membership_row_checkbox_is_djangos_own_and_selects_for_an_action(admin_client, tokyo_poster):
    from django.contrib import admin as django_admin

    from accounts.models import Membership

    membership = Membership.objects.get(user=tokyo_poster)
    model_admin = django_admin.site._registry[Membership]
    # Written in one step, the markup is what Django's widget templates would have made.
    assert model_admin.action_checkbox(membership) == django_admin.ModelAdmin.action_checkbox(model_admin, membership)
    page = admin_client.get(reverse("admin:accounts_membership_changelist")).content.decode()
    assert f'name="_selected_action" value="{membership.pk}" class="action-select"' in page
    confirm = admin_client.post(
        reverse("admin:accounts_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [membership.pk]},
    )
    assert confirm.status_code == 200 and str(membership) in confirm.content.decode()
