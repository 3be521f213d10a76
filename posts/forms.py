from __future__ import annotations

import datetime as dt
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import Office, SocialAccount
from accounts.platforms.capabilities import ALL as ALL_PLATFORMS
from immisns.bounds import EARLIEST_YEAR, LATEST_YEAR
from immisns.widgets import QuickSelect
from posts import images as post_images
from posts.models import DisplayState, Post
from posts.selectors import TARGET_FAILED, TARGET_UNCONFIRMED
from posts.services import NOTE_LENGTH, NewImage

# The composer's image slots: as many as the strictest platform takes, so a post can go to any account.
IMAGE_SLOTS = min(capabilities.images.max_count for capabilities in ALL_PLATFORMS)
DATETIME_INPUT = "%Y-%m-%dT%H:%M"
# The largest text any platform takes: no form takes more.
LONGEST_TEXT = max(capabilities.text_limit for capabilities in ALL_PLATFORMS)
COMMENT_LENGTH = 2000
REASON_LENGTH = 300  # PublishingSwitch.reason and Post.outside_hours_reason
DB_INTEGER_MAX = 2**31 - 1


class ScheduleField(forms.DateTimeField):
    """A date and time as the composer sends it, within years any calendar here can compute."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DATETIME_INPUT])
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("invalid", _("Enter a real date and time, for example 2026-12-01 10:00."))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


def check_schedule(value: dt.datetime) -> dt.datetime:
    """A publishing time people may choose: in the future, at most a year ahead (the composer and the calendar)."""
    if value <= timezone.now():
        raise forms.ValidationError(_("This time has already passed. Choose a time in the future."))
    if value > timezone.now() + dt.timedelta(days=366):
        raise forms.ValidationError(_("Schedule at most a year ahead."))
    return value


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Rows by id; an id that is no number a database column holds is refused before any query."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not text.isascii() or not text.isdigit() or int(text) > 2**63 - 1:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        # django-stubs leave out this private method of ModelMultipleChoiceField (Django 5.2 has it).
        return super()._check_values(value)  # type: ignore[misc]


class PostTextField(forms.CharField):
    """A post's text, normalised once, here: LF line breaks and no surrounding blanks.

    Browsers send line breaks as CRLF, which X would count as two characters;
    everything after the form (services, preview, footer, engine) takes the
    text as it leaves this field.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n").strip() if value else value


class AccountChoiceField(IdsChoiceField):
    def label_from_instance(self, account):
        label = f"{account.display_handle} — {account.office.name}"
        if account.state != account.State.ACTIVE:
            # Warned before it is chosen (without script too): its posts wait until it is active again.
            label += f" ({account.get_state_display()})"
        return label


