"""May this person approve, edit, submit or cancel this post now (posts.rights, docs/architecture.md, the workflow).

The expected answers are written from the design, not from the code: who
wrote what and when, which office the person is at, the post's state, and
whether a target may already be on the platform.
"""

import pytest

from accounts.models import Membership
from posts import rights, selectors, services
from posts.errors import NotAllowed, PostError, PostInDoubt
from posts.models import Post
from posts.rights import post_rights
from tests.factories import MembershipFactory, make_person, post_via_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

TOKYO_ACCOUNTS = ("IMMI_TOKYO", "IMMI_NARITA")


def fresh(post: Post) -> Post:
    return Post.objects.get(pk=post.pk)


def edit(post: Post, by, body: str) -> Post:
    post = fresh(post)
    return services.post_update(
        post=post, by=by, body=body, scheduled_at=post.scheduled_at, accounts=[t.account for t in post.targets.all()]
    )


def approve(post: Post, by) -> Post:
    post = fresh(post)
    return services.post_approve(post=post, by=by, revision=post.revision)


@pytest.fixture
def agency_supervisor(db):
    return make_person("agency-supervisor", "agency", Membership.Role.SUPERVISOR)


@pytest.fixture
def osaka_supervisor(db):
    return make_person("osaka-supervisor", "osaka", Membership.Role.SUPERVISOR)


@pytest.fixture
def pending(tokyo_poster):
    return post_via_services(tokyo_poster, TOKYO_ACCOUNTS, submit=True)


# --- Approving: four eyes and scope --------------------------------------------------------------------


def test_the_author_cannot_approve_their_own_post(pending, tokyo_poster):
    answer = post_rights(tokyo_poster, fresh(pending))
    assert not answer.approve and not answer.wrote_it
    assert isinstance(answer.refusal(rights.APPROVE), NotAllowed)


def test_a_supervisor_who_wrote_the_post_cannot_approve_it(tokyo_supervisor):
    post = post_via_services(tokyo_supervisor, TOKYO_ACCOUNTS, submit=True)
    answer = post_rights(tokyo_supervisor, fresh(post))
    assert not answer.approve
    assert isinstance(answer.refusal(rights.APPROVE), NotAllowed)


def test_a_supervisor_of_the_office_may_approve_someone_elses_pending_post(
    pending, tokyo_supervisor, agency_supervisor
):
    for person in (tokyo_supervisor, agency_supervisor):
        answer = post_rights(person, fresh(pending))
        assert answer.approve and not answer.wrote_it
        assert answer.refusal(rights.APPROVE) is None
        assert answer.refusal(rights.REJECT) is None


def test_an_editor_since_the_last_approval_cannot_approve(pending, tokyo_supervisor, agency_supervisor):
    edit(pending, tokyo_supervisor, "承認者が書き換えた文章です。")
    answer = post_rights(tokyo_supervisor, fresh(pending))
    assert not answer.approve
    assert answer.wrote_it  # the page says another supervisor must approve
    assert isinstance(answer.refusal(rights.APPROVE), NotAllowed)
    # Sending it back is still theirs to do: four eyes guards what goes out.
    assert answer.refusal(rights.REJECT) is None
    # Someone who did not touch it may.
    assert post_rights(agency_supervisor, fresh(pending)).approve


def test_an_editor_before_the_last_approval_may_approve_again(
    pending, tokyo_poster, tokyo_supervisor, agency_supervisor
):
    edit(pending, tokyo_supervisor, "承認者が書き換えた文章です。")
    approve(pending, agency_supervisor)
    # The author changes the approved post: back to pending; the earlier editor wrote none of this revision.
    edit(pending, tokyo_poster, "著者が直した文章です。")
    assert fresh(pending).state == Post.State.PENDING
    answer = post_rights(tokyo_supervisor, fresh(pending))
    assert answer.approve and not answer.wrote_it
    # The last approver approved a revision they did not write, and is free too.
    assert post_rights(agency_supervisor, fresh(pending)).approve


