"""MkDocs hooks (mkdocs.yml `hooks:`): a plain `mkdocs build` needs no preparation step.

`docs/benchmarks.md` includes `bench/results.md`, which shows its chart as `results.png` (a path
relative to `bench/`). The chart is served from the repository's `bench/results.png` as the docs'
`results.png`, so the link resolves without copying anything into `docs/`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
SERVED = {"results.png": ROOT / "bench" / "results.png"}


def on_files(files: Files, config: Any) -> Files:
    """Add the files kept outside `docs/` that pages link to."""
    for uri, path in SERVED.items():
        if path.is_file() and files.get_file_from_path(uri) is None:
            files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files
