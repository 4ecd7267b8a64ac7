"""Imports run one way, as docs/architecture.md draws them: an app imports only from the apps
above it in the list (core first), never from one below or beside it."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "src" / "takeup"
ORDER = [
    "core",
    "organisations",
    "catalogue",
    "ledger",
    "campaigns",
    "insight",
    "benchmark",
    "briefing",
    "webcheck",
    "principles",
    "outreach",
    "alerts",
]
ANY = {"demo"}  # builds the demo council from every app


def imports_of(path: Path, root: Path) -> list[tuple[int, str]]:
    """(line, module) for each `takeup.…` import, relative ones resolved."""
    parts = path.relative_to(root.parent).with_suffix("").parts
    package = parts[:-1]  # a module's package; for __init__.py, the package itself
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module))
    return [(line, m) for line, m in found if m.startswith("takeup.")]


def wrong_way(root: Path = PACKAGE) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        app = path.relative_to(root).parts[0]
        if app not in ORDER or "migrations" in path.parts:
            continue
        for line, module in imports_of(path, root):
            other = module.split(".")[1]
            if other == app or other in ANY:
                continue
            if other not in ORDER:
                if app == "core":  # core uses nothing of the project's
                    problems.append(f"{path.relative_to(root)}:{line} core imports {module}")
                continue
            if ORDER.index(other) > ORDER.index(app):
                problems.append(f"{path.relative_to(root)}:{line} {app} imports {module}")
    return problems


def test_imports_run_one_way() -> None:
    assert wrong_way() == []


def test_the_check_sees_a_wrong_way_import(tmp_path: Path) -> None:
    root = tmp_path / "takeup"
    (root / "catalogue").mkdir(parents=True)
    (root / "core").mkdir()
    (root / "catalogue" / "views.py").write_text(
        "from takeup.campaigns.models import Campaign\nfrom . import models\n"
        "from takeup.organisations import access\n"
    )
    (root / "core" / "pages.py").write_text("from takeup.forms import GovukForm\n")
    assert wrong_way(root) == [
        "catalogue/views.py:1 catalogue imports takeup.campaigns.models",
        "core/pages.py:1 core imports takeup.forms",
    ]


def test_pages_and_the_api_read_through_queries() -> None:
    # Views, API and public modules parse the request and render; reads live in queries.py.
    readers = [
        p
        for p in PACKAGE.rglob("*.py")
        if (
            p.name in ("views.py", "api.py", "public.py", "callbacks.py")
            or p.name.endswith("_views.py")
        )
        and "migrations" not in p.parts
    ]
    direct = [
        f"{p.relative_to(PACKAGE)}:{n}"
        for p in readers
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if ".objects." in line or ".objects)" in line
    ]
    assert readers and direct == []
