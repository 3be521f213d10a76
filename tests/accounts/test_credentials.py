"""Credentials are encrypted at rest, never shown back and never logged."""

import base64
import logging

import pytest
from django.db import connection

from accounts.crypto import CredentialsUnreadable
from accounts.models import SocialAccount

pytestmark = pytest.mark.django_db

SECRET = "tok-9f8e7d6c5b4a-very-secret"


def raw_column(account) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_encrypted FROM accounts_socialaccount WHERE id = %s", [account.pk])
        return cursor.fetchone()[0]


def test_round_trip_and_nothing_readable_in_the_database():
    account = SocialAccount.objects.get(handle="IMMI_TOKYO")
    account.set_credentials({"access_token": SECRET, "access_token_secret": "s3cret-two"})
    account.save()
    stored = raw_column(account)
    assert SECRET not in stored and "s3cret" not in stored
    assert SECRET.encode() not in base64.urlsafe_b64decode(stored.encode() + b"==")
    assert SocialAccount.objects.get(pk=account.pk).get_credentials()["access_token"] == SECRET


def test_repr_and_str_never_show_credentials():
    account = SocialAccount.objects.get(handle="IMMI_TOKYO")
    account.set_credentials({"access_token": SECRET})
    account.save()
    assert SECRET not in repr(account) and SECRET not in str(account)
    assert account.credentials_encrypted not in repr(account)


def test_old_key_still_decrypts_after_rotation(settings):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    account = SocialAccount.objects.get(handle="IMMI_OSAKA")
    account.set_credentials({"access_token": SECRET})
    account.save()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert SocialAccount.objects.get(pk=account.pk).get_credentials()["access_token"] == SECRET


def test_a_lost_key_gives_a_clear_error(settings):
    from cryptography.fernet import Fernet

    account = SocialAccount.objects.get(handle="IMMI_OSAKA")
    account.set_credentials({"access_token": SECRET})
    account.save()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CredentialsUnreadable, match="FIELD_ENCRYPTION_KEY"):
        SocialAccount.objects.get(pk=account.pk).get_credentials()


def test_saving_credentials_logs_nothing_secret(caplog):
    caplog.set_level(logging.DEBUG)
    account = SocialAccount.objects.get(handle="IMMI_KOBE")
    account.set_credentials({"access_token": SECRET})
    account.save()
    SocialAccount.objects.get(pk=account.pk).get_credentials()
    assert SECRET not in caplog.text
