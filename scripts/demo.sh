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

heading "Procurement Act 2023 notices: one of each type (UK1-UK12) from the examples, validated offline (out/demo/notices/)"
rm -rf out/demo/notices && mkdir -p out/demo/notices
# a procurement terminated before award (UK12): a copy of the example tender with its termination recorded
cp -r examples/home-care-tender out/demo/notices/terminated-tender
printf 'termination:\n  decided_on: 2026-06-10\n  reason: No tender met the quality threshold on lot 2\n' \
  >>out/demo/notices/terminated-tender/notices.yaml
commonweal notices build --tender examples/home-care-tender --contract examples/ocds/home-care-lot-1-contract \
  --ocid-prefix ocds-demo --as-of 2027-06-30 --output out/demo/notices/tender.json
commonweal notices build --contract examples/contracts/facilities-social-value \
  --contract examples/contracts/grounds-loss-making --planned examples/planned/leisure-centres \
  --ocid-prefix ocds-demo --as-of 2026-11-30 --pipeline-year 2027 --lead-months 12 \
  --output out/demo/notices/contracts.json
commonweal notices build --tender out/demo/notices/terminated-tender --ocid-prefix ocds-demo \
  --output out/demo/notices/terminated.json
for package in tender contracts terminated; do commonweal notices validate "out/demo/notices/$package.json"; done

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
