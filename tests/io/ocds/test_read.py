"""Reading every OCDS form, upgrading 1.0, and refusing bad input with its position."""

from __future__ import annotations

import json
import random
from pathlib import Path
from types import ModuleType

import pytest

from commonweal.io.errors import InputError
from commonweal.io.ocds.read import SNIFF_BYTES, read_all, read_releases, releases_by_ocid

RELEASE = {"ocid": "ocds-x-1", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"],
           "initiationType": "tender", "parties": [], "tender": {"id": "t1"}}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "layout",
    ["package", "record_package", "json_lines", "bare", "array", "pretty_package", "pretty_record_package",
     "array_of_packages"],
)
def test_every_form_yields_the_same_release(tmp_path: Path, layout: str) -> None:
    second = {**RELEASE, "id": "2", "date": "2024-02-01T00:00:00Z"}
    text = {
        "package": json.dumps({"uri": "u", "version": "1.1", "releases": [RELEASE, second]}),
        "pretty_package": json.dumps({"uri": "u", "version": "1.1", "releases": [RELEASE, second]}, indent=2),
        "record_package": json.dumps({"uri": "u", "version": "1.1",
                                      "records": [{"ocid": "ocds-x-1", "releases": [RELEASE, second]}]}),
        "json_lines": json.dumps(RELEASE) + "\n" + json.dumps(second) + "\n",
        "bare": json.dumps(RELEASE, indent=2),
        "array": json.dumps([RELEASE, second], indent=2),
        "pretty_record_package": json.dumps({"uri": "u", "version": "1.1", "records": [
            {"ocid": "ocds-x-1", "releases": [RELEASE, second]}]}, indent=2),
        "array_of_packages": json.dumps([{"uri": "u", "version": "1.1", "releases": [RELEASE]},
                                         {"uri": "v", "version": "1.1", "releases": [second]}], indent=2),
    }[layout]
    releases = read_all(write(tmp_path, "in.json", text))
    assert [r["id"] for r in releases] == (["1"] if layout == "bare" else ["1", "2"])
    assert releases[0] == RELEASE


def test_an_ocds_10_release_is_upgraded(tmp_path: Path) -> None:
    old = {"ocid": "ocds-x-1", "id": "1", "date": "2014-01-01T00:00:00Z", "tag": ["award"],
           "buyer": {"name": "Met Office", "identifier": {"scheme": "", "id": ""}},
           "awards": [{"id": "a", "suppliers": [{"name": "Acme"}], "amendment": {"date": "2014-02-01"}}]}
    (release,) = read_all(write(tmp_path, "old.json", json.dumps(old)))
    # the party id is ocdskit's: md5 of "Met Office" and the identifier, address and contact fields present
    assert release["buyer"] == {"id": release["parties"][0]["id"], "name": "Met Office"}
    assert release["parties"][0]["roles"] == ["buyer"]
    assert release["parties"][1]["roles"] == ["supplier"]
    assert release["awards"][0]["suppliers"] == [{"id": release["parties"][1]["id"], "name": "Acme"}]
    assert release["awards"][0]["amendments"] == [{"date": "2014-02-01"}]
    assert "amendment" not in release["awards"][0]


def test_malformed_json_lines_name_the_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.jsonl", json.dumps(RELEASE) + "\n" + '{"ocid": "x", "id": 2,, }\n')
    with pytest.raises(InputError) as caught:
        read_all(path)
    (problem,) = caught.value.problems
    assert problem.file == str(path)
    assert problem.row == 2
    assert problem.column == "23"  # the second comma: {"ocid": "x", "id": 2, is 22 characters
    assert "malformed JSON" in problem.message


def test_malformed_json_lines_are_caught_when_compiling_too(tmp_path: Path) -> None:
    # the fast path groups `{"ocid":"...` lines without parsing them; the merge then parses and reports the line
    path = write(tmp_path, "bad.jsonl", json.dumps(RELEASE) + '\n{"ocid": "ocds-x-2", "id": "2", "date": }\n')
    grouped = releases_by_ocid(path)
    assert sorted(grouped.groups) == ["ocds-x-1", "ocds-x-2"]
    from commonweal.io.ocds.read import load_group

    with pytest.raises(InputError) as caught:
        load_group(grouped, str(path), "ocds-x-2", grouped.groups["ocds-x-2"])
    assert caught.value.problems[0].row == 2


def test_malformed_package_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '{\n  "uri": "u",\n  "releases": [\n    {"ocid": "x",}\n  ]\n}\n')
    with pytest.raises(InputError) as caught:
        read_all(path)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (4, "18")


