"""export_public_site: the public pages as static files, every link resolving inside the export."""

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from accounts.models import SocialAccount

pytestmark = pytest.mark.django_db

LANGUAGES = ("ja", "en", "zh")
# Absolute links the pages may carry: the accounts' own profiles and the agency's site (footers, notes).
EXTERNAL = ("https://x.com/", "https://www.facebook.com/", "https://www.moj.go.jp/")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.inline: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                self.links.append(attrs[name])
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if "style" in attrs or tag in ("script", "style") or any(name.startswith("on") for name in attrs):
            self.inline.append(tag)


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture
def exported(tmp_path):
    call_command("export_public_site", str(tmp_path / "site"))
    return tmp_path / "site"


def test_every_page_in_three_languages_with_css_and_json(exported):
    files = sorted(str(p.relative_to(exported)) for p in exported.rglob("*") if p.is_file())
    assert files == sorted(
        ["index.html", "official-accounts.json", "transparency.json", "static/css/immisns.css"]
        + [
            f"{lang}/{name}"
            for lang in LANGUAGES
            for name in ("policy.html", "policy-v1.html", "official-accounts.html", "transparency.html")
        ]
    )
    for language in LANGUAGES:
        assert f'<html lang="{language}">' in (exported / language / "policy.html").read_text(encoding="utf-8")
    data = json.loads((exported / "official-accounts.json").read_text(encoding="utf-8"))
    assert len(data["accounts"]) == SocialAccount.objects.count()


def test_every_link_resolves_inside_the_export(exported):
    checked = 0
    for page in exported.rglob("*.html"):
        parsed = parse(page)
        assert parsed.inline == [], f"{page}: inline script or style"
        for link in parsed.links:
            if link.startswith(EXTERNAL):
                continue
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc and not link.startswith("/"), f"{page}: {link}"
            target = (page.parent / parts.path).resolve() if parts.path else page
            assert target.is_file() and exported.resolve() in target.parents, f"{page}: {link} is not in the export"
            if parts.fragment:
                assert parts.fragment in parse(target).ids, f"{page}: {link} has no #{parts.fragment}"
            checked += 1
    assert checked > 100


def test_the_export_is_the_same_page_as_the_live_one(exported, client):
    live = client.get("/policy/", {"lang": "en"}).content.decode()
    static = (exported / "en" / "policy.html").read_text(encoding="utf-8")
    assert "Version 1, in force since 22 July 2020" in live and "Version 1, in force since 22 July 2020" in static
    assert static.count("https://x.com/") == live.count("https://x.com/")
