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
from commonweal.io.spend.reader import ImportReport, Rejection, SpendFile, SpendRecord, clean_text, summarise
from commonweal.io.spend.values import AmbiguousDateOrderError, detect_date_format, parse_amount, parse_date
from commonweal.io.structured import check_json_depth


def _grants(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        check_json_depth(handle, path.name)
        yield from ijson.items(handle, "grants.item")


def _has_grants_array(path: Path) -> bool:
    """Whether the document has a top-level `grants` array (an empty one, when no grant was read)."""
    with path.open("rb") as handle:
        return any(prefix == "grants" and event == "start_array" for prefix, event, _ in ijson.parse(handle))


def _first(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], dict) else {}
    return value if isinstance(value, dict) else {}


def _amount(raw: Any) -> Decimal:
    """`amountAwarded`, a JSON number read as an exact Decimal (or text, read as a spend file's amount). A number
    past the store's DECIMAL(18,2) (`1e999` included) is refused before it is rounded, which would overflow."""
    if isinstance(raw, Decimal):
        if not raw.is_finite() or raw.adjusted() >= 16:
            raise ValueError(f"amount {raw} is too large: amounts are stored up to 9999999999999999.99 pounds")
        if raw == raw.quantize(Decimal("0.01")):
            return raw.quantize(Decimal("0.01"))
    return parse_amount(str(raw or ""))


def read_360giving(path: Path, date_order: str | None = None) -> SpendFile:
    name = path.name
    problems = ProblemCollector()
    try:
        grants = list(_grants(path))
        if not grants and not _has_grants_array(path):
            problems.add(name, "holds no `grants` array: expected a 360Giving package, {\"grants\": [...]}")
    except InputError:
        raise
    except (OSError, ijson.JSONError) as exc:
        problems.add(name, f"cannot be read as 360Giving JSON (a package with a grants array): {exc}")
    problems.raise_if_any()
    try:
        date_fmt = detect_date_format((str(g.get("awardDate", "")).split(" ")[0] for g in grants
                                       if isinstance(g, dict)), date_order)
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
        if not isinstance(grant, dict):
            report.rejections.append(Rejection(index, None, f"expected a grant (a JSON object), found {grant!r:.40}"))
            continue
        recipient = _first(grant.get("recipientOrganization"))
        funder = _first(grant.get("fundingOrganization"))
        try:
            amount = _amount(grant.get("amountAwarded"))
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
