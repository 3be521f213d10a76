"""What each platform lets the console do, stated once by the adapters and asked everywhere else.

The expected answers below are written from the platforms' documentation and
the installed libraries, not copied from accounts/platforms/capabilities.py.
The second half reads the source tree so that a re-statement (a view testing
``platform == "x"`` to decide a ban, a byte limit typed into posts/) fails here.
No database.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import tweepy

from accounts.models import SocialAccount
from accounts.platforms import Capabilities, ListeningAdapter, capabilities_for
from accounts.platforms.facebook import FacebookAdapter
from accounts.platforms.sandbox import SandboxAdapter
from accounts.platforms.x import XAdapter

MiB = 1024 * 1024

# -- (a) each platform's answers, from its documentation ---------------------------------------

EXPECTED = {
    "x": {
        # docs.x.com "Hide replies": PUT /2/tweets/:id/hidden.
        "hide_reply": True,
        # docs.x.com "Delete Post": DELETE /2/tweets/:id deletes the authenticated user's own Post only.
        "delete_reply": False,
        # No block call for this kind of app: tweepy 4.17's Client has only get_blocked (checked below).
        "block_author": False,
        # X API v2 has no endpoint that edits a Post (nor does tweepy's Client, checked below).
        "edit_post": False,
        # docs.x.com "User mention timeline": GET /2/users/:id/mentions.
        "lists_mentions": True,
        # docs.x.com "Pricing": pay-per-use, each Post read is billed.
        "bills_reads": True,
        # twitter-text config/v3.json: maxWeightedTweetLength 280, weighted counting.
        "text_limit": 280,
        "counts_weighted_length": True,
        # docs.x.com "Media upload" introduction: Image 5 MB; "Best practices": up to 4 photos in a Post;
        # "Create Media metadata": alt text up to 1000 characters.
        "images": (4, 5 * MiB, 1000),
        "handle_prefix": "@",
    },
    "facebook": {
        # developers.facebook.com Graph API reference, Comment: POST /{comment-id} is_hidden; DELETE /{comment-id}.
        "hide_reply": True,
        "delete_reply": True,
        # Graph API reference, Page /blocked: POST /{page-id}/blocked user=<id>.
        "block_author": True,
        # The Graph could update a Page post's message, but the adapter offers no edit (checked below).
        "edit_post": False,
        # Comments on the Page's posts are all there is to read; the adapter's mentions() is empty.
        "lists_mentions": False,
        "bills_reads": False,
        # Facebook's limit for a post's message, 63,206 characters, counted as plain characters.
        "text_limit": 63206,
        "counts_weighted_length": False,
        # Ten photos attached to one feed post, 10 MB a photo, as the console has always checked them.
        # (developers.facebook.com/docs/graph-api/photo-uploads only recommends photos under 4 MB.)
        # The Photo node's alt_text_custom documents no length limit.
        "images": (10, 10 * MiB, None),
        "handle_prefix": "",
    },
}


@pytest.mark.parametrize("platform", sorted(EXPECTED))
def test_each_platform_answers_as_documented(platform: str) -> None:
    expected = EXPECTED[platform]
    capabilities = capabilities_for(platform)
    assert capabilities.platform == platform
    for name, value in expected.items():
        if name == "images":
            images = capabilities.images
            assert (images.max_count, images.max_bytes, images.alt_text_max_chars) == value, name
        else:
            assert getattr(capabilities, name) == value, name


def test_every_platform_an_account_can_be_on_has_an_answer() -> None:
    assert {capabilities_for(value).platform for value in SocialAccount.Platform.values} == set(EXPECTED)


def test_the_answers_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(AttributeError):
        capabilities_for("x").delete_reply = True  # type: ignore[misc]  # the assignment the test expects to fail


def test_an_unknown_platform_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Unknown platform 'instagram'"):
        capabilities_for("instagram")


def test_the_libraries_agree_with_what_x_cannot_do() -> None:
    client_calls = {name for name in dir(tweepy.Client) if not name.startswith("_")}
    assert {"hide_reply", "unhide_reply", "delete_tweet", "get_blocked"} <= client_calls
    assert not {name for name in client_calls if name.startswith(("block", "edit"))}


def test_no_adapter_offers_an_edit_it_does_not_claim() -> None:
    for adapter in (XAdapter, FacebookAdapter, SandboxAdapter):
        assert not [name for name in dir(adapter) if name.startswith(("edit", "update"))]


def test_each_adapter_carries_its_platforms_answer() -> None:
    assert XAdapter.capabilities is capabilities_for("x")
    assert FacebookAdapter.capabilities is capabilities_for("facebook")


@pytest.mark.parametrize("platform", sorted(EXPECTED))
def test_the_sandbox_answers_as_the_platform_it_stands_in_for(platform: str) -> None:
    account = SocialAccount(platform=platform, handle="demo", publisher=SocialAccount.Publisher.SANDBOX)
    adapter = SandboxAdapter(account=account)
    assert adapter.capabilities is capabilities_for(platform) is capabilities_for(account)
    assert isinstance(adapter, ListeningAdapter)


def test_an_account_is_answered_by_its_platform_whoever_publishes() -> None:
    for publisher in SocialAccount.Publisher.values:
        assert capabilities_for(SocialAccount(platform="x", publisher=publisher)) is capabilities_for("x")


def test_profile_urls() -> None:
    x, facebook = capabilities_for("x"), capabilities_for("facebook")
    # An X profile is x.com/<username>; a Facebook Page or person opens at its username or numeric id.
    assert x.profile_url("IMMI_TOKYO") == "https://x.com/IMMI_TOKYO"
    assert facebook.profile_url("nagoya.nyukan.support") == "https://www.facebook.com/nagoya.nyukan.support"
    assert x.author_profile_url(handle="taro_y", author_id="2000001") == "https://x.com/taro_y"
    assert facebook.author_profile_url(handle="", author_id="7100000000000011") == (
        "https://www.facebook.com/7100000000000011"
    )
    # On X a number after x.com/ would be read as a username: without one, no link.
    assert x.author_profile_url(handle="", author_id="2000001") == ""
    assert facebook.author_profile_url(handle="", author_id="") == ""
    assert (x.display_handle("IMMI_TOKYO"), facebook.display_handle("nagoya")) == ("@IMMI_TOKYO", "nagoya")


def test_models_ask_for_their_profile_urls() -> None:
    from replies.models import Reply

    x_account = SocialAccount(platform="x", handle="IMMI_TOKYO")
    page = SocialAccount(platform="facebook", handle="nagoya.nyukan.support")
    assert (x_account.profile_url, x_account.display_handle) == ("https://x.com/IMMI_TOKYO", "@IMMI_TOKYO")
    assert (page.profile_url, page.display_handle) == (
        "https://www.facebook.com/nagoya.nyukan.support",
        "nagoya.nyukan.support",
    )
    assert Reply(account=x_account, author_handle="taro_y", author_id="1").author_profile_url == "https://x.com/taro_y"
    assert Reply(account=page, author_handle="", author_id="71").author_profile_url == "https://www.facebook.com/71"


# -- (b) nothing outside the adapters re-states an answer ---------------------------------------

ROOT = Path(__file__).resolve().parents[2]
NOT_SOURCE = {"tests", "benchmarks"}  # the fakes and the benchmark data speak in the platforms' shapes on purpose
PLATFORM_VALUES = set(SocialAccount.Platform.values)
PLATFORM_MEMBERS = set(SocialAccount.Platform.names)
LIMITS = {value for c in map(capabilities_for, PLATFORM_VALUES) for value in (c.text_limit, c.images.max_bytes)}
# Console limits that happen to equal a platform's: (file, name) -> why it is not a re-statement.
OWN_NUMBERS = {
    ("immisns/settings.py", "DATA_UPLOAD_MAX_MEMORY_SIZE"): "Django's cap on a request body, not an image limit",
}
# Demo data builds reply and author URLs in each platform's shape, like the fakes.
URL_ALLOWED_NAMES = {"demo.py"}

_PROFILE_URL = re.compile(r"(?:x|twitter|facebook)\.com/\{")
_TEMPLATE_PLATFORM_TEST = re.compile(r"platform\s*(?:==|!=|\bin\b)\s*['\"(]|\bis_(?:x|facebook)\b")


def _sources() -> list[Path]:
    packages = sorted(p.parent for p in ROOT.glob("*/__init__.py") if p.parent.name not in NOT_SOURCE)
    return [path for package in packages for path in sorted(package.rglob("*.py")) if _scanned(path)]


def _templates() -> list[Path]:
    return sorted(path for path in (ROOT / "templates").rglob("*.html"))


def _scanned(path: Path) -> bool:
    relative = path.relative_to(ROOT)
    return "migrations" not in relative.parts and relative.parts[:2] != ("accounts", "platforms")


def _is_platform(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "platform") or (
        isinstance(node, ast.Attribute) and node.attr == "platform"
    )


def _names_a_platform(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in PLATFORM_VALUES
    if isinstance(node, ast.Attribute):
        return (
            node.attr in PLATFORM_MEMBERS
            and isinstance(node.value, (ast.Name, ast.Attribute))
            and (getattr(node.value, "id", None) == "Platform" or getattr(node.value, "attr", None) == "Platform")
        )
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_names_a_platform(element) for element in node.elts)
    return False


_UNITS = {"MB": MiB, "MiB": MiB, "KB": 1024}


def _folded(node: ast.AST) -> int | None:
    """The value of a constant integer expression (units such as MB allowed), else None."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.Name):
        return _UNITS.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Add, ast.Pow)):
        left, right = _folded(node.left), _folded(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Add):
            return left + right
        return left**right if right < 64 else None
    return None


