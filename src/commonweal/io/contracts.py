"""Read a contract folder: `contract.yaml` (the contract, its KPIs, social value commitments and any policy
overrides) beside CSV or XLSX tables for the periodic returns and the variations log. The layout is documented
in docs/contracts.md.

Every problem in every file is collected and reported together, naming the file, row and column; a return with
one bad row (an unknown KPI, a negative count, a period after the review date...) is rejected whole, and nothing
is returned for a folder with any problem in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from commonweal.domain.contracts.model import (
    Contract,
    ContractKind,
    Direction,
    Frequency,
    Kpi,
    KpiMeasurement,
    ModificationGround,
    Period,
    ProviderReport,
    Return,
    SocialValueCommitment,
    SocialValueDelivery,
    Variation,
    Verification,
    period_starting,
)
from commonweal.domain.contracts.review import DEFAULT_WINDOW_MONTHS
from commonweal.domain.contracts.social_value import SocialValuePolicy
from commonweal.domain.contracts.triggers import TriggerPolicy
from commonweal.domain.rag import COLOURS, Rag
from commonweal.domain.resilience import ContractTier
from commonweal.domain.socialvalue.library import Library, Measure
from commonweal.io.errors import InputError, ProblemCollector
from commonweal.io.fields import Fields, yaml_fields
from commonweal.io.socialvalue import COMMITMENTS, open_library, read_commitments, read_library, read_settings
from commonweal.io.structured import Folder, read_bytes
from commonweal.io.tabular import Row, find_table, parse_decimal, parse_iso_date, parse_money, parse_table, read_table

CONTRACT_FILE = "contract.yaml"
KPI_RETURNS = "kpi_returns"
SOCIAL_VALUE_RETURNS = "social_value_returns"
PROVIDER_RETURNS = "provider_returns"
VARIATIONS = "variations"

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class SupplierAccounts:
    """`supplier_accounts:` in contract.yaml: the supplier's accounts file (the supplier resilience layout, CSV,
    XLSX or iXBRL), the unit of its amounts and the contract's tier, for the financial rating trigger."""

    file: Path
    unit: str = "£"
    tier: ContractTier = ContractTier.MEDIUM


@dataclass(frozen=True)
class ContractFolder:
    """Everything read from one contract folder, validated. `supplier_accounts`, when given, is assessed by the
    contracts service (supplier resilience) to set the contract's financial rating."""

    path: Path
    contract: Contract
    returns: tuple[Return, ...]
    variations: tuple[Variation, ...]
    triggers: TriggerPolicy
    social_value: SocialValuePolicy
    window_months: int
    supplier_accounts: SupplierAccounts | None = None


def find_contract_folders(path: Path) -> list[Path]:
    """`path` is a contract.yaml, a contract folder, or a folder of contract folders."""
    problems = ProblemCollector()
    if path.is_file():
        if path.name != CONTRACT_FILE:
            problems.add(str(path), f"expected a {CONTRACT_FILE} or a folder holding one")
            problems.raise_if_any()
        return [path.parent]
    if (path / CONTRACT_FILE).is_file():
        return [path]
    folders = sorted(p for p in path.iterdir() if (p / CONTRACT_FILE).is_file()) if path.is_dir() else []
    if not folders:
        problems.add(str(path), f"no {CONTRACT_FILE} here or in any folder directly inside it")
        problems.raise_if_any()
    return folders


def load_contract_folders(path: Path, as_of: dt.date) -> list[ContractFolder]:
    """Load every contract under `path`; all problems in all folders are raised together."""
    problems = ProblemCollector()
    loaded = [_load_folder(folder, as_of, problems) for folder in find_contract_folders(path)]
    problems.raise_if_any()
    return [f for f in loaded if f is not None]


def load_contract_folder(folder: Path, as_of: dt.date) -> ContractFolder:
    problems = ProblemCollector()
    loaded = _load_folder(folder, as_of, problems)
    problems.raise_if_any()
    assert loaded is not None  # no problems means the folder loaded
    return loaded


# ---------------------------------------------------------------------------------------------------- contract.yaml

