"""Spend and market use cases: import published files, report where the money goes, advise on partners and lots.

Plain data in and out, so the CLI and the web app are thin faces over the same calls.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, replace
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import ibis

from commonweal.analytics import spend as analytics
from commonweal.domain.market import concentration as conc
from commonweal.domain.market.classification import Classification, Label, SupplierEvidence, classify
from commonweal.domain.market.identifiers import charity_number, company_number, vat_number
from commonweal.domain.market.locality import Locality, local_share, supplier_locality
from commonweal.domain.market.names import normalise_name
from commonweal.domain.market.partners import (
    DEFAULT_CAPACITY_MULTIPLE,
    DEFAULT_MIN_BIDDERS,
    DEFAULT_RELATEDNESS,
    Organisation,
    lot_advice,
)
from commonweal.domain.market.resolution import (
    Resolution,
    ReviewDecision,
    SpendWithSupplier,
    SupplierMention,
    resolve,
)
from commonweal.io.companies_house import read_basic_company_data
from commonweal.io.errors import InputError, Problem
from commonweal.io.spend.fast import fast_import
from commonweal.io.spend.grants360 import read_360giving
from commonweal.io.spend.layout import ColumnMap, load_column_map
from commonweal.io.spend.reader import ImportReport, SpendFile, SpendRecord, read_spend_file
from commonweal.io.spend.store import SpendStore, parquet_writer

REDACTED_KEY = "REDACTED"


def supplier_key(name: str, redacted: bool) -> str:
    """The key rows of one supplier share: the normalised name, one pseudo-supplier for all redacted names."""
    return REDACTED_KEY if redacted else normalise_name(name)


def read_file(path: Path, column_map: ColumnMap | None = None, date_order: str | None = None,
              progress: Callable[[int], None] | None = None, period: dt.date | None = None) -> SpendFile:
    if path.suffix.lower() == ".json":
        return read_360giving(path, date_order=date_order)
    return read_spend_file(path, column_map=column_map, date_order=date_order, progress=progress, period=period)


# Commonweal default: CSV files this large take the fast path (identical results, tested on the corpus).
FAST_PATH_BYTES = 20_000_000
ENGINES = ("auto", "rows", "fast")


def import_files(paths: Sequence[Path], db: Path, *, column_map: Path | ColumnMap | None = None,
                 date_order: str | None = None, progress: Callable[[int], None] | None = None, engine: str = "auto",
                 period: dt.date | None = None) -> list[dict[str, Any]]:
    """Read every file, then save them all; if any file fails as a whole nothing is saved (InputError lists
    every failing file's problems). `engine`: rows (the row-level reader), fast (the polars fast path for CSV) or
    auto (the fast path for CSV files of FAST_PATH_BYTES or more). `period` (a month's first day) dates rows that
    have no usable date, flagged; `column_map` is a file or a ColumnMap (the workspace's mapping screen)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    stated = load_column_map(column_map) if isinstance(column_map, Path) else column_map
    if period is not None:
        stated = replace(stated or ColumnMap(), period=period)
    problems = _unreadable_paths(paths)
    if problems:
        raise InputError(problems)
    read: list[tuple[ImportReport, Callable[[Path], None], Callable[[], None]]] = []
    try:
        for path in paths:
            try:
                read.append(_read_for_store(path, stated, date_order, progress, engine))
            except InputError as exc:
                problems.extend(exc.problems)
        problems += _same_content([report for report, _, _ in read])
        if problems:
            raise InputError(problems)
        SpendStore(db).save([(report, write) for report, write, _ in read])
    finally:
        for _, _, discard in read:
            discard()
    return [report.as_dict() for report, _, _ in read]


def _unreadable_paths(paths: Sequence[Path]) -> list[Problem]:
    """Files that are missing or named twice, found before anything is read or saved."""
    problems = []
    seen: dict[Path, Path] = {}
    for path in paths:
        if not path.is_file():
            problems.append(Problem(str(path), "no such file" if not path.exists() else "is not a file"))
            continue
        first = seen.setdefault(path.resolve(), path)
        if first is not path:
            problems.append(Problem(str(path), f"the same file is named twice ({first}); name it once"))
    return problems


def _same_content(reports: Sequence[ImportReport]) -> list[Problem]:
    """Two files with the same bytes would be stored as one (the store keys files by content): refused."""
    problems = []
    seen: dict[str, str] = {}
    for report in reports:
        if report.sha256 in seen:
            problems.append(Problem(report.file, f"has the same content as {seen[report.sha256]}; import it once"))
        seen.setdefault(report.sha256, report.file)
    return problems


def _read_for_store(path: Path, stated: ColumnMap | None, date_order: str | None,
                    progress: Callable[[int], None] | None, engine: str
                    ) -> tuple[ImportReport, Callable[[Path], None], Callable[[], None]]:
    """The file's report, a writer of its rows for the store and a clean-up of anything staged."""
    fast = path.suffix.lower() == ".csv" and (
        engine == "fast" or (engine == "auto" and path.stat().st_size >= FAST_PATH_BYTES))
    if fast:
        imported = fast_import(path, supplier_key, column_map=stated, date_order=date_order, progress=progress)
        if imported is not None:
            return imported.report, imported.write, imported.discard
    spend_file = read_file(path, stated, date_order, progress)
    keys = [supplier_key(r.supplier_name, r.supplier_redacted) for r in spend_file.records]
    return spend_file.report, parquet_writer(spend_file, keys), lambda: None


def _evidence(row: dict[str, Any]) -> SupplierEvidence:
    return SupplierEvidence(
        name=row["name"] or "", redacted=bool(row["redacted"]),
        company_number=company_number(row["company_number"] or ""),
        charity_number=charity_number(row["charity_number"] or ""),
        council_supplier_type=row["council_supplier_type"] or "", council_vcse_flag=row["council_vcse_flag"] or "",
        council_sme_flag=row["council_sme_flag"] or "", grant_recipient=bool(row["grant_recipient"]),
        accounts_category=row.get("accounts_category", ""))


def _money(value: Decimal | None) -> str:
    return str((value or Decimal(0)).quantize(Decimal("0.01")))


def _label(classification: Classification) -> dict[str, Any]:
    """A supplier's label as reports show it: with the evidence it rests on and Commonweal's confidence in it."""
    return {"label": classification.label.value, "label_source": classification.source,
            "label_confidence": classification.confidence}


def service_area_spend(db: Path, service: str, engine: str = "duckdb") -> tuple[Decimal, list[SpendWithSupplier]]:
    """The council's spend in the service area `service` (payments whose service area contains it, ignoring case)
    and each supplier's share of it, from the spend store at `db` (Ibis on `engine`).

    Redacted payments count towards the area's total but belong to no supplier. Raises InputError when the store
    is empty or no payment falls in the area (naming the areas it does hold)."""
    store = SpendStore(db)
    if not store.has("payments"):
        raise InputError([Problem(str(db), "holds no imported spend; run `commonweal spend import` first")])
    payments = analytics.payments(analytics.connect(engine), store.dataset("payments"))
    rows = analytics.to_records(analytics.suppliers(analytics.in_service_area(payments, service)))
    if not rows:
        held = analytics.to_records(analytics.spend_by(payments, ["service_area"]))
        areas = sorted({r["service_area"] for r in held})
        raise InputError([Problem(str(db), f"no payment has a service area containing '{service}'; it holds: "
                                  + ", ".join(repr(a) for a in areas), column="service_area")])
    total = sum((r["total"] for r in rows), Decimal("0.00"))
    return total, [SpendWithSupplier(r["supplier_key"], r["company_number"], r["total"])
                   for r in rows if r["supplier_key"] != REDACTED_KEY]


class Market:
    """The store opened for analysis: one Ibis connection, suppliers classified once."""

    def __init__(self, db: Path, engine: str = "duckdb", council: str | None = None,
                 companies_house: Sequence[Path] = ()):
        self.store = SpendStore(db)
        if not self.store.has("payments"):
            raise InputError([Problem(str(db), "holds no imported spend; run `commonweal spend import` first")])
        self.con = analytics.connect(engine)
        self.payments = analytics.payments(self.con, self.store.dataset("payments"))
        if council:
            self.payments = self.payments.filter(self.payments.council.lower().contains(council.lower()))
        self.suppliers = analytics.to_records(analytics.suppliers(self.payments))
        if self.store.has("contracts"):
            self._add_register_evidence()
        if companies_house:
            self._add_companies_house(companies_house)
        self.labels: dict[str, Classification] = {
            row["supplier_key"]: classify(_evidence(row)) for row in self.suppliers}
        self.label_table = ibis.memtable(
            {"supplier_key": list(self.labels), "label": [c.label.value for c in self.labels.values()],
             "source": [c.source for c in self.labels.values()]})

    def _add_register_evidence(self) -> None:
        """A contracts register knows things payments files rarely state: the supplier's postcode, company number
        and the council's SME flag. They fill the gaps of the same supplier (by key) in the payments."""
        register = analytics.payments(self.con, self.store.dataset("contracts"))
        known = {r["supplier_key"]: r for r in analytics.to_records(analytics.suppliers(register))}
        for row in self.suppliers:
            extra = known.get(row["supplier_key"])
            if extra and row["supplier_key"] != REDACTED_KEY:
                for name in ("postcode", "company_number", "council_sme_flag"):
                    row[name] = row[name] or extra[name]

    def _add_companies_house(self, paths: Sequence[Path]) -> None:
        """Each supplier's accounts category from Companies House's basic company data: by company number, else by
        name where exactly one company on the register has the supplier's normalised name."""
        named = [r for r in self.suppliers if not r["redacted"]]
        by_number, by_name = read_basic_company_data(
            paths, [r["company_number"] for r in named if r["company_number"]], [r["supplier_key"] for r in named])
        for row in named:
            found = by_number.get(company_number(row["company_number"] or "") or "") or by_name.get(row["supplier_key"])
            if found is not None:
                row["accounts_category"] = found.accounts_category

    def label_shares(self, dims: Sequence[str] = ()) -> list[dict[str, Any]]:
        rows = analytics.to_records(analytics.spend_by_label(self.payments, self.label_table, dims))
        totals: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
        for row in rows:
            totals[tuple(row[d] for d in dims)] += row["total"] or Decimal(0)
        for row in rows:
            whole = totals[tuple(row[d] for d in dims)]
            row["share"] = float(row["total"] / whole) if whole else None
            # how much of the label's spend rests on a name rule alone: for `sme`, a base rate, not evidence of size
            alone = row["on_name_alone"] or Decimal(0)
            row["on_name_alone_share"] = float(alone / row["total"]) if row["total"] else None
            row["total"], row["on_name_alone"] = _money(row["total"]), _money(alone)
            for d in dims:
                row[d] = str(row[d]) if row[d] is not None else None
        return rows

    def spend_by(self, dims: Sequence[str], top: int) -> list[dict[str, Any]]:
        rows = analytics.to_records(analytics.spend_by(self.payments, dims).limit(top))
        return [dict(r, total=_money(r["total"])) for r in rows]

    def resolution(self, shown: int | None = None) -> Resolution:
        """The store's suppliers resolved to entities, with the reviewers' decisions applied; the first `shown`
        look-alike pairs listed."""
        return resolve([SupplierMention(r["name"] or "", company_number(r["company_number"] or ""),
                                        charity_number(r["charity_number"] or ""), vat_number(r["vat_number"] or ""))
                        for r in self.suppliers if not r["redacted"]],
                       decisions=[_decision(r) for r in self.store.reviews()], shown=shown)

    def by_service(self, entity_of: dict[str, str]) -> dict[tuple[str, str], dict[str, Decimal]]:
        """Each service area's spend per supplier entity: one organisation under several names (a shared company,
        charity or VAT number, or a reviewer's decision) counts once in concentration and dependency."""
        grouped: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
        for row in analytics.to_records(analytics.supplier_totals_by_service(self.payments)):
            amounts = grouped[(row["council"], row["service_area"] or "(none)")]
            entity = entity_of.get(row["supplier_key"], row["supplier_key"])
            amounts[entity] = amounts.get(entity, Decimal(0)) + row["total"]
        return grouped

    def report(self, bands: str = "uk-2010", top: int = 15,
               dependency_share: Decimal = conc.DEFAULT_DEPENDENCY_SHARE,
               local_areas: Sequence[str] = ()) -> dict[str, Any]:
        band_set = conc.BAND_SETS[bands]
        resolution = self.resolution(shown=top)
        grouped = self.by_service(resolution.entity_of)
        concentration = sorted(
            (dict(asdict(conc.concentration(service, amounts, band_set)), council=council)
             for (council, service), amounts in grouped.items()),
            key=lambda c: -c["total"])[:top]
        for row in concentration:
            row.update(total=_money(row["total"]), top1_share=float(row["top1_share"]),
                       top5_share=float(row["top5_share"]), hhi=float(row["hhi"]))
        largest = max(grouped, key=lambda k: sum(v for v in grouped[k].values() if v > 0), default=None)
        curve = [{"suppliers": n, "cumulative_share": float(share)}
                 for n, share in conc.concentration_curve(grouped[largest])] if largest else []
        alerts = conc.dependency_alerts({f"{c} / {s}": a for (c, s), a in grouped.items()}, dependency_share)
        top_suppliers = analytics.to_records(
            analytics.spend_by(self.payments.filter(~self.payments.supplier_redacted), ["supplier_key"]).limit(top))
        sources: dict[str, int] = defaultdict(int)
        for c in self.labels.values():
            sources[f"{c.label.value} / {c.source}"] += 1
        return {
            "imports": [{k: r[k] for k in ("file", "council", "kind", "rows_read", "rows_loaded", "rows_rejected",
                                            "total_amount", "date_first", "date_last")}
                        for r in self.store.reports()],
            "spend_by_label": self.label_shares(),
            "spend_by_label_and_kind": self.label_shares(["kind"]),
            "spend_by_label_and_period": self.label_shares(["period"]),
            "local": self.local_share(local_areas),
            "spend_by_service_area": self.spend_by(["council", "service_area"], top),
            "spend_by_expense_type": self.spend_by(["council", "expense_type"], top),
            "top_suppliers": [{"supplier": r["supplier_key"], "total": _money(r["total"]),
                               "payments": r["payments"],
                               **_label(self.labels[r["supplier_key"]])} for r in top_suppliers],
            "concentration": concentration,
            "concentration_curve": {"service_area": " / ".join(largest) if largest else None, "points": curve},
            "hhi_bands": {"source": band_set.source, "limits": list(band_set.limits), "names": list(band_set.names)},
            "dependency_alerts": [dict(service_area=a.service_area, supplier=a.supplier, amount=_money(a.amount),
                                       share=float(a.share), message=a.message()) for a in alerts[:top]],
            "dependency_alert_count": len(alerts),
            "classification_sources": dict(sorted(sources.items())),
            "entities": len(resolution.entities),
            "review_candidates": [asdict(c) for c in resolution.candidates],
            "review_candidate_count": resolution.candidate_count,
            "review_decisions": [dict(asdict(d), decided_on=d.decided_on.isoformat()) for d in resolution.decisions],
        }

    @cached_property
    def postcodes(self) -> dict[str, list[str]]:
        """Each named supplier's known postcodes: those its payments' rows state and those a contracts register in
        the store states for it (by key). Nothing else: a supplier with none has no known postcode."""
        tables = [self.payments]
        if self.store.has("contracts"):
            tables.append(analytics.payments(self.con, self.store.dataset("contracts")))
        found: dict[str, set[str]] = defaultdict(set)
        for table in tables:
            for row in analytics.to_records(analytics.supplier_postcodes(table)):
                if row["supplier_key"] != REDACTED_KEY:
                    found[row["supplier_key"]].add(row["postcode"])
        return {key: sorted(found[key]) for key in sorted(found)}

    def localities(self, local_areas: Sequence[str]) -> dict[str, Locality]:
        return {key: supplier_locality(found, local_areas) for key, found in self.postcodes.items()}

    def local_share(self, local_areas: Sequence[str]) -> dict[str, Any]:
        """The spend with local, not local and unknown suppliers (`domain.market.locality`); all of it unknown when
        no local areas are given."""
        locality_of = self.localities(local_areas)
        return local_share(((r["supplier_key"], r["total"] or Decimal(0),
                             locality_of.get(r["supplier_key"], Locality.UNKNOWN).value) for r in self.suppliers),
                           local_areas).as_data()

    def organisations(self, local_areas: Sequence[str]) -> list[Organisation]:
        """Every named supplier or grant recipient with the areas it is paid in and its largest annual income
        from the council (financial years April to March)."""
        t = self.payments.filter(~self.payments.supplier_redacted & (self.payments.supplier_key != "")
                                 & self.payments.period.notnull())
        year = ibis.cases((t.period.month() >= 4, t.period.year()), else_=t.period.year() - 1)
        yearly = analytics.to_records(t.mutate(fy=year).group_by(["supplier_key", "fy"])
                                      .aggregate(total=t.amount.sum()))
        areas = analytics.to_records(t.group_by(["supplier_key", "service_area", "expense_type", "description"])
                                     .aggregate(n=t.count()))
        largest: dict[str, Decimal] = defaultdict(Decimal)
        total: dict[str, Decimal] = defaultdict(Decimal)
        for row in yearly:
            largest[row["supplier_key"]] = max(largest[row["supplier_key"]], row["total"] or Decimal(0))
            total[row["supplier_key"]] += row["total"] or Decimal(0)
        area_of: dict[str, set[str]] = defaultdict(set)
        for row in areas:
            area_of[row["supplier_key"]].update(filter(None, (row["service_area"], row["expense_type"],
                                                               row["description"])))
        locality_of = self.localities(local_areas)
        local = {Locality.LOCAL: True, Locality.NOT_LOCAL: False, Locality.UNKNOWN: None}
        return [Organisation(key, self.labels[key], local[locality_of.get(key, Locality.UNKNOWN)],
                             tuple(sorted(area_of[key])), total[key], largest[key])
                for key in largest]


def _decision(record: dict[str, Any]) -> ReviewDecision:
    return ReviewDecision(record["left"], record["right"], record["same"], record["decided_by"],
                          dt.date.fromisoformat(record["decided_on"]), record["reason"])


def review_suppliers(db: Path, left: str, right: str, *, same: bool, decided_by: str, reason: str,
                     today: dt.date) -> dict[str, Any]:
    """Record a person's decision that two supplier names are the same organisation (`same`) or two; later
    reports apply it (see `resolution.resolve`). The names are matched after normalisation and must both be
    suppliers in the store; who decided and why are required, as for any decision a council may have to explain."""
    market = Market(db)  # refuses an empty store, as every report does
    known = {r["supplier_key"] for r in market.suppliers if not r["redacted"]}
    keys = normalise_name(left), normalise_name(right)
    problems = [Problem(str(db), f"no supplier called '{name}' (normalised '{key}') is in the store; use a name "
                                 "from the report's review list")
                for name, key in zip((left, right), keys, strict=True) if key not in known]
    if keys[0] == keys[1]:
        problems.append(Problem(str(db), f"'{left}' and '{right}' are already one supplier (both normalise to "
                                         f"'{keys[0]}')"))
    problems += [Problem(str(db), f"{field} is required: say {hint}") for field, value, hint in (
        ("--by", decided_by, "who decided"), ("--reason", reason, "why, for the record")) if not value.strip()]
    if problems:
        raise InputError(problems)
    decision = {"left": keys[0], "right": keys[1], "same": same, "decided_by": decided_by.strip(),
                "decided_on": today.isoformat(), "reason": reason.strip()}
    market.store.add_review(decision)
    return decision


def spend_figures(db: Path, bands: str = "uk-2010", top: int = 15, local_areas: Sequence[str] = ()
                  ) -> dict[str, Any]:
    """What the workspace stores after each import or review (computed then, never per page view): the whole
    report, and the spend by month, service area, supplier and supplier type that its filtered pages add up, each
    cell with its supplier's locality under the organisation's `local_areas` (`with_local_areas`)."""
    market = Market(db)
    report = market.report(bands=bands, top=top)
    report["supplier_postcodes"] = market.postcodes
    dims = ["period", "service_area", "supplier_key"]
    cells = [{"period": r["period"], "service_area": r["service_area"] or "", "supplier": r["supplier_key"],
              "label": r["label"], "total": r["total"], "payments": r["payments"]}
             for r in analytics.to_records(analytics.spend_by_label(market.payments, market.label_table, dims),
                                           money=("total",), months=("period",))]
    return with_local_areas({"report": report, "cells": cells}, local_areas)


def with_local_areas(figures: dict[str, Any], local_areas: Sequence[str]) -> dict[str, Any]:
    """The figures with each cell's `local` (its supplier's locality) and the report's `local` share recomputed
    under `local_areas`, from the suppliers' postcodes the report keeps (`supplier_postcodes`): how the workspace
    follows a change of the organisation's local areas without reading the store again."""
    postcodes: dict[str, list[str]] = figures["report"].get("supplier_postcodes", {})
    locality_of = {key: supplier_locality(found, local_areas).value for key, found in postcodes.items()}
    unknown = Locality.UNKNOWN.value
    located = []
    for cell in figures["cells"]:
        cell["local"] = locality = locality_of.get(cell["supplier"], unknown)
        located.append((cell["supplier"], Decimal(cell["total"]), locality))
    figures["report"]["local"] = local_share(located, local_areas).as_data()
    return figures


def spend_report(db: Path, bands: str = "uk-2010", top: int = 15, council: str | None = None,
                 local_areas: Sequence[str] = (), companies_house: Sequence[Path] = ()) -> dict[str, Any]:
    """The report; with `companies_house` (basic company data files), suppliers' sizes from their accounts."""
    return Market(db, council=council, companies_house=companies_house).report(bands=bands, top=top,
                                                                               local_areas=local_areas)


def partners(db: Path, service: str, value: Decimal, *, lots: int = 1, min_bidders: int = DEFAULT_MIN_BIDDERS,
             capacity_multiple: Decimal = DEFAULT_CAPACITY_MULTIPLE, local_areas: Sequence[str] = (),
             local_only: bool = False, council: str | None = None,
             related_at: float = DEFAULT_RELATEDNESS) -> dict[str, Any]:
    market = Market(db, council=council)
    advice = lot_advice(service, value, market.organisations(local_areas), lots=lots, min_bidders=min_bidders,
                        capacity_multiple=capacity_multiple, local_only=local_only, related_at=related_at)
    return {
        "service": advice.service, "annual_value": _money(advice.annual_value), "lots": advice.lots,
        "lot_value": _money(advice.lot_value), "lots_too_large": advice.lots_too_large,
        "proposed_lots": advice.proposed_lots,
        "proposed_lot_value": _money(advice.proposed_lot_value) if advice.proposed_lot_value else None,
        "min_bidders": advice.min_bidders,
        "capacity_rule": f"a lot is within reach of an organisation when it is at most {advice.capacity_multiple} x "
                         "the largest amount it received from the council in one financial year "
                         "(Commonweal default, --capacity-multiple)",
        "partners": [{"name": p.organisation.name, **_label(p.organisation.classification),
                      "local": p.organisation.local, "relatedness": p.relatedness,
                      "received_total": _money(p.organisation.received_total),
                      "largest_annual": _money(p.organisation.largest_annual), "capacity": _money(p.capacity),
                      "areas": list(p.organisation.areas[:5])} for p in advice.partners],
        "notes": list(advice.notes),
    }


def accuracy_of_files(paths: Sequence[Path], companies_house: Sequence[Path] = ()) -> dict[str, dict[str, Any]]:
    records: dict[str, Iterable[SpendRecord]] = {p.name: read_spend_file(p).records for p in paths}
    accounts: dict[str, str] = {}
    if companies_house:
        named = [r for rows in records.values() for r in rows if not r.supplier_redacted and r.supplier_name]
        by_number, by_name = read_basic_company_data(companies_house, [r.company_number for r in named],
                                                     [normalise_name(r.supplier_name) for r in named])
        for r in named:
            key = normalise_name(r.supplier_name)
            found = by_number.get(company_number(r.company_number) or "") or by_name.get(key)
            if found is not None:
                accounts[key] = found.accounts_category
    return classification_accuracy(records, accounts)


# Ground truth the corpus carries: each council's own flag, mapped to the label it implies.
def _devon_truth(code: str) -> str | None:
    code = code.strip().upper()
    if code in ("CHTY", "VCS", "VH", "YTH", "PRSH", "CHU"):
        return "vcse"
    if code in ("WGA", "EDUC", "UNI"):
        return "public_body"
    if code in ("B", "BUSN", "LTD", "PLC", "SOLE"):
        return "business"
    if code == "INDV":
        return "individual_or_redacted"
    return None


def classification_accuracy(records_by_file: dict[str, Iterable[SpendRecord]],
                            accounts: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Classify each distinct supplier with the council's flags withheld and compare with the flags; `accounts`
    gives suppliers' Companies House accounts categories by normalised name.

    Devon (creditor type): four classes, SME and large both count as `business`. Calderdale (VCSE flag Y or
    not): VCSE versus anything else. Salford (SME Yes/No on its contracts register): SME versus not. Redacted
    names are left out: they carry no evidence to test.
    """
    results: dict[str, dict[str, Any]] = {}
    for name, records in records_by_file.items():
        seen: dict[str, tuple[str, str, bool]] = {}
        for record in records:
            if record.supplier_redacted or not record.supplier_name:
                continue
            evidence = SupplierEvidence(name=record.supplier_name,
                                        company_number=company_number(record.company_number),
                                        charity_number=charity_number(record.charity_number),
                                        accounts_category=(accounts or {}).get(normalise_name(record.supplier_name),
                                                                               ""))
            predicted = classify(evidence, use_council_flags=False).label
            if name.startswith("devon"):
                truth = _devon_truth(record.council_supplier_type)
                guess = "business" if predicted in (Label.SME, Label.LARGE) else predicted.value
            elif name.startswith("calderdale"):
                truth = "vcse" if record.council_vcse_flag.strip().upper() == "Y" else "not vcse"
                guess = "vcse" if predicted == Label.VCSE else "not vcse"
            else:
                flag = record.council_sme_flag.strip().upper()
                truth = {"YES": "sme", "NO": "not sme"}.get(flag)
                guess = "sme" if predicted == Label.SME else "not sme"
            if truth is not None:
                seen[normalise_name(record.supplier_name)] = (truth, guess, predicted != Label.UNKNOWN)
        correct = sum(1 for truth, guess, _ in seen.values() if truth == guess)
        decided = [(t, g) for t, g, labelled in seen.values() if labelled]
        results[name] = {"suppliers": len(seen), "correct": correct,
                         "accuracy": round(correct / len(seen), 4) if seen else None,
                         "coverage": round(len(decided) / len(seen), 4) if seen else None,
                         "accuracy_when_labelled": round(sum(t == g for t, g in decided) / len(decided), 4)
                         if decided else None}
    return results


def write_outputs(report: dict[str, Any], folder: Path) -> list[Path]:
    """Charts (SVG and PNG, each with its data as CSV) and every report table as CSV and XLSX."""
    from commonweal.io import charts
    from commonweal.io.export import write_table

    written: list[Path] = []
    written += charts.write_chart(folder, "shares_over_time", charts.shares_over_time(
        report["spend_by_label_and_period"]), report["spend_by_label_and_period"])
    curve = report["concentration_curve"]
    written += charts.write_chart(folder, "concentration_curve", charts.concentration_curve(
        curve["points"], f"Concentration: {curve['service_area']}"), curve["points"])
    written += charts.write_chart(folder, "top_suppliers", charts.top_suppliers(report["top_suppliers"]),
                                  report["top_suppliers"])
    for table in ("imports", "spend_by_label", "spend_by_label_and_kind", "spend_by_service_area",
                  "spend_by_expense_type", "concentration", "dependency_alerts", "review_candidates"):
        for suffix in ("csv", "xlsx"):
            path = folder / f"{table}.{suffix}"
            write_table(path, report[table])
            written.append(path)
    return written


def report_html(report: dict[str, Any]) -> str:
    from commonweal.io import charts
    from commonweal.io.spend.html import render_report

    curve = report["concentration_curve"]
    return render_report(report, {
        "spend_by_label_and_period": charts.svg(charts.shares_over_time(report["spend_by_label_and_period"])),
        "top_suppliers": charts.svg(charts.top_suppliers(report["top_suppliers"])),
        "concentration": charts.svg(charts.concentration_curve(curve["points"],
                                                               f"Concentration: {curve['service_area']}")),
    })
