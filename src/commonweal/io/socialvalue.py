"""Social value files in: measures libraries, deflator series, commitments, delivery returns, impact maps,
a tender's social value settings and maturity answers.

Every reader checks the whole file, collects every problem (file, row, column, what was expected) and raises
`InputError` before returning anything, so a bad row means nothing from that file is imported.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, cast

from commonweal.domain.evaluation.model import Tender
from commonweal.domain.evaluation.records import Bid
from commonweal.domain.socialvalue.commitments import Commitment, quantities, value_bids
from commonweal.domain.socialvalue.core_values import (
    DEFAULT_CORE_VALUE_LIMIT,
    CoreValue,
    CoreValues,
    MeasureSelection,
    check_core_values,
    check_selection,
)
from commonweal.domain.socialvalue.delivery import VERIFICATIONS, DeliveryRecord, Verification
from commonweal.domain.socialvalue.library import UNITS, Library, Licence, Measure
from commonweal.domain.socialvalue.maturity import LEVELS, QUESTIONS, Answer, check_answers
from commonweal.domain.socialvalue.ppn002 import ROW_TYPES, STATUSES, ModelRow, RowType, Status, check_model
from commonweal.domain.socialvalue.rebase import DeflatorSeries
from commonweal.domain.socialvalue.sroi import GREEN_BOOK_DISCOUNT_RATES, ImpactLine, ImpactMap
from commonweal.domain.socialvalue.washing import ContractContext, WashingPolicy
from commonweal.io.errors import ProblemCollector
from commonweal.io.fields import Fields, parse_fraction
from commonweal.io.structured import Folder, YamlDocument, exact_number, exact_whole, load_yaml, read_bytes
from commonweal.io.tabular import Row, Table, parse_decimal, parse_pounds, parse_table, read_table

OPEN_LIBRARY_NAME = "Commonweal open library"
# Declared version of the shipped library; bump it whenever open_library.csv changes (the content hash changes
# by itself, the declared version tells people which release they are looking at).
OPEN_LIBRARY_VERSION = "2026.1"
_DATA = ("data", "socialvalue")

LIBRARY_COLUMNS = ("measure_id", "theme", "outcome", "measure", "unit", "proxy_gbp", "price_year", "source_title",
                   "licence")
COMMITMENT_COLUMNS = ("bidder", "lot", "measure", "quantity", "year")
DELIVERY_COLUMNS = ("supplier", "lot", "measure", "year", "period", "quantity", "evidence", "verification")
MATURITY_COLUMNS = ("question", "answer")
LAST_DISCOUNT_YEAR = GREEN_BOOK_DISCOUNT_RATES[-1][1]  # the Green Book schedule's last year (125)
MAX_YEARS = 100  # Commonweal default: the longest contract, in years, a commitment or return may name
MAX_CORE_VALUES = 100  # Commonweal default: an upper bound on max_core_values
_PRICE_YEAR = re.compile(r"^\d{4}(/\d{2})?$")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


def _data_file(name: str) -> tuple[Path, str]:
    path = Path(str(resources.files("commonweal").joinpath(*_DATA, name)))
    return path, "/".join(("commonweal", *_DATA, name))


def _flag(problems: ProblemCollector, row: Row, column: str) -> bool:
    text = row.get(column).lower()
    if text in _YES:
        return True
    if text not in _NO:
        problems.add(row.file, f"'{row.get(column)}' is not yes or no", row.number, column)
    return False


def _fraction(problems: ProblemCollector, file: str, row: int | None, column: str, text: str) -> Decimal | None:
    """A fraction 0–1 written as `0.2` or `20%`; None when blank."""
    text = text.strip()
    if not text:
        return None
    value = parse_fraction(text)
    if value is None:
        problems.add(file, f"'{text}' is not a fraction between 0 and 1 (or a percentage like 20%)", row, column)
        return None
    return value


def read_library(path: Path, name: str | None = None, version: str = "undeclared", label: str | None = None) -> Library:
    """A measures library from CSV/XLSX (the open library's layout; see docs/socialvalue.md).

    A council's licensed library keeps its licence on every measure. A row with an unknown unit, a negative or
    unreadable proxy, or no source fails the whole import, naming the file, row and column.
    """
    return _library(read_table(path, LIBRARY_COLUMNS, label=label), name or path.stem, version)


def parse_library(file_name: str, data: bytes, name: str, version: str = "undeclared") -> Library:
    """`read_library` from bytes (an upload: a council's own licensed library, read through the structured layer)."""
    return _library(parse_table(file_name, data, LIBRARY_COLUMNS), name, version)


def _library(table: Table, name: str, version: str) -> Library:
    problems = ProblemCollector()
    measures: list[Measure] = []
    rows_by_id: dict[str, Row] = {}
    for row in table:
        file, number = row.file, row.number
        for column in ("measure_id", "theme", "outcome", "measure", "unit", "source_title", "licence"):
            if not row.get(column):
                what = "a source" if column == "source_title" else "a value"
                problems.add(file, f"is empty; every measure needs {what}", number, column)
        measure_id = row.get("measure_id")
        if measure_id in rows_by_id:
            problems.add(file, f"measure id '{measure_id}' is already used on row {rows_by_id[measure_id].number}",
                         number, "measure_id")
        rows_by_id.setdefault(measure_id, row)
        unit = row.get("unit")
        if unit and unit not in UNITS:
            problems.add(file, f"unknown unit '{unit}'; expected one of {', '.join(UNITS)}", number, "unit")
        proxy_text, proxy = row.get("proxy_gbp"), None
        if proxy_text:
            proxy = parse_pounds(proxy_text)
            if proxy is None:
                problems.add(file, f"'{proxy_text}' is not an amount in £ (leave blank for record only)", number,
                             "proxy_gbp")
            elif proxy < 0:
                problems.add(file, f"negative proxy {proxy_text}; a proxy value is £0 or more per unit", number,
                             "proxy_gbp")
        price_year = row.get("price_year") or None
        if price_year and not _PRICE_YEAR.match(price_year):
            problems.add(file, f"'{price_year}' is not a price year; expected YYYY or YYYY/YY", number, "price_year")
        verified = not row.get("verified") or _flag(problems, row, "verified")  # blank or absent: verified
        if not verified and proxy_text:
            problems.add(file, "an unverified row must not carry a £ value; leave proxy_gbp blank (record only)",
                         number, "proxy_gbp")
        fractions = {c: _fraction(problems, file, number, c, row.get(c))
                     for c in ("deadweight", "attribution", "displacement", "drop_off")}
        overlaps = tuple(o.strip() for o in re.split(r"[;,]", row.get("overlaps")) if o.strip())
        measures.append(
            Measure(
                id=measure_id, theme=row.get("theme"), outcome=row.get("outcome"), name=row.get("measure"),
                unit=unit, source_title=row.get("source_title"),
                licence=Licence.from_text(row.get("licence"), _flag(problems, row, "non_commercial"),
                                          _flag(problems, row, "no_derivatives")),
                proxy=proxy, price_year=price_year, unit_description=row.get("unit_description"),
                price_base_note=row.get("price_base_note"), source_reference=row.get("source_reference"),
                section=row.get("section"), evidence_required=row.get("evidence_required"),
                overlaps=overlaps, verified=verified, notes=row.get("notes"), **fractions,
            )
        )
    for measure in measures:
        for other in measure.overlaps:
            if other not in rows_by_id:
                problems.add(table.file, f"overlaps with '{other}', which is not in this library",
                             rows_by_id[measure.id].number, "overlaps")
    if not measures:
        problems.add(table.file, "has no measures")
    problems.raise_if_any()
    return Library(name=name, version=version, measures=tuple(measures))


def open_library() -> Library:
    """The library shipped with Commonweal, built from openly sourced values only."""
    path, label = _data_file("open_library.csv")
    return read_library(path, name=OPEN_LIBRARY_NAME, version=OPEN_LIBRARY_VERSION, label=label)


def read_deflators(path: Path | None = None) -> DeflatorSeries:
    """A deflator series (`period, index, series, basis, source, licence`); the shipped HM Treasury GDP deflator
    when `path` is None. Every row must carry its source."""
    path, label = _data_file("gdp_deflator.csv") if path is None else (path, path.name)
    table = read_table(path, ("period", "index", "series", "basis", "source", "licence"), label=label)
    problems = ProblemCollector()
    index: list[tuple[str, Decimal]] = []
    for row in table:
        value = parse_decimal(row.get("index"))
        if not _PRICE_YEAR.match(row.get("period")):
            problems.add(row.file, f"'{row.get('period')}' is not a period; expected YYYY or YYYY/YY", row.number,
                         "period")
        if value is None or value <= 0:
            problems.add(row.file, f"'{row.get('index')}' is not a positive index number", row.number, "index")
        for column in ("series", "basis", "source", "licence"):
            if not row.get(column):
                problems.add(row.file, "is empty; every index value needs it", row.number, column)
        if value is not None:
            index.append((row.get("period"), value))
    if not table.rows:
        problems.add(table.file, "has no index values")
    problems.raise_if_any()
    first = table.rows[0]
    return DeflatorSeries(name=first.get("series"), basis=first.get("basis"), source=first.get("source"),
                          licence=first.get("licence"), index=tuple(index))


def _measure_in(problems: ProblemCollector, row: Row, library: Library) -> str:
    measure_id = row.get("measure")
    if measure_id not in library:
        problems.add(row.file, f"measure '{measure_id}' is not in the library {library.name} {library.version}",
                     row.number, "measure")
    return measure_id


def _positive_int(problems: ProblemCollector, row: Row, column: str, what: str) -> int:
    text = row.get(column)
    value = exact_whole(text, 1, MAX_YEARS)
    if value is None:
        problems.add(row.file, f"'{text}' is not {what} from 1 to {MAX_YEARS}", row.number, column)
        return 0
    return value


def _quantity(problems: ProblemCollector, row: Row) -> Decimal:
    value = exact_number(row.get("quantity"), thousands=True)
    if value is None or value < 0:
        problems.add(row.file, f"'{row.get('quantity')}' is not a quantity of 0 or more", row.number, "quantity")
        return Decimal(0)
    return value


def read_commitments(
    path: Path, library: Library, bids: Collection[tuple[str, str]] | None = None
) -> tuple[Commitment, ...]:
    """`commitments.csv|xlsx`: bidder, lot, measure, quantity, year (contract year, 1 = first), and optionally
    owner, milestone, beneficiaries. With `bids`, every (bidder, lot) must be one of them."""
    return _commitments(read_table(path, COMMITMENT_COLUMNS), library, bids)


def parse_commitments(file_name: str, data: bytes, library: Library) -> tuple[Commitment, ...]:
    """`read_commitments` from bytes (an upload)."""
    return _commitments(parse_table(file_name, data, COMMITMENT_COLUMNS), library)


def _commitments(
    table: Table, library: Library, bids: Collection[tuple[str, str]] | None = None
) -> tuple[Commitment, ...]:
    problems = ProblemCollector()
    commitments = []
    for row in table:
        for column in ("bidder", "lot"):
            if not row.get(column):
                problems.add(row.file, "is empty", row.number, column)
        if bids is not None and (row.get("bidder"), row.get("lot")) not in bids:
            problems.add(row.file, f"'{row.get('bidder')}' has no bid in lot '{row.get('lot')}'", row.number,
                         "bidder")
        commitments.append(
            Commitment(
                bidder=row.get("bidder"), lot=row.get("lot"), measure_id=_measure_in(problems, row, library),
                quantity=_quantity(problems, row),
                year=_positive_int(problems, row, "year", "a contract year (1 = the first year)"),
                owner=row.get("owner"), milestone=row.get("milestone"), beneficiaries=row.get("beneficiaries"),
            )
        )
    problems.raise_if_any()
    return tuple(commitments)


def read_delivery(path: Path, library: Library) -> tuple[DeliveryRecord, ...]:
    """Delivery returns: supplier, lot, measure, year, period, quantity, evidence, verification
    (verified / unverified / rejected)."""
    return _delivery(read_table(path, DELIVERY_COLUMNS), library)


def parse_delivery(file_name: str, data: bytes, library: Library) -> tuple[DeliveryRecord, ...]:
    """`read_delivery` from bytes (an upload)."""
    return _delivery(parse_table(file_name, data, DELIVERY_COLUMNS), library)


def _delivery(table: Table, library: Library) -> tuple[DeliveryRecord, ...]:
    problems = ProblemCollector()
    records = []
    for row in table:
        status = row.get("verification").lower()
        if status not in VERIFICATIONS:
            problems.add(row.file, f"'{row.get('verification')}' is not one of {', '.join(VERIFICATIONS)}",
                         row.number, "verification")
        if status == "verified" and not row.get("evidence"):
            problems.add(row.file, "verified delivery needs its evidence named", row.number, "evidence")
        for column in ("supplier", "lot", "period"):
            if not row.get(column):
                problems.add(row.file, "is empty", row.number, column)
        records.append(
            DeliveryRecord(
                supplier=row.get("supplier"), lot=row.get("lot"), measure_id=_measure_in(problems, row, library),
                year=_positive_int(problems, row, "year", "a contract year (1 = the first year)"),
                period=row.get("period"), quantity=_quantity(problems, row), evidence=row.get("evidence"),
                verification=cast(Verification, status),
            )
        )
    problems.raise_if_any()
    return tuple(records)


def _load_yaml(name: str, content: bytes, problems: ProblemCollector) -> YamlDocument:
    document = load_yaml(name, content)
    if not isinstance(document.data, dict):
        problems.add(name, "must be a YAML mapping")
        problems.raise_if_any()
    return document


def read_impact_map(path: Path, library: Library | None = None) -> ImpactMap:
    """An SROI impact map in YAML: `name`, `investment` (£) and `outcomes`, each with outcome, quantity, proxy
    (or a library `measure` supplying it), duration (years), deadweight, displacement, attribution, drop_off
    (fractions or percentages; a library measure's default is used when one is omitted), and optionally
    stakeholder and start_year. Problems name the line and the key path (`outcomes[2].quantity`)."""
    return parse_impact_map(path.name, read_bytes(path), library)


def parse_impact_map(file: str, content: bytes, library: Library | None = None) -> ImpactMap:
    """`read_impact_map` from bytes (an upload)."""
    problems = ProblemCollector()
    document = _load_yaml(file, content, problems)
    top = Fields(document.data, file, "", problems, document.lines)
    top.only(_IMPACT_MAP_KEYS)
    investment = top.decimal("investment", minimum=Decimal("0.01"), money=True)
    name = top.text("name", required=False) or Path(file).stem
    lines = []
    for index, item in enumerate(top.items("outcomes", required=True)):
        f = top.at("outcomes", index)
        f.only(_OUTCOME_KEYS)
        measure_id, measure = f.text("measure", required=False), None
        if measure_id:
            if library is None or measure_id not in library:
                f.problem("measure", f"measure '{measure_id}' is not in the library")
            else:
                measure = library.measure(measure_id)
        outcome = f.text("outcome")
        quantity = f.decimal("quantity", minimum=Decimal(0))
        proxy = f.decimal("proxy", minimum=Decimal(0), required=measure is None or measure.proxy is None)
        if proxy is None and measure is not None and "proxy" not in item:
            proxy = measure.proxy
        duration = f.whole("duration", 1, LAST_DISCOUNT_YEAR)
        start = f.whole("start_year", 1, LAST_DISCOUNT_YEAR, required=False) or 1
        if duration is not None and start + duration - 1 > LAST_DISCOUNT_YEAR:
            f.problem("duration", f"runs to appraisal year {start + duration - 1}; the Green Book discount rates "
                                  f"stop at year {LAST_DISCOUNT_YEAR}")
        fractions: dict[str, Decimal] = {}
        for key in ("deadweight", "displacement", "attribution", "drop_off"):
            value = f.fraction(key, required=False)
            if value is None and key not in item:
                value = getattr(measure, key) if measure else None
                if value is None:
                    f.problem(key, "is missing; state it (0 if none) so the assumption is on record")
            fractions[key] = value if value is not None else Decimal(0)
        if not f.failed and outcome and quantity is not None and proxy is not None and duration is not None:
            lines.append(ImpactLine(outcome=outcome, quantity=quantity, proxy=proxy, duration=duration,
                                    stakeholder=f.text("stakeholder", required=False) or "",
                                    measure_id=measure_id or "", start_year=start, **fractions))
    if not lines and not problems.problems:
        problems.add(file, "has no outcomes", column="outcomes")
    problems.raise_if_any()
    return ImpactMap(name=name, investment=cast(Decimal, investment), lines=tuple(lines))


_IMPACT_MAP_KEYS = {"name", "investment", "outcomes"}
_OUTCOME_KEYS = {"outcome", "stakeholder", "measure", "quantity", "proxy", "duration", "start_year", "deadweight",
                 "displacement", "attribution", "drop_off"}


SETTINGS_FILE = "socialvalue.yaml"
COMMITMENTS = "commitments"
_SETTINGS_KEYS = {"library", "criterion", "max_core_values", "core_values", "selections", "lots", "anti_washing"}


@dataclass(frozen=True)
class SocialValueSettings:
    """A tender folder's `socialvalue.yaml`: the library the tender pinned, the council's core values, the
    measures the tender selected from them, each lot's contract context and the anti-washing policy."""

    library: Library
    core_values: CoreValues | None = None
    selections: tuple[MeasureSelection, ...] = ()
    contexts: dict[str, ContractContext] = field(default_factory=dict)
    criterion: str | None = None
    policy: WashingPolicy = field(default_factory=WashingPolicy)


def _settings_library(
    folder: Folder, data: dict[str, Any], problems: ProblemCollector, override: Path | None, version: str
) -> Library | None:
    """The library named in `library:` (`file`, inside the tender folder, or `open`; `version`; `content_hash`),
    or `override`. When the tender pinned a content hash, a library with other values is refused."""
    spec = data.get("library") or {}
    if not isinstance(spec, dict):
        problems.add(SETTINGS_FILE, "expected a mapping with file, version and content_hash", column="library")
        return None
    file = str(spec.get("file") or "open")
    if override is not None:
        library = read_library(override, version=version)
    elif file == "open":
        library = open_library()
    else:
        library = read_library(folder.resolve(file, SETTINGS_FILE, "library.file"),
                               version=str(spec.get("version") or "undeclared"), label=file)
    pinned = str(spec.get("content_hash") or "")
    if pinned and pinned != library.content_hash:
        problems.add(
            SETTINGS_FILE,
            f"the tender pinned library content hash {pinned[:16]}…, but {library.name} {library.version} has "
            f"{library.content_hash[:16]}…: its values have changed since the tender was evaluated on it",
            column="library.content_hash",
        )
    if spec.get("version") and str(spec["version"]) != library.version:
        problems.add(SETTINGS_FILE, f"the tender pinned version {spec['version']}, but the library is "
                     f"{library.version}", column="library.version")
    return library


def read_settings(
    source: Path | Folder, library_override: Path | None = None, version: str = "undeclared"
) -> SocialValueSettings:
    """Read and check a tender folder's `socialvalue.yaml`; without one, the open library and no context."""
    folder = Folder.of(source)
    problems = ProblemCollector()
    file = SETTINGS_FILE
    document = _load_yaml(file, folder.read(file), problems) if folder.exists(file) else YamlDocument({}, {})
    data = document.data
    top = Fields(data, file, "", problems, document.lines)
    top.only(_SETTINGS_KEYS)
    library = _settings_library(folder, data, problems, library_override, version)
    if library is None:
        problems.raise_if_any()
        raise AssertionError("unreachable: a missing library is a problem")
    values = []
    for index, _ in enumerate(top.items("core_values")):
        v = top.at("core_values", index)
        v.only({"id", "title", "outcomes", "measures"})
        values.append(CoreValue(id=v.text("id") or "", title=v.text("title") or "", outcomes=v.ids("outcomes"),
                                measures=v.ids("measures")))
    limit = top.whole("max_core_values", 1, MAX_CORE_VALUES, required=False) or DEFAULT_CORE_VALUE_LIMIT
    core = CoreValues(tuple(values), limit) if values else None
    selections = []
    for index, _ in enumerate(top.items("selections")):
        c = top.at("selections", index)
        c.only({"measure", "core_value", "relevance", "proportionality"})
        selections.append(MeasureSelection(measure_id=c.text("measure") or "", core_value_id=c.text("core_value") or "",
                                           relevance=c.text("relevance", required=False) or "",
                                           proportionality=c.text("proportionality", required=False) or ""))
    if core is not None:
        for message in check_core_values(core, library):
            problems.add(file, message, column="core_values")
        for message in check_selection(tuple(selections), core):
            problems.add(file, message, column="selections")
    elif selections:
        problems.add(file, "selections need the council's core_values to choose from", column="selections")
    contexts = {}
    for index, _ in enumerate(top.items("lots")):
        c = top.at("lots", index)
        c.only({"lot", "workforce", "service_measures"})
        workforce = c.decimal("workforce", required=False, minimum=Decimal(0))
        service = frozenset(c.ids("service_measures"))
        for measure_id in sorted(m for m in service if m not in library):
            c.problem("service_measures", f"measure '{measure_id}' is not in the library")
        contexts[c.text("lot") or ""] = ContractContext(workforce=workforce, service_measures=service)
    washing = top.at("anti_washing")
    if "anti_washing" in data and not isinstance(data["anti_washing"], dict):
        top.expected("anti_washing", "a mapping such as {max_share_of_contract_value: 0.5}")
    washing.only({"max_share_of_contract_value"})
    share = washing.fraction("max_share_of_contract_value", required=False)
    policy = WashingPolicy() if share is None else WashingPolicy(max_share_of_contract_value=share)
    problems.raise_if_any()
    return SocialValueSettings(library=library, core_values=core, selections=tuple(selections), contexts=contexts,
                               criterion=top.text("criterion", required=False), policy=policy)


def read_folder_commitments(
    source: Path | Folder, settings: SocialValueSettings, bids: Collection[tuple[str, str]]
) -> tuple[Commitment, ...] | None:
    """A tender folder's `commitments.csv|xlsx` (None when it has none). Every (bidder, lot) must be a bid."""
    folder = Folder.of(source)
    name = folder.find_table(COMMITMENTS)
    if name is None:
        return None
    return _commitments(parse_table(name, folder.read(name), COMMITMENT_COLUMNS), settings.library, bids)


def committed_quantities(
    folder: Path | Folder, tender: Tender, bids: Iterable[Bid]
) -> dict[tuple[str, str, str], Decimal]:
    """`(lot, bidder, criterion) -> £ committed` for the tender's quantitative social value criteria.

    The criteria fed are the one named by `criterion:` in socialvalue.yaml, or else every quantitative criterion
    in a social value group. A bid with no commitments offers £0. Without commitments.csv nothing is supplied
    (the evaluation then reports each missing offer).
    """
    wanted = {
        lot.id: [c.id for c in lot.model.criteria if c.kind == "quantitative"
                 and any(g.id == c.group and g.category == "social_value" for g in lot.model.groups)]
        for lot in tender.lots
    }
    if not any(wanted.values()):
        return {}
    bids = tuple(bids)
    settings = read_settings(folder)
    commitments = read_folder_commitments(folder, settings, {(b.bidder, b.lot) for b in bids})
    if commitments is None:
        return {}
    valued = value_bids(commitments, settings.library, {(b.bidder, b.lot): b.price for b in bids},
                        {lot.id: lot.budget for lot in tender.lots if lot.budget is not None})
    supplied: dict[tuple[str, str, str], Decimal] = {}
    for lot_id, criteria in wanted.items():
        bidders = [b.bidder for b in bids if b.lot == lot_id]
        for criterion in criteria:
            if settings.criterion in (None, criterion):
                for (bidder, _), value in quantities(valued, lot_id, criterion, bidders).items():
                    supplied[(lot_id, bidder, criterion)] = value
    return supplied


def read_maturity_answers(path: Path) -> tuple[Answer, ...]:
    """Answers to the maturity questionnaire: question (id), answer (a level), optional note."""
    table = read_table(path, MATURITY_COLUMNS)
    problems = ProblemCollector()
    answers = []
    for row in table:
        level = row.get("answer").lower()
        if level not in LEVELS:
            problems.add(row.file, f"'{row.get('answer')}' is not one of {', '.join(LEVELS)}", row.number, "answer")
            continue
        answers.append(Answer(question_id=row.get("question"), level=LEVELS[LEVELS.index(level)], note=row.get("note")))
    if not problems.problems:
        for message in check_answers(answers, QUESTIONS):
            problems.add(table.file, message, column="question")
    problems.raise_if_any()
    return tuple(answers)



PPN002_COLUMNS = ("row_type", "id", "wording", "source_url", "section", "source_kind", "verbatim", "status")


def parse_ppn002(file_name: str, data: bytes) -> tuple[ModelRow, ...]:
    """The Social Value Model (PPN 002) from a CSV/XLSX of `PPN002_COLUMNS` (plus parent_id, unit, notes): every
    row names its source; a row marked read must quote it verbatim."""
    table = parse_table(file_name, data, PPN002_COLUMNS)
    problems = ProblemCollector()
    rows: list[ModelRow] = []
    for row in table:
        row_type, status = row.get("row_type"), row.get("status")
        if row_type not in ROW_TYPES:
            problems.add(row.file, f"'{row_type}' is not one of {', '.join(ROW_TYPES)}", row.number, "row_type")
        if status not in STATUSES:
            problems.add(row.file, f"'{status}' is not one of {', '.join(STATUSES)}", row.number, "status")
        verbatim = row.get("verbatim").lower() == "yes"
        if status == "read":
            for column in ("wording", "source_url", "section", "source_kind"):
                if not row.get(column):
                    problems.add(row.file, "is empty; a row marked read names its source and wording", row.number,
                                 column)
            if not verbatim:
                problems.add(row.file, "a row marked read quotes its source verbatim (yes)", row.number, "verbatim")
        rows.append(ModelRow(
            row_type=cast(RowType, row_type), id=row.get("id"), parent_id=row.get("parent_id"),
            wording=row.get("wording"), unit=row.get("unit"), source_url=row.get("source_url"),
            section=row.get("section"), source_kind=row.get("source_kind"), verbatim=verbatim,
            status=cast(Status, status), notes=row.get("notes"),
        ))
    if not problems.problems:
        for message in check_model(rows):
            problems.add(table.file, message, column="parent_id")
    if not rows:
        problems.add(table.file, "has no rows")
    problems.raise_if_any()
    return tuple(rows)


def shipped_ppn002() -> tuple[ModelRow, ...]:
    """The rows of PPN 002 Commonweal ships: only those read verbatim in a primary source (see the data file's
    provenance in docs/socialvalue.md)."""
    path, label = _data_file("ppn002.csv")
    return parse_ppn002(label, read_bytes(path, label))
