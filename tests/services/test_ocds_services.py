"""Export (libcoveocds-clean, offline), import (all or nothing) and red flags over real and own data."""

from __future__ import annotations

import json
import shutil
import socket
from decimal import Decimal
from pathlib import Path

import duckdb
import orjson
import pytest

from commonweal.analytics.ocds import table_counts
from commonweal.domain.ocds.mapping import process_from_release
from commonweal.domain.ocds.redflags import RedFlagSettings
from commonweal.io.errors import InputError
from commonweal.io.ocds.write import dumps, validate_package
from commonweal.services.ocds import export_tender, flags_for_file, flags_for_tender, import_file

REPO = Path(__file__).resolve().parents[2]
TENDER = REPO / "examples" / "home-care-tender"
CONTRACT = REPO / "examples" / "ocds" / "home-care-lot-1-contract"
JUNE_2027 = "2027-06-01T00:00:00Z"  # after the example contract's April and May 2027 returns


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test: validation must run on the shipped files alone."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_export_is_libcoveocds_clean_offline(no_network: None) -> None:
    export = export_tender(TENDER, contracts=[CONTRACT], published=JUNE_2027)
    assert export.validation["validation_errors"] == []
    assert export.validation["invalid_extensions"] == {}
    releases = export.package["releases"]
    assert [r["ocid"] for r in releases] == [
        "ocds-unregistered-FBC-ASC-2026-014-lot-1", "ocds-unregistered-FBC-ASC-2026-014-lot-2"]
    lot1, lot2 = releases
    # evaluation model: price 40, quality 45, social value 15; Q1 is 30% of quality: 45 x 30% = 13.5% overall
    details = lot1["tender"]["awardCriteriaDetails"]
    assert details.startswith("Price 40% (relative to lowest). Quality 45% (Q1 Delivery model")
    assert "Q1 Delivery model and continuity of care: 30% of the group, 13.5% overall" in details
    assert "Social value 15%" in details
    # the award goes to the most advantageous tender, active once the contract is recorded
    (award,) = lot1["awards"]
    assert award["status"] == "active"
    assert award["suppliers"] == [{"id": "GB-COH-11234567", "name": "Calder Community Care CIC"}]
    assert award["value"] == {"amount": Decimal("3740000.00"), "currency": "GBP"}
    (contract,) = lot1["contracts"]
    assert contract["awardID"] == award["id"]
    # the KPI's target, then April's and May's returns (kpi_returns.csv)
    kpi = contract["implementation"]["metrics"][0]
    assert [o["measure"] for o in kpi["observations"]] == [Decimal(95), Decimal("93.5"), Decimal("95.2")]
    assert kpi["observations"][1]["period"] == {"startDate": "2027-04-01T00:00:00Z", "endDate": "2027-04-30T00:00:00Z"}
    # April's 6 local jobs count against the year-1 commitment of 25, with the council's verification
    first = contract["implementation"]["socialValueDelivery"][0]
    assert first["commitmentID"] == "local_care_jobs-year-1"
    assert first["quantity"] == Decimal(6)
    assert first["evidence"] == "payroll extract and postcode check (verified)"
    assert [c["id"] for c in contract["socialValueCommitments"]] == [
        "local_care_jobs-year-1", "volunteer_support_hours-year-1"]
    supplier = next(p for p in lot1["parties"] if p["id"] == "GB-COH-11234567")
    assert supplier["identifier"] == {"scheme": "GB-COH", "id": "11234567", "legalName": "Calder Community Care CIC"}
    # lot 2 has no contract yet: its award is pending
    assert lot2["awards"][0]["status"] == "pending"
    assert "contracts" not in lot2
    # and back: the export reads into Commonweal's terms
    process = process_from_release(lot1)
    # the award carries the winning bid's commitments as evaluated (commitments.csv, valued on the pinned library)
    first = process.awards[0].commitments[0]
    assert (first.id, first.measure, first.quantity) == ("EMP-JSA-FISCAL-year-1", "EMP-JSA-FISCAL", Decimal(3))
    assert first.value is not None and first.value.amount > 0
    assert process.contracts[0].metrics[0].observations[1].measure == Decimal("93.5")


def test_libcoveocds_reports_an_export_that_breaks_the_extension(no_network: None) -> None:
    export = export_tender(TENDER, contracts=[CONTRACT], published=JUNE_2027)
    broken = orjson.loads(dumps(export.package))
    del broken["releases"][0]["contracts"][0]["socialValueCommitments"][0]["measure"]
    errors = validate_package(broken)["validation_errors"]
    assert len(errors) == 1
    assert "'measure' is missing" in str(errors[0])


