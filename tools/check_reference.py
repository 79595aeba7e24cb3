"""Check that every public module of the package has a reference page (a ``::: module`` directive).

A module is public when no part of its dotted name starts with ``_``. The sandbox's internals
(engine, server, routing) are documented through :mod:`binance.sandbox.sandbox` and
:mod:`binance.sandbox.faults`; the names in ``NOT_IN_REFERENCE`` are covered in prose instead.
Exits 1 and lists the modules without a page.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import List, Set

ROOT = Path(__file__).resolve().parents[1]
SANDBOX_PUBLIC = {"binance.sandbox.sandbox", "binance.sandbox.faults"}
NOT_IN_REFERENCE = {
    "binance.futures": "deprecated alias of UMFutures, described on the REST base page",
}


def public_modules(package: Path) -> List[str]:
    """Dotted names of the public modules under ``package``."""
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
    """Every object named by a ``:::`` directive in the reference pages."""
    found = set()
    for page in docs.rglob("*.md"):
        found.update(re.findall(r"^::: ([\w.]+)", page.read_text(), flags=re.M))
    return found


def missing(modules: List[str], directives: Set[str]) -> List[str]:
    """Modules that no directive names, neither them nor anything inside them."""
    return [
        m for m in modules if m not in NOT_IN_REFERENCE and not any(d == m or d.startswith(m + ".") for d in directives)
    ]


def main() -> int:
    """Print the modules without a reference page; exit 1 when there are any."""
    absent = missing(public_modules(ROOT / "binance"), documented(ROOT / "docs" / "reference"))
    for name in absent:
        print(f"no reference page names {name}: add '::: {name}' to a page under docs/reference/")
    return 1 if absent else 0


if __name__ == "__main__":
    sys.exit(main())
