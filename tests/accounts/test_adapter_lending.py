"""Adapters lent for one call and given back (accounts.platforms.lend_adapter): a worker's sends on one
account reuse one open connection to the platform, and changed credentials are never sent with an old one."""

from __future__ import annotations

import pytest

from accounts.models import SocialAccount
from accounts.platforms import AuthRevoked, give_back_adapter, lend_adapter
from tests.fakes import FakeX
from tests.fakes.loopback import serve


@pytest.fixture
def served_x(settings):
    x = FakeX()
    server = serve({"x": x})
    settings.PLATFORM_API_ORIGIN = server.origin
    settings.X_API_KEY, settings.X_API_SECRET = x.api_key, x.api_secret
    try:
        yield x, server
    finally:
        server.close()


def _on_fake_x(x: FakeX, handle: str = "IMMI_TOKYO", token: str = "") -> SocialAccount:
    account = SocialAccount.objects.get(handle=handle)
    account.publisher = SocialAccount.Publisher.PLATFORM
    account.platform_id = x.user_id
    account.set_credentials({"access_token": token or x.access_token, "access_token_secret": x.access_token_secret})
    account.save()
    return account


def _publish(account: SocialAccount, text: str):
    adapter = lend_adapter(account)
    result = adapter.publish(text)
    give_back_adapter(account, adapter)
    return adapter, result


@pytest.mark.django_db
def test_sends_on_one_account_reuse_one_connection(served_x) -> None:
    x, server = served_x
    account = _on_fake_x(x)
    first, _ = _publish(account, "入管からのお知らせ（一）です。")
    second, _ = _publish(account, "入管からのお知らせ（二）です。")
    assert second is first
    assert len(x.posts) == 2
    assert server.connections == 1  # no new connection (and no reset of the old one) per post


@pytest.mark.django_db
def test_two_calls_at_once_never_share_an_adapter(served_x) -> None:
    x, _server = served_x
    account = _on_fake_x(x)
    one, two = lend_adapter(account), lend_adapter(account)
    assert one is not two  # an adapter keeps one call's deadline: it serves one caller at a time
    give_back_adapter(account, one)
    give_back_adapter(account, two)
    assert {id(lend_adapter(account)), id(lend_adapter(account))} == {id(one), id(two)}


@pytest.mark.django_db
def test_new_credentials_are_used_at_once(served_x) -> None:
    x, _server = served_x
    account = _on_fake_x(x)
    before, _ = _publish(account, "入管からのお知らせ（一）です。")
    account = _on_fake_x(x, token="1500000000000000001-a-new-token")  # re-authorised: the fake refuses it
    after = lend_adapter(account)
    assert after is not before
    with pytest.raises(AuthRevoked):  # signed with the new token, which the fake does not know
        after.publish("入管からのお知らせ（二）です。")
    assert len(x.posts) == 1


@pytest.mark.django_db
def test_an_adapter_that_failed_is_not_lent_again(served_x) -> None:
    x, _server = served_x
    account = _on_fake_x(x)
    broken = lend_adapter(account)  # never given back, as a send that raised does not
    assert lend_adapter(account) is not broken
