import datetime as dt
from decimal import Decimal

import pytest

from commonweal.io.spend.values import (
    AmbiguousDateOrderError,
    DateFormat,
    detect_date_format,
    fiscal_period_start,
    is_redaction,
    parse_amount,
    parse_date,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("1234.5", "1234.50"),
    ('"1,607,296.99"'.strip('"'), "1607296.99"),
    ("£4,808.60", "4808.60"),
    ("-£2,520.00", "-2520.00"),
    ("£-33.32", "-33.32"),
    ("2,520.00-", "-2520.00"),
    ("(33.32)", "-33.32"),
    ("\ufffd600.00", "600.00"),
    ("-2500", "-2500.00"),
    ("4582.499999999", "4582.50"),  # float artefact of a spreadsheet export
    (" 1 000.10 ", "1000.10"),
])
def test_amounts_parse_exactly(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "12.345", "1.2.3", "--5"])
def test_bad_amounts_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match="amount"):
        parse_amount(text)


def test_day_first_is_detected_only_from_a_day_above_12() -> None:
    fmt = detect_date_format(["01/10/2025", "31/10/2025"])
    assert fmt is not None and fmt.style == "dmy"
    assert parse_date("01/10/2025", fmt) == dt.date(2025, 10, 1)
    fmt = detect_date_format(["10/01/2025", "10/31/2025"])
    assert fmt is not None and fmt.style == "mdy"
    assert parse_date("10/01/2025", fmt) == dt.date(2025, 10, 1)


def test_ambiguous_dates_stop_and_say_how_to_state_the_order() -> None:
    with pytest.raises(AmbiguousDateOrderError, match="--date-order dmy"):
        detect_date_format(["01/02/2022", "03/04/2022"])
    fmt = detect_date_format(["01/02/2022"], stated_order="mdy")
    assert fmt is not None and parse_date("01/02/2022", fmt) == dt.date(2022, 1, 2)


def test_mixed_orders_in_one_file_are_refused() -> None:
    with pytest.raises(ValueError, match="mix"):
        detect_date_format(["13/01/2022", "01/13/2022"])


def test_named_month_and_two_digit_years() -> None:
    fmt = detect_date_format(["14-Jan-2011", "03-Feb-11"])
    assert fmt == DateFormat("named", "14-Jan-2011")
    assert parse_date("03-Feb-11", fmt) == dt.date(2011, 2, 3)
    assert parse_date("2022-08-28 00:00:00", fmt) == dt.date(2022, 8, 28)


def test_fiscal_period_202205_is_august_2022() -> None:
    # period 1 = April, so period 5 = August of FY 2022/23; period 10 = January 2023
    assert fiscal_period_start(2022, 5) == dt.date(2022, 8, 1)
    assert fiscal_period_start(2022, 10) == dt.date(2023, 1, 1)
    fmt = detect_date_format(["202205"])
    assert fmt is not None and parse_date("202205", fmt) == dt.date(2022, 8, 1)
    with pytest.raises(ValueError, match="period"):
        fiscal_period_start(2022, 13)


def test_impossible_dates_are_named() -> None:
    with pytest.raises(ValueError, match="2022-09-31"):
        parse_date("2022-09-31", DateFormat("iso", ""))


@pytest.mark.parametrize(("text", "redacted"), [
    ("REDACTED UNDER DP ACT", True), ("Redacted Personal Information", True), ("REDACTED - Personal Information",
                                                                              True),
    ("REDACTED COMMERCIAL CONFIDENTIALITY", True), ("Redacted", True), ("REDACTIVE PUBLISHING LTD", False),
    ("Age UK Warwickshire", False),
])
def test_redaction_markers(text: str, redacted: bool) -> None:
    assert is_redaction(text) is redacted
