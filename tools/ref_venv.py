"""Create or reuse a virtualenv holding the official `binance-futures-connector==4.2.0`.

The reference connector is never a dependency of this library: it lives in its own venv
(default `<project>/.venv-ref-4.2.0`) so that its `binance` package cannot shadow ours.
The venv is built once with `python -m venv` and pip, then reused while its python still
reports version 4.2.0 of the distribution. Usage from a shell:

    python tools/ref_venv.py [--path DIR]     # prints the venv's python, or why it could not be built
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Iterator, List, Optional

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUIREMENT = "binance-futures-connector==4.2.0"
DISTRIBUTION = "binance-futures-connector"
VERSION = "4.2.0"
DEFAULT_PATH = os.path.join(PROJECT, ".venv-ref-4.2.0")


class RefVenvError(RuntimeError):
    """The reference venv could not be created; the message says why (pip's last lines)."""


def venv_python(path: str = DEFAULT_PATH) -> str:
    """The interpreter of the venv at `path` (it may not exist yet)."""
    if os.name == "nt":
        return os.path.join(path, "Scripts", "python.exe")
    return os.path.join(path, "bin", "python")


def installed_version(python: str) -> Optional[str]:
    """Version of the official connector importable by `python`, or None."""
    code = f"import importlib.metadata as m; print(m.version({DISTRIBUTION!r}))"
    try:
        out = subprocess.run([python, "-I", "-c", code], capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def is_ready(path: str = DEFAULT_PATH) -> bool:
    """True when the venv at `path` exists and has the official 4.2.0 installed."""
    python = venv_python(path)
    return os.path.isfile(python) and installed_version(python) == VERSION


def ensure_ref_venv(path: str = DEFAULT_PATH, timeout: float = 600.0) -> str:
    """Create the reference venv at `path` unless it is ready; return its python.

    Raises `RefVenvError` when `venv` or pip fails (e.g. no package registry reachable);
    the half-built venv is removed so that the next call starts clean. Safe to call from
    several processes at once: builds are serialised by a lock file in the temp directory.
    """
    path = os.path.abspath(path)
    if is_ready(path):
        return venv_python(path)
    with _build_lock(_lock_path(path)):
        if is_ready(path):
            return venv_python(path)
        _build(path, timeout)
    return venv_python(path)


def _build(path: str, timeout: float) -> None:
    shutil.rmtree(path, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    pip = [venv_python(path), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input"]
    steps: List[List[str]] = [[_base_python(), "-m", "venv", path], pip + [REQUIREMENT]]
    for command in steps:
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.SubprocessError) as exc:
            shutil.rmtree(path, ignore_errors=True)
            raise RefVenvError(f"{' '.join(command[:4])} failed: {exc}") from exc
        if done.returncode != 0:
            shutil.rmtree(path, ignore_errors=True)
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
            raise RefVenvError(f"{' '.join(command[:4])} exited {done.returncode}: {tail}")
    version = installed_version(venv_python(path))
    if version != VERSION:
        shutil.rmtree(path, ignore_errors=True)
        raise RefVenvError(f"pip installed {DISTRIBUTION} {version!r}, expected {VERSION}")


def _base_python() -> str:
    """The base interpreter behind the running one, so that the reference venv never nests in ours."""
    base = getattr(sys, "_base_executable", None) or sys.executable
    if os.path.isfile(base):
        return base
    return shutil.which("python3") or sys.executable


def _lock_path(path: str) -> str:
    digest = hashlib.sha256(path.encode("utf-8")).hexdigest()[:16]
    return os.path.join(tempfile.gettempdir(), f"ref-venv-{digest}.lock")


@contextlib.contextmanager
def _build_lock(lock_path: str) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not POSIX: builds are not serialised
        yield
        return
    with open(lock_path, "w", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def main(argv: Optional[List[str]] = None) -> int:
    """Command line: build or reuse the venv, print its python (exit 0) or the reason (exit 1)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default=DEFAULT_PATH, help="where the venv lives (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        print(ensure_ref_venv(args.path))
    except RefVenvError as exc:
        print(f"cannot create the reference venv at {args.path}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
