"""One writer for each reply decision: replies.services, the system's decisions included.

Read from the source with ast (as tests/test_architecture.py reads imports),
so a decision created anywhere else — a listening path, a view, a command —
fails here before it can bypass the service.
"""

import ast
from pathlib import Path

from tests.test_architecture import MODULES

WRITER = "replies.services"
CREATING = {"create", "bulk_create", "get_or_create", "update_or_create"}


def _names_in(node: ast.AST) -> set[str]:
    """Every name and attribute along an expression such as ReplyDecision.objects or reply.decisions."""
    found = set()
    while True:
        if isinstance(node, ast.Attribute):
            found.add(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            found.add(node.id)
            return found
        else:
            return found


def decision_writes(source: str) -> list[int]:
    """Lines that create ReplyDecision rows: ReplyDecision(...), ReplyDecision.objects.create(...),
    reply.decisions.create(...) and the like."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "ReplyDecision":
            lines.append(node.lineno)
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in CREATING
            and ({"ReplyDecision", "decisions"} & _names_in(func.value))
        ):
            lines.append(node.lineno)
    return sorted(lines)


def test_only_the_replies_services_create_reply_decisions():
    offenders = {
        module: decision_writes(Path(path).read_text(encoding="utf-8"))
        for module, path in MODULES.items()
        if module != WRITER
    }
    assert {module: lines for module, lines in offenders.items() if lines} == {}


def test_the_writer_is_where_it_is_said_to_be():
    assert decision_writes(Path(MODULES[WRITER]).read_text(encoding="utf-8"))


def test_the_scan_sees_every_way_of_creating_one():
    source = """
def ingest(reply):
    ReplyDecision.objects.create(reply=reply, action="flag")
    reply.decisions.create(action="hide")
    ReplyDecision.objects.bulk_create([ReplyDecision(reply=reply, action="flag")])
    models.ReplyDecision.objects.get_or_create(reply=reply, action="confirm")
    ReplyDecision.objects.filter(reply=reply).exists()
    Reply.objects.create(text="not a decision")
"""
    assert decision_writes(source) == [3, 4, 5, 5, 6]
