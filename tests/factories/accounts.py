"""People, their roles, office hours, closure days and the records kept about SNS accounts.

Offices and the 21 SNS accounts come from the migrations: factories look them
up by code or handle (office(), social_account()) and never invent new ones,
so a test sees the same organisation the console runs with. OfficeFactory
and SocialAccountFactory exist for the few tests about an office or account
the migrations do not have; given an existing code or handle they return it.
"""

import datetime as dt

import factory
from django.contrib.auth.models import User

from accounts.models import (
    AccountStateChange,
    ClosureDay,
    Membership,
    Office,
    OfficeHours,
    SandboxDelivery,
    SocialAccount,
)

PASSWORD = "correct-horse-battery-staple"


def office(code: str) -> Office:
    """An office the migrations made, by its code."""
    return Office.objects.get(code=code)


def social_account(handle: str) -> SocialAccount:
    """An SNS account the migrations made, by its handle."""
    return SocialAccount.objects.get(handle=handle)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User  # the console keeps Django's own user model
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    # Hashed when built, with the hashers the test settings name (cheap ones in tests/conftest.py).
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    office = factory.LazyFunction(lambda: office("tokyo"))
    role = Membership.Role.POSTER


def make_person(username: str, office_code: str | None = None, role: str | None = None, **extra) -> User:
    """A person who signs in with PASSWORD; with an office code, a member of that office in `role`."""
    user = UserFactory.create(username=username, **extra)
    if office_code:
        MembershipFactory.create(user=user, office=office(office_code), role=role)
    return user


class OfficeFactory(factory.django.DjangoModelFactory[Office]):
    """An office the migrations do not have (a branch of the agency unless told otherwise)."""

    class Meta:
        model = Office
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-office-{n}")
    kind = Office.Kind.BRANCH
    parent = factory.LazyFunction(lambda: office("agency"))
    name_ja = "試験庁舎"
    name_en = "Test office"
    name_zh = "试验厅舍"


class SocialAccountFactory(factory.django.DjangoModelFactory[SocialAccount]):
    """An account the migrations do not have; an existing handle on the same platform is returned as it is."""

    class Meta:
        model = SocialAccount
        django_get_or_create = ("platform", "handle")

    platform = SocialAccount.Platform.X
    handle = factory.Sequence(lambda n: f"IMMI_TEST_{n}")
    display_name = factory.LazyAttribute(lambda a: a.handle)
    office = factory.LazyFunction(lambda: office("tokyo"))


class OfficeHoursFactory(factory.django.DjangoModelFactory[OfficeHours]):
    class Meta:
        model = OfficeHours

    office = factory.LazyFunction(lambda: office("tokyo"))
    weekday = OfficeHours.Weekday.MONDAY
    opens = dt.time(9)
    closes = dt.time(16)


class ClosureDayFactory(factory.django.DjangoModelFactory[ClosureDay]):
    """A day every office is closed unless an office is given."""

    class Meta:
        model = ClosureDay

    date = factory.Sequence(lambda n: dt.date(2026, 6, 1) + dt.timedelta(days=n))
    office = None
    reason = "臨時休庁"


class AccountStateChangeFactory(factory.django.DjangoModelFactory[AccountStateChange]):
    """One row of an account's append-only record (services.account_pause writes them in the console)."""

    class Meta:
        model = AccountStateChange

    account = factory.LazyFunction(lambda: social_account("IMMI_TOKYO"))
    actor = None
    from_state = SocialAccount.State.ACTIVE
    to_state = SocialAccount.State.PAUSED
    reason = ""


class SandboxDeliveryFactory(factory.django.DjangoModelFactory[SandboxDelivery]):
    class Meta:
        model = SandboxDelivery

    account = factory.LazyFunction(lambda: social_account("IMMI_TOKYO"))
    text = "送信記録"
