"""The audit log's own records (the changes with no history elsewhere); created, never updated."""

import factory

from audit.models import AuditEvent


class AuditEventFactory(factory.django.DjangoModelFactory[AuditEvent]):
    class Meta:
        model = AuditEvent

    kind = "login.succeeded"
    actor = None
    actor_name = ""
    data = factory.LazyFunction(dict)