def _kpi(f: Fields) -> Kpi | None:
    kpi_id, title = f.text("id"), f.text("title")
    target = f.decimal("target")
    direction = f.choice("direction", Direction)
    tolerance = f.decimal("tolerance", minimum=Decimal(0))
    inadequate = f.decimal("inadequate_beyond", minimum=Decimal(0))
    if tolerance is not None and inadequate is not None and inadequate < tolerance:
        f.problem("inadequate_beyond", f"expected inadequate_beyond ({inadequate}) to be at least the tolerance "
                                       f"({tolerance})")
        return None
    if f.failed:
        return None
    assert kpi_id and title and target is not None and direction and tolerance is not None and inadequate is not None
    return Kpi(kpi_id, title, target, direction, tolerance, inadequate, f.text("unit", required=False) or "")


def _commitment(f: Fields, supplier: str, lot: str) -> SocialValueCommitment | None:
    measure = f.text("measure")
    quantity = f.decimal("quantity", minimum=Decimal(0))
    year = f.whole("year", minimum=1)
    value = f.decimal("value", minimum=Decimal(0))
    if f.failed:
        return None
    assert measure and quantity is not None and year is not None and value is not None
    return SocialValueCommitment.bid_priced(measure, quantity, year, value, f.text("unit", required=False) or "",
                                            supplier, lot)


def _linked_commitments(
    data: dict[str, Any], folder: Path, file: str, problems: ProblemCollector
) -> tuple[SocialValueCommitment, ...] | None:
    """`social_value:` names where the winning bid's commitments are, valued with the social value library:

    - `tender`: a tender folder (relative to the contract folder); its `commitments.csv|xlsx`, valued with the
      library its `socialvalue.yaml` pins (the pin is checked);
    - or `commitments`: a file in the `commitments.csv` layout, valued with `library` (a measures library file)
      or the open library;
    - `bidder` (default: the contract's `supplier`) and `lot` (default: the contract's `lot`) pick the winning
      bid's rows. A bid with no commitments there is refused, not read as a promise of nothing.
    """
    spec = data["social_value"]
    if not isinstance(spec, dict):
        problems.add(file, "expected a mapping with tender (or commitments), bidder and lot", column="social_value")
        return None
    unknown = sorted(set(spec) - {"tender", "commitments", "library", "bidder", "lot"})
    for key in unknown:
        problems.add(file, "is not a social_value setting; expected tender, commitments, library, bidder or lot",
                     column=f"social_value.{key}")
    if "commitments" in data:
        problems.add(file, "give the commitments either as a list here or through social_value:, not both",
                     column="commitments")
    if ("tender" in spec) == ("commitments" in spec):
        problems.add(file, "expected exactly one of tender (a tender folder) or commitments (a file)",
                     column="social_value")
    bidder = str(spec.get("bidder") or data.get("supplier") or "")
    lot = str(spec.get("lot") or data.get("lot") or "")
    if unknown or "commitments" in data or ("tender" in spec) == ("commitments" in spec):
        return None
    links = Folder.of(folder.parent)  # linked files must be beside the contract folder (or in the allow-list)
    try:
        library: Library
        if "tender" in spec:
            tender = links.resolve(str(spec["tender"]), file, "social_value.tender", base=folder,
                                   directory=True)
            library = read_settings(tender).library
            path = find_table(tender, COMMITMENTS)
            if path is None:
                problems.add(file, f"the tender folder {tender} has no commitments.csv or .xlsx",
                             column="social_value.tender")
                return None
        else:
            path = links.resolve(str(spec["commitments"]), file, "social_value.commitments", base=folder)
            library = (read_library(links.resolve(str(spec["library"]), file, "social_value.library", base=folder))
                       if spec.get("library") else open_library())
        bid = [c for c in read_commitments(path, library) if (c.bidder, c.lot) == (bidder, lot)]
    except InputError as exc:
        problems.extend(exc.problems)
        return None
    except OSError as exc:
        problems.add(file, f"cannot read the linked social value files: {exc}", column="social_value")
        return None
    if not bid:
        problems.add(file, f"{path.name} has no commitments for bidder '{bidder}' in lot '{lot}'",
                     column="social_value.bidder")
        return None
    measures: dict[str, Measure] = {m.id: m for m in library.measures}
    return tuple(SocialValueCommitment(c, measures[c.measure_id]) for c in bid)


