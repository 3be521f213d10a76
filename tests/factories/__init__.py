"""Factories for every model the tests build: one place, so tests build data the same way.

One module per app (tests/factories/<app>.py), all importable from here:
`from tests.factories import PostFactory, make_person`. Offices and SNS
accounts come from the migrations (office(), social_account()); append-only
rows (post and reply decisions, account state changes, audit events,
footers) are created and never updated; a post that must have gone through
the workflow is made by post_via_services(), raw rows by PostFactory.
"""

from tests.factories.accounts import (
    PASSWORD,
    AccountStateChangeFactory,
    ClosureDayFactory,
    MembershipFactory,
    OfficeFactory,
    OfficeHoursFactory,
    SandboxDeliveryFactory,
    SocialAccountFactory,
    UserFactory,
    make_person,
    office,
    social_account,
)
from tests.factories.audit import AuditEventFactory
from tests.factories.checks import AllowedLinkDomainFactory, OfficialContactFactory, PublishedTextFactory
from tests.factories.posts import (
    FooterFactory,
    PostEventFactory,
    PostFactory,
    PostImageFactory,
    PostTargetFactory,
    PublishingSwitchFactory,
    make_history,
    post_via_services,
)
from tests.factories.public import PolicyVersionFactory
from tests.factories.replies import (
    ListeningDayFactory,
    ListeningStateFactory,
    QueueVisitFactory,
    ReplyDecisionFactory,
    ReplyFactory,
    WordListFactory,
    sorted_reply,
)

# The earlier name of post_via_services, for tests written before it was renamed.
make_post = post_via_services

__all__ = [
    "PASSWORD",
    "AccountStateChangeFactory",
    "AllowedLinkDomainFactory",
    "AuditEventFactory",
    "ClosureDayFactory",
    "FooterFactory",
    "ListeningDayFactory",
    "ListeningStateFactory",
    "MembershipFactory",
    "OfficeFactory",
    "OfficeHoursFactory",
    "OfficialContactFactory",
    "PolicyVersionFactory",
    "PostEventFactory",
    "PostFactory",
    "PostImageFactory",
    "PostTargetFactory",
    "PublishedTextFactory",
    "PublishingSwitchFactory",
    "QueueVisitFactory",
    "ReplyDecisionFactory",
    "ReplyFactory",
    "SandboxDeliveryFactory",
    "SocialAccountFactory",
    "UserFactory",
    "WordListFactory",
    "make_history",
    "make_person",
    "make_post",
    "office",
    "post_via_services",
    "social_account",
    "sorted_reply",
]
