"""The social value area's reads and writes. Every function takes the signed-in user and starts from the access
layer: any member of an organisation reads its social value pages (`organisation_access`); its commissioners
change them; a tender's measures are read by anyone with a role on the tender and chosen by its commissioners
(`tender_access`). Every change is saved in one transaction with its audit entry, under a lock on the
organisation's row, and the stored roll-up is recomputed in the same transaction when its inputs change.

An organisation's own licensed library is read only here, only for that organisation: no other organisation's
query can reach it, and it is never exported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from commonweal.domain.lifecycle import Role, Stage
from commonweal.domain.socialvalue.core_values import (
    DEFAULT_CORE_VALUE_LIMIT,
    CoreValues,
    MeasureSelection,
    check_core_values,
    check_selection,
)
from commonweal.domain.socialvalue.core_values import CoreValue as DomainCoreValue
from commonweal.domain.socialvalue.delivery import Verification
from commonweal.domain.socialvalue.library import Library, Measure
from commonweal.domain.socialvalue.maturity import LEVELS, QUESTIONS, Answer, Level, MaturityResult, assess
from commonweal.domain.socialvalue.ppn002 import ModelRow
from commonweal.domain.socialvalue.rollup import (
    AsAt,
    CommittedLine,
    DeliveredLine,
    RollUpRow,
    Total,
    ValuedLine,
    roll_up,
    totals,
    value_lines,
)
from commonweal.domain.socialvalue.sroi import analyse
from commonweal.io.errors import InputError, Problem
from commonweal.io.socialvalue import (
    open_library,
    parse_commitments,
    parse_delivery,
    parse_impact_map,
    parse_library,
    parse_ppn002,
    shipped_ppn002,
)
from commonweal.services.socialvalue import sroi_data
from commonweal.web import audit
from commonweal.web.access import (
    Access,
    Forbidden,
    NotFound,
    Refused,
    Visitor,
    organisation_access,
    organisations_for,
    tender_access,
)
from commonweal.web.memo import Versioned
from commonweal.web.models import Organisation, Tender
from commonweal.web.socialvalue.models import (
    CommitmentLine,
    ContractCommitments,
    ContractRollUp,
    CoreValue,
    DeliveryLine,
    MaturityAssessment,
    ModelImport,
    OwnLibrary,
    SroiProgramme,
    StoredRollUp,
    TenderMeasure,
)
from commonweal.web.socialvalue.sources import from_contracts

# Commonweal rule: a tender's social value measures are part of the award criteria bidders are told about, so
# they are chosen only while the tender is a draft (changing published award criteria is restricted by the
# Procurement Act 2023; s.24 "refining award criteria", not checked against the text here).
SELECTION_STAGES = (Stage.DRAFT,)
_QUARTER = re.compile(r"Q([1-4])$", re.IGNORECASE)


def _member(user: Visitor) -> User:
    assert isinstance(user, User)
    return user


def _locked(organisation: Organisation) -> Organisation:
    """The organisation's row, locked until the transaction ends: writes that count or replace its social value
    rows (five core values at most, one own library) serialise on it."""
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# -- the library: the open one, plus the organisation's own ---------------------------------------------------------

_OWN_LIBRARIES: dict[tuple[int, str], Library] = {}  # per process, keyed by organisation and content hash


def library_for(organisation: Organisation) -> Library:
    """The open library plus the organisation's own licensed library, if it imported one (private to it)."""
    shipped = open_library()
    own = OwnLibrary.objects.filter(organisation=organisation).values("content_hash", "name", "version").first()
    if own is None:
        return shipped
    key = (organisation.pk, own["content_hash"])
    if key not in _OWN_LIBRARIES:
        stored = OwnLibrary.objects.get(organisation=organisation)
        _OWN_LIBRARIES[key] = parse_library(stored.file_name, bytes(stored.content), stored.name, stored.version)
    mine = _OWN_LIBRARIES[key]
    return Library(name=f"{shipped.name} + {mine.name}", version=f"{shipped.version} + {mine.version}",
                   measures=shipped.measures + mine.measures)


