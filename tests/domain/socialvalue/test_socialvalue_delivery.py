"""Delivery tracking: committed against verified delivery, in units and £, with RAG per commitment and contract."""

from __future__ import annotations

from decimal import Decimal as D

from commonweal.domain.socialvalue.commitments import Commitment
from commonweal.domain.socialvalue.delivery import DeliveryRecord, RagPolicy, track_delivery
from commonweal.domain.socialvalue.library import Library

COMMITMENTS = (
    Commitment("Acorn", "north", "JOB", D(4), 1, "HR", "Q4"),
    Commitment("Acorn", "north", "VOL", D(100), 1, "HR", "Q4"),
    Commitment("Acorn", "north", "TRAIN", D(10), 1, "HR", "Q4"),
)


def returned(
    measure: str, quantity: str, status: str = "verified", period: str = "Q1", *, year: int = 1
) -> DeliveryRecord:
    return DeliveryRecord("Acorn", "north", measure, year, period, D(quantity), "payroll extract", status)  # type: ignore[arg-type]


def test_committed_against_delivered_in_units_and_pounds(library: Library) -> None:
    records = (
        returned("JOB", "2"), returned("JOB", "1", period="Q2"), returned("JOB", "1", "unverified", "Q3"),
        returned("VOL", "100"),
        returned("TRAIN", "5"), returned("TRAIN", "4", "rejected"),
    )
    report = track_delivery(COMMITMENTS, records, library)
    (contract,) = report.contracts
    jobs, vol, train = contract.lines
    # JOB: 3 of 4 verified = 75% → amber (Commonweal default: green at 100%, amber from 75%); £29,400 of £39,200
    assert (jobs.delivered, jobs.unverified, jobs.rag) == (D(3), D(1), "amber")
    assert (jobs.committed_value, jobs.delivered_value) == (D("39200.00"), D("29400.00"))
    assert (vol.delivered, vol.rag, vol.delivered_value) == (D(100), "green", D("1864.00"))
    # TRAIN is record only: 5 of 10 verified (the rejected 4 never count) → red, no £
    assert (train.delivered, train.rejected, train.rag, train.delivered_value) == (D(5), D(4), "red", None)
    # contract: (29,400 + 1,864) / (39,200 + 1,864) = 31,264 / 41,064 = 76.1% → amber
    assert (contract.committed_value, contract.delivered_value, contract.rag) == (
        D("41064.00"), D("31264.00"), "amber")
    assert report.unmatched == ()


def test_returns_without_a_commitment_are_reported_not_dropped(library: Library) -> None:
    stray = returned("VOL", "5", year=2)
    report = track_delivery(COMMITMENTS[:1], (returned("JOB", "4"), stray), library)
    assert report.unmatched == (stray,)
    assert report.contracts[0].rag == "green"


def test_a_record_only_contract_is_rated_by_its_worst_commitment(library: Library) -> None:
    report = track_delivery(COMMITMENTS[2:], (returned("TRAIN", "8"),), library, RagPolicy(amber_at=D("0.8")))
    assert report.contracts[0].committed_value == 0
    assert report.contracts[0].rag == "amber"  # 8 of 10 = 80%, amber from 80% in this policy


def test_commitments_not_yet_due_have_no_rag(library: Library) -> None:
    later = Commitment("Acorn", "north", "VOL", D(50), 2, "HR", "Q4")
    report = track_delivery((*COMMITMENTS[:2], later), (returned("JOB", "4"), returned("VOL", "100")), library,
                            as_of_year=1)
    (contract,) = report.contracts
    assert [line.rag for line in contract.lines] == ["green", "green", None]
    # year 2's 50 hours (£932) are not yet due: committed to date is 4 × 9,800 + 100 × 18.64 = £41,064
    assert (contract.committed_value, contract.rag) == (D("41064.00"), "green")


def test_commitments_to_the_same_measure_and_year_are_tracked_together(library: Library) -> None:
    split = (Commitment("Acorn", "north", "JOB", D(1), 1, "HR", "Q2"), Commitment("Acorn", "north", "JOB", D(3), 1))
    (contract,) = track_delivery(split, (returned("JOB", "4"),), library).contracts
    (line,) = contract.lines
    assert (line.commitment.quantity, line.delivered, line.rag) == (D(4), D(4), "green")