def test_schema_invalid_releases_are_all_reported_with_json_paths(tmp_path: Path) -> None:
    bad = {**RELEASE, "tag": ["nonsense"], "tender": {"id": "t1", "value": {"amount": "ten"}}}
    worse = {**RELEASE, "id": "2", "date": "yesterday"}
    path = write(tmp_path, "invalid.json", json.dumps({"uri": "u", "version": "1.1", "releases": [bad, worse]}))
    with pytest.raises(InputError) as caught:
        read_all(path, validate=True)
    where = {(p.column, p.message.split(": ", 1)[1]) for p in caught.value.problems}
    assert ("/releases/0/tag/0", "'nonsense' is not one of " + str([
        "planning", "planningUpdate", "tender", "tenderAmendment", "tenderUpdate", "tenderCancellation", "award",
        "awardUpdate", "awardCancellation", "contract", "contractUpdate", "contractAmendment", "implementation",
        "implementationUpdate", "contractTermination", "compiled"])) in where
    assert any(column == "/releases/0/tender/value/amount" for column, _ in where)
    assert all(p.file == str(path) for p in caught.value.problems)


def test_a_release_without_an_ocid_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "no-ocid.jsonl", json.dumps({"id": "1", "date": "2024"}) + "\n")
    with pytest.raises(InputError, match="needs a string `ocid`"):
        read_all(path)


def test_a_release_package_streams_in_flat_memory(tmp_path: Path) -> None:
    import tracemalloc

    # 6,000 releases of ~2 KB each on one line: a 13 MB package, read one release at a time
    releases = [{**RELEASE, "id": str(n), "tender": {"id": "t", "description": "x" * 2000}} for n in range(6000)]
    path = write(tmp_path, "big.json", json.dumps({"uri": "u", "version": "1.1", "releases": releases}))
    del releases
    size = path.stat().st_size
    tracemalloc.start()
    count = sum(1 for _ in read_releases(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 6000
    # bounded by the format sniff (two reads of at most SNIFF_BYTES = 1 MB) and one release, not by the file
    assert size > 12_000_000
    assert peak < 2.5 * SNIFF_BYTES, f"peak {peak} bytes for a {size}-byte file"


def test_a_release_repeated_under_the_same_ocid_and_id_is_refused_when_validating(tmp_path: Path) -> None:
    path = write(tmp_path, "twice.jsonl", json.dumps(RELEASE) + "\n" + json.dumps(RELEASE) + "\n")
    assert len(read_all(path)) == 2
    with pytest.raises(InputError) as caught:
        read_all(path, validate=True)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (2, "/id")
    assert problem.message == "release '1' of ocid 'ocds-x-1' appears twice (first at line 1)"


INVALID = [
    {**RELEASE, "tag": ["nonsense"]},
    {**RELEASE, "tag": []},
    {**RELEASE, "date": 20240101},
    {**RELEASE, "ocid": None},
    {**RELEASE, "tender": {"id": "t1", "value": {"amount": "ten"}}},
    {**RELEASE, "tender": {"id": "t1", "status": "opened"}},
    {**RELEASE, "parties": [{"id": "p1", "roles": "buyer"}]},
    {**RELEASE, "awards": {"id": "a1"}},
    {**RELEASE, "awards": [{"id": "a1", "suppliers": [{"id": ["x"]}]}]},
    {**RELEASE, "contracts": [{"id": "c1", "awardID": "a1", "period": {"startDate": 2024}}]},
    {**RELEASE, "tender": {"id": "t1", "numberOfTenderers": "three"}},
]


def verdicts(releases: list) -> list[tuple[bool, bool]]:
    from commonweal.io.ocds.read import _fast_validator, _validator

    return [(_fast_validator().is_valid(r), _validator().is_valid(r)) for r in releases]


def test_the_fast_validity_check_agrees_with_jsonschema(ocds_generator: ModuleType) -> None:
    """The fast check decides which releases are reported as invalid: it must never pass one jsonschema fails."""
    generated = ocds_generator.releases_for(random.Random(3), 300)  # tenders, awards, contracts, amendments
    assert verdicts([RELEASE, *generated]) == [(True, True)] * (1 + len(generated))
    assert verdicts(INVALID) == [(False, False)] * len(INVALID)


@pytest.mark.corpus
def test_the_fast_validity_check_agrees_with_jsonschema_on_the_corpus(shared_data: Path) -> None:
    releases = [release for path in sorted((shared_data / "ocds").rglob("*.json*"))
                for release in read_releases(path)]
    assert len(releases) == 43  # the Contracts Finder and Prozorro samples, none valid against 1.1.5 as published
    fast, slow = zip(*verdicts(releases), strict=True)
    assert fast == slow
