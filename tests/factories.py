"""Factories for every app's models: one place, so tests build data the same way."""

import factory
from django.contrib.auth import get_user_model

from accounts.models import Membership, Office

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    office = factory.LazyFunction(lambda: Office.objects.get(code="tokyo"))
    role = Membership.Role.POSTER


def make_post(author, handles=("IMMI_TOKYO",), *, body="在留手続のお知らせです。", when=None, reason="", submit=False):
    """A post created through the service, as the composer would; optionally submitted."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from accounts.models import SocialAccount
    from posts import services

    when = when or dt.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    accounts = [SocialAccount.objects.get(handle=h) for h in handles]
    post = services.post_create(author=author, body=body, scheduled_at=when, accounts=accounts, outside_hours_reason=reason)
    if submit:
        post = services.post_submit(post=post, by=author)
    return post
