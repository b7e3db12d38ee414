"""OCDS to Commonweal and back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from commonweal.domain.ocds.mapping import org_id, process_from_release, release_from_process

RELEASE = {
    "ocid": "ocds-x-1", "id": "r1", "date": "2024-03-01T00:00:00Z", "tag": ["award", "contract"],
    "initiationType": "tender",
    "parties": [
        {"id": "GB-GOR-123", "name": "Example Council", "roles": ["buyer"]},
        {"id": "GB-CHC-1151621", "name": "Helping Hands", "roles": ["supplier"],
         "identifier": {"scheme": "GB-CHC", "id": "1151621"}, "details": {"scale": "micro", "vcse": True}},
    ],
    "buyer": {"id": "GB-GOR-123", "name": "Example Council"},
    "tender": {"id": "t1", "title": "Befriending", "status": "complete",
               "value": {"amount": 120000.5, "currency": "GBP"},
               "lots": [{"id": "L1", "title": "North", "value": {"amount": 60000, "currency": "GBP"}}]},
    "bids": {"details": [{"id": "b1", "status": "valid", "tenderers": [{"id": "GB-CHC-1151621"}],
                          "value": {"amount": 59000, "currency": "GBP"}, "relatedLots": ["L1"]}]},
    "awards": [{"id": "a1", "status": "active", "suppliers": [{"id": "GB-CHC-1151621", "name": "Helping Hands"}],
                "value": {"amount": 59000, "currency": "GBP"},
                "socialValueCommitments": [{"id": "SV1", "measure": "Volunteer hours", "quantity": 200}]}],
    "contracts": [{"id": "c1", "awardID": "a1", "status": "active", "value": {"amount": 59000, "currency": "GBP"},
                   "period": {"startDate": "2024-04-01T00:00:00Z", "endDate": "2025-03-31T00:00:00Z"},
                   "implementation": {"metrics": [{"id": "K1", "title": "Visits", "observations": [
                       {"id": "K1-t", "measure": 10, "unit": {"name": "visits"},
                        "dimensions": {"kind": "target"}}]}]}}],
}


def test_a_release_reads_into_commonweal_terms() -> None:
    process = process_from_release(RELEASE)
    charity = process.parties[1]
    assert (charity.scheme, charity.identifier, charity.scale, charity.vcse) == ("GB-CHC", "1151621", "micro", True)
    assert process.buyer == "GB-GOR-123"
    assert process.tender is not None
    assert process.tender.value is not None and process.tender.value.amount == Decimal("120000.5")
    assert process.tender.lots[0].id == "L1"
    assert process.bids[0].lot == "L1"
    assert process.awards[0].commitments[0].quantity == Decimal(200)
    contract = process.contracts[0]
    assert (contract.period_start, contract.period_end) == (date(2024, 4, 1), date(2025, 3, 31))
    assert contract.metrics[0].unit == "visits"
    assert contract.metrics[0].observations[0].kind == "target"


def test_and_back_keeps_what_commonweal_reads() -> None:
    process = process_from_release(RELEASE)
    again = release_from_process(process, release_id="r1", date_time="2024-03-01T00:00:00Z", tags=["award"],
                                 include_bids=True)
    assert process_from_release(again) == process
    assert again["parties"][1]["identifier"] == {"scheme": "GB-CHC", "id": "1151621", "legalName": "Helping Hands"}
    assert again["parties"][1]["details"] == {"scale": "micro", "vcse": True}
    assert again["awards"][0]["socialValueCommitments"] == [
        {"id": "SV1", "measure": "Volunteer hours", "quantity": Decimal(200)}]


def test_org_ids() -> None:
    assert org_id("GB-COH-08123456") == ("GB-COH", "08123456")
    assert org_id("GB-CHC-1151621") == ("GB-CHC", "1151621")
    assert org_id("GB-PPON-PABC-1234-DEFG") == ("GB-PPON", "PABC-1234-DEFG")
    assert org_id("GB-COH-") == (None, None)
    assert org_id("Acme Ltd") == (None, None)
