"""OCDS to Commonweal and back: parties, tenders, lots, bids, awards and contracts of one contracting process.

`process_from_release` reads a compiled release into `Process`; `release_from_process` writes one back. Money is
`Decimal` both ways (JSON numbers are read through their decimal text). Organisation identifiers follow
org-id.guide: `GB-COH` (Companies House), `GB-CHC` (Charity Commission for England and Wales) and `GB-PPON`
(the Central Digital Platform's Public Procurement Organisation Number, Procurement Act 2023); a party's `id` is
`scheme-identifier` when its scheme is known. Scale (`details.scale`: "micro", "sme", "large") and VCSE status
(`details.vcse`) are read and written where published, as the UK Find a Tender service publishes them.

Lots: OCDS core has no lots (they come from the Lots extension), so a Commonweal lot is exported as its own
contracting process (ocid `<prefix>-<reference>-lot-<lot id>`), and an imported release with `tender.lots` keeps
them as `PublishedLot`s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only the export needs the evaluation engine, and compiling should not load NumPy
    from commonweal.domain.contracts.model import Contract, Return
    from commonweal.domain.evaluation.evaluate import LotResult
    from commonweal.domain.evaluation.model import EvaluationModel, Tender
    from commonweal.domain.socialvalue.commitments import BidSocialValue

KNOWN_SCHEMES = ("GB-COH", "GB-CHC", "GB-PPON")


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = "GBP"

    def as_ocds(self) -> dict[str, Any]:
        return {"amount": self.amount, "currency": self.currency}


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    roles: tuple[str, ...] = ()
    scheme: str | None = None
    identifier: str | None = None
    scale: str | None = None  # "micro", "sme" or "large", as published
    vcse: bool | None = None
    address: str = ""
    email: str = ""


@dataclass(frozen=True)
class PublishedLot:
    id: str
    title: str = ""
    value: Money | None = None
    status: str | None = None


@dataclass(frozen=True)
class PublishedTender:
    id: str
    title: str = ""
    description: str = ""
    status: str | None = None
    procurement_method: str | None = None
    value: Money | None = None
    award_criteria: str | None = None
    award_criteria_details: str = ""
    tender_period_end: str | None = None
    number_of_tenderers: int | None = None
    tenderers: tuple[str, ...] = ()
    lots: tuple[PublishedLot, ...] = ()


@dataclass(frozen=True)
class PublishedBid:
    id: str
    tenderers: tuple[str, ...]
    status: str | None = None
    value: Money | None = None
    lot: str | None = None


@dataclass(frozen=True)
class Commitment:
    """A social value commitment made in a bid and carried into the contract (Commonweal's OCDS extension)."""

    id: str
    measure: str
    unit: str = ""
    quantity: Decimal | None = None
    value: Money | None = None
    description: str = ""


@dataclass(frozen=True)
class Delivery:
    """Social value delivered against a commitment over a period (Commonweal's OCDS extension)."""

    id: str
    commitment: str
    period_start: date
    period_end: date
    quantity: Decimal | None = None
    value: Money | None = None
    evidence: str = ""


@dataclass(frozen=True)
class PublishedAward:
    id: str
    status: str | None = None
    suppliers: tuple[str, ...] = ()
    value: Money | None = None
    date: str | None = None
    title: str = ""
    commitments: tuple[Commitment, ...] = ()


@dataclass(frozen=True)
class Observation:
    id: str
    kind: str  # "target" or "actual"
    measure: Decimal
    period_start: date | None = None
    period_end: date | None = None


@dataclass(frozen=True)
class Metric:
    """A contract KPI as an OCDS implementation metric (the shape of OCDS's Metrics extension)."""

    id: str
    title: str
    unit: str = ""
    observations: tuple[Observation, ...] = ()


@dataclass(frozen=True)
class PublishedContract:
    id: str
    award_id: str
    title: str = ""
    status: str | None = None
    value: Money | None = None
    period_start: date | None = None
    period_end: date | None = None
    date_signed: date | None = None
    metrics: tuple[Metric, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    delivery: tuple[Delivery, ...] = ()


@dataclass(frozen=True)
class Process:
    """One contracting process as Commonweal reads it from (or writes it to) OCDS."""

    ocid: str
    buyer: str | None = None
    parties: tuple[Party, ...] = ()
    tender: PublishedTender | None = None
    bids: tuple[PublishedBid, ...] = ()
    awards: tuple[PublishedAward, ...] = ()
    contracts: tuple[PublishedContract, ...] = ()
    extensions: tuple[str, ...] = field(default=())


# ---- reading ---------------------------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _money(value: Any) -> Money | None:
    if not isinstance(value, Mapping):
        return None
    amount = _decimal(value.get("amount"))
    if amount is None:
        return None
    return Money(amount, str(value.get("currency") or ""))


def _date(value: Any) -> date | None:
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _ref_id(org: Any) -> str | None:
    if isinstance(org, Mapping) and org.get("id") not in (None, ""):
        return str(org["id"])
    return None


def _party(raw: Mapping[str, Any]) -> Party:
    identifier = raw.get("identifier") if isinstance(raw.get("identifier"), Mapping) else {}
    assert isinstance(identifier, Mapping)
    details = raw.get("details") if isinstance(raw.get("details"), Mapping) else {}
    assert isinstance(details, Mapping)
    address = raw.get("address") if isinstance(raw.get("address"), Mapping) else {}
    assert isinstance(address, Mapping)
    contact = raw.get("contactPoint") if isinstance(raw.get("contactPoint"), Mapping) else {}
    assert isinstance(contact, Mapping)
    scale = details.get("scale")
    vcse = details.get("vcse")
    return Party(
        id=str(raw.get("id") or ""),
        name=_text(raw.get("name")),
        roles=tuple(str(r) for r in raw.get("roles") or []),
        scheme=_text(identifier.get("scheme")) or None,
        identifier=_text(str(identifier["id"])) if identifier.get("id") not in (None, "") else None,
        scale=scale if isinstance(scale, str) else None,
        vcse=vcse if isinstance(vcse, bool) else None,
        address=", ".join(
            _text(address.get(k)) for k in ("streetAddress", "locality", "postalCode") if _text(address.get(k))
        ),
        email=_text(contact.get("email")),
    )


def _commitments(raw: Any) -> tuple[Commitment, ...]:
    return tuple(
        Commitment(
            id=str(c.get("id")),
            measure=_text(c.get("measure")),
            unit=_text(c.get("unit")),
            quantity=_decimal(c.get("quantity")),
            value=_money(c.get("value")),
            description=_text(c.get("description")),
        )
        for c in raw or []
        if isinstance(c, Mapping)
    )


def _first_lot(bid: Mapping[str, Any]) -> str | None:
    lots = bid.get("relatedLots") or ([bid["relatedLot"]] if bid.get("relatedLot") else [])
    return str(lots[0]) if lots else None


def process_from_release(release: Mapping[str, Any]) -> Process:
    """Read a compiled release into Commonweal's terms."""
    raw_tender = release.get("tender") if isinstance(release.get("tender"), Mapping) else None
    tender = None
    if raw_tender is not None:
        period = raw_tender.get("tenderPeriod") if isinstance(raw_tender.get("tenderPeriod"), Mapping) else {}
        number = raw_tender.get("numberOfTenderers")
        tender = PublishedTender(
            id=str(raw_tender.get("id") or ""),
            title=_text(raw_tender.get("title")),
            description=_text(raw_tender.get("description")),
            status=raw_tender.get("status"),
            procurement_method=raw_tender.get("procurementMethod"),
            value=_money(raw_tender.get("value")),
            award_criteria=raw_tender.get("awardCriteria"),
            award_criteria_details=_text(raw_tender.get("awardCriteriaDetails")),
            tender_period_end=(period or {}).get("endDate"),
            number_of_tenderers=number if isinstance(number, int) and not isinstance(number, bool) else None,
            tenderers=tuple(t for t in (_ref_id(x) for x in raw_tender.get("tenderers") or []) if t),
            lots=tuple(
                PublishedLot(id=str(lot.get("id")), title=_text(lot.get("title")), value=_money(lot.get("value")),
                             status=lot.get("status"))
                for lot in raw_tender.get("lots") or []
                if isinstance(lot, Mapping)
            ),
        )
    bids_block = release.get("bids") if isinstance(release.get("bids"), Mapping) else {}
    assert isinstance(bids_block, Mapping)
    bids = tuple(
        PublishedBid(
            id=str(b.get("id") or n),
            tenderers=tuple(t for t in (_ref_id(x) for x in b.get("tenderers") or []) if t),
            status=b.get("status"),
            value=_money(b.get("value")),
            lot=_first_lot(b),
        )
        for n, b in enumerate(bids_block.get("details") or [])
        if isinstance(b, Mapping)
    )
    awards = tuple(
        PublishedAward(
            id=str(a.get("id")),
            status=a.get("status"),
            suppliers=tuple(s for s in (_ref_id(x) for x in a.get("suppliers") or []) if s),
            value=_money(a.get("value")),
            date=a.get("date"),
            title=_text(a.get("title")),
            commitments=_commitments(a.get("socialValueCommitments")),
        )
        for a in release.get("awards") or []
        if isinstance(a, Mapping)
    )
    contracts = tuple(_contract(c) for c in release.get("contracts") or [] if isinstance(c, Mapping))
    return Process(
        ocid=str(release.get("ocid")),
        buyer=_ref_id(release.get("buyer")),
        parties=tuple(_party(p) for p in release.get("parties") or [] if isinstance(p, Mapping)),
        tender=tender,
        bids=bids,
        awards=awards,
        contracts=contracts,
    )


def _contract(raw: Mapping[str, Any]) -> PublishedContract:
    period = raw.get("period") if isinstance(raw.get("period"), Mapping) else {}
    assert isinstance(period, Mapping)
    implementation = raw.get("implementation") if isinstance(raw.get("implementation"), Mapping) else {}
    assert isinstance(implementation, Mapping)
    metrics = []
    for m in implementation.get("metrics") or []:
        observations = []
        for o in m.get("observations") or []:
            measure = _decimal(o.get("measure"))
            if measure is None:
                continue
            o_period = o.get("period") or {}
            observations.append(Observation(
                id=str(o.get("id")), kind=str((o.get("dimensions") or {}).get("kind", "actual")), measure=measure,
                period_start=_date(o_period.get("startDate")), period_end=_date(o_period.get("endDate")),
            ))
        unit = next((str((o.get("unit") or {}).get("name")) for o in m.get("observations") or [] if o.get("unit")), "")
        metrics.append(Metric(id=str(m.get("id")), title=_text(m.get("title")), unit=unit,
                              observations=tuple(observations)))
    delivery = tuple(
        Delivery(
            id=str(d.get("id")),
            commitment=str(d.get("commitmentID")),
            period_start=_date((d.get("period") or {}).get("startDate")) or date.min,
            period_end=_date((d.get("period") or {}).get("endDate")) or date.min,
            quantity=_decimal(d.get("quantity")),
            value=_money(d.get("value")),
            evidence=_text(d.get("evidence")),
        )
        for d in implementation.get("socialValueDelivery") or []
        if isinstance(d, Mapping)
    )
    return PublishedContract(
        id=str(raw.get("id")),
        award_id=str(raw.get("awardID")),
        title=_text(raw.get("title")),
        status=raw.get("status"),
        value=_money(raw.get("value")),
        period_start=_date(period.get("startDate")),
        period_end=_date(period.get("endDate")),
        date_signed=_date(raw.get("dateSigned")),
        metrics=tuple(metrics),
        commitments=_commitments(raw.get("socialValueCommitments")),
        delivery=delivery,
    )


# ---- writing ---------------------------------------------------------------------------------------------------


def org_id(identifier: str) -> tuple[str | None, str | None]:
    """Split an org-id such as GB-COH-08123456 into (scheme, id) when the scheme is one Commonweal knows."""
    for scheme in KNOWN_SCHEMES:
        if identifier.startswith(scheme + "-") and len(identifier) > len(scheme) + 1:
            return scheme, identifier[len(scheme) + 1 :]
    return None, None


def _datetime(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _period(start: date | None, end: date | None) -> dict[str, str]:
    period = {}
    if start is not None:
        period["startDate"] = _datetime(start)
    if end is not None:
        period["endDate"] = _datetime(end)
    return period


def _party_json(party: Party) -> dict[str, Any]:
    out: dict[str, Any] = {"id": party.id, "name": party.name}
    if party.scheme and party.identifier:
        out["identifier"] = {"scheme": party.scheme, "id": party.identifier, "legalName": party.name}
    if party.address:
        out["address"] = {"streetAddress": party.address}
    if party.email:
        out["contactPoint"] = {"email": party.email}
    out["roles"] = list(party.roles)
    details: dict[str, Any] = {}
    if party.scale is not None:
        details["scale"] = party.scale
    if party.vcse is not None:
        details["vcse"] = party.vcse
    if details:
        out["details"] = details
    return out


def _commitment_json(c: Commitment) -> dict[str, Any]:
    out: dict[str, Any] = {"id": c.id, "measure": c.measure}
    if c.description:
        out["description"] = c.description
    if c.unit:
        out["unit"] = c.unit
    if c.quantity is not None:
        out["quantity"] = c.quantity
    if c.value is not None:
        out["value"] = c.value.as_ocds()
    return out


def _contract_json(contract: PublishedContract) -> dict[str, Any]:
    out: dict[str, Any] = {"id": contract.id, "awardID": contract.award_id}
    if contract.title:
        out["title"] = contract.title
    if contract.status:
        out["status"] = contract.status
    if contract.value is not None:
        out["value"] = contract.value.as_ocds()
    period = _period(contract.period_start, contract.period_end)
    if period:
        out["period"] = period
    if contract.date_signed is not None:
        out["dateSigned"] = _datetime(contract.date_signed)
    if contract.commitments:
        out["socialValueCommitments"] = [_commitment_json(c) for c in contract.commitments]
    implementation: dict[str, Any] = {}
    if contract.metrics:
        implementation["metrics"] = [
            {
                "id": m.id,
                "title": m.title,
                "observations": [
                    {
                        "id": o.id,
                        "measure": o.measure,
                        **({"unit": {"name": m.unit}} if m.unit else {}),
                        **({"period": _period(o.period_start, o.period_end)}
                           if o.period_start or o.period_end else {}),
                        "dimensions": {"kind": o.kind},
                    }
                    for o in m.observations
                ],
            }
            for m in contract.metrics
        ]
    if contract.delivery:
        implementation["socialValueDelivery"] = [
            {
                "id": d.id,
                "commitmentID": d.commitment,
                "period": _period(d.period_start, d.period_end),
                **({"quantity": d.quantity} if d.quantity is not None else {}),
                **({"value": d.value.as_ocds()} if d.value is not None else {}),
                **({"evidence": d.evidence} if d.evidence else {}),
            }
            for d in contract.delivery
        ]
    if implementation:
        out["implementation"] = implementation
    return out


def release_from_process(
    process: Process, *, release_id: str, date_time: str, tags: Sequence[str], include_bids: bool = False
) -> dict[str, Any]:
    """An OCDS 1.1.5 release for the process (amounts stay `Decimal`; the writer serialises them exactly).

    Bids are written only on request (`bids.details`, the shape of OCDS's Bid statistics and details extension),
    for red flags over Commonweal's own tenders: core OCDS has no bids, and publication keeps to core plus the
    social value extension."""
    release: dict[str, Any] = {
        "ocid": process.ocid,
        "id": release_id,
        "date": date_time,
        "tag": list(tags),
        "initiationType": "tender",
        "parties": [_party_json(p) for p in process.parties],
    }
    if process.buyer is not None:
        buyer = next((p for p in process.parties if p.id == process.buyer), None)
        release["buyer"] = {"id": process.buyer, **({"name": buyer.name} if buyer else {})}
    names = {p.id: p.name for p in process.parties}
    if process.tender is not None:
        t = process.tender
        tender: dict[str, Any] = {"id": t.id, "title": t.title}
        if t.description:
            tender["description"] = t.description
        if t.status:
            tender["status"] = t.status
        if t.value is not None:
            tender["value"] = t.value.as_ocds()
        if t.procurement_method:
            tender["procurementMethod"] = t.procurement_method
        if t.award_criteria:
            tender["awardCriteria"] = t.award_criteria
        if t.award_criteria_details:
            tender["awardCriteriaDetails"] = t.award_criteria_details
        if t.tenderers:
            tender["tenderers"] = [{"id": i, "name": names.get(i, "")} for i in t.tenderers]
        if t.number_of_tenderers is not None:
            tender["numberOfTenderers"] = t.number_of_tenderers
        if t.tender_period_end:
            tender["tenderPeriod"] = {"endDate": t.tender_period_end}
        if t.lots:  # only lots read from another publisher: Commonweal's own export makes a process per lot
            tender["lots"] = [
                {"id": lot.id, **({"title": lot.title} if lot.title else {}),
                 **({"status": lot.status} if lot.status else {}),
                 **({"value": lot.value.as_ocds()} if lot.value else {})}
                for lot in t.lots
            ]
        release["tender"] = tender
    if include_bids and process.bids:
        release["bids"] = {"details": [
            {"id": b.id, "status": b.status, "tenderers": [{"id": t, "name": names.get(t, "")} for t in b.tenderers],
             **({"value": b.value.as_ocds()} if b.value else {}), **({"relatedLots": [b.lot]} if b.lot else {})}
            for b in process.bids
        ]}
    if process.awards:
        release["awards"] = []
        for a in process.awards:
            award: dict[str, Any] = {"id": a.id}
            if a.title:
                award["title"] = a.title
            if a.status:
                award["status"] = a.status
            if a.value is not None:
                award["value"] = a.value.as_ocds()
            if a.suppliers:
                award["suppliers"] = [{"id": s, "name": names.get(s, "")} for s in a.suppliers]
            if a.commitments:
                award["socialValueCommitments"] = [_commitment_json(c) for c in a.commitments]
            release["awards"].append(award)
    if process.contracts:
        release["contracts"] = [_contract_json(c) for c in process.contracts]
    return release


# ---- a Commonweal tender as OCDS --------------------------------------------------------------------------------


def bid_commitments(bid: BidSocialValue) -> tuple[Commitment, ...]:
    """A bid's social value commitments as evaluated (the social value module's `BidSocialValue`): one per
    measure and contract year, valued with the measure's proxy from the tender's pinned library (unvalued when
    the measure is record-only)."""
    out: list[Commitment] = []
    seen: set[str] = set()
    for line in bid.lines:
        c = line.commitment
        ident = f"{c.measure_id}-year-{c.year}"
        if ident in seen:  # the same measure twice in a year stays two commitments, not one merged by id
            ident = f"{ident}-{len(out) + 1}"
        seen.add(ident)
        out.append(Commitment(
            id=ident,
            measure=c.measure_id,
            unit=line.measure.unit,
            quantity=c.quantity,
            value=Money(line.value) if line.value is not None else None,
            description=f"{line.measure.name}, contract year {c.year}",
        ))
    return tuple(out)


def published_contract(contract: Contract, returns: Sequence[Return], *, award_id: str) -> PublishedContract:
    """A managed contract (`commonweal.domain.contracts`) as OCDS: KPIs become implementation metrics, with the
    target and each return's actual as observations; the commitments carried over from the winning bid become
    social value commitments (one per measure and contract year), and each return's delivery is reported against
    the commitment for its measure in the contract year the return falls in."""
    metrics = []
    for kpi in contract.kpis:
        observations = [Observation(id=f"{kpi.id}-target", kind="target", measure=kpi.target)]
        for ret in returns:
            for m in ret.measurements:
                if m.kpi == kpi.id:
                    observations.append(Observation(id=f"{kpi.id}-{ret.period.start.isoformat()}", kind="actual",
                                                    measure=m.actual, period_start=ret.period.start,
                                                    period_end=ret.period.end))
        metrics.append(Metric(id=kpi.id, title=kpi.title, unit=kpi.unit, observations=tuple(observations)))
    commitments = tuple(
        Commitment(id=f"{c.measure_id}-year-{c.year}", measure=c.measure_id, unit=c.unit, quantity=c.quantity,
                   value=Money(c.value) if c.value is not None else None,
                   description=f"Contract year {c.year}, as committed in the winning bid")
        for c in contract.commitments
    )
    delivery = []
    for ret in returns:
        months = (ret.period.start.year - contract.start.year) * 12 + ret.period.start.month - contract.start.month
        year = months // 12 + 1
        for d in ret.deliveries:
            delivery.append(Delivery(
                id=f"{d.measure}-{ret.period.start.isoformat()}", commitment=f"{d.measure}-year-{year}",
                period_start=ret.period.start, period_end=ret.period.end, quantity=d.quantity,
                evidence=f"{d.evidence} ({d.verification.value})",
            ))
    return PublishedContract(
        id=contract.id, award_id=award_id, title=contract.title, status="active", value=Money(contract.value),
        period_start=contract.start, period_end=contract.end, metrics=tuple(metrics), commitments=commitments,
        delivery=tuple(delivery),
    )


def _award_commitments(
    social_value: Mapping[tuple[str, str], BidSocialValue] | None, bidder: str, lot: str,
    contract: PublishedContract | None,
) -> tuple[Commitment, ...]:
    """What the winning bid committed to: its evaluated commitments, else those its contract carried over."""
    if social_value and (bidder, lot) in social_value:
        return bid_commitments(social_value[(bidder, lot)])
    return contract.commitments if contract else ()


def award_criteria_details(model: EvaluationModel) -> str:
    """The evaluation model in words, with each weight as published (OCDS `tender.awardCriteriaDetails`)."""
    parts = [f"Price {model.price.weight}% ({model.price.formula.replace('_', ' ')})"]
    for group in model.groups:
        criteria = [c for c in model.leaves() if c.group == group.id]
        listed = "; ".join(
            f"{c.id} {c.title}: {c.weight}% of the group, {model.effective_weight(c).normalize():f}% overall"
            for c in criteria
        )
        parts.append(f"{group.title} {group.weight}%" + (f" ({listed})" if listed else ""))
    if model.gates:
        parts.append("Pass/fail: " + "; ".join(f"{g.id} {g.title}" for g in model.gates))
    return ". ".join(parts) + "."


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def tender_processes(
    tender: Tender,
    results: Mapping[str, LotResult],
    contracts: Mapping[str, tuple[Contract, Sequence[Return]]],
    *,
    ocid_prefix: str,
    social_value: Mapping[tuple[str, str], BidSocialValue] | None = None,
) -> list[Process]:
    """One contracting process per lot: the tender and its evaluation model, the award to the most advantageous
    tender (pending until the council records a contract, active after) and the contract with its KPIs and social
    value (`contracts` maps a lot id to its managed contract and returns; `social_value` maps (bidder, lot) to the
    bid's valued commitments, which the award carries when given). Bidders' identifiers become org-ids
    (GB-COH, GB-CHC, GB-PPON) where they carry one. Raises ValueError when a contract does not follow the
    evaluation (no winner on its lot, or another supplier)."""
    buyer = Party(id=f"{_slug(tender.buyer)}", name=tender.buyer, roles=("buyer", "procuringEntity"))
    processes = []
    for lot in tender.lots:
        result = results.get(lot.id)
        let = contracts.get(lot.id)
        parties: dict[str, Party] = {buyer.id: buyer}
        tenderer_ids = []
        bids = []
        for ranked in result.ranking if result else ():
            bid = ranked.bid
            scheme, number = org_id(bid.identifier) if bid.identifier else (None, None)
            pid = bid.identifier if scheme else _slug(bid.bidder)
            winner = result is not None and result.winner is not None and result.winner.bid.bidder == bid.bidder
            roles = ("tenderer", "supplier") if winner else ("tenderer",)
            parties[pid] = Party(id=pid, name=bid.bidder, roles=roles, scheme=scheme, identifier=number,
                                 address=bid.address, email=bid.email)
            tenderer_ids.append(pid)
            bids.append(PublishedBid(id=f"{lot.id}-{pid}", tenderers=(pid,), value=Money(bid.price),
                                     status="disqualified" if ranked.excluded else "valid", lot=lot.id))
        awards: tuple[PublishedAward, ...] = ()
        winner_result = result.winner if result else None
        award_id = f"{tender.reference}-lot-{lot.id}-award"
        contract = None
        if let is not None:
            if winner_result is None:
                raise ValueError(f"lot {lot.id} has a contract but no most advantageous tender to award it to")
            if let[0].supplier != winner_result.bid.bidder:
                raise ValueError(f"lot {lot.id}'s contract is with {let[0].supplier!r}, but the most advantageous "
                                 f"tender is {winner_result.bid.bidder!r}")
            contract = published_contract(let[0], let[1], award_id=award_id)
        if winner_result is not None:
            bid = winner_result.bid
            supplier = bid.identifier if org_id(bid.identifier)[0] else _slug(bid.bidder)
            awards = (PublishedAward(
                id=award_id,
                title=f"{tender.title}: {lot.title}",
                status="active" if contract else "pending",
                suppliers=(supplier,),
                value=Money(bid.price),
                commitments=_award_commitments(social_value, bid.bidder, lot.id, contract),
            ),)
        processes.append(Process(
            ocid=f"{ocid_prefix}-{tender.reference}-lot-{lot.id}",
            buyer=buyer.id,
            parties=tuple(parties.values()),
            tender=PublishedTender(
                id=f"{tender.reference}-lot-{lot.id}",
                title=f"{tender.title}: {lot.title}",
                description=tender.description,
                status="complete" if contract else "active",
                value=Money(lot.budget) if lot.budget is not None else None,
                award_criteria="ratedCriteria",
                award_criteria_details=award_criteria_details(lot.model),
                tenderers=tuple(tenderer_ids),
                number_of_tenderers=len(tenderer_ids) if result else None,
            ),
            bids=tuple(bids),
            awards=awards,
            contracts=(contract,) if contract else (),
        ))
    return processes