@dataclass(frozen=True)
class Overview:
    organisation: Organisation
    core_values: list[CoreValue]
    limit: int
    own_library: OwnLibrary | None
    contracts: int
    programmes: int
    assessments: int
    may_change: bool


def _may_change(user: Visitor, organisation: Organisation) -> bool:
    try:
        organisation_access(user, organisation.slug, Role.COMMISSIONER)
    except Forbidden:  # a reader
        return False
    return True


def overview(user: Visitor, slug: str) -> Overview:
    organisation = organisation_access(user, slug)
    return Overview(
        organisation=organisation,
        core_values=list(CoreValue.objects.filter(organisation=organisation)),
        limit=DEFAULT_CORE_VALUE_LIMIT,
        own_library=OwnLibrary.objects.filter(organisation=organisation).defer("content").first(),
        contracts=ContractCommitments.objects.filter(organisation=organisation).count(),
        programmes=SroiProgramme.objects.filter(organisation=organisation).count(),
        assessments=MaturityAssessment.objects.filter(organisation=organisation).count(),
        may_change=_may_change(user, organisation),
    )


def organisations(user: Visitor) -> list[Organisation]:
    return organisations_for(user)


# -- core values ----------------------------------------------------------------------------------------------------


def _domain_values(values: Iterable[CoreValue]) -> CoreValues:
    return CoreValues(tuple(DomainCoreValue(str(v.pk), v.title, tuple(v.outcomes), tuple(v.measures))
                            for v in values))


def core_value(user: Visitor, slug: str, value_id: int) -> tuple[Organisation, CoreValue]:
    organisation = organisation_access(user, slug)
    found = CoreValue.objects.filter(organisation=organisation, pk=value_id).first()
    if found is None:
        raise NotFound("no such core value")
    return organisation, found


def library_choices(user: Visitor, slug: str) -> tuple[Organisation, Library]:
    organisation = organisation_access(user, slug)
    return organisation, library_for(organisation)


@audit.retrying
def save_core_value(user: Visitor, slug: str, value_id: int | None, title: str, outcomes: list[str],
                    measures: list[str], proportionality: str) -> CoreValue:
    """Add a core value (`value_id` None) or change one: at most five (Commonweal default), each measure from the
    organisation's library and under one of the value's outcomes (`domain.socialvalue.core_values`)."""
    organisation = organisation_access(user, slug, Role.COMMISSIONER)
    library = library_for(organisation)
    with transaction.atomic():
        _locked(organisation)
        existing = list(CoreValue.objects.filter(organisation=organisation))
        if value_id is not None and not any(v.pk == value_id for v in existing):
            raise NotFound("no such core value")
        if any(v.title == title and v.pk != value_id for v in existing):
            raise Refused([f"There is already a core value called {title}"], ["title"])
        found = next((v for v in existing if v.pk == value_id), None) or CoreValue(
            organisation=organisation, position=max((v.position for v in existing), default=0) + 1)
        found.title, found.outcomes, found.measures, found.proportionality = title, outcomes, measures, proportionality
        proposed = [v for v in existing if v.pk != value_id] + [found]
        problems = check_core_values(_domain_values(proposed), library)
        if problems:
            raise Refused(problems, ["measures"] * len(problems))
        found.save()
        audit.record(_member(user).get_username(), "core_value_saved",
                     {"title": title, "outcomes": outcomes, "measures": measures, "new": value_id is None},
                     organisation=organisation)
        refresh_rollup(organisation, library)
    return found


@audit.retrying
def remove_core_value(user: Visitor, slug: str, value_id: int) -> str:
    organisation = organisation_access(user, slug, Role.COMMISSIONER)
    with transaction.atomic():
        _locked(organisation)
        found = CoreValue.objects.filter(organisation=organisation, pk=value_id).first()
        if found is None:
            raise NotFound("no such core value")
        used = list(TenderMeasure.objects.filter(core_value=found).values_list("tender__reference", flat=True))
        if used:
            raise Refused([f"{found.title} is used by tender {', '.join(sorted(set(used)))}: remove the tender's "
                           "measures first"], ["confirm"])
        found.delete()
        audit.record(_member(user).get_username(), "core_value_removed", {"title": found.title},
                     organisation=organisation)
        refresh_rollup(organisation)
    return found.title


