"""The access module as a full matrix: every role at every office against every account."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import access
from accounts.models import Membership, Office, SocialAccount
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

OFFICE_CODES = [
    "agency", "sapporo", "sendai", "tokyo", "narita", "haneda", "yokohama", "nagoya", "chubu",
    "osaka", "kansai", "kobe", "hiroshima", "takamatsu", "fukuoka", "naha", "higashi-nihon", "omura",
]
ROLES = [Membership.Role.POSTER, Membership.Role.SUPERVISOR, Membership.Role.VIEWER]


def ancestors_and_self(office: Office) -> set[str]:
    """Walk up the parent chain: an independent statement of 'at or below'."""
    codes = set()
    while office is not None:
        codes.add(office.code)
        office = office.parent
    return codes


def expected(role: str, office_code: str, account: SocialAccount) -> dict[str, bool]:
    # A poster's office includes its branch offices (a bureau's 支局).
    office = account.office
    own = office.code == office_code or (office.kind == "branch" and office.parent.code == office_code)
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
    assert set(access.accounts_draftable_by(agency).values_list("handle", flat=True)) == {"MOJ_IMMI", "ImmigrationServicesAgency.MOJ"}


def test_tokyo_supervisor_reaches_the_tokyo_branches_but_not_osaka():
    user = make_person("sup", "tokyo", "supervisor")
    handles = set(access.accounts_approvable_by(user).values_list("handle", flat=True))
    assert handles == {"IMMI_TOKYO", "IMMI_NARITA", "IMMI_HANEDA", "IMMI_YOKOHAMA"}


def test_agency_supervisor_reaches_every_account():
    user = make_person("top", "agency", "supervisor")
    assert access.accounts_approvable_by(user).count() == 21


def test_several_memberships_add_up():
    user = make_person("both", "osaka", "poster")
    Membership.objects.create(user=user, office=Office.objects.get(code="narita"), role="supervisor")
    assert set(access.accounts_draftable_by(user).values_list("handle", flat=True)) == {
        "IMMI_OSAKA", "IMMI_KANSAI", "IMMI_KOBE", "IMMI_NARITA"}
    assert set(access.accounts_approvable_by(user).values_list("handle", flat=True)) == {"IMMI_NARITA"}


def test_staff_may_do_everything():
    admin = make_person("root", is_staff=True)
    assert access.accounts_visible_to(admin).count() == 21
    assert access.accounts_approvable_by(admin).count() == 21
    assert access.is_administrator(admin) and access.must_use_mfa(admin)


@pytest.mark.parametrize("who", ["anonymous", "inactive", "no-membership"])
def test_nobody_else_sees_anything(who):
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