def _supplier_accounts(top: Fields, folder: Path) -> SupplierAccounts | None:
    """`supplier_accounts: {file, unit, tier}`; it sets the financial rating, so both together are refused."""
    data, file, problems = top.data, top.file, top.problems
    spec = data.get("supplier_accounts")
    if spec is None:
        return None
    if not isinstance(spec, dict):
        top.expected("supplier_accounts", "a mapping with file, unit and tier")
        return None
    f = top.at("supplier_accounts")
    name, unit = f.text("file"), f.text("unit", required=False) or "£"
    tier = f.text("tier", required=False) or ContractTier.MEDIUM.value
    found = len(problems.problems)
    if unit not in ("£", "£m"):
        f.problem("unit", f"expected £ or £m, found {unit!r}")
    if tier not in {t.value for t in ContractTier}:
        f.problem("tier", f"expected one of high, medium, low, found {tier!r}")
    if data.get("financial_rating") is not None:
        problems.add(file, "give either financial_rating or supplier_accounts (which sets it), not both",
                     column="financial_rating")
    path = None
    if name is not None:
        try:
            path = Folder.of(folder.parent).resolve(name, file, "supplier_accounts.file", base=folder)
        except InputError as exc:
            problems.extend(exc.problems)
    if f.failed or path is None or len(problems.problems) > found:
        return None
    return SupplierAccounts(path, unit, ContractTier(tier))


def _policies(top: Fields) -> tuple[TriggerPolicy, SocialValuePolicy, int]:
    """`policy:` overrides of the Commonweal defaults; unknown keys are refused, not ignored."""
    raw = top.data.get("policy") or {}
    if not isinstance(raw, dict):
        top.expected("policy", "a mapping of policy settings")
        raw = {}
    f = top.at("policy")
    known: dict[str, Callable[[str], object]] = {"window_months": lambda k: f.whole(k, minimum=1)}
    for cls in (TriggerPolicy, SocialValuePolicy):
        for spec in fields(cls):
            if spec.type == "int":
                known[spec.name] = lambda k: f.whole(k, minimum=1)
            elif spec.name.endswith("_pct"):  # percentage points: a margin level may sensibly be negative
                known[spec.name] = f.decimal
            else:  # shares of a profile or of a volume
                known[spec.name] = lambda k: f.decimal(k, minimum=Decimal(0))
    values: dict[str, object] = {}
    for key in raw:
        if key not in known:
            f.problem(key, "is not a policy setting; expected one of " + ", ".join(sorted(known)))
        else:
            values[key] = known[key](key)
    if f.failed:
        return TriggerPolicy(), SocialValuePolicy(), DEFAULT_WINDOW_MONTHS

    def pick(cls: type) -> dict[str, object]:
        return {s.name: values[s.name] for s in fields(cls) if s.name in values}

    window = values.get("window_months", DEFAULT_WINDOW_MONTHS)
    assert isinstance(window, int)
    return TriggerPolicy(**pick(TriggerPolicy)), SocialValuePolicy(**pick(SocialValuePolicy)), window  # type: ignore[arg-type]


def _contract(f: Fields, folder: Path) -> Contract | None:
    data, file, problems = f.data, f.file, f.problems
    values = {
        "id": f.text("id"), "title": f.text("title"), "buyer": f.text("buyer"), "supplier": f.text("supplier"),
        "value": f.decimal("value", minimum=Decimal(0), money=True), "start": f.date("start"), "end": f.date("end"),
        "kind": f.choice("kind", ContractKind), "frequency": f.choice("frequency", Frequency),
    }
    kpis = [_kpi(f.at("kpis", i)) for i, _ in enumerate(f.items("kpis"))]
    supplier, lot = str(data.get("supplier") or ""), str(data.get("lot") or "")
    commitments = [_commitment(f.at("commitments", i), supplier, lot) for i, _ in enumerate(f.items("commitments"))]
    if "social_value" in data:
        linked = _linked_commitments(data, folder, file, problems)
        commitments += [None] if linked is None else list(linked)
    optional = {
        "lot": f.text("lot", required=False),
        "maximum_end": f.date("maximum_end", required=False),
        "light_touch": f.flag("light_touch"),
        "kpi_exemption_reason": f.text("kpi_exemption_reason", required=False),
        "price_indexation_pct": f.decimal("price_indexation_pct", required=False),
        "tender_volume_per_period": f.decimal("tender_volume_per_period", required=False, minimum=Decimal(0)),
        "financial_rating": f.choice("financial_rating", Rag, required=False, allowed=COLOURS),
        "threshold_amount": f.decimal("threshold_amount", required=False, minimum=Decimal(0)),
        "threshold_source": f.text("threshold_source", required=False),
    }
    if optional["threshold_amount"] is not None and optional["threshold_source"] is None:
        problems.add(file, "expected threshold_source: where the threshold amount was read (never a bare figure)",
                     column="threshold_source")
        return None
    ids = [k.id for k in kpis if k is not None]
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        problems.add(file, f"KPI id '{duplicate}' appears more than once", column="kpis")
        return None
    start, end, maximum_end = values["start"], values["end"], optional["maximum_end"]
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        problems.add(file, f"expected the end ({end}) on or after the start ({start})", column="end")
        return None
    if isinstance(end, dt.date) and isinstance(maximum_end, dt.date) and maximum_end < end:
        problems.add(file, f"expected maximum_end ({maximum_end}) on or after the end ({end})", column="maximum_end")
        return None
    if f.failed or None in kpis or None in commitments:
        return None
    return Contract(**values, **optional, kpis=tuple(kpis), commitments=tuple(commitments))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------- tables

