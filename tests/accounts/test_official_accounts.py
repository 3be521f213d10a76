"""The public list of official accounts (DESIGN §6), generated from the database."""

import pytest
from django.urls import reverse

from accounts.models import SocialAccount

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("lang", "office_name"), [
    ("ja", "東京出入国在留管理局成田空港支局"),
    ("en", "Narita Airport District Immigration Services Office"),
    ("zh", "东京出入国在留管理局成田机场支局"),
])
def test_anyone_sees_every_account_in_three_languages(client, lang, office_name):
    response = client.get(reverse("official_accounts"), {"lang": lang})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'lang="{lang}"' in page and office_name in page
    for account in SocialAccount.objects.all():
        assert f'href="{account.profile_url}"' in page


def test_generated_from_the_database(client):
    SocialAccount.objects.filter(handle="IMMI_KOBE").update(handle="IMMI_KOBE_NEW")
    page = client.get(reverse("official_accounts")).content.decode()
    assert "IMMI_KOBE_NEW" in page and "@IMMI_KOBE<" not in page


def test_unknown_language_falls_back_to_japanese_and_wrong_method(client):
    assert 'lang="ja"' in client.get(reverse("official_accounts"), {"lang": "<x>"}).content.decode()
    assert client.post(reverse("official_accounts")).status_code == 405
