"""The source release works: `python -m build` makes an sdist and, from it, a wheel; each installs
into a clean virtualenv and imports.

Offline and fast by design: the build runs without isolation (the dev extra brings `build` and
`setuptools`), the clean venvs get the package with `--no-deps`, and the three runtime dependencies
are seen through a `.pth` line pointing at this venv's site-packages (appended after the clean
venv's own, so `binance` itself can only come from the clean install).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from binance.__version__ import __version__

ROOT = Path(__file__).resolve().parents[2]
SOURCE_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "CHANGELOG.md")

pytest.importorskip("build", reason="the dev extra installs `build`")


def _run(*args: str, cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{args[:4]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist and wheel built from a copy of the tracked source (the wheel is built from the sdist)."""
    tmp = tmp_path_factory.mktemp("build")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCE_FILES:
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "binance", src / "binance", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    # a stray test module next to the package must not reach the sdist
    shutil.copytree(ROOT / "tests" / "packaging", src / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp / "dist"
    log = _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(src), cwd=tmp)
    assert "License classifiers are deprecated" not in log
    return out


def _clean_venv(where: Path) -> Path:
    venv.create(where, with_pip=False, clear=True)
    python = where / "bin" / "python"
    if not python.exists():  # Windows layout
        python = where / "Scripts" / "python.exe"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(subprocess.check_output([str(python), "-c", purelib], text=True).strip())
    (site / "zz_outer_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _install_and_import(target: Path, tmp: Path) -> None:
    python = _clean_venv(tmp / "venv")
    _run(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "--quiet",
         str(target), cwd=tmp)
    probe = (
        "import binance, binance.um_futures, binance.cm_futures, binance.websocket.api, binance.sandbox.engine;"
        "import importlib.resources as r, importlib.metadata as m;"
        "print(binance.__file__);"
        "print(r.files('binance').joinpath('py.typed').is_file(), r.files('binance.sandbox').joinpath("
        "'spec_data.json').is_file());"
        "print(m.version('binance-futures-connector'))"
    )
    out = _run(str(python), "-c", probe, cwd=tmp).split()
    assert Path(out[0]).resolve().is_relative_to((tmp / "venv").resolve()), out[0]
    assert out[1:] == ["True", "True", __version__], out


def test_sdist_carries_what_a_build_needs_and_no_tests(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert {"pyproject.toml", "setup.py", "LICENSE", "README.md", "binance/py.typed",
            "binance/sandbox/spec_data.json"} <= names
    assert not [n for n in names if n.startswith("tests/")], "tests leaked into the sdist"
    assert "requirements.txt" not in names


def test_wheel_metadata(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        (meta_name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        meta = zf.read(meta_name).decode()
        assert not [n for n in zf.namelist() if n.startswith("tests/")]
    assert "License-Expression: MIT" in meta
    assert "Requires-Python: >=3.9" in meta
    assert "Classifier: Programming Language :: Python :: 3.13" in meta
    for extra in ("sandbox", "fast", "redis", "dev"):
        assert f"Provides-Extra: {extra}" in meta
    assert 'Requires-Dist: aiohttp>=3.9; extra == "sandbox"' in meta
    runtime = sorted(line.split(":", 1)[1].strip() for line in meta.splitlines()
                     if line.startswith("Requires-Dist:") and "extra ==" not in line)
    assert runtime == ["pycryptodome>=3.15", "requests>=2.25", "websocket-client>=1.6"]


def test_wheel_installs_into_a_clean_venv(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    _install_and_import(wheel, tmp_path)


def test_sdist_installs_into_a_clean_venv(dist: Path, tmp_path: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    wheels = tmp_path / "from-sdist"
    # pip builds the sdist with this venv's setuptools (offline), then the wheel goes into a clean venv
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--quiet",
         "-w", str(wheels), str(sdist), cwd=tmp_path)
    (wheel,) = wheels.glob("*.whl")
    _install_and_import(wheel, tmp_path)