class _Cells:
    """Strict reads from one table row, each failure a problem naming file, row and column."""

    def __init__(self, row: Row, problems: ProblemCollector):
        self.row, self.problems, self.failed = row, problems, False

    def fail(self, column: str, message: str) -> None:
        self.failed = True
        self.problems.add(self.row.file, message, row=self.row.number, column=column)

    def text(self, column: str, required: bool = True) -> str:
        value = self.row.get(column)
        if required and not value:
            self.fail(column, "expected a value, found an empty cell")
        return value

    def number(self, column: str, required: bool = True, non_negative: bool = True) -> Decimal | None:
        text = self.row.get(column)
        if not text and not required:
            return None
        value = parse_decimal(text.rstrip("%"))
        if value is None:
            self.fail(column, f"expected a number, found '{text}'")
        elif non_negative and value < 0:
            self.fail(column, f"expected a number of 0 or more, found {text}")
            return None
        return value

    def money(self, column: str) -> Decimal | None:
        text = self.row.get(column)
        value = parse_money(text)
        if value is None:
            self.fail(column, f"expected an amount in pounds such as 12500.00 or -12,500.00, found '{text}'")
        return value

    def date(self, column: str) -> dt.date | None:
        text = self.row.get(column)
        value = parse_iso_date(text)
        if value is None:
            self.fail(column, f"expected a date as YYYY-MM-DD, found '{text}'")
        return value

    def flag(self, column: str) -> bool:
        text = self.row.get(column).lower()
        if text in ("", "no", "false", "n"):
            return False
        if text in ("yes", "true", "y"):
            return True
        self.fail(column, f"expected yes or no, found '{text}'")
        return False

    def choice(self, column: str, enum: type[E]) -> E | None:
        text = self.row.get(column).lower()
        try:
            return enum(text)
        except ValueError:
            self.fail(column, f"expected one of {', '.join(e.value for e in enum)}, found '{text}'")
            return None

    def period(self, contract: Contract, as_of: dt.date) -> Period | None:
        """`period_start`: the first day of a month inside the contract, and the period over by `as_of`."""
        start = self.date("period_start")
        if start is None:
            return None
        period = period_starting(start, contract.frequency)
        if start.day != 1:
            self.fail("period_start", f"expected the first day of a month, found {start}")
        elif period.end > as_of:
            self.fail("period_start", f"the period {start} to {period.end} is in the future: it ends after the "
                      f"review date {as_of}")
        elif start < contract.start.replace(day=1) or start > contract.term_end:
            self.fail("period_start", f"the period {start} is outside the contract ({contract.start} to "
                      f"{contract.term_end})")
        else:
            return period
        return None


def _table(folder: Path, stem: str, required: tuple[str, ...], problems: ProblemCollector,
           label_root: Path) -> Iterable[Row]:
    try:
        path = find_table(folder, stem)
        if path is None:
            return []
        return read_table(path, required, label=str(path.relative_to(label_root)))
    except InputError as exc:  # fold the table reader's problems into this folder's
        problems.extend(exc.problems)
        return []