# -- the measures library -------------------------------------------------------------------------------------------


def search_measures(user: Visitor, slug: str, query: str) -> tuple[Organisation, Library, list[Measure]]:
    """The organisation's library, filtered by words in a measure's id, name, theme, outcome or source."""
    organisation = organisation_access(user, slug)
    library = library_for(organisation)
    words = query.lower().split()

    def text(m: Measure) -> str:
        return " ".join((m.id, m.name, m.theme, m.outcome, m.source_title, m.licence.text)).lower()

    return organisation, library, [m for m in library.measures if all(w in text(m) for w in words)]


@audit.retrying
def import_library(user: Visitor, slug: str, file_name: str, content: bytes, name: str, version: str) -> Library:
    """Import the organisation's own licensed library (replacing an earlier one). Every row is checked by the
    library reader; a measure id the open library already uses is refused, so a value is never silently
    replaced. Nothing is saved unless the whole file is valid."""
    organisation = organisation_access(user, slug, Role.COMMISSIONER)
    library = parse_library(file_name, content, name, version)
    shipped = open_library()
    clashes = [m.id for m in library.measures if m.id in shipped]
    if clashes:
        raise InputError([Problem(file_name, f"measure id '{i}' is already used by the open library; give your "
                                             "library's measures their own ids", column="measure_id")
                          for i in clashes])
    with transaction.atomic():
        _locked(organisation)
        missing = sorted(_measures_in_use(organisation) - {m.id for m in (*shipped.measures, *library.measures)})
        if missing:
            raise InputError([Problem(file_name, f"measure '{i}' is used by the organisation's core values, tenders "
                                                 "or contracts and is not in this library; a new import must keep "
                                                 "it", column="measure_id") for i in missing])
        OwnLibrary.objects.update_or_create(organisation=organisation, defaults={
            "name": name, "version": version, "file_name": file_name, "content": content,
            "content_hash": _sha256(content), "measure_count": len(library.measures)})
        audit.record(_member(user).get_username(), "own_library_imported",
                     {"name": name, "version": version, "measures": len(library.measures),
                      "sha256": _sha256(content)}, organisation=organisation)
        refresh_rollup(organisation)
    return library


def _measures_in_use(organisation: Organisation) -> set[str]:
    used = {m for v in CoreValue.objects.filter(organisation=organisation) for m in v.measures}
    used |= set(TenderMeasure.objects.filter(tender__organisation=organisation).values_list("measure_id", flat=True))
    used |= set(CommitmentLine.objects.filter(contract__organisation=organisation)
                .values_list("measure_id", flat=True))
    used |= set(DeliveryLine.objects.filter(contract__organisation=organisation).values_list("measure_id", flat=True))
    return used


# -- PPN 002 --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelView:
    organisation: Organisation
    shipped: tuple[ModelRow, ...]
    imported: tuple[ModelRow, ...] | None
    imported_from: ModelImport | None
    may_change: bool


def ppn002(user: Visitor, slug: str) -> ModelView:
    organisation = organisation_access(user, slug)
    stored = ModelImport.objects.filter(organisation=organisation).first()
    imported = parse_ppn002(stored.file_name, bytes(stored.content)) if stored else None
    return ModelView(organisation, shipped_ppn002(), imported, stored, _may_change(user, organisation))


@audit.retrying
def import_ppn002(user: Visitor, slug: str, file_name: str, content: bytes) -> int:
    organisation = organisation_access(user, slug, Role.COMMISSIONER)
    rows = parse_ppn002(file_name, content)
    with transaction.atomic():
        _locked(organisation)
        ModelImport.objects.update_or_create(organisation=organisation, defaults={
            "file_name": file_name, "content": content, "content_hash": _sha256(content), "row_count": len(rows)})
        audit.record(_member(user).get_username(), "ppn002_imported",
                     {"rows": len(rows), "sha256": _sha256(content)}, organisation=organisation)
    return len(rows)


# -- a tender's measures, chosen from the core values -----------------------------------------------------------------


