"""Command line of the generators: an optional SPEC_DIR and a working `--help`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import List, Optional

DEFAULT_SPEC_DIR = Path(__file__).resolve().parent / "spec"


def spec_dir_from(argv: Optional[List[str]], doc: Optional[str], prog: str) -> Path:
    """Parse `[SPEC_DIR]` from `argv` (including its program name, as `sys.argv`); `--help` prints `doc`."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(doc or "").strip(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "spec_dir",
        nargs="?",
        type=Path,
        default=DEFAULT_SPEC_DIR,
        metavar="SPEC_DIR",
        help="folder with um_rest.json, cm_rest.json and websocket.json (default: tools/spec, the project's copy)",
    )
    return parser.parse_args((argv or [prog])[1:]).spec_dir