Tables = Callable[[str, tuple[str, ...]], Iterable[Row]]


def _load_returns(folder: Path, contract: Contract, as_of: dt.date, problems: ProblemCollector,
                  label_root: Path) -> tuple[Return, ...]:
    return _returns_from(lambda stem, required: _table(folder, stem, required, problems, label_root), contract,
                         as_of, problems)


#: the optional column of an uploaded return table naming the evidence file uploaded with it for that row's line
EVIDENCE_FILE = "evidence_file"


@dataclass(frozen=True)
class NamedEvidence:
    """An evidence file uploaded with return tables, for one return (`period_start`) and one of its lines: a KPI's
    id (a kpi_returns row), a measure (a social_value_returns row), or the whole return (`line` empty)."""

    period_start: dt.date
    line: str
    name: str


class _EvidenceNames:
    """The evidence files' names an upload carries and the rows that name them (`evidence_file`)."""

    def __init__(self, names: Sequence[str], problems: ProblemCollector) -> None:
        self.names, self.problems = set(names), problems
        self.found: list[NamedEvidence] = []
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.add(name, "two evidence files have this name: rename one, so a row names exactly one file")

    def read(self, cells: _Cells) -> str | None:
        """The file a row names, checked (before the row is judged, so a wrong name fails the row)."""
        name = cells.row.get(EVIDENCE_FILE)
        if name and name not in self.names:
            chosen = ", ".join(sorted(self.names)) or "none was uploaded"
            cells.fail(EVIDENCE_FILE, f"expected the name of an evidence file uploaded with the tables ({chosen}), "
                       f"found '{name}'")
        return name or None

    def add(self, period: Period, line: str, name: str | None) -> None:
        if name:
            self.found.append(NamedEvidence(period.start, line, name))

    def attached(self, returns: Sequence[Return]) -> tuple[NamedEvidence, ...]:
        """The named files, and every file no row names: attached to the whole return when the upload makes one
        return, refused when it makes several or none (which return it is for would be a guess)."""
        named = {e.name for e in self.found}
        loose = sorted(self.names - named)
        if loose and len(returns) == 1:
            return (*self.found, *(NamedEvidence(returns[0].period.start, "", name) for name in loose))
        for name in loose:
            self.problems.add(name, f"no row names this evidence file, and the tables hold returns for {len(returns)} "
                              f"periods: name it in the {EVIDENCE_FILE} column of the row it is evidence for")
        return tuple(self.found)


@dataclass(frozen=True)
class UploadedReturns:
    returns: tuple[Return, ...]
    evidence: tuple[NamedEvidence, ...]


def parse_returns(files: Mapping[str, tuple[str, bytes]], contract: Contract, as_of: dt.date,
                  evidence: Sequence[str] = (), by_provider: bool = False) -> UploadedReturns:
    """Uploaded return tables, read exactly as a contract folder's: `files` maps kpi_returns,
    social_value_returns and provider_returns to (file name, content). `evidence` names the evidence files uploaded
    with them: a row names its line's file in an `evidence_file` column (a provider_returns row: the whole return's);
    a file no row names attaches to the whole return when the tables hold one period's return, and is refused when
    they hold several. `by_provider`: the provider's own return, whose social value claims are stated as unverified
    (the council verifies or rejects them). Every problem in every file is raised together (InputError naming file,
    row and column); nothing is returned when there is any."""
    problems = ProblemCollector()
    names = _EvidenceNames(evidence, problems)
    for key in sorted(set(files) - {KPI_RETURNS, SOCIAL_VALUE_RETURNS, PROVIDER_RETURNS}):
        problems.add(key, "is not a return table; expected kpi_returns, social_value_returns or provider_returns")

    def tables(stem: str, required: tuple[str, ...]) -> Iterable[Row]:
        if stem not in files:
            return []
        name, data = files[stem]
        try:
            return parse_table(name, data, required)
        except InputError as exc:
            problems.extend(exc.problems)
            return []

    returns = _returns_from(tables, contract, as_of, problems, names, by_provider)
    attached = names.attached(returns)
    problems.raise_if_any()
    return UploadedReturns(returns, attached)


