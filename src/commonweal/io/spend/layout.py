"""Which column of a published spend file means what: header synonyms across councils, the header row behind a
report preamble, marker columns, the kind of file, and the `--column-map` file that overrides detection.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from commonweal.io.errors import ProblemCollector
from commonweal.io.spend.values import DATE_ORDERS, looks_like_date, parse_amount
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
    the header; `date_order` is `dmy` or `mdy`; `kind` is payment, card, grant or contract; `period` is the month
    (`2014-04`) rows without a usable date are given, each flagged `period_stated`.
    """

    columns: dict[str, str] = field(default_factory=dict)
    header_row: int | None = None
    date_order: str | None = None
    kind: str | None = None
    council: str | None = None
    period: dt.date | None = None


def stated_period(text: str) -> dt.date:
    """`2014-04` (or `2014-04-01`) -> the first day of that month; ValueError naming what was expected."""
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-01)?", text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"period '{text}' is not a month; expected yyyy-mm such as 2014-04")
    return dt.date(int(match[1]), int(match[2]), 1)


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
        problems.add(name, "expected a mapping with keys columns, header_row, date_order, kind, council, period")
        problems.raise_if_any()
        raise AssertionError("unreachable")
    allowed = {"columns", "header_row", "date_order", "kind", "council", "period"}
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
    period = None
    if data.get("period") is not None:
        try:
            period = stated_period(str(data["period"]))
        except ValueError as exc:
            problems.add(name, str(exc), column="period")
    problems.raise_if_any()
    return ColumnMap(columns={str(k): str(v) for k, v in columns.items()}, header_row=header_row,
                     date_order=date_order, kind=kind, council=data.get("council"), period=period)


@dataclass(frozen=True)
class Layout:
    """The detected (or stated) layout of one file."""

    header_index: int  # 0-based record index of the header
    headers: tuple[str, ...]  # as written, cleaned
    columns: dict[str, int]  # canonical field -> column index
    ignored: tuple[str, ...]  # headers (or `column N`) not used, for the report
    marker_columns: tuple[int, ...]
    kind: str
    confidence: dict[str, str] = field(default_factory=dict)  # field -> how sure, and the evidence

    def mapping(self) -> dict[str, str]:
        return {name: self.headers[index] for name, index in self.columns.items()}


