"""Check that every public module of the package has a reference page (a `::: module` directive).

A module is public when no part of its dotted name starts with `_`. The sandbox's internals
(engine, server, routing) are documented through [sandbox][binance.sandbox.sandbox] and
[faults][binance.sandbox.faults]; the names in `NOT_IN_REFERENCE` are covered in prose instead.
Exits 1 and lists the modules without a page. It also lists the public classes, functions and
methods that have no docstring (mkdocstrings leaves those out of the reference); with
`--strict` they fail the check too.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import List, Set

ROOT = Path(__file__).resolve().parents[1]
SANDBOX_PUBLIC = {"binance.sandbox.sandbox", "binance.sandbox.faults"}
NOT_IN_REFERENCE = {
    "binance.futures": "deprecated alias of UMFutures, described on the REST base page",
}
# 4.2.0's module paths that re-export the client's methods as functions (described on the client pages)
COMPAT_SHIMS = re.compile(r"^binance\.(um|cm)_futures\.(account|market|convert|data_stream)$")


def public_modules(package: Path) -> List[str]:
    """Dotted names of the public modules under `package`."""
    names = []
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(part.startswith("_") for part in parts):
            continue
        name = ".".join(parts)
        if name.startswith("binance.sandbox.") and name not in SANDBOX_PUBLIC:
            continue
        names.append(name)
    return names


def documented(docs: Path) -> Set[str]:
    """Every object named by a `:::` directive in the reference pages."""
    found = set()
    for page in docs.rglob("*.md"):
        found.update(re.findall(r"^::: ([\w.]+)", page.read_text(), flags=re.M))
    return found


def missing(modules: List[str], directives: Set[str]) -> List[str]:
    """Modules that no directive names, neither them nor anything inside them."""
    return [
        m
        for m in modules
        if m not in NOT_IN_REFERENCE
        and not COMPAT_SHIMS.match(m)
        and not any(d == m or d.startswith(m + ".") for d in directives)
    ]


def undocumented(path: Path) -> List[str]:
    """Public classes, functions and methods of one source file that have no docstring."""
    tree = ast.parse(path.read_text())
    found = []

    def visit(nodes: List[ast.stmt], prefix: str) -> None:
        for node in nodes:
            if not isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if node.name.startswith("_"):
                continue
            if any(getattr(d, "id", None) == "overload" for d in getattr(node, "decorator_list", [])):
                continue  # an @overload stub: the implementation after it carries the docstring
            if ast.get_docstring(node) is None:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {prefix}{node.name}")
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")

    visit(tree.body, "")
    return found


def main(argv: List[str]) -> int:
    """Print the modules without a reference page and the objects without a docstring."""
    modules = public_modules(ROOT / "binance")
    absent = missing(modules, documented(ROOT / "docs" / "reference"))
    for name in absent:
        print(f"no reference page names {name}: add '::: {name}' to a page under docs/reference/")
    bare = []
    for path in sorted((ROOT / "binance").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "sandbox" in parts and ".".join(parts) not in SANDBOX_PUBLIC:
            continue
        bare += undocumented(path)
    for entry in bare:
        print(f"no docstring (left out of the reference): {entry}")
    return 1 if absent or ("--strict" in argv and bare) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