def _returns_from(tables: Tables, contract: Contract, as_of: dt.date, problems: ProblemCollector,
                  evidence: _EvidenceNames | None = None, by_provider: bool = False) -> tuple[Return, ...]:
    measurements: dict[Period, list[KpiMeasurement]] = {}
    deliveries: dict[Period, list[SocialValueDelivery]] = {}
    reports: dict[Period, ProviderReport] = {}
    kpi_ids = {k.id for k in contract.kpis}
    measures = {c.measure_id for c in contract.commitments}
    seen: set[tuple[Period, str]] = set()
    for row in tables(KPI_RETURNS, ("period_start", "kpi", "actual")):
        cells = _Cells(row, problems)
        period = cells.period(contract, as_of)
        kpi = cells.text("kpi")
        if kpi and kpi not in kpi_ids:
            cells.fail("kpi", f"unknown KPI '{kpi}'; expected one of {', '.join(sorted(kpi_ids)) or 'none set'}")
        actual = cells.number("actual")
        if period is not None and (period, kpi) in seen:
            cells.fail("kpi", f"a second figure for '{kpi}' in the period starting {period.start}")
        named = evidence.read(cells) if evidence else None
        if not cells.failed and period is not None and actual is not None:
            seen.add((period, kpi))
            measurements.setdefault(period, []).append(KpiMeasurement(kpi, actual, row.get("note")))
            if evidence:
                evidence.add(period, kpi, named)
    for row in tables(SOCIAL_VALUE_RETURNS, ("period_start", "measure", "quantity", "evidence", "verification")):
        cells = _Cells(row, problems)
        period = cells.period(contract, as_of)
        measure = cells.text("measure")
        if measure and measure not in measures:
            cells.fail("measure", f"unknown social value measure '{measure}'; expected one of "
                       f"{', '.join(sorted(measures)) or 'none committed'}")
        quantity = cells.number("quantity")
        verification = cells.choice("verification", Verification)
        if by_provider and verification not in (None, Verification.UNVERIFIED):
            cells.fail("verification", f"'{verification}': a provider's return states each claim as unverified; the "
                       "council verifies or rejects it")
        described = cells.text("evidence", required=verification is Verification.VERIFIED)
        named = evidence.read(cells) if evidence else None
        if not cells.failed and period is not None and quantity is not None and verification is not None:
            deliveries.setdefault(period, []).append(SocialValueDelivery(measure, quantity, described, verification))
            if evidence:
                evidence.add(period, measure, named)
    for row in tables(PROVIDER_RETURNS, ("period_start",)):
        cells = _Cells(row, problems)
        period = cells.period(contract, as_of)
        report = ProviderReport(
            cost_growth_pct=cells.number("cost_growth_pct", required=False, non_negative=False),
            volume=cells.number("volume", required=False),
            workforce_fte=cells.number("workforce_fte", required=False),
            vacancies=cells.number("vacancies", required=False),
            margin_pct=cells.number("margin_pct", required=False, non_negative=False),
            cost_pressures=row.get("cost_pressures"),
        )
        if period is not None and period in reports:
            cells.fail("period_start", f"a second provider report for the period starting {period.start}")
        named = evidence.read(cells) if evidence else None
        if not cells.failed and period is not None:
            reports[period] = report
            if evidence:
                evidence.add(period, "", named)
    periods = sorted(set(measurements) | set(deliveries) | set(reports))
    return tuple(
        Return(p, tuple(measurements.get(p, ())), tuple(deliveries.get(p, ())), reports.get(p, ProviderReport()))
        for p in periods
    )


VARIATION_COLUMNS = ("id", "agreed_on", "description", "value_change", "term_change_months", "ground")


def _load_variations(folder: Path, problems: ProblemCollector, label_root: Path) -> tuple[Variation, ...]:
    rows = _table(folder, VARIATIONS, VARIATION_COLUMNS, problems, label_root)
    return _variations_from(rows, str((folder / VARIATIONS).relative_to(label_root)), problems)