def test_an_approver_who_edits_after_approving_cannot_approve_the_change(pending, tokyo_supervisor):
    approve(pending, tokyo_supervisor)
    edit(pending, tokyo_supervisor, "承認後に書き換えた文章です。")
    answer = post_rights(tokyo_supervisor, fresh(pending))
    assert fresh(pending).state == Post.State.PENDING
    assert not answer.approve and answer.wrote_it


def test_another_offices_supervisor_cannot_approve_edit_or_cancel(pending, osaka_supervisor):
    answer = post_rights(osaka_supervisor, fresh(pending))
    assert not answer.approve and not answer.wrote_it
    assert not answer.edit and not answer.open_editor and not answer.cancel
    for action in (rights.APPROVE, rights.REJECT, rights.EDIT, rights.CANCEL, rights.SUBMIT):
        assert isinstance(answer.refusal(action), NotAllowed), action


def test_a_post_reaching_beyond_the_supervisors_offices_is_not_theirs_to_approve(
    tokyo_poster, tokyo_supervisor, agency_supervisor
):
    # A poster at the agency writes for Tokyo and the agency's own account: Tokyo's supervisor reaches one of two.
    author = make_person("agency-poster", "agency", Membership.Role.POSTER)
    MembershipFactory.create(user=author, office=tokyo_poster.memberships.get().office, role=Membership.Role.POSTER)
    post = post_via_services(author, ("IMMI_TOKYO", "MOJ_IMMI"), submit=True)
    assert not post_rights(tokyo_supervisor, fresh(post)).approve
    assert not post_rights(tokyo_supervisor, fresh(post)).edit
    assert post_rights(agency_supervisor, fresh(post)).approve


def test_a_viewer_may_do_nothing(pending, viewer):
    answer = post_rights(viewer, fresh(pending))
    assert not (answer.approve or answer.edit or answer.open_editor or answer.cancel or answer.submit)
    for action in (rights.APPROVE, rights.REJECT, rights.EDIT, rights.CANCEL, rights.SUBMIT):
        assert isinstance(answer.refusal(action), NotAllowed), action


def test_an_administrator_approves_others_posts_but_not_their_own(pending, administrator):
    assert post_rights(administrator, fresh(pending)).approve
    own = post_via_services(administrator, TOKYO_ACCOUNTS, submit=True)
    assert not post_rights(administrator, fresh(own)).approve


# --- Editing, submitting and cancelling: state -----------------------------------------------------------


def test_a_draft_is_submitted_by_its_author_only(tokyo_poster, tokyo_supervisor):
    draft = post_via_services(tokyo_poster, TOKYO_ACCOUNTS)
    author = post_rights(tokyo_poster, fresh(draft))
    assert author.submit and author.edit and author.cancel
    assert not author.approve  # nothing to approve yet, and never one's own
    supervisor = post_rights(tokyo_supervisor, fresh(draft))
    assert not supervisor.submit and isinstance(supervisor.refusal(rights.SUBMIT), NotAllowed)
    assert supervisor.edit  # a supervisor over every account may change it
    assert isinstance(supervisor.refusal(rights.APPROVE), PostError)  # not pending


def test_a_poster_of_another_office_cannot_touch_the_post(pending, osaka_poster):
    answer = post_rights(osaka_poster, fresh(pending))
    assert not (answer.edit or answer.cancel or answer.submit or answer.approve)


def test_an_approved_post_may_be_edited_and_cancelled_but_not_approved_again(pending, tokyo_poster, tokyo_supervisor):
    approve(pending, tokyo_supervisor)
    for person in (tokyo_poster, tokyo_supervisor):
        answer = post_rights(person, fresh(pending))
        assert answer.edit and answer.cancel, person
        assert not answer.submit and not answer.approve, person
    refused = post_rights(tokyo_supervisor, fresh(pending)).refusal(rights.APPROVE)
    assert isinstance(refused, PostError) and not isinstance(refused, NotAllowed)  # its state, not the person


