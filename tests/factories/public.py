"""Versions of the operating policy's free-text sections."""

import datetime as dt

import factory

from public.models import LANGUAGES, SECTIONS, PolicyVersion, today_jst


class PolicyVersionFactory(factory.django.DjangoModelFactory[PolicyVersion]):
    """A policy version taking effect in a week; its number is the next one (PolicyVersion.save).

    Every section not given has a placeholder text in every language.
    PolicyVersionFactory.like(version, ...) copies the sections of an existing
    version instead (the one the migrations publish, say), so a test changes
    only the section it is about.
    """

    class Meta:
        model = PolicyVersion

    effective_from = factory.LazyFunction(lambda: today_jst() + dt.timedelta(days=7))
    created_by = None

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        for section in SECTIONS:
            for language in LANGUAGES:
                kwargs.setdefault(f"{section}_{language}", f"{section} ({language})")
        return kwargs

    @classmethod
    def like(cls, version: PolicyVersion, **fields) -> PolicyVersion:
        texts = {f"{s}_{lang}": version.text(s, lang) for s in SECTIONS for lang in LANGUAGES}
        return cls.create(**{**texts, **fields})