def restatements(source: str, relative: str) -> list[str]:
    """What in one Python file re-states a platform's answer instead of asking for it."""
    tree = ast.parse(source)
    found: list[str] = []
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}

    def where(node: ast.AST) -> str:
        return f"{relative}:{getattr(node, 'lineno', '?')}"

    def assigned_names(node: ast.AST) -> set[str]:
        while node in parents and not isinstance(node, (ast.Assign, ast.AnnAssign, ast.keyword)):
            node = parents[node]
        if isinstance(node, ast.Assign):
            return {t.id for t in node.targets if isinstance(t, ast.Name)}
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            return {node.target.id}
        if isinstance(node, ast.keyword) and node.arg:
            return {node.arg}
        return set()

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(map(_is_platform, operands)) and any(map(_names_a_platform, operands)):
                found.append(f"{where(node)}: tests which platform an account is on; ask capabilities_for()")
        elif isinstance(node, ast.keyword) and node.arg in ("max_count", "max_bytes", "text_limit"):
            found.append(f"{where(node)}: {node.arg}= is a platform limit; ask capabilities_for()")
        if isinstance(node, (ast.Constant, ast.BinOp)) and not isinstance(parents.get(node), ast.BinOp):
            value = _folded(node)
            if value in LIMITS and not any((relative, name) in OWN_NUMBERS for name in assigned_names(node)):
                found.append(f"{where(node)}: {value} is a platform's limit; ask capabilities_for()")
    for number, line in enumerate(source.splitlines(), start=1):
        if _PROFILE_URL.search(line) and Path(relative).name not in URL_ALLOWED_NAMES:
            found.append(f"{relative}:{number}: builds a profile URL; ask capabilities_for().profile_url()")
    return found


