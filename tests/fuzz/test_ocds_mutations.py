"""OCDS files damaged at random (bytes cut, replaced, inserted; Windows-1252 text; deep nesting) give a clear
`InputError` or a result from compile, import and red flags: never another exception. Bounded for CI; a longer,
random run: `COMMONWEAL_FUZZ_EXAMPLES=2000 .venv/bin/pytest -q tests/fuzz/test_ocds_mutations.py`."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from commonweal.io.errors import InputError
from commonweal.services import ocds

EXAMPLES = int(os.environ.get("COMMONWEAL_FUZZ_EXAMPLES", "0"))

RELEASES = [
    {"ocid": "ocds-x-1", "id": "r1", "date": "2020-01-01T00:00:00Z", "tag": ["tender"], "initiationType": "tender",
     "tender": {"id": "t", "title": "Café", "value": {"amount": 1000.5, "currency": "GBP"}}},
    {"ocid": "ocds-x-1", "id": "r2", "date": "2020-02-01T00:00:00Z", "tag": ["award"], "initiationType": "tender",
     "awards": [{"id": "a", "status": "active", "value": {"amount": 900, "currency": "GBP"}}]},
]
SOURCES = [
    "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RELEASES).encode(),
    json.dumps({"version": "1.1", "releases": RELEASES}, ensure_ascii=False).encode(),
]
PIECES = [b"[", b"]", b"{", b"}", b'"', b",", b":", b"\n", b"\xe9", b"\x00", b"null", b"1e999", b'"ocid"', b"[" * 200,
          b'{"a":' * 100]


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SOURCES)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        action = draw(st.sampled_from(["insert", "replace", "cut"]))
        piece = draw(st.sampled_from(PIECES))
        if action == "insert":
            data[at:at] = piece
        elif action == "replace":
            data[at:at + len(piece)] = piece
        else:
            data[at:at + draw(st.integers(min_value=1, max_value=40))] = b""
    return bytes(data)


@settings(max_examples=EXAMPLES or 40, derandomize=not EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_ocds_gives_a_result_or_a_clear_error(data: bytes) -> None:
    note(f"file: {data!r}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "council.json"
        path.write_bytes(data)
        for run in (lambda: b"".join(ocds.compile_jsonl(path, jobs=1)),
                    lambda: ocds.import_file(path, Path(folder) / "o.duckdb"),
                    lambda: ocds.flags_for_file(path)):
            try:
                run()
            except InputError as error:
                assert all(p.message for p in error.problems)
