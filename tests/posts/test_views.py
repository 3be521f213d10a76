"""The post pages: happy path, wrong method, another office, anonymous — for every URL."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import SocialAccount
from posts import services
from posts.models import Post
from tests.conftest import sign_in_with_second_factor
from tests.factories import ClosureDayFactory, post_via_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

WHEN = "2026-12-02T10:00"


def account_id(handle):
    return SocialAccount.objects.get(handle=handle).pk


def compose_data(**overrides):
    data = {
        "accounts": [account_id("IMMI_TOKYO"), account_id("IMMI_NARITA")],
        "body": "年末年始の窓口のお知らせ",
        "scheduled_at": WHEN,
        "outside_hours_reason": "",
    }
    data.update(overrides)
    return data


# --- compose ---------------------------------------------------------------------------------


def test_compose_page_offers_only_own_accounts(poster_client):
    page = poster_client.get(reverse("posts:new")).content.decode()
    assert "@IMMI_TOKYO" in page and "@IMMI_NARITA" in page and "IMMI_OSAKA" not in page


def test_compose_save_draft(client, tokyo_supervisor):
    # A supervisor may draft for the branches too, once the second factor is in this sign-in.
    sign_in_with_second_factor(client, tokyo_supervisor)
    response = client.post(reverse("posts:new"), compose_data())
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("posts:detail", args=[post.pk])
    assert post.state == "draft" and post.targets.count() == 2


def test_compose_and_submit(poster_client):
    response = poster_client.post(reverse("posts:new"), compose_data(accounts=[account_id("IMMI_TOKYO")], submit="1"))
    post = Post.objects.get()
    assert post.state == "pending"
    assert response["Location"] == reverse("posts:detail", args=[post.pk])


def test_forged_account_id_is_refused(poster_client):
    response = poster_client.post(reverse("posts:new"), compose_data(accounts=[account_id("IMMI_OSAKA")]))
    assert response.status_code == 200 and not Post.objects.exists()
    assert "IMMI_OSAKA" not in response.content.decode()


@pytest.mark.parametrize("value", ["2026-02-30T10:00", "yesterday", "2026-11-30T10:00"])
def test_impossible_or_past_time_is_refused_with_a_message(poster_client, value):
    response = poster_client.post(reverse("posts:new"), compose_data(scheduled_at=value))
    assert response.status_code == 200 and not Post.objects.exists()
    page = response.content.decode()
    assert "errorlist" in page
    assert "年末年始の窓口のお知らせ" in page  # nothing typed is lost


def test_a_blocking_finding_saves_the_draft_and_says_what_to_fix(poster_client):
    response = poster_client.post(reverse("posts:new"), compose_data(body="電話は090-1234-5678まで", submit="1"))
    post = Post.objects.get()
    assert post.state == "draft" and post.body == "電話は090-1234-5678まで"
    assert response["Location"] == reverse("posts:edit", args=[post.pk])
    page = poster_client.get(response["Location"]).content.decode()
    assert "090-1234-5678" in page and "電話番号" in page


def test_compose_wrong_method_and_anonymous(client, poster_client):
    assert poster_client.put(reverse("posts:new")).status_code == 405
    client.logout()
    response = client.get(reverse("posts:new"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_viewer_cannot_compose(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("posts:new")).status_code == 404


# --- preview ---------------------------------------------------------------------------------


def test_preview_shows_footer_length_findings_and_hours(poster_client):
    response = poster_client.post(
        reverse("posts:preview"),
        {
            "body": "在留カードAB12345678CDの件",
            "accounts": [account_id("IMMI_TOKYO")],
            "scheduled_at": "2026-12-05T10:00",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "返信・DMへの回答は行っていません" in page  # the footer
    assert 'class="finding-block"' in page and "AB12345678CD" in page
    assert "窓口受付時間外" in page and "2026-12-07" in page  # Saturday → next opening Monday


def test_a_post_ending_with_the_information_centre_number_is_submitted(poster_client):
    body = "【お知らせ】年末年始は閉庁します。お問い合わせは外国人在留総合インフォメーションセンター（０５７０－０１３９０４）へ。"
    poster_client.post(reverse("posts:new"), compose_data(accounts=[account_id("IMMI_TOKYO")], body=body, submit="1"))
    assert Post.objects.get().state == "pending"


def test_a_hyphenated_card_number_keeps_the_post_a_draft(poster_client):
    body = "申請人の在留カード番号はAB-1234-5678-CDです。"
    poster_client.post(reverse("posts:new"), compose_data(accounts=[account_id("IMMI_TOKYO")], body=body, submit="1"))
    assert Post.objects.get().state == "draft"


def test_preview_shows_an_official_number_as_information_and_marks_a_card_number(poster_client):
    body = "お問い合わせは0570-013904へ。申請人 AB 1234 5678 CD"
    page = poster_client.post(
        reverse("posts:preview"),
        {
            "body": body,
            "accounts": [account_id("IMMI_TOKYO")],
            "scheduled_at": "2026-12-07T10:00",
        },
    ).content.decode()
    assert '<mark class="official"' in page and ">0570-013904</mark>" in page
    assert 'class="official"><span class="badge">' in page and "<code>0570-013904</code>" in page
    assert "インフォメーションセンター" in page  # the administered note
    assert '<mark class="finding-block"' in page and ">AB 1234 5678 CD</mark>" in page
    assert page.count('<li class="finding finding-block">') == 1  # the card only, not the official number


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        ("2026-12-05T10:00", "(土曜日)"),
        ("2026-12-30T10:00", "(年末年始 (12/29–1/3))"),
        ("2027-02-23T10:00", "(天皇誕生日)"),
    ],
)
def test_preview_says_why_the_time_is_closed(poster_client, when, reason):
    page = poster_client.post(
        reverse("posts:preview"),
        {
            "body": "お知らせ",
            "accounts": [account_id("IMMI_TOKYO")],
            "scheduled_at": when,
        },
    ).content.decode()
    assert "窓口受付時間外" in page
    assert f'data-testid="closed-reason">{reason}</span>' in page


def test_preview_gives_the_closure_days_own_reason(poster_client):
    from accounts.models import Office

    ClosureDayFactory.create(
        date=dt.date(2026, 12, 8), office=Office.objects.get(code="tokyo"), reason="台風による臨時閉庁"
    )
    page = poster_client.post(
        reverse("posts:preview"),
        {
            "body": "お知らせ",
            "accounts": [account_id("IMMI_TOKYO")],
            "scheduled_at": "2026-12-08T10:00",
        },
    ).content.decode()
    assert 'data-testid="closed-reason">(台風による臨時閉庁)</span>' in page
    open_page = poster_client.post(
        reverse("posts:preview"),
        {
            "body": "お知らせ",
            "accounts": [account_id("IMMI_TOKYO")],
            "scheduled_at": "2026-12-07T10:00",
        },
    ).content.decode()
    assert "closed-reason" not in open_page


def test_preview_escapes_html(poster_client):
    response = poster_client.post(
        reverse("posts:preview"),
        {
            "body": "<script>alert('x')</script><b>太字</b>",
            "accounts": [account_id("IMMI_TOKYO")],
        },
    )
    page = response.content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "<b>太字" not in page


def test_preview_wrong_method_and_anonymous(client, poster_client):
    assert poster_client.get(reverse("posts:preview")).status_code == 405
    client.logout()
    assert client.post(reverse("posts:preview"), {"body": "x"}).status_code == 302


def test_preview_ignores_accounts_outside_scope(client, osaka_poster):
    client.force_login(osaka_poster)
    page = client.post(reverse("posts:preview"), {"body": "x", "accounts": [account_id("IMMI_TOKYO")]}).content.decode()
    assert "IMMI_TOKYO" not in page


# --- detail, list ------------------------------------------------------------------------------


def test_detail_shows_targets_and_history(poster_client, tokyo_poster):
    post = post_via_services(tokyo_poster, ("IMMI_TOKYO", "IMMI_NARITA"), submit=True)
    page = poster_client.get(reverse("posts:detail", args=[post.pk])).content.decode()
    assert "@IMMI_TOKYO" in page and "@IMMI_NARITA" in page
    assert "作成" in page and "承認申請" in page  # timeline: created, submitted


def test_another_office_gets_404_everywhere(client, tokyo_poster, osaka_poster):
    post = post_via_services(tokyo_poster, submit=True)
    client.force_login(osaka_poster)
    for name in ("posts:detail", "posts:edit"):
        assert client.get(reverse(name, args=[post.pk])).status_code == 404
    for name in ("posts:submit", "posts:cancel", "posts:approve", "posts:reject"):
        assert client.post(reverse(name, args=[post.pk])).status_code == 404
    assert Post.objects.get(pk=post.pk).state == "pending"
    assert reverse("posts:detail", args=[post.pk]) not in client.get(reverse("posts:list")).content.decode()


def test_detail_escapes_html(poster_client, tokyo_poster):
    post = post_via_services(tokyo_poster, body="<img src=x onerror=alert(1)>お知らせ")
    page = poster_client.get(reverse("posts:detail", args=[post.pk])).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_list_filters(poster_client, tokyo_poster):
    draft = post_via_services(tokyo_poster, body="下書きの投稿")
    pending = post_via_services(tokyo_poster, body="申請中の投稿", submit=True)
    page = poster_client.get(reverse("posts:list"), {"state": "pending"}).content.decode()
    assert "申請中の投稿" in page and "下書きの投稿" not in page
    page = poster_client.get(reverse("posts:list"), {"account": account_id("IMMI_TOKYO")}).content.decode()
    assert f"#{draft.pk}" in page and f"#{pending.pk}" in page


def test_detail_and_list_wrong_method_and_anonymous(client, tokyo_poster):
    post = post_via_services(tokyo_poster)
    client.force_login(tokyo_poster)
    assert client.post(reverse("posts:detail", args=[post.pk])).status_code == 405
    assert client.post(reverse("posts:list")).status_code == 405
    assert client.get(reverse("posts:submit", args=[post.pk])).status_code == 405
    client.logout()
    for url in (reverse("posts:detail", args=[post.pk]), reverse("posts:list")):
        assert client.get(url).status_code == 302


def test_submit_and_cancel_buttons(poster_client, tokyo_poster):
    post = post_via_services(tokyo_poster)
    poster_client.post(reverse("posts:submit", args=[post.pk]))
    assert Post.objects.get(pk=post.pk).state == "pending"
    poster_client.post(reverse("posts:cancel", args=[post.pk]), {"confirm": "1"})
    assert Post.objects.get(pk=post.pk).state == "cancelled"


def test_edit_keeps_what_was_typed(poster_client, tokyo_poster):
    post = post_via_services(tokyo_poster, body="元の文章")
    page = poster_client.get(reverse("posts:edit", args=[post.pk])).content.decode()
    assert "元の文章" in page and 'value="2026-12-02T10:00"' in page
    poster_client.post(
        reverse("posts:edit", args=[post.pk]), compose_data(body="新しい文章", accounts=[account_id("IMMI_TOKYO")])
    )
    assert Post.objects.get(pk=post.pk).body == "新しい文章"


# --- approval queue -------------------------------------------------------------------------------


def test_queue_lists_pending_posts_oldest_first_with_flags(supervisor_client, tokyo_poster):
    first = post_via_services(tokyo_poster, body="一件目", submit=True)
    second = post_via_services(
        tokyo_poster,
        body="二件目",
        submit=True,
        when=dt.datetime(2026, 12, 5, 10, 0, tzinfo=first.scheduled_at.tzinfo),
        reason="災害情報",
    )
    page = supervisor_client.get(reverse("posts:queue")).content.decode()
    assert page.index(f"post-{first.pk}") < page.index(f"post-{second.pk}")
    assert "災害情報" in page and "窓口受付時間外" in page


def test_queue_approve_and_reject(supervisor_client, tokyo_poster):
    one = post_via_services(tokyo_poster, submit=True)
    two = post_via_services(tokyo_poster, submit=True)
    supervisor_client.post(reverse("posts:approve", args=[one.pk]), {"revision": one.revision})
    supervisor_client.post(reverse("posts:reject", args=[two.pk]), {"comment": "表現を見直してください"})
    assert Post.objects.get(pk=one.pk).state == "approved"
    assert Post.objects.get(pk=two.pk).state == "draft"


def test_approve_several_at_once(supervisor_client, tokyo_poster, osaka_poster):
    posts = [post_via_services(tokyo_poster, body=f"お知らせ{i}", submit=True) for i in range(3)]
    foreign = post_via_services(osaka_poster, ("IMMI_OSAKA",), submit=True)
    supervisor_client.post(reverse("posts:approve_many"), {"posts": [p.pk for p in posts] + [foreign.pk]})
    assert set(Post.objects.filter(pk__in=[p.pk for p in posts]).values_list("state", flat=True)) == {
        "pending"
    }  # forged id: nothing
    supervisor_client.post(
        reverse("posts:approve_many"),
        {"posts": [p.pk for p in posts], **{f"revision-{p.pk}": p.revision for p in posts}},
    )
    assert set(Post.objects.filter(pk__in=[p.pk for p in posts]).values_list("state", flat=True)) == {"approved"}
    assert Post.objects.get(pk=foreign.pk).state == "pending"


def test_own_post_is_not_in_the_queue_and_cannot_be_approved(supervisor_client, tokyo_supervisor):
    own = post_via_services(tokyo_supervisor, submit=True)
    assert f"post-{own.pk}" not in supervisor_client.get(reverse("posts:queue")).content.decode()
    response = supervisor_client.post(reverse("posts:approve", args=[own.pk]), {"revision": own.revision}, follow=True)
    assert Post.objects.get(pk=own.pk).state == "pending"
    assert "自分の投稿は承認できません" in response.content.decode()


def test_queue_needs_totp_first(client, tokyo_supervisor):
    client.force_login(tokyo_supervisor)
    response = client.get(reverse("posts:queue"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_activate_totp"))


def test_queue_for_posters_and_anonymous(client, poster_client):
    assert poster_client.get(reverse("posts:queue")).status_code == 404
    assert poster_client.post(reverse("posts:queue")).status_code == 405
    client.logout()
    assert client.get(reverse("posts:queue")).status_code == 302


def test_queue_escapes_html(supervisor_client, tokyo_poster):
    post_via_services(tokyo_poster, body="<script>alert(1)</script>", submit=True)
    page = supervisor_client.get(reverse("posts:queue")).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


# --- images -------------------------------------------------------------------------------------------


def jpeg_with_location() -> bytes:
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (35.0, 41.0, 22.0)
    gps[3], gps[4] = "E", (139.0, 41.0, 30.0)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "navy").save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_an_uploaded_photo_loses_its_location(poster_client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    photo = jpeg_with_location()
    assert b"SecretCam" in photo
    data = compose_data(image_1=SimpleUploadedFile("photo.jpg", photo, content_type="image/jpeg"), alt_1="窓口の様子")
    response = poster_client.post(reverse("posts:new"), data)
    assert response.status_code == 302
    image = Post.objects.get().images.get()
    stored = image.file.read()
    assert b"SecretCam" not in stored and not Image.open(image.file).getexif()
    assert image.alt_text == "窓口の様子"
    served = poster_client.get(reverse("posts:image", args=[image.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"


def test_a_broken_image_is_refused_and_nothing_typed_is_lost(poster_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = compose_data(
        image_1=SimpleUploadedFile("photo.jpg", b"not really a jpeg", content_type="image/jpeg"), alt_1="説明"
    )
    response = poster_client.post(reverse("posts:new"), data)
    assert response.status_code == 200 and not Post.objects.exists()
    page = response.content.decode()
    assert "画像ではありません" in page and "年末年始の窓口のお知らせ" in page


def test_an_image_needs_alt_text(poster_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = compose_data(
        image_1=SimpleUploadedFile("photo.jpg", jpeg_with_location(), content_type="image/jpeg"), alt_1=" "
    )
    response = poster_client.post(reverse("posts:new"), data)
    assert response.status_code == 200 and not Post.objects.exists()
    assert "代替テキスト" in response.content.decode()


def test_another_office_cannot_fetch_an_image(client, poster_client, osaka_poster):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = compose_data(
        image_1=SimpleUploadedFile("photo.jpg", jpeg_with_location(), content_type="image/jpeg"), alt_1="説明"
    )
    poster_client.post(reverse("posts:new"), data)
    image = Post.objects.get().images.get()
    client.force_login(osaka_poster)
    assert client.get(reverse("posts:image", args=[image.pk])).status_code == 404


def test_five_images_are_too_many_for_x(poster_client, tokyo_poster):
    from django.core.files.base import ContentFile

    from posts.models import PostImage

    post = post_via_services(tokyo_poster)
    for n in range(5):
        image = PostImage(
            post=post, alt_text=f"画像{n}", mime_type="image/jpeg", width=1, height=1, size=1000, position=n
        )
        image.file.save(f"i{n}.jpg", ContentFile(b"x"), save=True)
    with pytest.raises(services.PostError) as caught:
        services.post_submit(post=post, by=tokyo_poster)
    assert any("4" in p and "X" in p for p in caught.value.problems)


def test_queue_and_post_page_say_who_wrote_and_who_edited(supervisor_client, tokyo_poster, tokyo_supervisor):
    from tests.factories import make_person

    post = post_via_services(tokyo_poster, submit=True)
    services.post_update(
        post=post,
        by=tokyo_supervisor,
        body="承認者が直しました。",
        scheduled_at=post.scheduled_at,
        accounts=[SocialAccount.objects.get(handle="IMMI_TOKYO")],
    )
    for url in (reverse("posts:queue"), reverse("posts:detail", args=[post.pk])):
        page = supervisor_client.get(url).content.decode()
        assert "Written by tokyo-poster" in page or "tokyo-poster" in page.split('data-testid="revisions"')[1][:400]
        assert "tokyo-supervisor" in page.split('data-testid="revisions"')[1][:600]
        assert 'data-testid="wrote-it"' in page  # and why this supervisor cannot approve it
    assert f'value="{post.pk}" form="bulk-form"' not in supervisor_client.get(reverse("posts:queue")).content.decode()
    response = supervisor_client.post(reverse("posts:approve", args=[post.pk]), {"revision": 2}, follow=True)
    assert Post.objects.get(pk=post.pk).state == "pending"
    assert "別の承認者が承認する必要" in response.content.decode()  # "…so another supervisor must approve it."
    other = make_person("agency-sup", "agency", "supervisor")
    sign_in_with_second_factor(supervisor_client, other)
    page = supervisor_client.get(reverse("posts:queue")).content.decode()
    assert 'data-testid="wrote-it"' not in page and f'value="{post.pk}" form="bulk-form"' in page


def test_single_approval_needs_the_revision_shown(supervisor_client, tokyo_poster):
    post = post_via_services(tokyo_poster, submit=True)
    supervisor_client.post(reverse("posts:approve", args=[post.pk]), {})
    assert Post.objects.get(pk=post.pk).state == "pending"


def test_queue_shows_one_card_for_accounts_that_would_publish_the_same(supervisor_client, tokyo_poster):
    """A post to several accounts shows its text once per different outcome, naming every account."""
    post = post_via_services(tokyo_poster, ("IMMI_TOKYO", "IMMI_NARITA"), body="同じ文面のお知らせです。", submit=True)
    page = supervisor_client.get(reverse("posts:queue")).content.decode()
    card = page[page.index(f'id="post-{post.pk}"') :]  # the only post in the queue: the rest of the page
    assert card.count('class="preview-card') == 1 and card.count("同じ文面のお知らせです。") == 1
    also = card[card.index('data-testid="also-IMMI_TOKYO"') :]
    assert "@IMMI_NARITA" in also[:400]

    # An account that is paused keeps a card of its own, which says so.
    SocialAccount.objects.filter(handle="IMMI_NARITA").update(state=SocialAccount.State.PAUSED)
    page = supervisor_client.get(reverse("posts:queue")).content.decode()
    card = page[page.index(f'id="post-{post.pk}"') :]
    assert card.count('class="preview-card') == 2 and 'data-testid="also-IMMI_TOKYO"' not in card
    assert 'data-testid="account-held-IMMI_NARITA"' in card


def test_a_list_row_names_the_first_five_accounts_and_how_many_more(client, viewer):
    from posts.models import PostTarget
    from tests.factories import PASSWORD, make_person

    agency_supervisor = make_person("agency-supervisor", "agency", "supervisor")
    accounts = list(SocialAccount.objects.order_by("platform", "sort_order"))
    post = post_via_services(agency_supervisor, [a.handle for a in accounts], body="全アカウントへのお知らせ")
    # The ninth account is paused with this post scheduled on it: a held target is named wherever it falls.
    held = accounts[8]
    PostTarget.objects.filter(post=post).update(state=PostTarget.State.SCHEDULED)
    SocialAccount.objects.filter(pk=held.pk).update(state=SocialAccount.State.PAUSED)
    client.login(username=viewer.username, password=PASSWORD)
    page = client.get(reverse("posts:list"), headers={"accept-language": "en"}).content.decode()
    row = page[page.index(f"#{post.pk}</a>") :]
    row = row[: row.index("</tr>")]
    named = [a for a in accounts if f'href="{a.get_absolute_url()}"' in row]
    assert named == [*accounts[:5], held]
    assert "Held" in row and f"+{len(accounts) - 6} more accounts" in row
    # A phone shows each cell under its column's name, translated once for the whole list.
    assert 'data-label="Publish at"' in row and 'data-label="Author"' in row
    # The post's own page still names every account.
    detail = client.get(reverse("posts:detail", args=[post.pk])).content.decode()
    assert all(a.get_absolute_url() in detail for a in accounts)