def _variations_from(rows: Iterable[Row], label: str, problems: ProblemCollector) -> tuple[Variation, ...]:
    variations: list[Variation] = []
    for row in rows:
        cells = _Cells(row, problems)
        term = cells.number("term_change_months", non_negative=False)
        if term is not None and term != term.to_integral_value():
            cells.fail("term_change_months", f"expected a whole number of months, found {term}")
        paragraph = cells.number("schedule_8_paragraph", required=False)
        if paragraph is not None and (paragraph != paragraph.to_integral_value() or paragraph < 1):
            cells.fail("schedule_8_paragraph", f"expected a paragraph number of Schedule 8, found {paragraph}")
        variation = dict(
            id=cells.text("id"), agreed_on=cells.date("agreed_on"), description=cells.text("description"),
            value_change=cells.money("value_change"), ground=cells.choice("ground", ModificationGround),
            changes_scope=cells.flag("changes_scope"), favours_supplier=cells.flag("favours_supplier"),
            changes_overall_nature=cells.flag("changes_overall_nature"),
            linked_to=cells.text("linked_to", required=False) or None,
            change_notice_published=cells.flag("change_notice_published"),
        )
        if variation["ground"] is ModificationGround.PERMITTED and paragraph is None:
            cells.fail("schedule_8_paragraph", "expected the Schedule 8 paragraph relied on for ground schedule_8")
        if not cells.failed:
            assert term is not None
            variations.append(Variation(term_change_months=int(term),
                                        schedule_8_paragraph=int(paragraph) if paragraph is not None else None,
                                        **variation))  # type: ignore[arg-type]
    ids = [v.id for v in variations]
    for logged in variations:
        if logged.linked_to and logged.linked_to not in ids:
            problems.add(label, f"variation '{logged.id}' is linked to unknown variation '{logged.linked_to}'",
                         column="linked_to")
    return tuple(variations)


UPLOAD_TABLES = (KPI_RETURNS, SOCIAL_VALUE_RETURNS, PROVIDER_RETURNS, VARIATIONS)


def parse_contract_upload(files: Mapping[str, tuple[str, bytes]], as_of: dt.date) -> ContractFolder:
    """A contract folder uploaded as files: `files` maps `contract` (its contract.yaml) and any of kpi_returns,
    social_value_returns, provider_returns and variations to (file name, content), read exactly as the folder's.
    An upload names no other file: `social_value:` and `supplier_accounts:` (which point at files beside the folder)
    are refused; list the winning bid's commitments in contract.yaml instead. Every problem is raised together."""
    problems = ProblemCollector()
    if "contract" not in files:
        problems.add(CONTRACT_FILE, "is missing: upload the contract.yaml")
        problems.raise_if_any()
    label, content = files["contract"]
    top = yaml_fields(label, content, problems, "contract fields")
    problems.raise_if_any()
    assert top is not None  # no problems means the document was a mapping
    data = top.data
    for key in ("social_value", "supplier_accounts"):
        if key in data:
            problems.add(label, "names files on the server, which an upload cannot; list the commitments under "
                         "commitments: (and the financial_rating) in contract.yaml instead", column=key)
    problems.raise_if_any()
    contract = _contract(top, Path(label).parent)
    triggers, social_value, window = _policies(top)
    if contract is None:
        problems.raise_if_any()
    assert contract is not None

    def tables(stem: str, required: tuple[str, ...]) -> Iterable[Row]:
        if stem not in files:
            return []
        name, table = files[stem]
        try:
            return parse_table(name, table, required)
        except InputError as exc:
            problems.extend(exc.problems)
            return []

    returns = _returns_from(tables, contract, as_of, problems)
    variations = _variations_from(tables(VARIATIONS, VARIATION_COLUMNS),
                                  files[VARIATIONS][0] if VARIATIONS in files else VARIATIONS, problems)
    problems.raise_if_any()
    return ContractFolder(Path(label), contract, returns, variations, triggers, social_value, window)


def _load_folder(folder: Path, as_of: dt.date, problems: ProblemCollector) -> ContractFolder | None:
    label_root = folder.parent
    label = str((folder / CONTRACT_FILE).relative_to(label_root))
    top = yaml_fields(label, read_bytes(folder / CONTRACT_FILE, label), problems, "contract fields")
    if top is None:
        return None
    contract = _contract(top, folder)
    triggers, social_value, window = _policies(top)
    accounts = _supplier_accounts(top, folder)
    if contract is None:
        return None
    returns = _load_returns(folder, contract, as_of, problems, label_root)
    variations = _load_variations(folder, problems, label_root)
    return ContractFolder(folder, contract, returns, variations, triggers, social_value, window, accounts)
