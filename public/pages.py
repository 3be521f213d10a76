"""What the public pages say, built from the data the console enforces.

The views (live, with ?lang=) and export_public_site (static files) render the
same templates from the same context; only the addresses differ, which the
Links classes give. Nothing here reads anything a member of the public should
not see: no person, no post, no account state, no credential.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Q
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation.trans_real import parse_accept_lang_header

from accounts.models import ClosureDay, Office, OfficeHours, SocialAccount
from posts import footer as post_footer
from posts.models import Footer
from public.models import AccountListRevision, PolicyVersion
from public.texts import EN_MONTHS, LANGUAGE_NAMES, LANGUAGES, SECTION_TITLES, TEXTS, WEEKDAYS, format_date
from replies import selectors as reply_selectors
from replies.categories import ProhibitedAct
from replies.models import ReplyDecision

JSON_SCHEMA_VERSION = 1
PLATFORMS = (SocialAccount.Platform.X, SocialAccount.Platform.FACEBOOK)


def language_of(request) -> str:
    """?lang= when it names a language, else the browser's Accept-Language, else Japanese."""
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        primary = code.split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return "ja"


# --- addresses ----------------------------------------------------------------------------


class LiveLinks:
    """Addresses on the running site; the language rides in ?lang= so a shared link keeps it."""

    def policy(self, language: str) -> str:
        return f"{reverse('public:policy')}?lang={language}"

    def version(self, language: str, number: int) -> str:
        return f"{reverse('public:policy_version', args=[number])}?lang={language}"

    def accounts(self, language: str) -> str:
        return f"{reverse('public:official_accounts')}?lang={language}"

    def json(self) -> str:
        return reverse("public:official_accounts_json")

    def transparency(self, language: str, month: str | None = None) -> str:
        month_query = f"&month={month}" if month else ""
        return f"{reverse('public:transparency')}?lang={language}{month_query}"

    def transparency_json(self) -> str:
        return reverse("public:transparency_json")

    def css(self) -> str:
        return static("css/immisns.css")


class ExportLinks:
    """Relative addresses between the exported files (<lang>/policy.html, …), for any web server."""

    def policy(self, language: str) -> str:
        return f"../{language}/policy.html"

    def version(self, language: str, number: int) -> str:
        return f"../{language}/policy-v{number}.html"

    def accounts(self, language: str) -> str:
        return f"../{language}/official-accounts.html"

    def json(self) -> str:
        return "../official-accounts.json"

    def transparency(self, language: str, month: str | None = None) -> str:
        return f"../{language}/transparency-{month}.html" if month else f"../{language}/transparency.html"

    def transparency_json(self) -> str:
        return "../transparency.json"

    def css(self) -> str:
        return "../static/css/immisns.css"


def _frame(language: str, links, page: str, switch) -> dict:
    """What every public page shares: its words, the navigation and the language switch."""
    return {
        "language": language,
        # The templates read every word from t, the section titles as t.sections.<n>.
        "t": {**TEXTS[language], "sections": SECTION_TITLES[language]},
        "links": {
            "policy": links.policy(language),
            "accounts": links.accounts(language),
            "json": links.json(),
            "transparency": links.transparency(language),
            "transparency_json": links.transparency_json(),
            "css": links.css(),
        },
        "current_page": page,
        "switch": [(code, LANGUAGE_NAMES[code], switch(code)) for code in LANGUAGES],
    }


# --- §2 and the account list ----------------------------------------------------------------


def _accounts() -> list[SocialAccount]:
    # Every official account, whatever its state: a paused account is still the agency's.
    return list(SocialAccount.objects.select_related("office").order_by("platform", "sort_order", "handle"))


def _office_name(office: Office, language: str) -> str:
    return {"en": office.name_en, "zh": office.name_zh}.get(language, office.name_ja)


def _account_groups(accounts: list[SocialAccount], language: str) -> list[dict]:
    texts = TEXTS[language]
    groups = []
    for platform in PLATFORMS:
        rows = [
            {
                "office": _office_name(a.office, language),
                "handle": a.display_handle,
                "url": a.profile_url,
                "platform": texts[platform],
            }
            for a in accounts
            if a.platform == platform
        ]
        if rows:
            groups.append({"platform": platform, "title": texts[platform], "rows": rows})
    return groups