@dataclass(frozen=True)
class TenderSocialValue:
    access: Access
    core_values: list[CoreValue]
    selected: list[TenderMeasure]
    library: Library
    may_change: bool
    problems: list[str]


def tender_measures(user: Visitor, tender_id: int) -> TenderSocialValue:
    """The measures a tender asks bidders to commit to, with their reasons and any problem the s.23 checks find."""
    access = tender_access(user, tender_id)
    values = list(CoreValue.objects.filter(organisation_id=access.tender.organisation_id))
    selected = list(TenderMeasure.objects.filter(tender=access.tender).select_related("core_value"))
    problems = check_selection(
        tuple(MeasureSelection(s.measure_id, str(s.core_value_id), s.relevance, s.proportionality) for s in selected),
        _domain_values(values))
    return TenderSocialValue(access, values, selected, library_for(access.tender.organisation), _changeable(access),
                             problems)


def _changeable(access: Access) -> bool:
    return access.has(Role.COMMISSIONER) and access.stage in SELECTION_STAGES


def _selectable(access: Access) -> None:
    access.require(Role.COMMISSIONER)
    if access.stage not in SELECTION_STAGES:
        raise Refused([f"The tender is at stage '{access.stage.label}': its social value measures are part of the "
                       "award criteria and are chosen only while it is a draft"], ["measure"])


@audit.retrying
def select_measure(user: Visitor, tender_id: int, core_value_id: int, measure_id: str, relevance: str,
                   proportionality: str) -> TenderMeasure:
    """Ask bidders for `measure_id` under one of the organisation's core values, with both s.23(2) reasons."""
    access = tender_access(user, tender_id)
    _selectable(access)
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=access.tender.pk)
        value = CoreValue.objects.filter(organisation_id=tender.organisation_id, pk=core_value_id).first()
        if value is None:
            raise Refused(["Choose one of the organisation's core values"], ["core_value"])
        problems = check_selection((MeasureSelection(measure_id, str(value.pk), relevance, proportionality),),
                                   _domain_values([value]))
        if TenderMeasure.objects.filter(tender=tender, measure_id=measure_id).exists():
            problems.append(f"The tender already asks for {measure_id}")
        if problems:
            raise Refused(problems, ["measure"] * len(problems))
        chosen = TenderMeasure.objects.create(tender=tender, core_value=value, measure_id=measure_id,
                                              relevance=relevance, proportionality=proportionality)
        audit.record(access.actor, "tender_measure_selected",
                     {"measure": measure_id, "core_value": value.title}, tender=tender)
    return chosen


@audit.retrying
def remove_measure(user: Visitor, tender_id: int, selection_id: int) -> str:
    access = tender_access(user, tender_id)
    _selectable(access)
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=access.tender.pk)
        found = TenderMeasure.objects.filter(tender=tender, pk=selection_id).first()
        if found is None:
            raise NotFound("no such measure on this tender")
        found.delete()
        audit.record(access.actor, "tender_measure_removed", {"measure": found.measure_id}, tender=tender)
    return found.measure_id


# -- contracts' commitments and returns, and the roll-up --------------------------------------------------------------


def _quarter(period: str) -> int | None:
    """The financial quarter a return's period names ("Q2", "2026-Q2"); None for a whole-year return."""
    found = _QUARTER.search(period.strip())
    return int(found.group(1)) if found else None


