"""Factories for the reach figures (reports/models.py)."""

import factory
from django.utils import timezone

from reports.models import AccountFigures, PostFigures, ReachDay


class PostFiguresFactory(factory.django.DjangoModelFactory[PostFigures]):
    class Meta:
        model = PostFigures

    day = factory.LazyFunction(lambda: timezone.now().date())
    read_at = factory.LazyFunction(timezone.now)
    views = 100
    liked = 5


class AccountFiguresFactory(factory.django.DjangoModelFactory[AccountFigures]):
    class Meta:
        model = AccountFigures

    day = factory.LazyFunction(lambda: timezone.now().date())
    read_at = factory.LazyFunction(timezone.now)
    followers = 1000


class ReachDayFactory(factory.django.DjangoModelFactory[ReachDay]):
    class Meta:
        model = ReachDay

    day = factory.LazyFunction(lambda: timezone.now().date())
