"""Write the public pages as static files the agency's web team can publish unchanged.

    python manage.py export_public_site DIR

DIR gets index.html, <lang>/policy.html, <lang>/policy-v<n>.html for every
version that has taken effect, <lang>/official-accounts.html,
<lang>/transparency.html (the newest month) and <lang>/transparency-YYYY-MM.html
(each month) for ja, en and zh, official-accounts.json, transparency.json and static/css/immisns.css. Every link between them
is relative, so the tree works from any directory of any web server. The
console itself stays on the closed network; only these files leave it.
"""

import json
import shutil
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string

from public import pages
from public.texts import LANGUAGES

CSS = "css/immisns.css"


class Command(BaseCommand):
    help = "Write the public pages (policy, official accounts, JSON) in ja, en and zh as static files into DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        in_effect = pages.versions_in_effect()
        if not in_effect:
            raise CommandError("No operating policy version has taken effect yet.")
        links = pages.ExportLinks()
        written = []

        def write(relative: str, text: str) -> None:
            path = directory / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(relative)

        report_months = [month["month"] for month in pages.transparency_data()["months"]]
        for language in LANGUAGES:
            for version in in_effect:
                context = pages.policy_context(language, links, version, in_effect)
                html = render_to_string("public/policy.html", context)
                write(f"{language}/policy-v{version.number}.html", html)
                if version == in_effect[0]:
                    write(f"{language}/policy.html", html)
            write(
                f"{language}/official-accounts.html",
                render_to_string("public/official_accounts.html", pages.accounts_context(language, links)),
            )
            write(
                f"{language}/transparency.html",
                render_to_string("public/transparency.html", pages.transparency_context(language, links)),
            )
            for month in report_months:  # each month's page, as ?month= serves it
                write(
                    f"{language}/transparency-{month}.html",
                    render_to_string("public/transparency.html", pages.transparency_context(language, links, month)),
                )
        write("official-accounts.json", json.dumps(pages.account_list_data(), ensure_ascii=False, indent=2) + "\n")
        write("transparency.json", json.dumps(pages.transparency_data(), ensure_ascii=False, indent=2) + "\n")
        write("index.html", render_to_string("public/index.html", pages.index_context()))

        source = finders.find(CSS)
        if source is None:
            raise CommandError(f"The stylesheet {CSS} is not among the static files.")
        target = directory / "static" / CSS
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written.append(f"static/{CSS}")
        self.stdout.write(f"Wrote {len(written)} files to {directory}.")
