#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian machine with Python 3.11: system packages (apt, only what is missing),
# the pinned Python environment in .venv, and the front-end packages from the npm registry.
# Usage: scripts/setup.sh [--with-browser]   (--with-browser adds Debian's Chromium for the browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
want() { dpkg -s "$1" >/dev/null 2>&1 || need_apt+=("$1"); }
want libpango-1.0-0        # WeasyPrint renders PDFs with Pango
want libpangoft2-1.0-0
want fonts-dejavu-core
want default-jre-headless  # PySpark, the distributed analytics engine, runs on the JVM
want gcc                   # mypyc compiles the OCDS merge (scripts/build_merge.py)
want libpython3.11-dev     # and needs Python's headers (a pyenv build carries its own)
want nodejs
want npm
if [[ "${1:-}" == "--with-browser" ]]; then
  want chromium
  want chromium-driver
fi
# nodejs from another origin may already provide npm
if command -v npm >/dev/null 2>&1; then need_apt=("${need_apt[@]/npm}"); fi
if command -v node >/dev/null 2>&1; then need_apt=("${need_apt[@]/nodejs}"); fi
if command -v java >/dev/null 2>&1; then need_apt=("${need_apt[@]/default-jre-headless}"); fi
read -r -a need_apt <<<"${need_apt[*]}"
if ((${#need_apt[@]})); then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3.11}
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
fi
UV_VERSION=$(sed -n 's/^uv==//p' requirements-bootstrap.txt)
if [[ "$(.venv/bin/uv --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-bootstrap.txt
fi
# sync makes .venv exactly the lock file (removes strays), then installs our package in editable mode
.venv/bin/uv pip sync -q --python .venv/bin/python requirements.lock
.venv/bin/uv pip install -q --python .venv/bin/python --no-deps -e .
# The OCDS merge compiled with mypyc into build/mypyc/, from merge.py itself and only used while merge.py is
# unchanged (commonweal.io.ocds.compiled_merge): a compile is about a fifth faster. Skipped when up to date.
.venv/bin/python scripts/build_merge.py

# node_modules is rebuilt whenever package-lock.json differs from the one it was installed from
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ "$(cat node_modules/.commonweal-lock.sha256 2>/dev/null)" != "$lock_sum" ]]; then
  # sass's optional file watcher is a native add-on we never use
  npm ci --silent --no-audit --no-fund --omit=optional
  echo "$lock_sum" >node_modules/.commonweal-lock.sha256
fi
# The front-end files Django serves (build/static/, gitignored): GOV.UK Frontend's CSS compiled from its Sass with
# Commonweal's typeface (src/commonweal/web/styles/), GOV.UK Frontend's script and HTMX. Nothing else of the package
# (its fonts, crown images and icons are for GOV.UK only) is served.
rm -rf build/static
mkdir -p build/static/govuk
node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps --load-path=node_modules \
  src/commonweal/web/styles/govuk-frontend.scss build/static/govuk/govuk-frontend.min.css
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js build/static/govuk/
mkdir -p build/static/htmx
cp node_modules/htmx.org/dist/htmx.min.js build/static/htmx/