@audit.retrying
def record_contract(user: Visitor, slug: str, title: str, supplier: str, first_year: int,
                    commitments: tuple[str, bytes], returns: tuple[str, bytes] | None) -> ContractCommitments:
    """Record a let contract's social value: the winning bid's commitments (the tender's commitments.csv layout,
    rows of `supplier` only) and, optionally, the supplier's returns (the delivery returns layout). Contract year
    1 is financial year `first_year`. Nothing is saved unless both files are valid throughout."""
    organisation = organisation_access(user, slug, Role.COMMISSIONER)
    library = library_for(organisation)
    promised = parse_commitments(*commitments, library)
    delivered = parse_delivery(*returns, library) if returns else ()
    problems = [Problem(commitments[0], f"the bidder is '{c.bidder}', not the contract's supplier '{supplier}'",
                        row, "bidder") for row, c in enumerate(promised, start=2) if c.bidder != supplier]
    if returns:
        problems += [Problem(returns[0], f"the supplier is '{d.supplier}', not the contract's supplier '{supplier}'",
                             row, "supplier") for row, d in enumerate(delivered, start=2) if d.supplier != supplier]
    if problems:
        raise InputError(problems)
    with transaction.atomic():
        _locked(organisation)
        if ContractCommitments.objects.filter(organisation=organisation, title=title).exists():
            raise Refused([f"A contract called {title} is already recorded"], ["title"])
        contract = ContractCommitments.objects.create(organisation=organisation, title=title, supplier=supplier,
                                                      first_year=first_year)
        CommitmentLine.objects.bulk_create(
            CommitmentLine(contract=contract, measure_id=c.measure_id, year=first_year + c.year - 1,
                           quantity=c.quantity, owner=c.owner, milestone=c.milestone) for c in promised)
        DeliveryLine.objects.bulk_create(
            DeliveryLine(contract=contract, measure_id=d.measure_id, year=first_year + d.year - 1,
                         quarter=_quarter(d.period), quantity=d.quantity, evidence=d.evidence,
                         verification=d.verification) for d in delivered)
        audit.record(_member(user).get_username(), "contract_commitments_recorded",
                     {"title": title, "supplier": supplier, "first_year": first_year, "commitments": len(promised),
                      "returns": len(delivered)}, organisation=organisation)
        refresh_rollup(organisation, library)
    return contract


def _line_json(line: ValuedLine) -> dict[str, Any]:
    return {"contract": line.contract, "core_value": line.core_value, "year": line.year, "quarter": line.quarter,
            "value": None if line.value is None else str(line.value), "verification": line.verification}


def stored_line(data: Mapping[str, Any]) -> ValuedLine:
    return ValuedLine(data["contract"], data["core_value"], data["year"], data["quarter"],
                      None if data["value"] is None else Decimal(data["value"]),
                      cast("Verification | None", data["verification"]))  # a string: no Union built per line


def _place(organisation: Organisation) -> dict[str, str]:
    """Each measure's core value: the first of the organisation's core values that serves it."""
    place: dict[str, str] = {}
    for value in CoreValue.objects.filter(organisation=organisation):
        for measure_id in value.measures:
            place.setdefault(measure_id, value.title)
    return place


def _contract_rollup(organisation: Organisation, contract_id: int,
                     lines: tuple[tuple[ValuedLine, ...], tuple[ValuedLine, ...]]) -> ContractRollUp:
    return ContractRollUp(organisation=organisation, contract_id=contract_id,
                          committed=[_line_json(v) for v in lines[0]], delivered=[_line_json(v) for v in lines[1]])


def refresh_rollup(organisation: Organisation, library: Library | None = None) -> None:
    """Value every commitment and return of the organisation and store them: called inside each write that
    changes the inputs of every valuation (core values, the library) or the contracts recorded here, in its
    transaction (a write to one contract of the contracts area values that one: `contract_changed`)."""
    library = library or library_for(organisation)
    place = _place(organisation)
    # every measure in use is in the library: an import that would drop one is refused (`import_library`)
    committed = [CommittedLine(c.contract.title, c.measure_id, c.year, c.quantity)
                 for c in CommitmentLine.objects.filter(contract__organisation=organisation).select_related("contract")]
    delivered = [DeliveredLine(d.contract.title, d.measure_id, d.year, d.quarter, d.quantity,
                               cast(Verification, d.verification))
                 for d in DeliveryLine.objects.filter(contract__organisation=organisation).select_related("contract")]
    valued_commitments, valued_returns = value_lines(committed, delivered, library, place)
    ContractRollUp.objects.filter(organisation=organisation).delete()
    ContractRollUp.objects.bulk_create(_contract_rollup(organisation, pk, lines)
                                       for pk, lines in from_contracts(organisation, library, place).items())
    StoredRollUp.objects.update_or_create(organisation=organisation, defaults={
        "committed": [_line_json(v) for v in valued_commitments],
        "delivered": [_line_json(v) for v in valued_returns]})


