"""Encryption of secrets at rest (account credentials), with key rotation.

FIELD_ENCRYPTION_KEYS holds Fernet keys, newest first: new values are
encrypted with the first, old values still decrypt with any of them.
"""

import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class CredentialsUnreadable(Exception):
    """The stored credentials cannot be decrypted with any configured key."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_json(values: dict[str, str]) -> str:
    return _current().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict[str, str]:
    try:
        return json.loads(_current().decrypt(token.encode()))
    except InvalidToken:
        raise CredentialsUnreadable(
            "The stored credentials cannot be decrypted with FIELD_ENCRYPTION_KEY; enter them again in the admin."
        ) from None