def template_restatements(source: str, relative: str) -> list[str]:
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        if _TEMPLATE_PLATFORM_TEST.search(line):
            found.append(f"{relative}:{number}: tests which platform; use {{{{ account|capabilities }}}} or the view's")
        if re.search(r"(?:x|twitter|facebook)\.com/\{\{", line):
            found.append(f"{relative}:{number}: builds a profile URL")
    return found


def test_the_scan_reads_the_source_tree() -> None:
    scanned = {path.relative_to(ROOT).as_posix() for path in _sources()}
    assert {"accounts/models.py", "posts/images.py", "posts/length.py", "posts/forms.py"} <= scanned
    assert not {name for name in scanned if name.startswith(("accounts/platforms/", "tests/"))}
    assert any(path.name == "queue.html" for path in _templates())


def test_nothing_outside_the_adapters_restates_what_a_platform_can_do() -> None:
    found = [
        problem
        for path in _sources()
        for problem in restatements(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    ]
    assert found == []


def test_no_template_tests_which_platform_an_account_is_on() -> None:
    found = [
        problem
        for path in _templates()
        for problem in template_restatements(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    ]
    assert found == []


@pytest.mark.parametrize(
    "line",
    [
        "if reply.account.platform == reply.account.Platform.X:\n    pass",
        "bans = reply.account.platform != SocialAccount.Platform.X",
        'if account.platform == "x":\n    pass',
        'if "facebook" == platform:\n    pass',
        'if account.platform in ("x",):\n    pass',
        'LIMITS = {"x": ImageLimits(max_count=4, max_bytes=5 * MB)}',
        "X_MAX_WEIGHTED_LENGTH = 280",
        "LONGEST_TEXT = 63206",
        "LIMIT = 10 * 1024 * 1024",
        'url = f"https://x.com/{self.author_handle}"',
        'url = f"https://www.facebook.com/{self.author_id}"',
    ],
)
def test_the_scan_sees_a_restatement(line: str) -> None:
    assert restatements(line, "posts/example.py")


@pytest.mark.parametrize(
    "line",
    [
        "if footer.platform == account.platform:\n    pass",
        "capabilities = capabilities_for(account)\nif capabilities.block_author:\n    pass",
        "MAX_UPLOAD_BYTES = 50 * MB",
        "DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024",
    ],
)
def test_the_scan_lets_the_rest_be(line: str) -> None:
    assert restatements(line, "immisns/settings.py") == []


@pytest.mark.parametrize(
    "line",
    [
        "{% if p.account.platform == 'x' %}",
        '{% if account.platform != "facebook" %}',
        "{% if item.is_x %}",
        '<a href="https://x.com/{{ reply.author_handle }}">',
    ],
)
def test_the_template_scan_sees_a_restatement(line: str) -> None:
    assert template_restatements(line, "templates/example.html")


def test_the_template_scan_lets_capabilities_be() -> None:
    line = (
        "{% if item.capabilities.block_author %}{{ p.account.get_platform_display }} platform-{{ p.account.platform }}"
    )
    assert template_restatements(line, "templates/example.html") == []


def test_capabilities_are_frozen_dataclasses() -> None:
    # typeshed does not declare the attribute dataclasses set on the class.
    assert Capabilities.__dataclass_params__.frozen  # type: ignore[attr-defined]