def test_a_cancelled_post_never_changes(pending, tokyo_poster, tokyo_supervisor):
    services.post_cancel(post=fresh(pending), by=tokyo_poster)
    for person in (tokyo_poster, tokyo_supervisor):
        answer = post_rights(person, fresh(pending))
        assert not (answer.edit or answer.open_editor or answer.cancel or answer.submit or answer.approve)
        assert isinstance(answer.refusal(rights.EDIT), PostError)
        assert isinstance(answer.refusal(rights.CANCEL), PostError)


def test_once_a_target_has_gone_out_the_pages_offer_no_edit_or_cancel(pending, tokyo_poster, tokyo_supervisor):
    approve(pending, tokyo_supervisor)
    fresh(pending).targets.filter(account__handle="IMMI_NARITA").update(state="published")
    answer = post_rights(tokyo_poster, fresh(pending))
    assert not answer.edit and not answer.cancel
    # The edit page still opens, and the cancel form still asks; the transition refuses under its lock.
    assert answer.open_editor and answer.ask_to_cancel


# --- Doubt ---------------------------------------------------------------------------------------------------


def test_a_post_in_doubt_cannot_be_edited_cancelled_or_approved_again(
    pending, tokyo_poster, tokyo_supervisor, agency_supervisor
):
    approve(pending, tokyo_supervisor)
    fresh(pending).targets.filter(account__handle="IMMI_NARITA").update(
        in_doubt=True
    )  # awaiting a retry that looks first
    answer = post_rights(tokyo_poster, fresh(pending))
    for action in (rights.EDIT, rights.CANCEL):
        refused = answer.refusal(action)
        assert isinstance(refused, PostInDoubt), action
        assert "@IMMI_NARITA" in refused.message and "@IMMI_TOKYO" not in refused.message
    # The pages still offer them (the target waits, scheduled): trying explains which account is in doubt.
    assert answer.edit and answer.cancel
    Post.objects.filter(pk=pending.pk).update(state=Post.State.PENDING, approved_by=None)
    assert isinstance(post_rights(agency_supervisor, fresh(pending)).refusal(rights.APPROVE), PostInDoubt)
    assert post_rights(agency_supervisor, fresh(pending)).approve  # offered; the refusal explains


def test_an_unconfirmed_target_blocks_cancelling_and_the_page_offers_no_edit(pending, tokyo_poster, tokyo_supervisor):
    approve(pending, tokyo_supervisor)
    fresh(pending).targets.filter(account__handle="IMMI_TOKYO").update(state="unconfirmed", in_doubt=True)
    answer = post_rights(tokyo_poster, fresh(pending))
    assert isinstance(answer.refusal(rights.CANCEL), PostInDoubt)
    assert isinstance(answer.refusal(rights.EDIT), PostInDoubt)
    assert not answer.edit and not answer.cancel  # it has left the waiting states
    with pytest.raises(PostInDoubt):
        services.post_cancel(post=fresh(pending), by=tokyo_poster)


def test_doubt_does_not_stop_sending_back(pending, tokyo_supervisor):
    fresh(pending).targets.filter(account__handle="IMMI_TOKYO").update(in_doubt=True)
    assert post_rights(tokyo_supervisor, fresh(pending)).refusal(rights.REJECT) is None


# --- From what the lists already read ------------------------------------------------------------------


def test_the_queue_answers_from_its_prefetch_without_a_query(
    pending, tokyo_poster, tokyo_supervisor, django_assert_num_queries
):
    edit(post_via_services(tokyo_poster, TOKYO_ACCOUNTS, submit=True), tokyo_supervisor, "承認者が書き換えた文章です。")
    queue = list(selectors.approval_queue(tokyo_supervisor))
    assert len(queue) == 2
    with django_assert_num_queries(0):
        answers = {
            post.pk: post_rights(tokyo_supervisor, post, revisions=selectors.post_revisions(post)) for post in queue
        }
        offered = {pk: (answer.approve, answer.wrote_it, answer.edit) for pk, answer in answers.items()}
    assert offered[pending.pk] == (True, False, True)
    assert [value for pk, value in offered.items() if pk != pending.pk] == [(False, True, True)]