def test_a_contract_that_does_not_follow_the_evaluation_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "contract"
    shutil.copytree(CONTRACT, folder)
    text = (folder / "contract.yaml").read_text()
    (folder / "contract.yaml").write_text(text.replace("Calder Community Care CIC", "Harbour Healthcare Group plc"))
    with pytest.raises(InputError, match="most advantageous tender is 'Calder Community Care CIC'"):
        export_tender(TENDER, contracts=[folder], published=JUNE_2027)
    (folder / "contract.yaml").write_text(text.replace('lot: "1"', 'lot: "9"'))
    with pytest.raises(InputError) as caught:
        export_tender(TENDER, contracts=[folder], published=JUNE_2027)
    (problem,) = caught.value.problems
    assert (problem.file, problem.column) == (str(folder / "contract.yaml"), "lot")
    assert problem.message == "expected one of the tender's lots (1, 2), found '9'"


def test_import_stores_everything_or_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    release = {"ocid": "ocds-x-1", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["award"],
               "initiationType": "tender", "parties": [{"id": "GB-COH-1", "name": "Acme", "roles": ["supplier"],
                                                         "details": {"scale": "sme", "vcse": False}}],
               "awards": [{"id": "a1", "status": "active", "value": {"amount": 1234.56, "currency": "GBP"},
                           "suppliers": [{"id": "GB-COH-1", "name": "Acme"}]}]}
    good.write_text(json.dumps(release) + "\n")
    db = tmp_path / "ocds.duckdb"
    counts = import_file(good, db)
    assert counts.releases == 1
    assert table_counts(db)["ocds_awards"] == 1
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT amount, scale FROM ocds_awards, ocds_parties").fetchone() == (
            Decimal("1234.560000"), "sme")
    # a file with one bad release among good ones imports nothing
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**release, "ocid": "ocds-x-2"}) + "\n" + json.dumps({**release, "date": 5}) + "\n")
    with pytest.raises(InputError) as caught:
        import_file(bad, db)
    assert caught.value.problems[0].row == 2
    assert caught.value.problems[0].column == "/date"
    assert table_counts(db) == {"ocds_releases": 1, "ocds_compiled_releases": 1, "ocds_parties": 1,
                                "ocds_tenders": 0, "ocds_lots": 0, "ocds_bids": 0, "ocds_awards": 1,
                                "ocds_contracts": 0}


@pytest.mark.corpus
def test_red_flags_over_real_prozorro_records(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "ocds" / "ukraine-prozorro-2017-bids" / "records"
    combined = tmp_path / "prozorro.jsonl"
    combined.write_bytes(b"".join(json.dumps(json.loads(f.read_bytes())).encode() + b"\n"
                                  for f in sorted(folder.glob("*.json"))))
    # Prozorro (2017) calls a valid bid "active" and records disqualification as an unsuccessful award
    settings = RedFlagSettings(bid_statuses={"active": "valid"}, disqualified_by_unsuccessful_award=True)
    report = flags_for_file(combined, settings)
    assert report.checked == 11
    codes = {ocid.removeprefix("ocds-be6bcu-UA-"): {f.code for f in flags} for ocid, flags in report.processes.items()}
    # UA-2017-04-12-001619-b: the lowest bid (42,074.56) lost on an unsuccessful award; the winner bid 43,788.90
    assert "R036" in codes["2017-04-12-001619-b"]
    # UA-2016-06-02-000468-c: one tenderer in an open procedure, tender period 2 days
    assert {"R018", "R003"} <= codes["2016-06-02-000468-c"]
    # limited (non-competitive) procedures raise neither
    assert not codes["2017-01-20-000582-a"]


def test_red_flags_over_our_own_tender() -> None:
    report = flags_for_tender(TENDER)
    assert report.checked == 2
    # lot 2 excludes Meadowside on the safeguarding threshold; it was not the lowest price, so no R036
    assert all("R036" not in {f.code for f in flags} for flags in report.processes.values())


def test_export_folder_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    shutil.rmtree(missing, ignore_errors=True)
    with pytest.raises(InputError):
        export_tender(missing)


@pytest.mark.corpus
def test_real_contracts_finder_releases_are_refused_for_their_ten_repeated_releases(
    shared_data: Path, tmp_path: Path
) -> None:
    # the data README: libcoveocds reports 10 x "Non-unique combination of ocid, id values" on these files
    folder = shared_data / "ocds" / "uk-contracts-finder-2017" / "releases"
    combined = tmp_path / "cf.jsonl"
    combined.write_bytes(b"".join(f.read_bytes().replace(b"\n", b"").replace(b"\r", b"") + b"\n"
                                  for f in sorted(folder.glob("*.json"))))
    db = tmp_path / "cf.duckdb"
    with pytest.raises(InputError) as caught:
        import_file(combined, db)
    assert len(caught.value.problems) == 10
    assert all("appears twice" in p.message for p in caught.value.problems)
    assert not db.exists()
