"""360Giving grants (JSON packages `{"grants": [...]}`), read into the same normalised rows as spend files.

Streams with ijson, so a national file does not need to fit in memory; numbers arrive as exact Decimals. Award
dates are detected like any spend file's: ISO, or dd/mm/yyyy only when some day is above 12.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import ijson

from commonweal.io.errors import InputError, ProblemCollector
from commonweal.io.json_depth import check_json_depth
from commonweal.io.spend.reader import ImportReport, Rejection, SpendFile, SpendRecord, clean_text, summarise
from commonweal.io.spend.values import AmbiguousDateOrderError, detect_date_format, parse_amount, parse_date


def _grants(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        check_json_depth(handle, path.name)
        yield from ijson.items(handle, "grants.item")


def _first(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], dict) else {}
    return value if isinstance(value, dict) else {}


def read_360giving(path: Path, date_order: str | None = None) -> SpendFile:
    name = path.name
    problems = ProblemCollector()
    try:
        grants = list(_grants(path))
    except InputError:
        raise
    except (OSError, ijson.JSONError) as exc:
        problems.add(name, f"cannot be read as 360Giving JSON (a package with a grants array): {exc}")
        problems.raise_if_any()
        raise AssertionError("unreachable") from exc
    try:
        date_fmt = detect_date_format((str(g.get("awardDate", "")).split(" ")[0] for g in grants), date_order)
    except (AmbiguousDateOrderError, ValueError) as exc:
        problems.add(name, str(exc), column="awardDate")
    problems.raise_if_any()
    report = ImportReport(file=name, sha256=hashlib.sha256(path.read_bytes()).hexdigest(), council="",
                          kind="grant", encoding="utf-8 (JSON)", header_row=0,
                          mapping={"date": "awardDate", "amount": "amountAwarded",
                                   "supplier_name": "recipientOrganization[0].name",
                                   "charity_number": "recipientOrganization[0].charityNumber",
                                   "company_number": "recipientOrganization[0].companyNumber",
                                   "postcode": "recipientOrganization[0].postalCode",
                                   "council": "fundingOrganization[0].name"},
                          ignored_columns=[], date_format=date_fmt.describe() if date_fmt else "none")
    records = []
    for index, grant in enumerate(grants, start=1):
        report.rows_read += 1
        recipient = _first(grant.get("recipientOrganization"))
        funder = _first(grant.get("fundingOrganization"))
        try:
            raw_amount = grant.get("amountAwarded")
            amount = raw_amount.quantize(Decimal("0.01")) if isinstance(raw_amount, Decimal) and \
                raw_amount == raw_amount.quantize(Decimal("0.01")) else parse_amount(str(raw_amount or ""))
        except ValueError as exc:
            report.rejections.append(Rejection(index, "amountAwarded", str(exc)))
            continue
        date_text = str(grant.get("awardDate", "")).split(" ")[0]
        try:
            date = parse_date(date_text, date_fmt) if date_fmt else None
        except ValueError as exc:
            report.rejections.append(Rejection(index, "awardDate", str(exc)))
            continue
        if date is None:
            report.rejections.append(Rejection(index, "awardDate", "award date is blank"))
            continue
        records.append(SpendRecord(
            source_file=name, source_row=index, council=clean_text(str(funder.get("name", ""))) or path.stem,
            kind="grant", date=date, period=date.replace(day=1), amount=amount,
            supplier_name=clean_text(str(recipient.get("name", ""))), supplier_redacted=False,
            supplier_id=str(recipient.get("id", "")), company_number=str(recipient.get("companyNumber", "") or ""),
            charity_number=str(recipient.get("charityNumber", "") or ""),
            postcode=str(recipient.get("postalCode", "") or "").upper(),
            service_area=clean_text(str(funder.get("department", "") or grant.get("grantProgramme", "") or "")),
            description=clean_text(str(grant.get("title", "") or grant.get("description", ""))),
            transaction_id=str(grant.get("id", "")), flags="grant360"))
    summarise(report, records)
    return SpendFile(report=report, records=records)
