"""The admin never offers to change a policy version in force, refuses it if posted, and never back-dates one."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from public.models import PolicyVersion
from tests.conftest import sign_in_with_second_factor
from tests.public.test_policy import new_version

pytestmark = pytest.mark.django_db

SECTIONS = ("preamble", "purpose", "posters", "hours_note", "notes", "disclaimer", "prohibited_note")


def words(**extra) -> dict:
    data = {f"{s}_{lang}": f"{s} {lang}" for s in SECTIONS for lang in ("ja", "en", "zh")}
    return {**data, **extra}


@pytest.fixture
def admin_signed_in(client, administrator):
    sign_in_with_second_factor(client, administrator)
    return client


def test_the_version_in_force_is_shown_without_save_buttons(admin_signed_in):
    url = reverse("admin:public_policyversion_change", args=[PolicyVersion.objects.get(number=1).pk])
    page = admin_signed_in.get(url).content.decode()
    assert 'name="_save"' not in page and 'name="_continue"' not in page and 'name="_addanother"' not in page


def test_saving_the_version_in_force_is_refused_with_a_message(admin_signed_in):
    first = PolicyVersion.objects.get(number=1)
    url = reverse("admin:public_policyversion_change", args=[first.pk])
    response = admin_signed_in.post(url, words(effective_from="2020-07-22", _save="Save"), follow=True)
    assert response.status_code == 200
    assert "施行中" in response.content.decode() or "in force" in response.content.decode()
    assert PolicyVersion.objects.get(pk=first.pk).purpose_en == first.purpose_en


def test_a_future_version_can_still_be_corrected(admin_signed_in):
    future = new_version(timezone.localdate() + dt.timedelta(days=5), "予定")
    url = reverse("admin:public_policyversion_change", args=[future.pk])
    assert 'name="_save"' in admin_signed_in.get(url).content.decode()
    when = (timezone.localdate() + dt.timedelta(days=6)).isoformat()
    assert admin_signed_in.post(url, words(effective_from=when)).status_code == 302
    assert PolicyVersion.objects.get(pk=future.pk).purpose_en == "purpose en"


@pytest.mark.parametrize("days", [-1, -365])
def test_a_version_is_never_dated_in_the_past(admin_signed_in, days):
    when = (timezone.localdate() + dt.timedelta(days=days)).isoformat()
    response = admin_signed_in.post(reverse("admin:public_policyversion_add"), words(effective_from=when))
    assert response.status_code == 200  # the form again, with the reason
    assert not PolicyVersion.objects.filter(number=2).exists()


@pytest.mark.parametrize("when", ["9999-12-31", "0001-01-01"])
def test_a_version_dated_at_the_ends_of_the_calendar_is_refused(admin_signed_in, when):
    response = admin_signed_in.post(reverse("admin:public_policyversion_add"), words(effective_from=when))
    assert response.status_code == 200
    assert not PolicyVersion.objects.filter(number=2).exists()


def test_a_version_taking_effect_today_is_accepted(admin_signed_in):
    response = admin_signed_in.post(
        reverse("admin:public_policyversion_add"), words(effective_from=timezone.localdate().isoformat())
    )
    assert response.status_code == 302
