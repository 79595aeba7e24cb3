#!/usr/bin/env bash
# Build the documentation site with warnings as errors (mkdocs build --strict).
# Usage: tools/check_docs.sh [VENV]   (default VENV: .venv-docs, created from requirements-docs.txt if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-.venv-docs}"
if [ ! -x "$venv/bin/mkdocs" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r requirements-docs.txt
fi
"$venv/bin/python" tools/check_reference.py
"$venv/bin/mkdocs" build --strict --site-dir "${SITE_DIR:-site}"
