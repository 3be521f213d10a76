"""The shape of the code: imports point one way, and each library stays where it belongs.

Read from the source with ast, so an import inside a function counts as much
as one at the top of a module (a late import is still a dependency).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("immisns", "accounts", "checks", "posts", "replies", "moderation", "public", "audit", "reports")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")) if (ROOT / package).is_dir() else []:
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_names(module: str, path: Path) -> set[str]:
    """Every module name this module imports (absolute, including late imports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if isinstance(child, ast.Import):
                names.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                names.add(base)
                # `from posts import selectors` imports the submodule posts.selectors.
                names.update(f"{base}.{alias.name}" for alias in child.names)
            visit(child)

    visit(tree)
    return names


def _graph() -> dict[str, set[str]]:
    graph = {}
    for module, path in MODULES.items():
        graph[module] = {name for name in _imported_names(module, path) if name in MODULES and name != module}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = [0]

    def connect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for neighbour in sorted(graph[node]):
            if neighbour not in index:
                connect(neighbour)
                low[node] = min(low[node], low[neighbour])
            elif neighbour in on_stack:
                low[node] = min(low[node], index[neighbour])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return components


def test_the_modules_are_found():
    assert {
        "posts.services",
        "posts.publishing",
        "posts.tasks",
        "accounts.platforms",
        "checks.checks",
        "replies.listening",
    } <= set(MODULES)


def test_no_import_cycle_between_modules():
    assert _cycles(_graph()) == []


def test_the_cycle_detector_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _importers_of(prefixes: tuple[str, ...]) -> dict[str, set[str]]:
    found = {}
    for module, path in MODULES.items():
        hits = {name for name in _imported_names(module, path) if name.split(".")[0] in prefixes or name in prefixes}
        if hits:
            found[module] = hits
    return found


def test_only_the_platform_adapters_import_tweepy_or_facebook():
    importers = _importers_of(("tweepy", "facebook"))
    assert {m for m in importers if not m.startswith("accounts.platforms")} == set()


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("accounts", ("checks", "posts", "replies", "moderation", "public", "audit", "reports")),
        ("checks", ("posts", "replies", "moderation", "public", "audit", "reports")),
        ("posts", ("replies", "moderation", "public", "audit", "reports")),
        ("replies", ("moderation", "public", "audit", "reports")),
        # reports sits on top: nothing imports it.
        ("immisns", ("reports",)),
        ("moderation", ("reports",)),
        ("public", ("reports",)),
        ("audit", ("reports",)),
    ],
)
def test_lower_layers_never_import_upper_ones(lower, upper):
    offenders = {
        module: sorted(name for name in _imported_names(module, MODULES[module]) if name.split(".")[0] in upper)
        for module in MODULES
        if module == lower or module.startswith(lower + ".")
    }
    assert {module: names for module, names in offenders.items() if names} == {}


def test_the_engine_never_imports_the_people_transitions_or_the_tasks():
    engine = {
        module: path
        for module, path in MODULES.items()
        if module == "posts.publishing" or module.startswith("posts.publishing.")
    }
    assert {"posts.publishing", "posts.publishing.send", "posts.publishing.reactions"} <= set(engine)
    offenders = {
        module: sorted({"posts.services", "posts.tasks", "posts.views"} & _imported_names(module, path))
        for module, path in engine.items()
    }
    assert {module: names for module, names in offenders.items() if names} == {}


def test_posts_and_accounts_never_import_replies():
    """replies sits above posts (a reply answers one of our posts): nothing below it imports any of it,
    not even late, inside a function."""
    offenders = {
        module: sorted(name for name in _imported_names(module, path) if name.split(".")[0] == "replies")
        for module, path in MODULES.items()
        if module.split(".")[0] in ("checks", "posts", "accounts")
    }
    assert {m: names for m, names in offenders.items() if names} == {}


def test_an_upward_import_is_seen(tmp_path):
    """The floor test reads late imports too: a function in posts importing replies is an offence."""
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from replies import services\n    import replies.models\n", encoding="utf-8")
    assert {"replies", "replies.services", "replies.models"} <= _imported_names("posts.late", module)


def test_the_moderation_package_holds_only_its_history():
    """moderation keeps its frozen migrations, its app config and the one name those migrations import."""
    kept = {
        path.relative_to(ROOT / "moderation").as_posix()
        for path in (ROOT / "moderation").rglob("*.py")
        if "migrations" not in path.parts
    }
    assert kept == {"__init__.py", "apps.py", "models.py"}