class PostForm(forms.Form):
    """The composer: one text for several accounts, optional per-account text, images with alt text."""

    accounts = AccountChoiceField(
        label=_("Accounts"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one account.")},
    )
    body = PostTextField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=LONGEST_TEXT,
        error_messages={"required": _("Write the text of the post.")},
    )
    scheduled_at = ScheduleField(
        label=_("Publish at (JST)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    outside_hours_reason = forms.CharField(
        label=_("Reason for posting outside office hours"),
        required=False,
        max_length=REASON_LENGTH,
        help_text=_("Only when the time is outside office hours, for example a disaster or system outage notice."),
    )

    def __init__(self, *args, user, post: Post | None = None, refused_uploads: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.post = post
        # Files the upload handler skipped for their size (immisns/uploads.py), by field name.
        self.refused_uploads = refused_uploads or {}
        draftable = access.accounts_draftable_by(user).order_by("platform", "sort_order")
        if post is not None and user.pk != post.author_id:
            draftable = access.accounts_approvable_by(user).order_by("platform", "sort_order")
        cast(AccountChoiceField, self.fields["accounts"]).queryset = draftable
        self.account_choices = list(draftable)
        for account in self.account_choices:
            self.fields[f"override_{account.pk}"] = PostTextField(
                label=_("Own text for %(account)s") % {"account": account.display_handle},
                required=False,
                max_length=LONGEST_TEXT,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        for slot in range(1, IMAGE_SLOTS + 1):
            self.fields[f"image_{slot}"] = forms.FileField(label=_("Image %(n)d") % {"n": slot}, required=False)
            self.fields[f"alt_{slot}"] = forms.CharField(
                label=_("Alternative text for image %(n)d") % {"n": slot},
                required=False,
                max_length=1000,
            )
        if post is not None:
            self.existing_images = list(post.images.all())
            for image in self.existing_images:
                self.fields[f"remove_image_{image.pk}"] = forms.BooleanField(label=_("Remove"), required=False)
        else:
            self.existing_images = []

    def clean_scheduled_at(self) -> dt.datetime:
        return check_schedule(self.cleaned_data["scheduled_at"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        new_images = []
        for slot in range(1, IMAGE_SLOTS + 1):
            if f"image_{slot}" in self.refused_uploads:
                self.add_error(
                    f"image_{slot}",
                    _("The file is larger than %(limit)d MB; files of at most %(limit)d MB can be uploaded.")
                    % {"limit": post_images.MAX_UPLOAD_BYTES // post_images.MB},
                )
                continue
            upload = cleaned.get(f"image_{slot}")
            if not upload:
                continue
            try:
                image = post_images.clean_image(upload.read(), filename=upload.name)
                alt_text = post_images.check_alt_text(cleaned.get(f"alt_{slot}", ""))
            except post_images.ImageRejected as exc:
                self.add_error(f"image_{slot}", exc.message)
                continue
            new_images.append(NewImage(image=image, alt_text=alt_text))
        cleaned["new_images"] = new_images
        cleaned["remove_image_ids"] = [i.pk for i in self.existing_images if cleaned.get(f"remove_image_{i.pk}")]
        return cleaned

    def overrides(self) -> dict[int, str]:
        return {
            account.pk: self.cleaned_data[f"override_{account.pk}"]
            for account in self.cleaned_data.get("accounts", [])
            if self.cleaned_data.get(f"override_{account.pk}")
        }

    def override_fields(self):
        return [(account, self[f"override_{account.pk}"]) for account in self.account_choices]

    def image_slots(self):
        return [(self[f"image_{n}"], self[f"alt_{n}"]) for n in range(1, IMAGE_SLOTS + 1)]

    def existing_image_fields(self):
        return [(image, self[f"remove_image_{image.pk}"]) for image in self.existing_images]


class PreviewForm(forms.Form):
    """The composer's fields as typed, for the live preview: nothing is required, nothing saved."""

    body = PostTextField(required=False, max_length=LONGEST_TEXT)
    scheduled_at = ScheduleField(required=False)
    accounts = IdsChoiceField(queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        visible = access.accounts_visible_to(user)
        cast(IdsChoiceField, self.fields["accounts"]).queryset = visible
        for account_id in visible.values_list("pk", flat=True):
            self.fields[f"override_{account_id}"] = PostTextField(required=False, max_length=LONGEST_TEXT)

    def overrides(self) -> dict[int, str]:
        return {
            account.pk: self.cleaned_data.get(f"override_{account.pk}") or ""
            for account in self.cleaned_data.get("accounts") or []
        }


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=COMMENT_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=DB_INTEGER_MAX)


class ConfirmedForm(forms.Form):
    """An action that cannot be undone: done only when the request says it was confirmed.

    The page's button sends confirm empty; the confirmation step (a page, or the
    dialog site.js opens) sends it again with confirm=1. A request without it,
    forged or not, only gets the question.
    """

    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    @property
    def confirmed(self) -> bool:
        return self.is_valid() and self.cleaned_data["confirm"]


class CancelForm(ConfirmedForm):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=COMMENT_LENGTH)


class WithdrawForm(ConfirmedForm):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=COMMENT_LENGTH,
        error_messages={"required": _("Give the reason for withdrawing the post.")},
    )


class PublishingSwitchForm(ConfirmedForm):
    paused = forms.TypedChoiceField(choices=[("1", "paused"), ("0", "resumed")], coerce=lambda v: v == "1")
    reason = forms.CharField(label=_("Reason"), required=False, max_length=REASON_LENGTH)


class BulkApproveForm(forms.Form):
    """Approving from the queue: each checked post with the revision the queue showed (revision-<id>)."""

    posts = IdsChoiceField(queryset=None, error_messages={"required": _("Choose the posts to approve.")})

    def __init__(self, *args, queue, **kwargs):
        super().__init__(*args, **kwargs)
        cast(IdsChoiceField, self.fields["posts"]).queryset = queue

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        revisions: dict[int, int | None] = {}
        for post in cleaned.get("posts") or []:
            field = forms.IntegerField(min_value=1, max_value=2**31 - 1)
            try:
                revisions[post.pk] = field.clean(self.data.get(f"revision-{post.pk}"))
            except forms.ValidationError:
                revisions[post.pk] = None  # the service refuses it: the queue did not say what was shown
        cleaned["revisions"] = revisions
        return cleaned


class PostFilterForm(forms.Form):
    # Words of the body (a substring: Japanese has no spaces); bounded for the trigram index or LIKE scan.
    q = forms.CharField(
        label=_("Words in the text"), required=False, max_length=100, widget=forms.TextInput(attrs={"type": "search"})
    )
    # Two selects drawn on every page of the list: their options written without a template each.
    state = forms.ChoiceField(label=_("State"), required=False, choices=[], widget=QuickSelect)
    account: forms.ModelChoiceField[SocialAccount] = forms.ModelChoiceField(
        label=_("Account"), required=False, queryset=None, empty_label=_("Any account"), widget=QuickSelect
    )
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = access.accounts_visible_to(user).order_by("platform", "sort_order")
        cast(forms.ModelChoiceField, self.fields["account"]).queryset = accounts
        choices = [("", _("Any state"))]
        for value, label in DisplayState.choices:
            choices.append((value, label))
            if value == DisplayState.FAILED:
                # "Needs attention" covers both; each can be asked for on its own.
                choices += [(TARGET_FAILED, _("Failed")), (TARGET_UNCONFIRMED, _("To be checked"))]
        cast(forms.ChoiceField, self.fields["state"]).choices = choices


class ResolveForm(forms.Form):
    """A person's decision on a target whose outcome is unknown."""

    decision = forms.ChoiceField(
        choices=[
            ("published", _("It is on the platform: record it as published")),
            ("again", _("It is not on the platform: publish it again")),
        ]
    )
    # PostTarget.external_url holds 200 characters.
    url = forms.URLField(
        label=_("Address of the published post"), required=False, assume_scheme="https", max_length=200
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=COMMENT_LENGTH)


class CalendarFilterForm(forms.Form):
    """The calendar's view, day and filters, all in the URL (a link to it shows the same)."""

    view = forms.ChoiceField(
        label=_("View"), required=False, choices=[("month", _("Month")), ("week", _("Week")), ("day", _("Day"))]
    )
    date = forms.DateField(label=_("Date"), required=False, input_formats=["%Y-%m-%d"])
    office: forms.ModelChoiceField[Office] = forms.ModelChoiceField(
        label=_("Office"), required=False, queryset=None, empty_label=_("Any office"), widget=QuickSelect
    )
    account: forms.ModelChoiceField[SocialAccount] = forms.ModelChoiceField(
        label=_("Account"), required=False, queryset=None, empty_label=_("Any account"), widget=QuickSelect
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any state")), *DisplayState.choices], widget=QuickSelect
    )
    # The day view's page (immisns.keyset cursors: one that does not decode gives the first page).
    after = forms.CharField(label=_("Page"), required=False, max_length=200, widget=forms.HiddenInput)
    before = forms.CharField(label=_("Page"), required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offices = access.offices_visible_to(user).order_by("sort_order", "code")
        accounts = access.accounts_visible_to(user).order_by("platform", "sort_order")
        cast(forms.ModelChoiceField, self.fields["office"]).queryset = offices
        cast(forms.ModelChoiceField, self.fields["account"]).queryset = accounts

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise forms.ValidationError(_("Enter a real date, for example 2026-12-01."))
        return value


class MoveForm(forms.Form):
    """Rescheduling from the calendar: the new day (a drop keeps the time of day) and time, in JST."""

    date = forms.DateField(
        label=_("New date"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": _("Enter a real date, for example 2026-12-01."),
            "required": _("Choose the new date."),
        },
    )
    time = forms.TimeField(
        label=_("Time (JST)"),
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a real time, for example 10:00."), "required": _("Choose the new time.")},
    )
    # The revision the calendar showed: a post edited since is not moved blind.
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=DB_INTEGER_MAX)

    def clean_date(self):
        value = self.cleaned_data["date"]
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise forms.ValidationError(self.fields["date"].error_messages["invalid"], code="invalid")
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("date") and cleaned.get("time"):
            at = dt.datetime.combine(
                cleaned["date"], cleaned["time"].replace(second=0, microsecond=0), tzinfo=ZoneInfo("Asia/Tokyo")
            )
            try:
                cleaned["scheduled_at"] = check_schedule(at)
            except forms.ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class NoteForm(forms.Form):
    """A note on a post: bounded, and no NUL (PostgreSQL refuses it in text); an empty note is the service's to refuse."""

    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_LENGTH, widget=forms.Textarea)