def contract_changed(organisation: Organisation, contract_id: int) -> None:
    """Revalue one contract of the contracts area inside the write that changed it or its returns
    (`commonweal.web.contracts.data.refresh`) and move the roll-up's version. The organisation's row is locked first,
    as every social value write does, so two contracts changing at once store one after the other."""
    organisation = _locked(organisation)
    if not StoredRollUp.objects.filter(organisation=organisation).exists():
        refresh_rollup(organisation)  # the organisation's first roll-up
        return
    library = library_for(organisation)
    lines = from_contracts(organisation, library, _place(organisation), contract_id).get(contract_id, ((), ()))
    ContractRollUp.objects.filter(contract_id=contract_id).delete()
    _contract_rollup(organisation, contract_id, lines).save()
    StoredRollUp.objects.filter(organisation=organisation).update(computed_at=timezone.now())


@dataclass(frozen=True)
class RollUp:
    organisation: Organisation
    as_at: AsAt
    rows: tuple[RollUpRow, ...]
    by_contract: tuple[Total, ...]
    by_core_value: tuple[Total, ...]
    by_year: tuple[Total, ...]
    contracts: list[ContractCommitments]
    may_change: bool


# Rolled-up rows, and their totals for a selection of contracts, under the stored lines' version (computed_at): the
# stored lines change only inside a write (`refresh_rollup`, `contract_changed`, which move computed_at), so a process
# rolls each version up once, not on every page view (`web.memo`). Kept: ROLLED_KEPT rows and selections (Commonweal
# default).
ROLLED_KEPT = 32
_kept: Versioned[Any] = Versioned(lambda: ROLLED_KEPT)


def _version(organisation: Organisation) -> dt.datetime | None:
    return StoredRollUp.objects.filter(organisation=organisation).values_list("computed_at", flat=True).first()


def _rows(organisation: Organisation, version: dt.datetime, as_at: AsAt, verified_only: bool
          ) -> tuple[RollUpRow, ...]:
    def make() -> tuple[RollUpRow, ...]:
        stored = StoredRollUp.objects.filter(organisation=organisation).first()
        if stored is None:
            return ()
        contracts = list(ContractRollUp.objects.filter(organisation=organisation).order_by("contract_id")
                         .values_list("committed", "delivered"))
        committed = [stored_line(v) for v in chain(stored.committed, *(c for c, _ in contracts))]
        delivered = [stored_line(v) for v in chain(stored.delivered, *(d for _, d in contracts))
                     if not verified_only or v["verification"] == "verified"]
        return roll_up(committed, delivered, as_at)

    # a write between reading the version and the lines keeps newer lines under the version read: no reader
    # after that write asks for that version again
    return cast(tuple[RollUpRow, ...], _kept.get(("rows", organisation.pk, as_at, verified_only), version, make))


def rolled_up(organisation: Organisation, as_at: AsAt, *, verified_only: bool = False) -> tuple[RollUpRow, ...]:
    """The roll-up's rows as at the end of a quarter from the stored valued lines; `verified_only` counts only
    delivery the council verified (the public pages), so unverified figures never enter what they build."""
    version = _version(organisation)
    return () if version is None else _rows(organisation, version, as_at, verified_only)


@dataclass(frozen=True)
class Selected:
    """The verified roll-up of a selection of contracts: each contract's total and the selection's by core value."""

    by_contract: Mapping[str, Total]
    by_core_value: tuple[Total, ...]


def verified_totals(organisation: Organisation, as_at: AsAt, names: frozenset[str]) -> Selected:
    """What the public pages show of the named contracts: committed, due and verified £ (`verified_only`)."""
    version = _version(organisation)
    if version is None:
        return Selected({}, ())

    def make() -> Selected:
        rows = [r for r in _rows(organisation, version, as_at, True) if r.contract in names]
        return Selected({t.label: t for t in totals(rows, lambda r: r.contract)},
                        totals(sorted(rows, key=lambda r: r.core_value), lambda r: r.core_value))

    return cast(Selected, _kept.get(("selected", organisation.pk, as_at, names), version, make))


