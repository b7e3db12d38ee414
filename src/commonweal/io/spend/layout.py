"""Which column of a published spend file means what: header synonyms across councils, the header row behind a
report preamble, marker columns, the kind of file, and the `--column-map` file that overrides detection.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from commonweal.io.errors import ProblemCollector
from commonweal.io.spend.values import DATE_ORDERS
from commonweal.io.structured import load_yaml  # the one safe YAML loader (issue #15)
from commonweal.io.tabular import normalise_header

# Canonical field -> header synonyms (normalised by `normalise_header`) in order of preference: when a file has
# two candidates (Wakefield's `Effective Date` and `Payment Date`), the earlier synonym wins.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("payment_date", "pay_date", "date_paid", "paid_date", "invoice_payment_date", "transaction_date",
             "date_the_grant_was_awarded", "award_date", "date_of_award", "gl_date", "start_date", "date",
             "effective_date", "posting_date"),
    "period": ("period", "fiscal_period", "accounting_period"),
    "amount": ("amount", "net_amount", "total_excludes_vat", "invoiced_value", "amount_excl_vat",
               "amount_excluding_vat", "net_value", "value", "annual_value", "amount_awarded", "transaction_amount",
               "line_amount", "total"),
    "total_value": ("total_contract_value_including_extensions", "total_contract_value", "contract_value"),
    "end_date": ("current_expiry_date", "end_date", "expiry_date"),
    # Gateshead's raw `Supplier ID(T)` column holds the supplier's name (see shared/data/spend/README.md).
    "supplier_name": ("supplier_name", "supplier_beneficiary_name", "supplier_company_name", "beneficiary",
                      "beneficiary_name", "recipient_name", "payee_name", "payee", "merchant_name", "supplier",
                      "supplier_id_t", "vendor_name", "creditor_name"),
    "supplier_id": ("supplier_id", "supplier_number", "address_book_no", "creditor_id", "vendor_id",
                    "beneficiary_registration_number"),
    "transaction_id": ("transaction_number", "transno", "transaction_no", "document_no", "internal_ref_number",
                       "internal_ref", "internal_reference_number", "contract_reference", "journal_reference"),
    "sequence": ("seq_no", "sequence_number", "line_number"),
    "invoice_number": ("invoice_number", "invoice_no", "invoice_ref"),
    "service_area": ("service_area", "expense_area", "service_label", "bvacopse_t", "organisational_unit",
                     "spend_area", "directorate_name", "local_authority_department_which_awarded_the_grant",
                     "department", "directorate", "nstrg_t", "group", "service"),
    "expense_type": ("expense_type", "expenses_type", "detailed_expenditure_type", "account_description",
                     "expense_code_description", "cipfsubs_t", "description", "expenditure_category",
                     "procurement_classification_council_s_procurement_category_name", "cipfsubj_t",
                     "proclass_description", "group_description"),
    "expense_code": ("expense_code", "detailed_expenditure_code", "account_code", "account", "proclass_classification"),
    "description": ("purpose_of_spend_summary", "purpose_of_spend", "summary_of_the_purpose_of_the_grant",
                    "extended_description", "contract_title", "purpose", "cost_centre_name", "narrative"),
    "grant_period": ("time_period_for_which_the_grant_has_been_given", "grant_duration"),
    "council": ("name_of_body", "body_name", "organisation_name", "purchasing_body", "organisation"),
    "company_number": ("supplier_registered_company_number", "company_number", "company_registration_number",
                       "registered_company_number"),
    "charity_number": ("supplier_registered_charity_number", "charity_number", "registered_charity_number"),
    "vat_number": ("vat_reg_no", "vat_registration_number", "vat_number", "vat_no"),
    "postcode": ("supplier_postcode", "postcode", "post_code"),
    "council_supplier_type": ("creditor_type", "thomson_classification_description", "merchant_category",
                              "supplier_type"),
    "council_vcse_flag": ("voluntary_community_and_social_enterprise_supplier", "vcse_supplier", "vcse"),
    "council_sme_flag": ("sme_supplier", "sme"),
}
FIELDS = tuple(SYNONYMS)
KINDS = ("payment", "card", "grant", "contract")
MARKER_VALUES = frozenset({"INSERTED DETAIL", "DETAIL"})
_KNOWN = {synonym for names in SYNONYMS.values() for synonym in names}
_CARD_FILE = re.compile(r"p[-_ ]?card|procurement[-_ ]?card|purchas\w*[-_ ]?card|\bgpc\b", re.IGNORECASE)
HEADER_SEARCH_ROWS = 40


@dataclass(frozen=True)
class ColumnMap:
    """A person's statement of a layout, overriding detection (the `--column-map` file).

    `columns` maps canonical fields to header text as written in the file; `header_row` is the 1-based row of
    the header; `date_order` is `dmy` or `mdy`; `kind` is payment, card, grant or contract.
    """

    columns: dict[str, str] = field(default_factory=dict)
    header_row: int | None = None
    date_order: str | None = None
    kind: str | None = None
    council: str | None = None


def load_column_map(path: Path) -> ColumnMap:
    """Read a column-map file (YAML or JSON), naming the key and what was expected for anything wrong."""
    problems = ProblemCollector()
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = json.loads(text) if path.suffix.lower() == ".json" else load_yaml(name, text).data
    except (OSError, ValueError, yaml.YAMLError) as exc:
        problems.add(name, f"cannot be read as a column map: {exc}")
        problems.raise_if_any()
        raise AssertionError("unreachable") from exc
    if not isinstance(data, dict):
        problems.add(name, "expected a mapping with keys columns, header_row, date_order, kind, council")
        problems.raise_if_any()
        raise AssertionError("unreachable")
    allowed = {"columns", "header_row", "date_order", "kind", "council"}
    for key in data:
        if key not in allowed:
            problems.add(name, f"unknown key; expected one of {', '.join(sorted(allowed))}", column=str(key))
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        problems.add(name, "expected a mapping of field: header", column="columns")
        columns = {}
    for key in columns:
        if key not in SYNONYMS:
            problems.add(name, f"unknown field; expected one of {', '.join(FIELDS)}", column=f"columns.{key}")
    header_row = data.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        problems.add(name, "expected a row number from 1", column="header_row")
    date_order = data.get("date_order")
    if date_order is not None and date_order not in DATE_ORDERS:
        problems.add(name, f"expected one of {', '.join(DATE_ORDERS)}", column="date_order")
    kind = data.get("kind")
    if kind is not None and kind not in KINDS:
        problems.add(name, f"expected one of {', '.join(KINDS)}", column="kind")
    problems.raise_if_any()
    return ColumnMap(columns={str(k): str(v) for k, v in columns.items()}, header_row=header_row,
                     date_order=date_order, kind=kind, council=data.get("council"))


@dataclass(frozen=True)
class Layout:
    """The detected (or stated) layout of one file."""

    header_index: int  # 0-based record index of the header
    headers: tuple[str, ...]  # as written, cleaned
    columns: dict[str, int]  # canonical field -> column index
    ignored: tuple[str, ...]  # headers (or `column N`) not used, for the report
    marker_columns: tuple[int, ...]
    kind: str

    def mapping(self) -> dict[str, str]:
        return {name: self.headers[index] for name, index in self.columns.items()}


def _header_score(cells: Sequence[str]) -> int:
    return sum(1 for cell in cells if normalise_header(cell) in _KNOWN)


def find_header(records: Sequence[Sequence[str]]) -> int | None:
    """The record that best matches known headers among the first rows, needing an amount column and at least
    three known headers: the first such row with the highest score (so an Agresso `columns` line, which matches
    fewer synonyms, loses to the real header below it)."""
    best, best_score = None, 2
    for index, cells in enumerate(records[:HEADER_SEARCH_ROWS]):
        names = {normalise_header(c) for c in cells}
        if not names & set(SYNONYMS["amount"]):
            continue
        score = _header_score(cells)
        if score > best_score:
            best, best_score = index, score
    return best


def detect_layout(file: str, records: Sequence[Sequence[str]], stated: ColumnMap,
                  problems: ProblemCollector) -> Layout | None:
    """Find the header and map its columns; adds a problem and returns None when the file cannot be understood."""
    if stated.header_row is not None:
        header_index: int | None = stated.header_row - 1
        if header_index is not None and header_index >= len(records):
            problems.add(file, f"the column map says the header is on row {stated.header_row} but the file has "
                               f"{len(records)} rows", row=stated.header_row)
            return None
    else:
        header_index = find_header(records)
    if header_index is None:
        problems.add(file, "no header row found in the first 40 rows: expected a row naming an amount column "
                           "(Amount, Net Amount, ...) and a supplier and date; state it with --column-map "
                           "(header_row, columns)")
        return None
    headers = tuple(cell.strip() for cell in records[header_index])
    normalised = [normalise_header(h) for h in headers]
    body = records[header_index + 1:]
    marker_columns = tuple(
        i for i, name in enumerate(normalised)
        if not name and any(len(r) > i and r[i].strip() for r in body[:50])
        and all(len(r) <= i or not r[i].strip() or r[i].strip().upper() in MARKER_VALUES for r in body)
    )
    columns: dict[str, int] = {}
    used: set[int] = set()
    for name, header in stated.columns.items():
        if header not in headers:
            problems.add(file, f"the column map names header '{header}' for {name}, but the header row has "
                               f"{', '.join(repr(h) for h in headers if h)}", row=header_index + 1, column=header)
            continue
        columns[name] = headers.index(header)
        used.add(columns[name])
        _refuse_twice(file, name, headers, [i for i, h in enumerate(headers) if h == header], header_index, problems)
    for name, synonyms in SYNONYMS.items():
        if name in columns:
            continue
        for synonym in synonyms:
            if synonym in normalised and normalised.index(synonym) not in used:
                columns[name] = normalised.index(synonym)
                used.add(columns[name])
                _refuse_twice(file, name, headers, [i for i, n in enumerate(normalised) if n == synonym],
                              header_index, problems)
                break
    if problems.problems:
        return None
    kind = stated.kind or _detect_kind(file, set(normalised))
    missing = [name for name in ("amount", "supplier_name") if name not in columns]
    if "date" not in columns and "period" not in columns:
        missing.append("date")
    for name in missing:
        problems.add(file, f"no column for {name}: expected one of {', '.join(SYNONYMS[name])}; name it with "
                           f"--column-map", row=header_index + 1, column=name)
    if missing:
        return None
    width = max((len(r) for r in body), default=len(headers))
    ignored = tuple(
        (headers[i] if i < len(headers) and headers[i] else f"column {i + 1} (unnamed)")
        for i in range(max(width, len(headers))) if i not in used and i not in marker_columns
    )
    return Layout(header_index, headers, columns, ignored, marker_columns, kind)


def _refuse_twice(file: str, name: str, headers: Sequence[str], indexes: Sequence[int], header_index: int,
                  problems: ProblemCollector) -> None:
    """Two columns with the same header for a field used: which holds the field is not guessed."""
    if len(indexes) > 1:
        numbers = [str(i + 1) for i in indexes]
        problems.add(file, f"{len(indexes)} columns are headed '{headers[indexes[0]]}' (columns "
                           f"{', '.join(numbers[:-1])} and {numbers[-1]}): which holds the {name} is not guessed; "
                           "rename one, or state the column with --column-map", row=header_index + 1,
                     column=headers[indexes[0]])


def _detect_kind(file: str, names: set[str]) -> str:
    if names & {"contract_reference", "total_contract_value_including_extensions", "annual_value"}:
        return "contract"
    if names & {"beneficiary", "date_the_grant_was_awarded"}:
        return "grant"
    if "merchant_category" in names or _CARD_FILE.search(file):
        return "card"
    return "payment"
