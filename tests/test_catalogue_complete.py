"""Every text the code and templates mark for translation is in the Japanese catalogue, translated, not fuzzy;
and a page read in English shows no Japanese interface text (the data, such as office names, excepted).

The first test extracts the texts as `make messages` would (Django's
makemessages, i.e. GNU xgettext) from a copy of the sources into a scratch
folder, so the project's own catalogue is never rewritten. A text marked
with an alias xgettext does not know (``gettext_lazy as _lazy``) is not
extracted at all: the English page test below catches that case.
"""

import ast
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import IN_CI
from tests.test_translations import entries

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("immisns", "accounts", "checks", "posts", "replies", "moderation", "public", "audit", "templates")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]+")


def _extracted(tmp_path: Path) -> set[str]:
    if shutil.which("xgettext") is None:
        message = "GNU gettext (xgettext) is needed to check the catalogue: apt-get install gettext"
        if IN_CI:
            pytest.fail(message + " — CI must check the catalogue", pytrace=False)
        pytest.skip(message)
    for name in SOURCES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "*.po"))
    (tmp_path / "locale" / "ja" / "LC_MESSAGES").mkdir(parents=True)
    here = os.getcwd()
    try:
        os.chdir(tmp_path)
        call_command("makemessages", locale=["ja"], no_location=True, no_wrap=True, verbosity=0)
    finally:
        os.chdir(here)
    text = (tmp_path / "locale" / "ja" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    found = set()
    for block in text.split("\n\n"):
        match = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if match:
            msgid = "".join(ast.literal_eval(line) for line in match.group(1).splitlines())
            if msgid:
                found.add(msgid)
    return found


def _translated_plurals() -> set[str]:
    """The singular msgid of every plural entry whose Japanese (one form) is there and not fuzzy."""
    found = set()
    for block in (ROOT / "locale/ja/LC_MESSAGES/django.po").read_text(encoding="utf-8").split("\n\n"):
        match = re.search(r'^msgid ((?:".*"\n)+)msgid_plural (?:".*"\n)+msgstr\[0\] ((?:".*"\n?)+)', block, re.M)
        if match and "fuzzy" not in block and match.group(2).strip() != '""':
            found.add("".join(ast.literal_eval(line) for line in match.group(1).splitlines()))
    return found


def test_every_marked_text_has_its_japanese(tmp_path):
    translated = {msgid for msgid, msgstr, flags in entries() if msgstr and "fuzzy" not in flags}
    missing = sorted(_extracted(tmp_path) - translated - _translated_plurals())
    assert missing == []


@pytest.mark.django_db
def test_english_pages_show_no_japanese_interface_text(client, tokyo_supervisor, administrator):
    from accounts.models import ClosureDay, Office, SocialAccount
    from posts.models import Footer
    from replies import services
    from replies.models import Reply
    from tests.conftest import sign_in_with_second_factor
    from tests.factories import make_post, sorted_reply

    card = sorted_reply(handle="IMMI_TOKYO", text="在留カード AB12345678CD", author_name="住民")
    services.reply_hide(reply=card, by=tokyo_supervisor, category="personal_data", reason="個人情報")
    spam = sorted_reply(handle="IMMI_TOKYO", text="格安ビザ", author_handle="spam_bot", author_name="宣伝")
    services.author_ban(reply=spam, by=tokyo_supervisor, category="advertising", reason="宣伝の繰り返し")
    sorted_reply(handle="IMMI_TOKYO", text="DMください", author_handle="IMMI_T0KYO")
    account = SocialAccount.objects.get(handle="IMMI_TOKYO")
    post = make_post(tokyo_supervisor, body="お問い合わせは 0570-013904 へ。")
    data = (
        [post.body, *post.body.split()]  # the post page highlights the number inside the body
        + [o.name for o in Office.objects.all()]
        + [a.display_name for a in SocialAccount.objects.all()]
        + [r.text for r in Reply.objects.all()]
        + [word for r in Reply.objects.all() for word in r.text.split()]  # the highlighted pieces
        + [r.author_name for r in Reply.objects.all()]
        + [f.text for f in Footer.objects.all()]
        + [line for f in Footer.objects.all() for line in f.text.splitlines()]
        + [c.reason for c in ClosureDay.objects.all()]
        + ["個人情報", "宣伝の繰り返し"]
    )
    pages = [
        reverse("moderation:queue"),
        reverse("moderation:queue") + "?waiting=on",
        reverse("audit:log") + "?kind=moderation",
        reverse("sns_account", args=[account.handle]),
        # The day's pages (calendar, composer, post page, home, help, notifications, the whole audit log).
        reverse("home"),
        reverse("calendar"),
        reverse("posts:new"),
        reverse("posts:detail", args=[post.pk]),
        reverse("help"),
        reverse("notifications"),
        reverse("audit:log"),
    ]
    for who in (tokyo_supervisor, administrator):
        client.logout()
        sign_in_with_second_factor(client, who)
        for url in pages:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code == 200, url
            html = response.content.decode()
            for value in sorted(data, key=len, reverse=True):
                html = html.replace(value, "")
            html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
            html = re.sub(r'<ul class="plain" id="closures">.*?</ul>', "", html, flags=re.S)  # holiday names: data
            html = re.sub(r'<option value="ja"[^>]*>.*?</option>|lang="ja"[^>]*>[^<]*', "", html)
            assert JAPANESE.findall(html) == [], (
                url,
                [html[m.start() - 80 : m.end() + 20] for m in JAPANESE.finditer(html)][:5],
            )
