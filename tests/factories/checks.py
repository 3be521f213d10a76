"""The checks' administered lists (allowed domains, official contacts) and the published texts' index."""

import datetime as dt

import factory
from django.utils import timezone

from checks.models import AllowedLinkDomain, OfficialContact, PublishedText, text_digest
from tests.factories.accounts import social_account


class AllowedLinkDomainFactory(factory.django.DjangoModelFactory[AllowedLinkDomain]):
    class Meta:
        model = AllowedLinkDomain
        django_get_or_create = ("domain",)

    domain = factory.Sequence(lambda n: f"site{n}.example.go.jp")
    note = ""


class OfficialContactFactory(factory.django.DjangoModelFactory[OfficialContact]):
    """A contact detail; its key is worked out by the model's save() from kind and value."""

    class Meta:
        model = OfficialContact

    kind = OfficialContact.Kind.PHONE
    value = factory.Sequence(lambda n: f"03-5796-{7000 + n:04d}")
    note = ""


class PublishedTextFactory(factory.django.DjangoModelFactory[PublishedText]):
    """The digest of a text published on an account, as the publishing engine remembers it (`text` is hashed)."""

    class Meta:
        model = PublishedText

    class Params:
        text = "在留手続のお知らせです。"

    account = factory.LazyFunction(lambda: social_account("IMMI_TOKYO"))
    digest = factory.LazyAttribute(lambda p: text_digest(p.text))
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    target_id = factory.Sequence(lambda n: 1_000_000 + n)
