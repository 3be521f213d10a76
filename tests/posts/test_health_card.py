"""The home page's health card: not started is not silent; the worst few, a link to all; the switch on top."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts import services as account_services
from accounts.models import SocialAccount
from posts import health
from posts.models import PostTarget
from tests.accounts.test_account_pages import target_on
from tests.conftest import sign_in_with_second_factor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
T = PostTarget.State


def card_of(page: str) -> str:
    return page.split('id="account-health"')[1].split("</section>")[0]


def test_on_a_fresh_install_no_account_is_silent(client, administrator):
    sign_in_with_second_factor(client, administrator)
    page = client.get(reverse("home")).content.decode()
    card = card_of(page)
    assert "30日間投稿なし" not in card and 'href="/accounts/' not in card
    assert f"{SocialAccount.objects.count()}" in card.split('data-testid="not-started"')[1][:60]


def test_the_switch_and_a_paused_account_come_first_for_an_administrator(
    client, administrator, tokyo_poster, frozen_now
):
    for account in SocialAccount.objects.all():  # every account quiet for 40 days
        target_on(account.handle, T.PUBLISHED, at=frozen_now - dt.timedelta(days=40), author=tokyo_poster)
    account_services.account_pause(
        account=SocialAccount.objects.get(handle="IMMI_OSAKA"), by=administrator, reason="点検"
    )
    sign_in_with_second_factor(client, administrator)
    page = client.get(reverse("home")).content.decode()
    assert page.index('id="publishing-switch"') < page.index('id="account-health"')
    card = card_of(page)
    rows = card.count("<tr>") - 1  # the header row
    assert rows == health.CARD_SHOWN and "IMMI_OSAKA" in card.split("<tbody>")[1].split("</tr>")[0]
    assert 'data-testid="health-all"' in card
    everything = card_of(client.get(reverse("home"), {"health": "all"}).content.decode())
    assert everything.count("<tr>") - 1 == SocialAccount.objects.count()


def test_a_poster_sees_no_switch(client, tokyo_poster):
    client.force_login(tokyo_poster)
    assert 'id="publishing-switch"' not in client.get(reverse("home")).content.decode()
