"""Organisation identifiers as councils publish them, repaired and checked.

Companies House numbers are eight characters: eight digits for England and Wales, or a two-letter prefix (SC
Scotland, NI Northern Ireland, OC limited liability partnership, CE/CS charitable incorporated organisation,
RS/IP registered society, ...) and six digits (Companies House, "Company registration number" format).
Spreadsheets drop the leading zeros of the all-digit form (`4869035` for `04869035`), which we restore.
Registered charity numbers in England and Wales are six or seven digits (Charity Commission register), Scottish
ones `SC` and six digits (OSCR), Northern Irish ones `NIC` and six digits (CCNI). UK VAT registration numbers
are nine digits, or twelve for a branch (HMRC VAT Notice 700/1), written with or without a `GB` prefix.
"""

from __future__ import annotations

import re

# Companies House prefixes that mark a non-company legal form of interest to classification.
CIO_PREFIXES = ("CE", "CS")
REGISTERED_SOCIETY_PREFIXES = ("RS", "IP", "SP", "NP")
_COMPANY = re.compile(r"^([A-Z]{2})?(\d{1,8})$")
_CHARITY = re.compile(r"^(SC|NIC)?(\d{5,7})(-\d+)?$")
_VAT = re.compile(r"^(?:GB)?(\d{9}|\d{12})$")


def company_number(raw: str) -> str | None:
    """`'4869035'` -> `'04869035'`; `'sc123456'` -> `'SC123456'`; None for placeholders (`-`, `Various`, `0`)."""
    text = re.sub(r"[\s.]", "", raw.upper())
    match = _COMPANY.match(text)
    if not match:
        return None
    prefix, digits = match[1] or "", match[2]
    if int(digits) == 0 or len(prefix) + len(digits) > 8:
        return None
    return prefix + digits.zfill(8 - len(prefix))


def charity_number(raw: str) -> str | None:
    """`'1151621'` -> `'1151621'`; `'SC 012345'` -> `'SC012345'`; None when it is not a charity number."""
    text = re.sub(r"\s", "", raw.upper())
    match = _CHARITY.match(text)
    if not match or int(match[2]) == 0:
        return None
    return (match[1] or "") + match[2]


def vat_number(raw: str) -> str | None:
    """`'GB 785 4210 21'` -> `'785421021'`; None when it is not a UK VAT number."""
    text = re.sub(r"[\s.-]", "", raw.upper())
    match = _VAT.match(text)
    if not match or int(match[1]) == 0:
        return None
    return match[1]
