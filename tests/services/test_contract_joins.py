"""The contract review joined to the social value library (issue 8) and to supplier resilience (issue 3)."""

import csv
import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from commonweal.io.errors import InputError
from commonweal.services.contracts import review_contracts, write_review_packs

ROOT = Path(__file__).resolve().parents[2]
TENDER = ROOT / "examples" / "home-care-tender"
ACCOUNTS = ROOT / "examples" / "suppliers" / "accounts.csv"
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def examples_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """These contracts link to the shipped examples, outside their own folder: allow that folder explicitly."""
    monkeypatch.setenv("COMMONWEAL_INPUT_ALLOWED_DIRS", str(ROOT / "examples"))


def contract_folder(tmp_path: Path, supplier: str, extra: str, sv_returns: str = "") -> Path:
    folder = tmp_path / "contract"
    folder.mkdir()
    (folder / "contract.yaml").write_text(
        f"id: EBC-2026-002\ntitle: Home care, lot 2\nbuyer: Example Borough Council\nsupplier: {supplier}\n"
        "lot: '2'\nvalue: 3460000.00\nstart: 2026-01-01\nend: 2028-12-31\nkind: services\nlight_touch: true\n"
        "frequency: monthly\nkpis:\n  - {id: on_time, title: On time, unit: '%', target: 95,"
        " direction: higher_is_better, tolerance: 2, inadequate_beyond: 5}\n" + extra,
        encoding="utf-8",
    )
    if sv_returns:
        (folder / "social_value_returns.csv").write_text(
            "period_start,measure,quantity,evidence,verification\n" + sv_returns, encoding="utf-8")
    return folder


def test_commitments_come_from_the_winning_bid_valued_with_the_tenders_library(tmp_path: Path) -> None:
    folder = contract_folder(
        tmp_path, "Calder Community Care CIC", f"social_value:\n  tender: {TENDER}\n",
        "2026-02-01,EMP-JSA-FISCAL,1,payroll,verified\n"
        "2026-03-01,VOL-HOUR-ASHE2024,300,volunteering log,verified\n"
        "2026-04-01,VOL-HOUR-ASHE2024,100,volunteering log,unverified\n",
    )
    [review] = review_contracts(folder, AS_OF)
    sv = review["social_value"]
    # Calder's lot 2 bid (commitments.csv): 3 jobseekers into work x £9,800 (EMP-JSA-FISCAL) = £29,400.00 and
    # 1,000 volunteering hours x £18.64 (VOL-HOUR-ASHE2024) = £18,640.00; committed £48,040.00.
    assert {(c["measure"], c["value"]) for c in sv["commitments"]} == {
        ("EMP-JSA-FISCAL", "29400.00"), ("VOL-HOUR-ASHE2024", "18640.00")}
    assert sv["committed"] == "48040.00"
    # Six whole months of year 1 by 30 June: due 1.5 jobs = £14,700.00 and 500 hours = £9,320.00 (£24,020.00).
    # Verified: 1 job = £9,800.00 and 300 hours = £5,592.00 (£15,392.00); the 100 unverified hours do not count.
    assert (sv["due_to_date"], sv["delivered"]) == ("24020.00", "15392.00")
    # 15,392 / 24,020 = 64.1%: requires improvement (50%-90%), and below the 80% profile trigger.
    assert sv["status"] == "requires improvement"
    [trigger] = [t for t in review["triggers"] if t["id"] == "social_value_below_profile"]
    assert trigger["fired"]
    jobs = next(c for c in sv["commitments"] if c["measure"] == "EMP-JSA-FISCAL")
    assert jobs["source"] != "the winning bid's own price per unit (contract.yaml commitments)"


def test_a_commitments_file_with_the_open_library(tmp_path: Path) -> None:
    commitments = tmp_path / "bid.csv"
    commitments.write_text("bidder,lot,measure,quantity,year\nFernbridge,2,NEET-1824-YR,2,1\n"
                           "Fernbridge,2,TRAIN-WEEK,10,1\nOther,2,NEET-1824-YR,9,1\n", encoding="utf-8")
    folder = contract_folder(tmp_path, "Fernbridge", f"social_value:\n  commitments: {commitments}\n")
    [review] = review_contracts(folder, AS_OF)
    # 2 young people x £4,263 (NEET-1824-YR) = £8,526.00; TRAIN-WEEK is record only in the open library: £0.
    assert review["social_value"]["committed"] == "8526.00"
    assert {c["measure"]: c["value"] for c in review["social_value"]["commitments"]} == {
        "NEET-1824-YR": "8526.00", "TRAIN-WEEK": None}
    [html, _pdf] = sorted(write_review_packs([review], tmp_path / "packs"))
    text = html.read_text(encoding="utf-8")
    assert "record only" in text and "£8,526.00" in text