def account_list_data(accounts: list[SocialAccount] | None = None) -> dict:
    """The machine-readable list (/official-accounts.json; schema in docs/architecture.md)."""
    accounts = _accounts() if accounts is None else accounts
    entries = [
        {
            "platform": a.platform,
            "handle": a.handle,
            "url": a.profile_url,
            "office": {"code": a.office.code, "name": {lang: _office_name(a.office, lang) for lang in LANGUAGES}},
        }
        for a in accounts
    ]
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "publisher": {lang: TEXTS[lang]["agency"] for lang in LANGUAGES},
        "updated": account_list_changed_on(entries).isoformat(),
        "accounts": entries,
    }


def account_list_changed_on(entries: list[dict]) -> dt.date:
    """The day the public list last changed (JST): a new digest of its content is a change.

    Handles, offices and their names are edited in the admin, sometimes by bulk
    update; comparing what the public sees catches every edit, whichever way it
    was made.
    """
    digest = hashlib.sha256(json.dumps(entries, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    latest = AccountListRevision.objects.order_by("-seen_at", "-id").first()
    if latest is None or latest.digest != digest:
        latest = AccountListRevision.objects.create(digest=digest)
    return timezone.localdate(latest.seen_at)


def accounts_context(language: str, links) -> dict:
    accounts = _accounts()
    data = account_list_data(accounts)
    context = _frame(language, links, "accounts", links.accounts)
    context.update(
        {
            "groups": _account_groups(accounts, language),
            "changed_on": dt.date.fromisoformat(data["updated"]),
            "changed_on_text": format_date(dt.date.fromisoformat(data["updated"]), language),
        }
    )
    return context


# --- §4 posting hours -----------------------------------------------------------------------


def _clock(value: dt.time) -> str:
    return f"{value.hour}:{value.minute:02d}"


def weekly_hours(windows: list[OfficeHours], language: str) -> list[tuple[str, str]]:
    """An office's week as rows of (days, hours): consecutive weekdays with the same windows share a row."""
    texts = TEXTS[language]
    by_day = {day: tuple((w.opens, w.closes) for w in windows if w.weekday == day) for day in range(7)}
    rows = []
    open_days = [day for day in range(7) if by_day[day]]
    # Runs of consecutive days with identical windows.
    runs: list[list[int]] = []
    for day in open_days:
        if runs and runs[-1][-1] == day - 1 and by_day[runs[-1][-1]] == by_day[day]:
            runs[-1].append(day)
        else:
            runs.append([day])
    for run in runs:
        first, last = WEEKDAYS[language][run[0]], WEEKDAYS[language][run[-1]]
        days = first if len(run) == 1 else texts["day_range"].format(first=first, last=last)
        hours = texts["list_sep"].join(f"{_clock(o)}–{_clock(c)}" for o, c in by_day[run[0]])
        rows.append((days, hours))
    return rows


def _hours_rows(accounts: list[SocialAccount], language: str) -> list[dict]:
    offices = {a.office_id: a.office for a in accounts}
    windows = list(OfficeHours.objects.filter(office_id__in=offices).order_by("office_id", "weekday", "opens"))
    per_office = {office_id: list(items) for office_id, items in groupby(windows, key=lambda w: w.office_id)}
    rows = []
    for office in sorted(offices.values(), key=lambda o: (o.sort_order, o.code)):
        week = weekly_hours(per_office.get(office.pk, []), language)
        rows.append({"office": _office_name(office, language), "week": week or [("", TEXTS[language]["no_hours"])]})
    return rows


def _closure_rows(accounts: list[SocialAccount], language: str) -> list[dict]:
    """Closure days an administrator added, from today on, for every office or one with an account."""
    offices = {a.office_id for a in accounts}
    days = (
        ClosureDay.objects.filter(date__gte=timezone.localdate())
        .filter(Q(office__isnull=True) | Q(office_id__in=offices))
        .select_related("office")
        .order_by("date", "office__sort_order")
    )
    return [
        {
            "date": format_date(day.date, language),
            "office": _office_name(day.office, language) if day.office is not None else TEXTS[language]["all_offices"],
        }
        for day in days
    ]


# --- §6 the footers in force ------------------------------------------------------------------


def _footers_in_force(accounts: list[SocialAccount], language: str) -> list[dict]:
    """The note every post ends with: each platform's newest footer, then accounts' own overrides."""
    texts = TEXTS[language]
    newest: dict[tuple[str, int | None], Footer] = {}
    for item in Footer.objects.select_related("account").order_by("-version"):
        newest.setdefault((item.platform, item.account_id), item)
    known = {a.pk for a in accounts}
    rows = []
    for platform in PLATFORMS:
        shared = newest.get((platform, None))
        if shared is not None and post_footer.footer_text(shared):
            rows.append({"label": texts[platform], "text": post_footer.footer_text(shared)})
    overrides = sorted(
        ((f, f.account) for f in newest.values() if f.account is not None and f.account.pk in known),
        key=lambda pair: (pair[0].platform, pair[1].sort_order),
    )
    for item, account in overrides:
        if post_footer.footer_text(item):
            rows.append(
                {
                    "label": texts["footer_for_account"].format(handle=account.display_handle),
                    "text": post_footer.footer_text(item),
                }
            )
    return rows


# --- the policy page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionLink:
    number: int
    label: str
    url: str


def policy_context(language: str, links, version: PolicyVersion, in_effect: list[PolicyVersion]) -> dict:
    """The policy as `version` states it, with §2, §4–§7 generated from the console's data now.

    `in_effect` is every version that has taken effect, newest (the one in force) first.
    """
    texts = TEXTS[language]
    current = in_effect[0]
    accounts = _accounts()
    switch = links.policy if version == current else (lambda code: links.version(code, version.number))
    context = _frame(language, links, "policy", switch)

    def version_label(item: PolicyVersion, template: str) -> str:
        return texts[template].format(number=item.number, date=format_date(item.effective_from, language))

    context.update(
        {
            "version": version,
            "is_current": version == current,
            "version_text": version_label(version, "version_in_force" if version == current else "earlier_version"),
            "effective_text": texts["effective"].format(date=format_date(version.effective_from, language)),
            "current_url": links.policy(language),
            "history": [
                VersionLink(item.number, version_label(item, "version_item"), links.version(language, item.number))
                for item in in_effect[1:]
            ],
            "preamble": version.text("preamble", language),
            "purpose": version.text("purpose", language),
            "posters": version.text("posters", language),
            "hours_note": version.text("hours_note", language),
            "notes": version.lines("notes", language),
            "disclaimer": version.lines("disclaimer", language),
            "prohibited_note": version.text("prohibited_note", language),
            "groups": _account_groups(accounts, language),
            "hours": _hours_rows(accounts, language),
            "closures": _closure_rows(accounts, language),
            "footers": _footers_in_force(accounts, language),
            "acts": [act.public_wording(language) for act in ProhibitedAct],
        }
    )
    return context


# --- the transparency report -------------------------------------------------------------------

TRANSPARENCY_SCHEMA_VERSION = 1
# A count from 1 to 4 could single out a person (one resident's reply hidden in a small office's month).
SMALLEST_SHOWN = 5
FEWER_THAN_5 = "fewer_than_5"  # how the JSON writes a suppressed count
REPORTED = (
    ("hidden", ReplyDecision.Action.HIDE),
    ("deleted", ReplyDecision.Action.DELETE),
    ("banned", ReplyDecision.Action.BAN),
)


def shown_count(count: int) -> int | str:
    """0 and 5 or more as they are; 1 to 4 as FEWER_THAN_5."""
    return count if count == 0 or count >= SMALLEST_SHOWN else FEWER_THAN_5


def transparency_data() -> dict:
    """The machine-readable report (/transparency.json; schema in docs/architecture.md, "Transparency report")."""
    accounts = {a.pk: a for a in _accounts()}
    # Plain strings, looked up once: three years are 20,000 counts and more.
    acts, reported = [act.value for act in ProhibitedAct], [(name, str(action)) for name, action in REPORTED]
    months = []
    for month, cells in groupby(reply_selectors.transparency_counts(), key=lambda c: c.month):
        rows = []
        for counts in cells:
            account = accounts.get(counts.account_id)
            if account is None:
                continue
            rows.append(
                {
                    "platform": account.platform,
                    "handle": account.handle,
                    "office": account.office.code,
                    "received": shown_count(counts.received),
                    "hidden_by_system": shown_count(counts.hidden_by_system),
                    "hidden_by_person": shown_count(counts.hidden_by_person),
                    "categories": {
                        act: {
                            name: shown_count(counts.by_category.get(action, {}).get(act, 0))
                            for name, action in reported
                        }
                        for act in acts
                    },
                }
            )
        months.append({"month": f"{month:%Y-%m}", "accounts": rows})
    return {
        "schema_version": TRANSPARENCY_SCHEMA_VERSION,
        "publisher": {lang: TEXTS[lang]["agency"] for lang in LANGUAGES},
        "generated": timezone.localdate().isoformat(),
        "smallest_count_shown": SMALLEST_SHOWN,
        "categories": {act.value: {lang: act.public_wording(lang) for lang in LANGUAGES} for act in ProhibitedAct},
        "months": months,
    }


def _shown(value: int | str, language: str) -> str:
    return str(TEXTS[language]["fewer_than_5"]) if value == FEWER_THAN_5 else str(value)


def transparency_context(language: str, links, month: str | None = None) -> dict | None:
    """One month of the report (the newest when `month` is None) and links to the others.

    One month a page keeps it readable and its cost flat however many years the
    console has run; None in place of the context when no month `month` exists.
    """
    texts = TEXTS[language]
    data = transparency_data()
    accounts = {(a.platform, a.handle): a for a in _accounts()}
    this_month = f"{timezone.localdate():%Y-%m}"

    def title(key: str) -> str:
        year, number = (int(part) for part in key.split("-"))
        return str(texts["month_title"]).format(
            year=year, month=number, month_name=EN_MONTHS[number - 1] if language == "en" else number
        )

    chosen = (
        next((m for m in data["months"] if m["month"] == month), None) if month else next(iter(data["months"]), None)
    )
    shown = []
    if chosen is not None:
        rows = []
        for row in chosen["accounts"]:
            account = accounts[(row["platform"], row["handle"])]
            rows.append(
                {
                    "id": f"{chosen['month']}-{account.platform}-{account.handle}",
                    "account": account.display_handle,
                    "office": _office_name(account.office, language),
                    "received": _shown(row["received"], language),
                    "hidden_by_system": _shown(row["hidden_by_system"], language),
                    "hidden_by_person": _shown(row["hidden_by_person"], language),
                    "categories": [
                        {
                            "act": act.public_wording(language),
                            "counts": [_shown(row["categories"][act.value][name], language) for name, _a in REPORTED],
                        }
                        for act in ProhibitedAct
                    ],
                }
            )
        shown.append(
            {
                "key": chosen["month"],
                "title": title(chosen["month"]),
                "so_far": chosen["month"] == this_month,
                "accounts": rows,
            }
        )
    elif month:
        return None
    key = chosen["month"] if month and chosen is not None else None
    context = _frame(language, links, "transparency", lambda code: links.transparency(code, key))
    context.update(
        {
            "months": shown,
            "other_months": [
                {"key": m["month"], "title": title(m["month"]), "url": links.transparency(language, m["month"])}
                for m in data["months"]
                if chosen is None or m["month"] != chosen["month"]
            ],
        }
    )
    return context


def versions_in_effect() -> list[PolicyVersion]:
    return list(PolicyVersion.objects.in_effect())


def index_context() -> dict:
    """The exported site's front page: each language's policy and account list (index.html, at the top)."""
    return {
        "entries": [
            {
                "language": code,
                "name": LANGUAGE_NAMES[code],
                "texts": TEXTS[code],
                "policy": f"{code}/policy.html",
                "accounts": f"{code}/official-accounts.html",
                "transparency": f"{code}/transparency.html",
            }
            for code in LANGUAGES
        ],
        "css": "static/css/immisns.css",
        "json": "official-accounts.json",
    }
