"""The access module as a full matrix: every role at every office against every account."""

import pytest
from django.contrib.auth.models import AnonymousUser, User

from accounts import access
from accounts.models import Membership, Office, SocialAccount
from tests.factories import MembershipFactory, make_person

pytestmark = pytest.mark.django_db

OFFICE_CODES = [
    "agency",
    "sapporo",
    "sendai",
    "tokyo",
    "narita",
    "haneda",
    "yokohama",
    "nagoya",
    "chubu",
    "osaka",
    "kansai",
    "kobe",
    "hiroshima",
    "takamatsu",
    "fukuoka",
    "naha",
    "higashi-nihon",
    "omura",
]
ROLES = [Membership.Role.POSTER, Membership.Role.SUPERVISOR, Membership.Role.VIEWER]


def ancestors_and_self(office: Office | None) -> set[str]:
    """Walk up the parent chain: an independent statement of 'at or below'."""
    codes = set()
    while office is not None:
        codes.add(office.code)
        office = office.parent
    return codes


def expected(role: str, office_code: str, account: SocialAccount) -> dict[str, bool]:
    # A poster's office includes its branch offices (a bureau's 支局).
    office = account.office
    own = office.code == office_code or (
        office.kind == "branch" and office.parent is not None and office.parent.code == office_code
    )
    at_or_below = office_code in ancestors_and_self(account.office)
    return {
        "see": own if role == "poster" else at_or_below,
        "draft": own if role == "poster" else (at_or_below if role == "supervisor" else False),
        "approve": at_or_below if role == "supervisor" else False,
    }


@pytest.mark.parametrize("office_code", OFFICE_CODES)
@pytest.mark.parametrize("role", ROLES)
def test_matrix(role, office_code):
    user = make_person(f"{role}-{office_code}", office_code, role)
    visible = set(access.accounts_visible_to(user).values_list("pk", flat=True))
    draftable = set(access.accounts_draftable_by(user).values_list("pk", flat=True))
    approvable = set(access.accounts_approvable_by(user).values_list("pk", flat=True))
    for account in SocialAccount.objects.select_related("office__parent__parent"):
        want = expected(role, office_code, account)
        got = {"see": account.pk in visible, "draft": account.pk in draftable, "approve": account.pk in approvable}
        assert got == want, f"{role}@{office_code} vs {account.handle}"
        assert access.can_view_account(user, account) is want["see"]
        assert access.can_draft_for(user, account) is want["draft"]
        assert access.can_approve_for(user, account) is want["approve"]


def test_tokyo_poster_drafts_for_the_bureau_and_its_branches_only():
    user = make_person("poster", "tokyo", "poster")
    handles = set(access.accounts_draftable_by(user).values_list("handle", flat=True))
    assert handles == {"IMMI_TOKYO", "IMMI_NARITA", "IMMI_HANEDA", "IMMI_YOKOHAMA"}
    assert not access.accounts_approvable_by(user).exists()
    narita = make_person("narita", "narita", "poster")
    assert set(access.accounts_draftable_by(narita).values_list("handle", flat=True)) == {"IMMI_NARITA"}
    agency = make_person("agency-poster", "agency", "poster")
    assert set(access.accounts_draftable_by(agency).values_list("handle", flat=True)) == {
        "MOJ_IMMI",
        "ImmigrationServicesAgency.MOJ",
    }


def test_tokyo_supervisor_reaches_the_tokyo_branches_but_not_osaka():
    user = make_person("sup", "tokyo", "supervisor")
    handles = set(access.accounts_approvable_by(user).values_list("handle", flat=True))
    assert handles == {"IMMI_TOKYO", "IMMI_NARITA", "IMMI_HANEDA", "IMMI_YOKOHAMA"}


def test_agency_supervisor_reaches_every_account():
    user = make_person("top", "agency", "supervisor")
    assert access.accounts_approvable_by(user).count() == 21


def test_several_memberships_add_up():
    user = make_person("both", "osaka", "poster")
    MembershipFactory.create(user=user, office=Office.objects.get(code="narita"), role="supervisor")
    assert set(access.accounts_draftable_by(user).values_list("handle", flat=True)) == {
        "IMMI_OSAKA",
        "IMMI_KANSAI",
        "IMMI_KOBE",
        "IMMI_NARITA",
    }
    assert set(access.accounts_approvable_by(user).values_list("handle", flat=True)) == {"IMMI_NARITA"}


def test_staff_may_do_everything():
    admin = make_person("root", is_staff=True)
    assert access.accounts_visible_to(admin).count() == 21
    assert access.accounts_approvable_by(admin).count() == 21
    assert access.is_administrator(admin) and access.must_use_mfa(admin)


@pytest.mark.parametrize("who", ["anonymous", "inactive", "no-membership"])
def test_nobody_else_sees_anything(who):
    user: AnonymousUser | User
    if who == "anonymous":
        user = AnonymousUser()
    elif who == "inactive":
        user = make_person("gone", "agency", "supervisor", is_active=False)
    else:
        user = make_person("new")
    assert not access.accounts_visible_to(user).exists()
    assert not access.accounts_draftable_by(user).exists()
    assert not access.accounts_approvable_by(user).exists()
    assert not access.offices_visible_to(user).exists()
    assert not access.is_administrator(user)