# What a header may carry besides its name: currency signs and units (`Amount £`, `Value (GBP)`), a trailing
# colon, no-break spaces. Dropped before names are compared.
_UNITS = re.compile(r"[£$€]|\bgbp\b|\bin\s+pounds\b|\bpounds\b|\bsterling\b", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# Fields a spend file cannot do without; they alone are also found from partial names and the cells below.
REQUIRED = ("amount", "supplier_name", "date")
# Words that say a column names a supplier's identifier or grouping, not the supplier (`Supplier ID`,
# `Supplier Classification`, `Supplier Match`): never the supplier's name however its cells read.
_NOT_A_NAME = frozenset({"id", "code", "number", "no", "ref", "reference", "type", "category", "classification",
                         "site", "match", "status", "address", "postcode", "vat", "group"})
# Words that make a date column more or less likely to be the payment date when a file has several date-named
# columns and none has a known name (Commonweal default, configurable here).
DATE_PREFERENCE = {"payment": 0.5, "paid": 0.5, "clearing": 0.5, "transaction": 0.3, "posting": 0.2,
                   "invoice": -0.5, "due": -0.5, "created": -0.5, "entered": -0.5, "start": -0.5, "end": -0.5,
                   "expiry": -0.5, "received": -0.5}
# Rows below a candidate header whose cells are read as evidence of what each column holds. Commonweal default.
EVIDENCE_ROWS = 200
# Share of a column's non-blank cells that must read as the field (amounts, dates, names) for the cells to count
# as evidence for a column named only in part. Commonweal default.
EVIDENCE_SHARE = 0.8
_LETTER = re.compile(r"[^\W\d_]")


def header_names(cell: str) -> tuple[str, ...]:
    """The normalised names a header cell may be read as: as written (case, spacing and punctuation dropped), then
    without currency signs and units, then with a joined camelCase word split (`paidDate` -> `paid_date`)."""
    text = unicodedata.normalize("NFKC", cell).strip()
    names = [normalise_header(text), normalise_header(_UNITS.sub(" ", text))]
    if " " not in text and "_" not in text:
        names.append(normalise_header(_CAMEL.sub(" ", _UNITS.sub(" ", text))))
    return tuple(dict.fromkeys(n for n in names if n))


def _exact(names: Sequence[str]) -> dict[str, int]:
    """Fields whose synonyms include one of a cell's names -> the synonym's rank (0 = most preferred)."""
    found: dict[str, int] = {}
    for field_name, synonyms in SYNONYMS.items():
        ranks = [synonyms.index(n) for n in names if n in synonyms]
        if ranks:
            found[field_name] = min(ranks)
    return found


def _partial(field_name: str, names: Sequence[str]) -> float:
    """How much of a known name of the field a cell's name holds as whole words: the words of the longest synonym
    found in it, less a tenth for each other word (`Approved Supplier (Beneficiary) Name` holds
    `supplier_beneficiary_name`: 3 - 0.1). 0 when none, or when the cell names an identifier."""
    best = 0.0
    for name in names:
        words = name.split("_")
        if field_name == "supplier_name" and _NOT_A_NAME & set(words):
            continue
        for synonym in SYNONYMS[field_name]:
            parts = synonym.split("_")
            if any(words[i:i + len(parts)] == parts for i in range(len(words) - len(parts) + 1)):
                score = len(parts) - 0.1 * (len(words) - len(parts))
                if field_name == "date":
                    score += sum(DATE_PREFERENCE.get(w, 0.0) for w in words)
                best = max(best, score)
        if field_name == "supplier_name" and best == 0 and words == ["name"]:
            best = 0.5  # a bare `Name` column: a name, if its cells read as names
    return best


def _reads_as(field_name: str, cells: Sequence[str]) -> float:
    """The share of the non-blank cells that read as the field: amounts, dates, or names (with letters)."""
    values = [c.strip() for c in cells if c.strip()]
    if not values:
        return 0.0
    test: dict[str, Callable[[str], bool]] = {"amount": _is_amount, "date": looks_like_date,
                                               "supplier_name": lambda v: bool(_LETTER.search(v))}
    return sum(1 for v in values if test[field_name](v)) / len(values)


def _is_amount(text: str) -> bool:
    try:
        parse_amount(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class _Evidence:
    columns: dict[str, int]
    confidence: dict[str, str]
    ambiguous: dict[str, tuple[int, ...]]
    exact_cells: int


def _evidence(headers: Sequence[str], body: Sequence[Sequence[str]], stated: dict[str, int]) -> _Evidence:
    """Map a header row's columns to fields by evidence: exact known names first (in synonym order, as before),
    then, for the fields a spend file needs, the best partial name whose cells below read as that field."""
    names = [header_names(h) for h in headers]
    exact = [_exact(n) for n in names]
    columns = dict(stated)
    confidence = {f: "stated by the person importing" for f in stated}
    used = set(stated.values())
    for field_name in SYNONYMS:
        if field_name in columns:
            continue
        candidates = [(ranks[field_name], i) for i, ranks in enumerate(exact) if field_name in ranks and i not in used]
        if candidates:
            columns[field_name] = min(candidates)[1]
            used.add(columns[field_name])
            confidence[field_name] = f"high: the header '{headers[columns[field_name]]}' is a known name"
    ambiguous: dict[str, tuple[int, ...]] = {}
    sample = body[:EVIDENCE_ROWS]
    for field_name in REQUIRED:
        if field_name in columns or (field_name == "date" and "period" in columns):
            continue
        scored = []
        for i, cell_names in enumerate(names):
            if i in used or not (score := _partial(field_name, cell_names)):
                continue
            share = _reads_as(field_name, [r[i] for r in sample if len(r) > i])
            if share >= EVIDENCE_SHARE:
                scored.append((score, i, share))
        scored.sort(key=lambda t: (-t[0], t[1]))
        if len(scored) > 1 and scored[0][0] - scored[1][0] < 0.05:
            ambiguous[field_name] = tuple(i for score, i, _ in scored if scored[0][0] - score < 0.05)
        elif scored:
            score, index, share = scored[0]
            columns[field_name] = index
            used.add(index)
            confidence[field_name] = (f"{'medium' if score >= 0.8 else 'low'}: the header '{headers[index]}' holds "
                                      f"a known name in part and {share:.0%} of the cells below read as "
                                      f"{field_name.replace('_', ' ')}s")
    return _Evidence(columns, confidence, ambiguous, sum(1 for e in exact if e))


def _header_rank(evidence: _Evidence) -> float:
    """How strongly a row reads as the header: the fields a spend file needs found, then known names."""
    found = evidence.columns
    needed = sum(3 for f in ("amount", "supplier_name") if f in found) + (2 if "date" in found or "period" in found
                                                                          else 0)
    return needed + evidence.exact_cells


def find_header(records: Sequence[Sequence[str]], start: int = 0) -> int | None:
    """The row among the first HEADER_SEARCH_ROWS from `start` that best reads as a header (an amount and a
    supplier column found by name or by name and content, then the most known names); the first of equals, so an
    Agresso `columns` line, which names fewer, loses to the real header below it. Report preambles (titles, run
    dates, parameters, blank lines) never name an amount and a supplier, so they are passed over."""
    best, best_rank = None, 0.0
    for index in range(start, min(len(records), start + HEADER_SEARCH_ROWS)):
        cells = records[index]
        if sum(1 for c in cells if c.strip()) < 2:
            continue
        evidence = _evidence(cells, records[index + 1:index + 1 + EVIDENCE_ROWS], {})
        if not {"amount", "supplier_name"} <= set(evidence.columns) | set(evidence.ambiguous):
            continue
        rank = _header_rank(evidence)
        if rank > best_rank:
            best, best_rank = index, rank
    return best


def is_header_row(cells: Sequence[str]) -> bool:
    """A row part-way down a sheet that is another header (a repeated one, or a new block whose columns moved):
    three or more known names, one of them an amount's."""
    exact = [_exact(header_names(c)) for c in cells if c.strip()]
    return sum(1 for e in exact if e) >= 3 and any("amount" in e for e in exact)


def detect_layout(file: str, records: Sequence[Sequence[str]], stated: ColumnMap,
                  problems: ProblemCollector, start: int = 0, header_index: int | None = None) -> Layout | None:
    """Find the header (at `header_index` when known; else by evidence from row `start`) and map its columns; adds
    a problem and returns None when the file cannot be understood, or when the evidence is ambiguous (two columns
    that could each be the amount, supplier or date): which one is never guessed."""
    if header_index is None and stated.header_row is not None:
        header_index = stated.header_row - 1
        if header_index >= len(records):
            problems.add(file, f"the column map says the header is on row {stated.header_row} but the file has "
                               f"{len(records)} rows", row=stated.header_row)
            return None
    elif header_index is None:
        header_index = find_header(records, start)
    if header_index is None:
        problems.add(file, f"no header row found in the first {HEADER_SEARCH_ROWS} rows: expected a row naming an "
                           "amount column (Amount, Net Amount, ...) and a supplier, with amounts and names below "
                           "it; if this is a spend file, state its layout with --column-map (header_row, columns)",
                     row=start + 1 if start else None)
        return None
    headers = tuple(cell.strip() for cell in records[header_index])
    normalised = [normalise_header(h) for h in headers]
    body = records[header_index + 1:]
    marker_columns = tuple(
        i for i, name in enumerate(normalised)
        if not name and any(len(r) > i and r[i].strip() for r in body[:50])
        and all(len(r) <= i or not r[i].strip() or r[i].strip().upper() in MARKER_VALUES for r in body)
    )
    stated_columns: dict[str, int] = {}
    for name, written in stated.columns.items():
        header = written.strip()  # headers are compared as cleaned (`Supplier Name ` is `Supplier Name`)
        if header not in headers:
            problems.add(file, f"the column map names header '{header}' for {name}, but the header row has "
                               f"{', '.join(repr(h) for h in headers if h)}", row=header_index + 1, column=header)
            continue
        stated_columns[name] = headers.index(header)
        _refuse_twice(file, name, headers, [i for i, h in enumerate(headers) if h == header], header_index, problems)
    evidence = _evidence(headers, body, stated_columns)
    columns = evidence.columns
    for name, index in columns.items():
        if name not in stated_columns:
            _refuse_twice(file, name, headers, [i for i, n in enumerate(normalised) if n == normalised[index]],
                          header_index, problems)
    for name, indexes in evidence.ambiguous.items():
        problems.add(file, f"{len(indexes)} columns could each hold the {name.replace('_', ' ')} "
                           f"({', '.join(repr(headers[i]) for i in indexes)}): which one is not guessed; state it "
                           f"with --column-map (columns: {{{name}: ...}}) or on the mapping screen",
                     row=header_index + 1, column=headers[indexes[0]])
    if problems.problems:
        return None
    kind = stated.kind or _detect_kind(file, set(normalised))
    missing = [name for name in ("amount", "supplier_name") if name not in columns]
    if "date" not in columns and "period" not in columns and stated.period is None:
        missing.append("date")
    for name in missing:
        problems.add(file, f"no column for {name}: expected a header such as {', '.join(SYNONYMS[name][:6])}, or a "
                           f"header holding one of them with {name.replace('_', ' ')}s below it; name it with "
                           f"--column-map{' (or state the period the file covers)' if name == 'date' else ''}",
                     row=header_index + 1, column=name)
    if missing:
        return None
    width = max((len(r) for r in body), default=len(headers))
    ignored = tuple(
        (headers[i] if i < len(headers) and headers[i] else f"column {i + 1} (unnamed)")
        for i in range(max(width, len(headers))) if i not in columns.values() and i not in marker_columns
    )
    return Layout(header_index, headers, columns, ignored, marker_columns, kind, evidence.confidence)


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
