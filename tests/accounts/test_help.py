"""A short help page per role, in Japanese and English, linked from the header."""

import pytest
from django.urls import reverse

from tests.conftest import sign_in_with_second_factor

pytestmark = pytest.mark.django_db


def test_a_poster_reads_composing_first_in_japanese(client, tokyo_poster):
    client.force_login(tokyo_poster)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("help")}"' in home  # linked from the header
    page = client.get(reverse("help")).content.decode()
    assert page.index('id="help-composing"') < page.index('id="help-approving"')
    assert "投稿の作成" in page and "承認" in page


def test_a_supervisor_reads_it_in_english(client, tokyo_supervisor):
    sign_in_with_second_factor(client, tokyo_supervisor)
    page = client.get(reverse("help"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for title in ("Composing posts", "Approving posts", "Moderating replies", "Administering"):
        assert title in page
    assert 'id="help-approving" open' in page and 'id="help-administering" open' not in page


def test_an_administrator_has_the_administering_section_open(client, administrator):
    sign_in_with_second_factor(client, administrator)
    assert 'id="help-administering" open' in client.get(reverse("help")).content.decode()


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get(reverse("help")).status_code == 302