def test_only_supervisors_and_staff_must_use_mfa():
    assert access.must_use_mfa(make_person("s", "kobe", "supervisor"))
    assert not access.must_use_mfa(make_person("p", "kobe", "poster"))
    assert not access.must_use_mfa(make_person("v", "kobe", "viewer"))


# --- Four eyes (§3): every approving role, edit then approve -----------------------------------
# An approving role is a supervisor at any office, or an administrator. For each, a poster of the
# account's office writes a post; the approver edits it and may then not approve it, with the
# reason given; another supervisor (who did not touch it) may.

APPROVERS = [*(("supervisor", code) for code in OFFICE_CODES), ("administrator", None)]


def _approver(role, office_code):
    if role == "administrator":
        return make_person("approving-admin", is_staff=True, is_superuser=True), SocialAccount.objects.get(
            handle="IMMI_TOKYO"
        )
    account = SocialAccount.objects.filter(office__code=office_code).order_by("sort_order").first()
    return make_person(f"approver-{office_code}", office_code, "supervisor"), account


def _pending_post(account):
    from tests.factories import post_via_services

    author = make_person(f"author-{account.office.code}", account.office.code, "poster")
    return post_via_services(author, (account.handle,), submit=True)


@pytest.fixture
def tuesday_morning():
    import time_machine

    from tests.posts.conftest import NOW

    with time_machine.travel(NOW, tick=True):
        yield


@pytest.mark.usefixtures("tuesday_morning")
@pytest.mark.parametrize(("role", "office_code"), APPROVERS)
def test_whoever_edits_a_post_cannot_approve_it(role, office_code):
    from posts import services
    from posts.errors import NotAllowed

    approver, account = _approver(role, office_code)
    post = _pending_post(account)
    services.post_update(
        post=post, by=approver, body="承認者が書き換えた文章です。", scheduled_at=post.scheduled_at, accounts=[account]
    )
    post.refresh_from_db()
    with pytest.raises(NotAllowed, match=r"another supervisor must approve|別の承認者"):
        services.post_approve(post=post, by=approver, revision=post.revision)
    post.refresh_from_db()
    assert post.state == "pending" and post.approved_by is None
    other = make_person("other-agency-supervisor", "agency", "supervisor")
    services.post_approve(post=post, by=other, revision=post.revision)
    assert type(post).objects.get(pk=post.pk).approved_by == other


@pytest.mark.usefixtures("tuesday_morning")
@pytest.mark.parametrize(("role", "office_code"), APPROVERS)
def test_editing_an_approved_post_bars_the_editor_from_approving_it_again(role, office_code):
    """The hole as found: approve someone's post, then rewrite it and approve it yourself."""
    from posts import services
    from posts.errors import NotAllowed

    approver, account = _approver(role, office_code)
    post = _pending_post(account)
    services.post_approve(post=post, by=approver, revision=post.revision)
    services.post_update(
        post=post, by=approver, body="承認後に書き換えた文章です。", scheduled_at=post.scheduled_at, accounts=[account]
    )
    post.refresh_from_db()
    assert post.state == "pending"
    with pytest.raises(NotAllowed):
        services.post_approve(post=post, by=approver, revision=post.revision)
    # Once someone else approved the rewrite, a later edit by the author leaves this approver free again.
    services.post_approve(post=post, by=make_person("other-sup", "agency", "supervisor"), revision=post.revision)
    post.refresh_from_db()
    services.post_update(
        post=post, by=post.author, body="著者が直した文章です。", scheduled_at=post.scheduled_at, accounts=[account]
    )
    post.refresh_from_db()
    services.post_approve(post=post, by=approver, revision=post.revision)
    assert type(post).objects.get(pk=post.pk).state == "approved"


@pytest.mark.usefixtures("tuesday_morning")
@pytest.mark.parametrize(("role", "office_code"), APPROVERS)
def test_bulk_approval_refuses_a_post_edited_after_the_queue_was_loaded(client, role, office_code):
    from django.urls import reverse

    from posts import services
    from tests.conftest import sign_in_with_second_factor

    approver, account = _approver(role, office_code)
    post = _pending_post(account)
    sign_in_with_second_factor(client, approver)
    queue = client.get(reverse("posts:queue")).content.decode()
    assert f'name="revision-{post.pk}" value="{post.revision}"' in queue
    shown = post.revision
    services.post_update(
        post=post,
        by=post.author,
        body="キュー表示後に変わった文章です。",
        scheduled_at=post.scheduled_at,
        accounts=[account],
    )
    response = client.post(
        reverse("posts:approve_many"), {"posts": [post.pk], f"revision-{post.pk}": shown}, follow=True
    )
    assert type(post).objects.get(pk=post.pk).state == "pending"
    assert f"#{post.pk}" in response.content.decode() and "編集されました" in response.content.decode()
