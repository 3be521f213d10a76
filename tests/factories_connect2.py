"""Records of connecting an account (accounts.connections writes them in the console through the sign-in)."""

import factory

from accounts.models import AccountConnection
from tests.factories.accounts import social_account


class AccountConnectionFactory(factory.django.DjangoModelFactory[AccountConnection]):
    """One append-only connection record: who connected the account and the identity the platform confirmed."""

    class Meta:
        model = AccountConnection

    account = factory.LazyFunction(lambda: social_account("MOJ_IMMI"))
    kind = AccountConnection.Kind.CONNECTED
    method = AccountConnection.Method.CALLBACK
    actor = None
    identity_id = factory.Sequence(lambda n: str(1_500_000_000_000_000_000 + n))
    identity_handle = factory.LazyAttribute(lambda c: c.account.handle)
    identity_name = factory.LazyAttribute(lambda c: c.account.display_name)
    scopes = factory.LazyAttribute(lambda c: list(c.account.granted_scopes))
