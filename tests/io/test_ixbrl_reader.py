from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from commonweal.domain.resilience import assess_supplier
from commonweal.io.errors import InputError
from commonweal.io.ixbrl import read_ixbrl

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ixbrl" / "hollybrook-care-2024.html"


def test_reads_both_years_of_a_companies_house_filing() -> None:
    prior, current = read_ixbrl(FIXTURE)
    # the opening-equity instant (2022-03-31) is not a reporting period end, so only two years come back
    assert (prior.year_end, current.year_end) == (dt.date(2023, 3, 31), dt.date(2024, 3, 31))
    assert current.supplier == "Hollybrook Care Services Limited"
    assert current.company_number == "09876543"
    assert current.revenue == Decimal(2_400_000)  # shown as 2,400 with scale="3"
    assert prior.revenue == Decimal(2_100_000)
    assert current.current_liabilities == Decimal(400_000)  # Creditors, WithinOneYear member
    assert current.retained_earnings == Decimal(640_000)  # Equity, RetainedEarningsAccumulatedLosses member
    assert current.equity == Decimal(650_000)  # Equity with no dimension
    assert current.inventories == Decimal(20_000)
    assert current.trade_payables == Decimal(150_000)
    # total assets = fixed 500,000 + current 700,000; total liabilities = 1,200,000 − 650,000
    assert current.total_assets == Decimal(1_200_000)
    assert current.total_liabilities == Decimal(550_000)
    assert current.operating_cash_flow is None  # not tagged: unknown, not zero


def test_ixbrl_accounts_assess_end_to_end() -> None:
    years = assess_supplier(read_ixbrl(FIXTURE))
    # Z'' 2024: X1 = (700 − 400) / 1200 = 0.25; X2 = 640 / 1200 = 0.5333…; X3 = 180 / 1200 = 0.15;
    # X4 = 650 / 550 = 1.1818…; 6.56×0.25 + 3.26×0.5333… + 6.72×0.15 + 1.05×1.1818… = 1.64 + 1.73867 + 1.008 + 1.24091
    z2 = years[1].score("altman_z2").value
    assert isinstance(z2, Decimal) and round(z2, 4) == Decimal("5.6276")


def test_not_ixbrl_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "accounts.html"
    path.write_text("<p>not accounts</p>")
    with pytest.raises(InputError) as caught:
        read_ixbrl(path)
    assert caught.value.problems[0].file == "accounts.html"


def test_foreign_currency_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "euro.html"
    path.write_text(FIXTURE.read_text().replace("iso4217:GBP</xbrli:measure>", "iso4217:EUR</xbrli:measure>"))
    with pytest.raises(InputError) as caught:
        read_ixbrl(path)
    assert caught.value.problems[0].column == "core:TurnoverRevenue"
    assert "pounds" in caught.value.problems[0].message


UK_GAAP_NAMESPACE = 'xmlns:uk-gaap="http://www.xbrl.org/uk/gaap/core/2009-09-01"'
RETAGGED = [
    ('xmlns:core="', f'{UK_GAAP_NAMESPACE} xmlns:core="'),
    ('name="core:TurnoverRevenue"', 'name="uk-gaap:TurnoverGrossOperatingRevenue"'),
    ('name="core:Creditors" contextRef="cy-end-within1"',
     'name="uk-gaap:CreditorsDueWithinOneYear" contextRef="cy-end"'),
    ('name="core:Equity" contextRef="cy-end-re"', 'name="uk-gaap:ProfitLossAccountReserve" contextRef="cy-end"'),
    ('name="core:Equity" contextRef="cy-end"', 'name="uk-gaap:ShareholderFunds" contextRef="cy-end"'),
    ('name="core:CashBankOnHand"', 'name="uk-gaap:CashBankInHand"'),
    ('name="core:ProfitLoss"', 'name="uk-gaap:ProfitLossForPeriod"'),
    ('name="core:InterestPayableSimilarChargesFinanceCosts"', 'name="uk-gaap:InterestPayableSimilarCharges"'),
]


def test_old_uk_gaap_names(tmp_path: Path) -> None:
    """The same filing re-tagged with old UK GAAP names (uk-gaap namespace, no dimensions)."""
    text = FIXTURE.read_text()
    for old, new in RETAGGED:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "uk-gaap.html"
    path.write_text(text)
    current = read_ixbrl(path)[-1]
    assert current.revenue == Decimal(2_400_000)
    assert current.current_liabilities == Decimal(400_000)
    assert current.retained_earnings == Decimal(640_000)
    assert current.equity == Decimal(650_000)
    assert current.cash == Decimal(250_000)
    assert current.net_income == Decimal(136_000)
    assert current.interest_expense == Decimal(12_000)


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_bulk_accounts_read_one_companys_filings_within_bounds() -> None:
    from commonweal.io.ixbrl import parse_bulk_accounts
    from commonweal.io.structured import limits

    data = _zip({"Prod224_0078_09876543_20240331.html": FIXTURE.read_bytes(),
                 "Prod224_0078_00007464_20240331.html": b"never opened"})
    years = parse_bulk_accounts("bulk.zip", data, "09876543")
    assert [y.year_end for y in years] == [dt.date(2023, 3, 31), dt.date(2024, 3, 31)]
    with pytest.raises(InputError, match="not a ZIP file"):
        parse_bulk_accounts("bulk.zip", b"PK\x03\x04 truncated", "09876543")
    with pytest.raises(InputError, match="holds no accounts for company number 12345678"):
        parse_bulk_accounts("bulk.zip", data, "12345678")
    # a member that inflates far beyond its compressed size is refused before it is read
    bomb = _zip({"Prod224_0078_09876543_20250331.html": b"0" * 3_000_000})
    with pytest.raises(InputError, match="would unpack to 3,000,000 bytes"):
        parse_bulk_accounts("bulk.zip", bomb, "09876543")
    with pytest.raises(InputError, match="larger than 100 bytes"):
        parse_bulk_accounts("bulk.zip", data, "09876543", limits(max_bytes=100))
