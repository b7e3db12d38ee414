#!/usr/bin/env bash
# The main job: set up, show each part of Commonweal on the shipped examples, then start the web workspace on
# SQLite with a seeded demo (one shared service, two councils, a user per role; sign-ins printed below).
# `bash scripts/demo.sh --no-serve` stops before serving.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
heading() { printf '\n\033[1m== %s\033[0m\n' "$1"; }

heading "Tender evaluation: examples/home-care-tender (report and assessment summaries in out/demo/)"
commonweal demo --out out/demo

heading "Social value commitments in the same tender (one bid is a washing case)"
commonweal socialvalue commitments examples/home-care-tender

heading "Supplier resilience: a healthy supplier and a distressed one"
commonweal suppliers assess examples/suppliers/accounts.csv --contracts examples/suppliers/contracts.csv

heading "Contract performance and renegotiation (review packs in out/demo/contracts/)"
commonweal contracts review examples/contracts --as-of 2026-10-31 --out out/demo/contracts

if [[ -d ../shared/data/spend ]]; then
  heading "Where the money goes: the real council spend files in ../shared/data/spend"
  rm -rf out/demo/spend
  # --engine fast: the polars path big files take (these are small, so by default they take the row-level reader;
  # both give the same rows, as tests/io/spend/test_spend_fast.py checks on these very files)
  commonweal spend import ../shared/data/spend/*_20*.csv --db out/demo/spend --engine fast > out/demo/spend-import.txt
  commonweal spend report --db out/demo/spend > out/demo/spend-report.txt
  head -n 60 out/demo/spend-report.txt
  echo "(the whole report: out/demo/spend-report.txt; each file's import report: out/demo/spend-import.txt)"
fi

heading "The web workspace"
exec commonweal web demo "$@"