def rollup(user: Visitor, slug: str, as_at: AsAt) -> RollUp:
    """Committed, due, delivered and verified £ as at the end of a quarter, from the stored valued lines."""
    organisation = organisation_access(user, slug)
    rows = rolled_up(organisation, as_at)
    return RollUp(organisation, as_at, rows, totals(rows, lambda r: r.contract),
                  totals(sorted(rows, key=lambda r: r.core_value), lambda r: r.core_value),
                  totals(sorted(rows, key=lambda r: r.year), lambda r: str(r.year)),
                  list(ContractCommitments.objects.filter(organisation=organisation)),
                  _may_change(user, organisation))


# -- SROI -----------------------------------------------------------------------------------------------------------


def programmes(user: Visitor, slug: str) -> tuple[Organisation, list[SroiProgramme], bool]:
    organisation = organisation_access(user, slug)
    found = list(SroiProgramme.objects.filter(organisation=organisation).defer("content"))
    return organisation, found, _may_change(user, organisation)


def programme(user: Visitor, slug: str, programme_id: int) -> tuple[Organisation, SroiProgramme]:
    organisation = organisation_access(user, slug)
    found = SroiProgramme.objects.filter(organisation=organisation, pk=programme_id).defer("content").first()
    if found is None:
        raise NotFound("no such programme")
    return organisation, found


@audit.retrying
def add_programme(user: Visitor, slug: str, file_name: str, content: bytes) -> SroiProgramme:
    """Read an impact map (through the structured layer), compute its SROI and sensitivity once, and store both."""
    organisation = organisation_access(user, slug, Role.COMMISSIONER)
    library = library_for(organisation)
    impact_map = parse_impact_map(file_name, content, library)
    try:
        result = analyse(impact_map)
    except ValueError as exc:
        raise InputError([Problem(file_name, str(exc), column="investment")]) from exc
    with transaction.atomic():
        saved = SroiProgramme.objects.create(
            organisation=organisation, name=impact_map.name[:200], file_name=file_name, content=content,
            result=sroi_data(result, library), created_by=_member(user))
        audit.record(_member(user).get_username(), "sroi_programme_added",
                     {"name": saved.name, "ratio": str(result.ratio), "sha256": _sha256(content)},
                     organisation=organisation)
    return saved


# -- maturity -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Maturity:
    organisation: Organisation
    history: list[MaturityAssessment]
    latest: MaturityResult | None
    may_change: bool


def _result(assessment: MaturityAssessment) -> MaturityResult:
    return assess(Answer(q, cast(Level, level)) for q, level in assessment.answers.items())


def maturity(user: Visitor, slug: str) -> Maturity:
    organisation = organisation_access(user, slug)
    history = list(MaturityAssessment.objects.filter(organisation=organisation))
    return Maturity(organisation, history, _result(history[-1]) if history else None,
                    _may_change(user, organisation))


@audit.retrying
def record_maturity(user: Visitor, slug: str, taken_on: dt.date, answers: Mapping[str, str]) -> MaturityResult:
    """Keep one self-assessment (every question answered); earlier ones are kept to show the trend."""
    organisation = organisation_access(user, slug, Role.COMMISSIONER)
    wrong = [f"Answer '{q.text}'" for q in QUESTIONS if answers.get(q.id) not in LEVELS]
    if wrong:
        raise Refused(wrong, [q.id for q in QUESTIONS if answers.get(q.id) not in LEVELS])
    result = assess(Answer(q.id, cast(Level, answers[q.id])) for q in QUESTIONS)
    with transaction.atomic():
        MaturityAssessment.objects.create(
            organisation=organisation, taken_on=taken_on, answers={q.id: answers[q.id] for q in QUESTIONS},
            level=result.level, mean_score=result.mean_score, recorded_by=_member(user))
        audit.record(_member(user).get_username(), "maturity_assessed",
                     {"taken_on": taken_on.isoformat(), "level": result.level, "mean_score": str(result.mean_score)},
                     organisation=organisation)
    return result
