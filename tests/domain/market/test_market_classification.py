import pytest

from commonweal.domain.market.classification import Label, SupplierEvidence, classify


@pytest.mark.parametrize(("evidence", "label", "source"), [
    (SupplierEvidence("REDACTED PERSONAL DATA", redacted=True), Label.INDIVIDUAL, "redaction marker"),
    (SupplierEvidence("UPOTTERY YOUTH CLUB", council_supplier_type="YTH"), Label.VCSE, "council flag"),
    (SupplierEvidence("DEVON NORSE LTD", council_supplier_type="WGA"), Label.PUBLIC, "council flag"),
    (SupplierEvidence("Some Name", council_vcse_flag="Y"), Label.VCSE, "council flag"),
    (SupplierEvidence("A Person", council_supplier_type="DCC Non-Business Individuals (Direct Payment - CareFirst "
                                                        "only)"), Label.INDIVIDUAL, "council flag"),
    (SupplierEvidence("SUNNY CARE", council_supplier_type="CHARITIES & VOLUNTARY ORGANISA"), Label.VCSE,
     "council flag"),
    (SupplierEvidence("Seddon Construction Limited", council_sme_flag="Yes"), Label.SME, "council flag"),
    (SupplierEvidence("Keolis Amey Metrolink Limited", council_sme_flag="No"), Label.LARGE, "council flag"),
    (SupplierEvidence("Bolton Council", council_sme_flag="No"), Label.PUBLIC, "name rule"),
    (SupplierEvidence("Helping Hands", charity_number="1151621"), Label.VCSE, "identifier"),
    (SupplierEvidence("Helping Hands", company_number="CE001234"), Label.VCSE, "identifier"),
    (SupplierEvidence("Kineton Parish Council"), Label.VCSE, "name rule"),
    (SupplierEvidence("Nuneaton & Bedworth Borough Council"), Label.PUBLIC, "name rule"),
    (SupplierEvidence("2nd Whitnash Brownies"), Label.VCSE, "name rule"),
    (SupplierEvidence("St Mary's Church PCC"), Label.VCSE, "name rule"),
    (SupplierEvidence("Yorkshire Water PLC"), Label.LARGE, "name rule"),
    (SupplierEvidence("Zipporah Ltd"), Label.SME, "name rule"),
    (SupplierEvidence("Roman Motors (Westavon) Ltd.", grant_recipient=True), Label.SME, "name rule"),
    (SupplierEvidence("Sudden Impulse Theatre Company", grant_recipient=True), Label.VCSE, "grants register"),
    (SupplierEvidence("AMZNMktplace"), Label.UNKNOWN, "none"),
])
def test_each_label_carries_its_source(evidence: SupplierEvidence, label: Label, source: str) -> None:
    result = classify(evidence)
    assert (result.label, result.source) == (label, source)
    assert 0 <= result.confidence <= 1 and result.reason


def test_council_flags_can_be_withheld_to_measure_accuracy() -> None:
    evidence = SupplierEvidence("AARON COURT", council_supplier_type="CHTY")
    assert classify(evidence).label == Label.VCSE
    assert classify(evidence, use_council_flags=False).label == Label.UNKNOWN


def test_parish_council_is_vcse_not_public() -> None:
    assert classify(SupplierEvidence("Kenilworth Town Council")).vcse_type == "parish or town council"
