"""Content-checks benchmark: `make bench-checks` (no arguments).

Runs checks.checks over the labelled corpus in benchmarks/corpus/ (see
build.py there) and prints, in one table:

- false blocks on the clean set: announcements with a blocking finding
  (0 is the target), with warnings and the official contacts found next to
  what the labels say;
- missed items on the personal-data set, per kind: a text whose labelled
  item has no blocking finding of its kind at exactly the labelled span
  (0 is the target), and any other blocking finding;
- texts per second of ``scan()`` on one core (the process is pinned to one
  CPU), with the administered lists read once (``checks.rules_pinned()``, as
  code that sorts many texts does) and read per text (as the composer does);
  the target, ≥ 2,000 texts/s, is for the first.

A throw-away SQLite database under a temporary folder holds the seeded
allow-list and official contacts, plus the corpus's own official numbers
added as an administrator would (corpus/official_contacts.json). Exits
non-zero when a target is missed. Optional environment: BENCH_ROUNDS
(passes over the corpus for the timing, 5).

The tests run the same evaluation on the same corpus (tests/checks/test_corpus.py).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "benchmarks" / "corpus"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TEXTS_PER_SECOND_TARGET = 2000
KINDS = ["residence_card", "my_number", "passport", "phone", "email"]


def load(name: str) -> list[dict]:
    with (CORPUS / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def install_official_contacts() -> None:
    """Add the corpus's official numbers through the model's own validation, as the admin does."""
    from checks.models import OfficialContact

    for row in json.loads((CORPUS / "official_contacts.json").read_text(encoding="utf-8")):
        contact = OfficialContact(kind=row["kind"], value=row["value"], note=row["note"])
        if not OfficialContact.objects.filter(
            kind=contact.kind, key=OfficialContact.key_for(contact.kind, contact.value)
        ).exists():
            contact.full_clean()
            contact.save()


def _spans(items) -> set[tuple[str, int, int]]:
    return {(item["kind"], item["start"], item["end"]) for item in items}


@dataclass
class Report:
    clean_texts: int = 0
    false_blocks: list[tuple[str, str, str]] = field(default_factory=list)  # (id, kind, excerpt)
    clean_warnings: list[tuple[str, str, str]] = field(default_factory=list)
    official_labelled: int = 0
    official_found: int = 0
    official_wrong: list[str] = field(default_factory=list)  # ids whose official spans differ from the labels
    items: Counter = field(default_factory=Counter)  # per kind
    missed: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    extra_blocks: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def missed_total(self) -> int:
        return sum(len(items) for items in self.missed.values())


def evaluate(clean: list[dict], personal: list[dict]) -> Report:
    from checks import checks

    report = Report()
    with checks.rules_pinned():
        for row in clean:
            report.clean_texts += 1
            for finding in checks.scan(row["text"]):
                entry = (row["id"], finding.kind, finding.excerpt)
                (report.false_blocks if finding.severity == checks.BLOCK else report.clean_warnings).append(entry)
            found = {(m.kind, m.start, m.end) for m in checks.official_contacts(row["text"])}
            report.official_labelled += len(row["official"])
            report.official_found += len(found)
            if found != _spans(row["official"]):
                report.official_wrong.append(row["id"])
        for row in personal:
            blocking = {(f.kind, f.start, f.end): f for f in checks.scan(row["text"]) if f.severity == checks.BLOCK}
            for item in row["expected"]:
                report.items[item["kind"]] += 1
                if (item["kind"], item["start"], item["end"]) not in blocking:
                    report.missed[item["kind"]].append((row["id"], item["excerpt"]))
            for key, finding in blocking.items():
                if key not in _spans(row["expected"]):
                    report.extra_blocks.append((row["id"], finding.kind, finding.excerpt))
            found = {(m.kind, m.start, m.end) for m in checks.official_contacts(row["text"])}
            if found != _spans(row["official"]):
                report.official_wrong.append(row["id"])
    return report


def texts_per_second(texts: list[str], rounds: int, *, pinned: bool) -> float:
    from checks import checks

    started = time.perf_counter()
    for _ in range(rounds):
        if pinned:
            with checks.rules_pinned():
                for text in texts:
                    checks.scan(text)
        else:
            for text in texts:
                checks.scan(text)
    return rounds * len(texts) / (time.perf_counter() - started)


def _one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return "not pinned (no sched_setaffinity)"


def main() -> int:
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    folder = Path(tempfile.mkdtemp(prefix="immisns-bench-checks-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "immisns.settings",
            "IMMISNS_VAR_DIR": str(folder),
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    install_official_contacts()
    core = _one_core()

    clean, personal = load("clean.jsonl"), load("personal_data.jsonl")
    report = evaluate(clean, personal)
    texts = [row["text"] for row in clean + personal]
    texts_per_second(texts, 1, pinned=True)  # warm the caches (regular expressions, normalisation)
    pinned = texts_per_second(texts, rounds, pinned=True)
    per_text = texts_per_second(texts, max(1, rounds // 5), pinned=False)

    print(f"immisns content-checks benchmark — {platform.python_implementation()} {platform.python_version()}, {core}")
    print(f"corpus: {len(clean)} clean announcements, {len(personal)} texts with one piece of personal data each\n")
    rows = [
        (
            "clean set: texts with a false block",
            str(len({text_id for text_id, _kind, _excerpt in report.false_blocks})),
            "0",
        ),
        ("clean set: warnings (links outside the allow-list)", str(len(report.clean_warnings)), ""),
        (
            "clean set: official contacts found / labelled",
            f"{report.official_found} / {report.official_labelled}",
            "all",
        ),
    ]
    for kind in KINDS:
        rows.append(
            (f"personal data: {kind} missed / items", f"{len(report.missed[kind])} / {report.items[kind]}", "0")
        )
    rows.append(("personal data: missed in all", f"{report.missed_total} / {sum(report.items.values())}", "0"))
    rows.append(("personal data: other blocking findings", str(len(report.extra_blocks)), ""))
    rows.append(("texts whose official contacts differ from the labels", str(len(report.official_wrong)), "0"))
    rows.append(("scan() texts/s, one core, lists read once", f"{pinned:,.0f}", f"≥ {TEXTS_PER_SECOND_TARGET:,}"))
    rows.append(("scan() texts/s, one core, lists read per text", f"{per_text:,.0f}", ""))
    width = max(len(name) for name, _v, _t in rows)
    print(f"| {'measure'.ljust(width)} | measured | target |")
    print(f"| {'-' * width} | -------- | ------ |")
    for name, value, target in rows:
        print(f"| {name.ljust(width)} | {value} | {target} |")

    for title, findings in (("false blocks", report.false_blocks), ("other blocking findings", report.extra_blocks)):
        for finding in findings:
            print(f"{title}: {finding}")
    for kind, texts_missed in report.missed.items():
        for text_missed in texts_missed:
            print(f"missed {kind}: {text_missed}")
    for entry in report.official_wrong:
        print(f"official contacts differ from the labels: {entry}")

    failed = report.false_blocks or report.missed_total or report.official_wrong or pinned < TEXTS_PER_SECOND_TARGET
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