def test_a_bidder_without_commitments_in_the_lot_is_refused(tmp_path: Path) -> None:
    folder = contract_folder(tmp_path, "Ridgeway Support Trust", f"social_value:\n  tender: {TENDER}\n")
    with pytest.raises(InputError) as caught:
        review_contracts(folder, AS_OF)
    [problem] = caught.value.problems
    assert problem.column == "social_value.bidder"
    assert "Ridgeway Support Trust" in problem.message and "'2'" in problem.message


def test_both_the_simple_list_and_a_link_are_refused(tmp_path: Path) -> None:
    folder = contract_folder(
        tmp_path, "Calder Community Care CIC",
        f"social_value:\n  tender: {TENDER}\ncommitments:\n  - {{measure: x, quantity: 1, year: 1, value: 1}}\n")
    with pytest.raises(InputError) as caught:
        review_contracts(folder, AS_OF)
    assert [p.column for p in caught.value.problems] == ["commitments"]


def financial_trigger(review: dict) -> dict:
    return next(t for t in review["triggers"] if t["id"] == "supplier_financial_red")


def test_supplier_accounts_feed_the_financial_rating_trigger(tmp_path: Path) -> None:
    folder = contract_folder(tmp_path, "Keystone Outsourcing plc",
                             f"supplier_accounts:\n  file: {ACCOUNTS}\n  unit: £m\n  tier: high\n")
    [review] = review_contracts(folder, AS_OF)
    # Keystone's latest accounts (2023): operating margin -3.2%, red against the resilience thresholds.
    assert review["contract"]["financial_rating"] == "red"
    trigger = financial_trigger(review)
    assert trigger["fired"] and "accounts to 2023-12-31" in trigger["finding"]
    assert any(a["option"] == "step_in" for a in review["recommended_actions"])


def test_a_green_supplier_clears_the_trigger(tmp_path: Path) -> None:
    folder = contract_folder(tmp_path, "Greenway Community Care Ltd", f"supplier_accounts:\n  file: {ACCOUNTS}\n")
    [review] = review_contracts(folder, AS_OF)
    assert review["contract"]["financial_rating"] == "green"
    assert financial_trigger(review)["status"] == "clear"


def test_a_missing_resilience_rating_leaves_the_trigger_not_assessed(tmp_path: Path) -> None:
    with ACCOUNTS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    row = {k: (v if k in ("supplier", "company_number", "year_end", "unit") else "") for k, v in rows[-1].items()}
    thin = tmp_path / "thin.csv"
    with thin.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    folder = contract_folder(tmp_path, "Keystone Outsourcing plc", f"supplier_accounts:\n  file: {thin}\n")
    [review] = review_contracts(folder, AS_OF)
    trigger = financial_trigger(review)
    assert review["contract"]["financial_rating"] is None
    assert trigger["status"] == "not assessed" and not trigger["fired"]
    assert "could not rate the supplier" in trigger["finding"] and "Operating margin: missing" in trigger["finding"]


def test_accounts_without_the_contracts_supplier_are_refused(tmp_path: Path) -> None:
    folder = contract_folder(tmp_path, "Northside Care CIC", f"supplier_accounts:\n  file: {ACCOUNTS}\n")
    with pytest.raises(InputError) as caught:
        review_contracts(folder, AS_OF)
    [problem] = caught.value.problems
    assert problem.file == "accounts.csv" and problem.column == "supplier"
    assert "Northside Care CIC" in problem.message


def test_a_rating_and_accounts_together_are_refused(tmp_path: Path) -> None:
    folder = contract_folder(tmp_path, "Keystone Outsourcing plc",
                             f"financial_rating: green\nsupplier_accounts:\n  file: {ACCOUNTS}\n")
    with pytest.raises(InputError) as caught:
        review_contracts(folder, AS_OF)
    assert [p.column for p in caught.value.problems] == ["financial_rating"]


def test_one_valuation_rounds_half_up_to_the_penny() -> None:
    from commonweal.domain.contracts.model import SocialValueCommitment

    # £100 for 3 units: the bid's own price is £33.333... a unit; 1 unit is £33.33, 3 units £100.00 exactly.
    thirds = SocialValueCommitment.bid_priced("hours", D(3), 1, D(100))
    assert (thirds.value_of(D(1)), thirds.value) == (D("33.33"), D("100.00"))


def test_bad_supplier_accounts_settings_name_each_key(tmp_path: Path) -> None:
    folder = contract_folder(tmp_path, "Keystone Outsourcing plc",
                             "supplier_accounts:\n  file: nowhere.csv\n  unit: dollars\n  tier: vital\n")
    with pytest.raises(InputError) as caught:
        review_contracts(folder, AS_OF)
    assert sorted(p.column for p in caught.value.problems) == [
        "supplier_accounts.file", "supplier_accounts.tier", "supplier_accounts.unit"]
    assert all(p.file == "contract/contract.yaml" for p in caught.value.problems)
