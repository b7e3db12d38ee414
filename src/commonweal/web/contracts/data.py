"""The contracts area's reads and writes. Each function takes the signed-in user and starts from the one access layer
(`commonweal.web.access.organisation_access`), then the contract's own roles:

- organisation roles: a **commissioner** reads and changes every contract of the organisation and creates and
  imports contracts; a **viewer** or **finance** officer reads them; an **admin** manages people only and sees no
  contract (as on tenders, where the admin alone sees no bid content);
- a per-contract **contract manager** (`ContractRole`) reads and changes the contracts they manage, and sees only
  those in the register.

Every change is written in one transaction with its `audit.record`; changes to a contract lock its row
(`select_for_update`), so two writers serialise. A contract's ratings, triggers and review are computed by the
domain's rules (`commonweal.domain.contracts`) inside each write that changes their inputs (`refresh`) and stored;
no page computes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet, Sum

from commonweal.domain.contracts import model as domain
from commonweal.domain.contracts.modifications import check_variations
from commonweal.domain.contracts.ratings import Rating
from commonweal.domain.contracts.review import OPTIONS, policies_from, policy_overrides, review_contract
from commonweal.domain.lifecycle import Role
from commonweal.domain.rag import Rag
from commonweal.io.contracts import parse_returns
from commonweal.io.contracts_register import read_register
from commonweal.io.errors import InputError, ProblemCollector
from commonweal.services.contract_review import review_as_json
from commonweal.web import audit, documents
from commonweal.web.access import (
    Forbidden,
    NotFound,
    ProviderContractAccess,
    Refused,
    Visitor,
    organisation_access,
    provider_contract_access,
    signed_in,
    tender_access,
)
from commonweal.web.contracts.models import (
    Action,
    Commitment,
    Contract,
    ContractRole,
    Delivery,
    Evidence,
    Kpi,
    KpiResult,
    PeriodRating,
    Return,
    Review,
    ReviewOption,
    Variation,
)
from commonweal.web.models import Bid, Lot, Membership, Organisation, Tender
from commonweal.web.socialvalue import data as socialvalue_data
from commonweal.web.suppliers import data as suppliers_data

READERS = frozenset({Role.COMMISSIONER.value, Role.VIEWER.value, Role.FINANCE.value})
MANAGER = ContractRole.MANAGER
WRITERS = frozenset({Role.COMMISSIONER.value, MANAGER})

#: Commonweal default value bands for the register's filter; "over £5 million" is s.52(1)'s "more than £5 million".
VALUE_BANDS: dict[str, tuple[str, Q]] = {
    "under-100k": ("Under £100,000", Q(value__lt=Decimal("100000"))),
    "100k-1m": ("£100,000 to under £1 million", Q(value__gte=Decimal("100000"), value__lt=Decimal("1000000"))),
    "1m-5m": ("£1 million to £5 million", Q(value__gte=Decimal("1000000"), value__lte=domain.S52_VALUE_THRESHOLD)),
    "over-5m": ("Over £5 million (the s.52 KPI duty)", Q(value__gt=domain.S52_VALUE_THRESHOLD)),
}
EXPIRY_MONTHS = (6, 12, 18)
TREND_MONTHS = 12  # Commonweal default: the dashboard's trend reads the period ratings of the past year
STATUSES = {"live": "Live", "not-started": "Not started", "ended": "Ended"}
PAGE_SIZE = 50  # Commonweal default: contracts per register page


# -- access ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractAccess:
    user: User
    contract: Contract
    roles: frozenset[str]

    @property
    def may_change(self) -> bool:
        return bool(self.roles & WRITERS)

    @property
    def actor(self) -> str:
        return self.user.get_username()


def _organisation_roles(user: User, organisation: Organisation) -> frozenset[str]:
    return frozenset(
        r for r in Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True) if r
    )


@dataclass(frozen=True)
class RegisterAccess:
    user: User
    organisation: Organisation
    roles: frozenset[str]

    @property
    def managed_only(self) -> bool:
        """A contract manager without an organisation reading role sees only the contracts they manage."""
        return not self.roles & READERS

    @property
    def may_create(self) -> bool:
        return Role.COMMISSIONER.value in self.roles


def register_access(user: Visitor, slug: str) -> RegisterAccess:
    organisation = organisation_access(user, slug)
    member = signed_in(user)
    roles = _organisation_roles(member, organisation)
    if (
        not roles & READERS
        and not ContractRole.objects.filter(user=member, contract__organisation=organisation).exists()
    ):
        raise Forbidden("needs one of these roles: commissioner, viewer, finance, or contract manager of a contract")
    return RegisterAccess(member, organisation, roles)


def commissioner_access(user: Visitor, slug: str) -> RegisterAccess:
    organisation = organisation_access(user, slug, Role.COMMISSIONER)
    member = signed_in(user)
    return RegisterAccess(member, organisation, _organisation_roles(member, organisation))


def contract_access(user: Visitor, contract_id: int, change: bool = False) -> ContractAccess:
    """The user's standing on a contract of an organisation they belong to (another's does not exist for them);
    with `change`, commissioner or the contract's manager is required."""
    member = signed_in(user)
    contract = (
        Contract.objects.filter(pk=contract_id, organisation__memberships__user=member)
        .select_related("organisation")
        .first()
    )
    if contract is None:
        raise NotFound("no such contract")
    roles = set(_organisation_roles(member, contract.organisation))
    if ContractRole.objects.filter(contract=contract, user=member).exists():
        roles.add(MANAGER)
    if not roles & (READERS | {MANAGER}):
        raise Forbidden("you hold no role on this contract")
    if change and not roles & WRITERS:
        raise Forbidden("needs the commissioner role or to be this contract's manager")
    return ContractAccess(member, contract, frozenset(roles))


def _locked(access: ContractAccess) -> Contract:
    return Contract.objects.select_for_update().get(pk=access.contract.pk)


# -- the register ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    status: str = ""
    service: str = ""
    supplier: str = ""
    rating: str = ""
    expiry: int | None = None
    band: str = ""
    sme: bool = False
    vcse: bool = False

    def query(self, today: dt.date) -> Q:
        q = Q()
        if self.status == "live":
            q &= Q(start__lte=today, end__gte=today)
        elif self.status == "not-started":
            q &= Q(start__gt=today)
        elif self.status == "ended":
            q &= Q(end__lt=today)
        if self.service:
            q &= Q(service=self.service)
        if self.supplier:
            q &= Q(supplier__icontains=self.supplier)
        if self.rating:
            q &= Q(rating=self.rating)
        if self.expiry is not None:
            q &= Q(end__gte=today, end__lte=domain.add_months(today, self.expiry))
        if self.band in VALUE_BANDS:
            q &= VALUE_BANDS[self.band][1]
        if self.sme:
            q &= Q(sme=True)
        if self.vcse:
            q &= Q(vcse=True)
        return q


def _visible(access: RegisterAccess) -> QuerySet[Contract]:
    query = Contract.objects.filter(organisation=access.organisation)
    if access.managed_only:
        query = query.filter(roles__user=access.user)
    return query


REGISTER_FIELDS = (
    "pk",
    "reference",
    "title",
    "service",
    "supplier",
    "sme",
    "vcse",
    "value",
    "start",
    "end",
    "rating",
    "triggers_fired",
)


@dataclass(frozen=True)
class RegisterPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    services: list[str]


def register(access: RegisterAccess, filters: Filters, today: dt.date, page: int = 1) -> RegisterPage:
    """One page of the register with the filters applied: three queries, whatever the register's size."""
    query = _visible(access).filter(filters.query(today))
    total = query.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = list(query.order_by("end", "reference").values(*REGISTER_FIELDS)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    services = list(
        _visible(access).exclude(service="").order_by("service").values_list("service", flat=True).distinct()
    )
    return RegisterPage(rows, total, page, pages, services)


EXPORT_COLUMNS = (
    "reference",
    "title",
    "service",
    "supplier",
    "supplier_identifier",
    "sme",
    "vcse",
    "value",
    "start",
    "end",
    "maximum_end",
    "rating",
    "triggers_fired",
    "sv_committed",
    "sv_delivered",
)


@transaction.atomic
def export(access: RegisterAccess, filters: Filters, today: dt.date, fmt: str) -> list[tuple[Any, ...]]:
    """Every filtered row for a CSV or XLSX download, audited as a download."""
    rows = list(_visible(access).filter(filters.query(today)).order_by("reference").values_list(*EXPORT_COLUMNS))
    audit.record(
        access.user.get_username(),
        "contracts_exported",
        {"format": fmt, "rows": len(rows)},
        organisation=access.organisation,
    )
    return rows


# -- the dashboard ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    by_rating: list[tuple[str, int]]
    triggers_fired: int
    provider_triggers_fired: int
    contracts_with_triggers: int
    reviews_open: int
    committed: Decimal
    due: Decimal
    delivered: Decimal
    by_core_value: list[tuple[str, Decimal]]
    expiring: list[tuple[int, int, Decimal]]
    trend: list[tuple[str, str, int]]


def dashboard(access: RegisterAccess, today: dt.date) -> Dashboard:
    """The organisation's contracts in aggregate, from the stored ratings and sums (a fixed number of queries)."""
    visible = _visible(access)
    # one pass over the contracts for every count and sum (ratings, triggers, social value, the expiry pipeline)
    ending = {months: Q(end__gte=today, end__lte=domain.add_months(today, months)) for months in EXPIRY_MONTHS}
    sums = visible.aggregate(
        t=Sum("triggers_fired"),
        p=Sum("provider_triggers_fired"),
        c=Count("pk", filter=Q(triggers_fired__gt=0)),
        committed=Sum("sv_committed"),
        due=Sum("sv_due"),
        delivered=Sum("sv_delivered"),
        **{f"rating_{i}": Count("pk", filter=Q(rating=r.value)) for i, r in enumerate(Rating)},
        **{f"ending_n_{m}": Count("pk", filter=q) for m, q in ending.items()},
        **{f"ending_v_{m}": Sum("value", filter=q) for m, q in ending.items()},
    )
    by_rating = [(r.value, sums[f"rating_{i}"]) for i, r in enumerate(Rating)]
    expiring = [(m, sums[f"ending_n_{m}"], sums[f"ending_v_{m}"] or Decimal(0)) for m in EXPIRY_MONTHS]
    reviews = Review.objects.filter(contract__in=visible, status=Review.OPEN).count()
    committed_by_value: dict[str, Decimal] = {}
    for core_value, quantity, proxy in Commitment.objects.filter(contract__in=visible).values_list(
        "core_value", "quantity", "proxy"
    ):
        if proxy is not None:
            key = core_value or "Not assigned to a core value"
            committed_by_value[key] = committed_by_value.get(key, Decimal(0)) + (quantity * proxy).quantize(
                Decimal("0.01")
            )
    # ratings per period, the latest four periods reported in the past year, for the trend
    trend_rows = (
        PeriodRating.objects.filter(contract__in=visible, period_start__gte=domain.add_months(today, -TREND_MONTHS))
        .values("period_start", "rating")
        .annotate(n=Count("pk"))
        .order_by("-period_start")[:40]
    )
    recent = sorted({r["period_start"] for r in trend_rows}, reverse=True)[:4]
    trend = [(r["period_start"].isoformat(), r["rating"], r["n"]) for r in trend_rows if r["period_start"] in recent]
    return Dashboard(
        by_rating,
        sums["t"] or 0,
        sums["p"] or 0,
        sums["c"] or 0,
        reviews,
        sums["committed"] or Decimal(0),
        sums["due"] or Decimal(0),
        sums["delivered"] or Decimal(0),
        sorted(committed_by_value.items()),
        expiring,
        sorted(trend),
    )


# -- one contract ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractView:
    contract: Contract
    kpis: list[Kpi]
    commitments: list[Commitment]
    returns: list[Return]
    variations: list[Variation]
    reviews: list[Review]
    managers: list[str]
    s52_warning: str | None


def contract(access: ContractAccess) -> ContractView:
    c = access.contract
    kpis = list(c.kpis.all())
    return ContractView(
        c,
        kpis,
        list(c.commitments.all()),
        list(c.returns.order_by("-period_start")),
        list(c.variations.all()),
        list(c.reviews.all()),
        list(c.roles.order_by("user__username").values_list("user__username", flat=True)),
        c.review.get("warnings", [None])[0] if c.review.get("warnings") else None,
    )


def managers_choices(access: ContractAccess) -> list[str]:
    """The organisation's members who could manage (or own an action on) this contract."""
    return list(
        Membership.objects.filter(organisation=access.contract.organisation)
        .order_by("user__username")
        .values_list("user__username", flat=True)
        .distinct()
    )


# -- the domain's view of a stored contract --------------------------------------------------------------------------


def domain_contract(c: Contract) -> domain.Contract:
    from commonweal.domain.socialvalue.commitments import Commitment as SvCommitment

    kpis = tuple(
        domain.Kpi(k.code, k.title, k.target, domain.Direction(k.direction), k.tolerance, k.inadequate_beyond, k.unit)
        for k in c.kpis.all()
    )
    commitments = tuple(
        domain.SocialValueCommitment(
            SvCommitment(bidder=c.supplier, lot="", measure_id=m.measure, quantity=m.quantity, year=m.year),
            m.as_measure(),
        )
        for m in c.commitments.all()
    )
    return domain.Contract(
        id=c.reference,
        title=c.title,
        buyer=c.organisation.name,
        supplier=c.supplier,
        value=c.value,
        start=c.start,
        end=c.end,
        kind=domain.ContractKind(c.kind),
        frequency=domain.Frequency(c.frequency),
        kpis=kpis,
        maximum_end=c.maximum_end,
        light_touch=c.light_touch,
        commitments=commitments,
        kpi_exemption_reason=c.kpi_exemption_reason or None,
        price_indexation_pct=c.price_indexation_pct,
        tender_volume_per_period=c.tender_volume_per_period,
        financial_rating=Rag(c.financial_rating) if c.financial_rating else None,
        financial_rating_basis=c.financial_rating_basis,
        threshold_amount=c.threshold_amount,
        threshold_source=c.threshold_source or None,
    )


def domain_returns(c: Contract) -> tuple[domain.Return, ...]:
    counted = list(c.returns.filter(status__in=Return.COUNTED))
    results: dict[int, list[domain.KpiMeasurement]] = {}
    for ret_id, code, actual, note in KpiResult.objects.filter(ret__in=counted).values_list(
        "ret_id", "kpi__code", "actual", "note"
    ):
        results.setdefault(ret_id, []).append(domain.KpiMeasurement(code, actual, note))
    deliveries: dict[int, list[domain.SocialValueDelivery]] = {}
    for d in Delivery.objects.filter(ret__in=counted):
        deliveries.setdefault(d.ret_id, []).append(
            domain.SocialValueDelivery(d.measure, d.quantity, d.evidence, domain.Verification(d.verification))
        )
    return tuple(
        domain.Return(
            domain.Period(r.period_start, r.period_end),
            tuple(results.get(r.pk, ())),
            tuple(deliveries.get(r.pk, ())),
            domain.ProviderReport(
                r.cost_growth_pct, r.volume, r.workforce_fte, r.vacancies, r.margin_pct, r.cost_pressures
            ),
        )
        for r in counted
    )


def domain_variation(v: Variation) -> domain.Variation:
    return domain.Variation(
        v.code,
        v.agreed_on,
        v.description,
        v.value_change,
        v.term_change_months,
        domain.ModificationGround(v.ground),
        v.schedule_8_paragraph,
        v.changes_scope,
        v.favours_supplier,
        v.changes_overall_nature,
        v.linked_to or None,
        v.change_notice_published,
    )


def refresh(c: Contract, today: dt.date) -> None:
    """Review the contract with the domain's rules and store the result: rating, triggers, social value sums,
    the rating of each period, and the whole review (the review pack's data). Runs inside each write that
    changes an input (KPIs, returns, variations, the contract itself), under the contract's lock."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("refresh runs inside the transaction that changed the contract")
    variations = [domain_variation(v) for v in c.variations.all()]
    triggers, social_value, window_months = policies_from(c.policy)
    review = review_contract(domain_contract(c), domain_returns(c), variations, today, triggers=triggers,
                             social_value=social_value, window_months=window_months)
    c.review = review_as_json(review)
    c.rating = review.rating.value
    c.triggers_fired = len(review.fired)
    c.provider_triggers_fired = sum(1 for t in review.fired if t.side.value in ("provider", "both"))
    c.sv_committed = review.social_value.committed
    c.sv_due = review.social_value.due_to_date.quantize(Decimal("0.01"))
    c.sv_delivered = review.social_value.delivered
    c.reviewed_as_of = today
    c.save()
    PeriodRating.objects.filter(contract=c).delete()
    PeriodRating.objects.bulk_create(
        PeriodRating(
            contract=c,
            period_start=p.period.start,
            period_end=p.period.end,
            rating=p.rating.value,
            reasons=list(p.reasons),
        )
        for p in review.periods
    )
    # the other areas' stored results that read contracts: the social value roll-up, the watched suppliers' risk
    socialvalue_data.contract_changed(c.organisation, c.pk)
    suppliers_data.contract_changed(c)


# -- creating contracts ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Awardable:
    tender: Tender
    lot: Lot
    bid: Bid
    standstill_last_day: dt.date


def _winner(user: User, tender: Tender, lot: Lot) -> Bid:
    """The lot's winning bid from the stored evaluation (rank 1, not excluded), read through the tenders area."""
    from commonweal.web.tenders import data as tenders

    access = tender_access(user, tender.pk, Role.COMMISSIONER)
    result = tenders.results_json(access)
    for found in result.get("lots", []):
        if found["lot"] == lot.reference:
            top = [r for r in found["ranking"] if r["rank"] == 1 and not r["excluded"]]
            if len(top) == 1:
                return Bid.objects.get(lot=lot, bidder=top[0]["bidder"])
    raise Refused([f"Lot {lot.reference} has no single winning bid in the stored evaluation"])


def awardable(access: RegisterAccess) -> list[tuple[Tender, Lot]]:
    """Lots of the organisation's tenders in standstill or awarded with no contract yet."""
    taken = set(
        Contract.objects.filter(organisation=access.organisation, lot__isnull=False).values_list("lot_id", flat=True)
    )
    lots = (
        Lot.objects.filter(tender__organisation=access.organisation, tender__stage__in=["standstill", "awarded"])
        .select_related("tender")
        .order_by("tender__reference", "reference")
    )
    return [(lot.tender, lot) for lot in lots if lot.pk not in taken]


def standstill_problem(tender: Tender, today: dt.date) -> str | None:
    """Procurement Act 2023 s.51: the contract may not be entered into before the standstill period ends (the day
    after `standstill_last_day`)."""
    if tender.standstill_last_day is None:
        return (
            f"Tender {tender.reference} has no standstill period recorded: publish the contract award notice and "
            "move the tender to standstill first (Procurement Act 2023 s.51)"
        )
    if today <= tender.standstill_last_day:
        return (
            f"The standstill period of tender {tender.reference} ends on "
            f"{tender.standstill_last_day:%d %B %Y}; the contract may be entered into from "
            f"{tender.standstill_last_day + dt.timedelta(days=1):%d %B %Y} (Procurement Act 2023 s.51)"
        )
    return None


@dataclass(frozen=True)
class NewContract:
    reference: str
    service: str
    start: dt.date
    end: dt.date
    maximum_end: dt.date | None
    kind: str
    frequency: str
    sme: bool
    vcse: bool


def _commitments_from(
    files: Mapping[str, tuple[str, bytes]], tender: Tender, bidder: str, lot: str
) -> list[tuple[domain.SocialValueCommitment, str]]:
    """The winning bid's commitments from the tender's commitments file, valued with the library its
    socialvalue.yaml pins (or the open library): the social value module's own readers and valuation."""
    from commonweal.io.socialvalue import read_folder_commitments, read_settings
    from commonweal.io.structured import Folder

    if "commitments" not in files:
        return []
    uploaded = {
        "commitments" + (".xlsx" if files["commitments"][0].lower().endswith(".xlsx") else ".csv"): files[
            "commitments"
        ][1]
    }
    if "socialvalue" in files:
        uploaded["socialvalue.yaml"] = files["socialvalue"][1]
    folder = Folder(label="upload", files=uploaded)
    settings = read_settings(folder)
    bids = set(Bid.objects.filter(lot__tender=tender).values_list("bidder", "lot__reference"))
    found = read_folder_commitments(folder, settings, bids) or ()
    core = {m: v.title for v in (settings.core_values.values if settings.core_values else ()) for m in v.measures}
    mine = [c for c in found if (c.bidder, c.lot) == (bidder, lot)]
    if not mine:
        problems = ProblemCollector()
        problems.add(
            files["commitments"][0], f"has no commitments for the winning bid ({bidder}, lot {lot})", column="bidder"
        )
        problems.raise_if_any()
    return [
        (
            domain.SocialValueCommitment(c, settings.library.measure(c.measure_id)),
            core.get(c.measure_id, settings.library.measure(c.measure_id).theme),
        )
        for c in mine
    ]


def save_commitments(c: Contract, commitments: Iterable[tuple[domain.SocialValueCommitment, str]]) -> int:
    made = Commitment.objects.bulk_create(
        Commitment(
            contract=c,
            measure=s.measure_id,
            measure_name=s.measure.name,
            unit=s.unit,
            quantity=s.quantity,
            year=s.year,
            proxy=s.measure.proxy,
            source_title=s.measure.source_title,
            core_value=core,
        )
        for s, core in commitments
    )
    return len(made)


@audit.retrying
def create_from_tender(
    user: Visitor, slug: str, lot_id: int, new: NewContract, files: Mapping[str, tuple[str, bytes]], today: dt.date
) -> Contract:
    """A contract from an awarded lot once standstill has passed (Procurement Act 2023 s.51), carrying the
    winning bid's supplier, identifier, price (the contract's value) and social value commitments."""
    access = commissioner_access(user, slug)
    lot = Lot.objects.filter(pk=lot_id, tender__organisation=access.organisation).select_related("tender").first()
    if lot is None:
        raise NotFound("no such lot")
    problem = standstill_problem(lot.tender, today)
    if problem:
        raise Refused([problem], ["lot"])
    bid = _winner(access.user, lot.tender, lot)
    commitments = _commitments_from(files, lot.tender, bid.bidder, lot.reference)
    if new.end < new.start:
        raise Refused(["The end date must be on or after the start date"], ["end"])
    with transaction.atomic():
        if Contract.objects.filter(organisation=access.organisation, lot=lot).exists():
            raise Refused([f"Lot {lot.reference} of tender {lot.tender.reference} already has a contract"], ["lot"])
        if Contract.objects.filter(organisation=access.organisation, reference=new.reference).exists():
            raise Refused([f"A contract with reference {new.reference} exists already"], ["reference"])
        title = lot.tender.title if lot.title == lot.tender.title else f"{lot.tender.title}: {lot.title}"
        c = Contract.objects.create(
            organisation=access.organisation,
            reference=new.reference,
            title=title[:300],
            service=new.service,
            supplier=bid.bidder,
            supplier_identifier=bid.identifier,
            sme=new.sme,
            vcse=new.vcse,
            value=bid.price,
            start=new.start,
            end=new.end,
            maximum_end=new.maximum_end,
            kind=new.kind,
            frequency=new.frequency,
            tender=lot.tender,
            lot=lot,
            bid=bid,
            source=f"tender {lot.tender.reference}, lot {lot.reference}",
        )
        made = save_commitments(c, commitments)
        refresh(c, today)
        audit.record(
            access.user.get_username(),
            "contract_created",
            {
                "contract": c.reference,
                "source": c.source,
                "supplier": c.supplier,
                "value": f"{c.value:f}",
                "commitments": made,
            },
            organisation=access.organisation,
        )
    return c


@audit.retrying
def import_register(user: Visitor, slug: str, name: str, content: bytes, today: dt.date) -> int:
    """Contracts from a Transparency Code contracts register: every row checked first, all saved or none."""
    access = commissioner_access(user, slug)
    rows = read_register(name, content)
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=access.organisation.pk)
        existing = set(
            Contract.objects.filter(
                organisation=access.organisation, reference__in=[r.reference for r in rows]
            ).values_list("reference", flat=True)
        )
        if existing:
            raise InputError(
                [
                    _problem(name, r.row, "reference", f"a contract with reference {r.reference} exists already")
                    for r in rows
                    if r.reference in existing
                ]
            )
        for r in rows:
            c = Contract.objects.create(
                organisation=access.organisation,
                reference=r.reference,
                title=r.title,
                description=r.description,
                service=r.department,
                supplier=r.supplier,
                supplier_identifier=r.supplier_identifier,
                sme=r.sme,
                vcse=r.vcse,
                value=r.value,
                irrecoverable_vat=r.irrecoverable_vat,
                start=r.start,
                end=r.end,
                review_date=r.review_date,
                kind=r.kind.value,
                frequency=r.frequency.value,
                source=f"contracts register {name}, row {r.row}" + (f" ({r.procedure})" if r.procedure else ""),
            )
            refresh(c, today)
        audit.record(
            access.user.get_username(),
            "contracts_imported",
            {"file": name, "rows": len(rows)},
            organisation=access.organisation,
        )
    return len(rows)


@audit.retrying
def import_contract_folder(user: Visitor, slug: str, files: Mapping[str, tuple[str, bytes]], today: dt.date
                           ) -> Contract:
    """A contract from the CLI's contract folder, uploaded as its files (contract.yaml and its tables): the
    contract, its KPIs, the commitments listed in contract.yaml, its returns, its variations log and its own review
    thresholds (`policy:`, kept on the contract and used by every later review), read by `commonweal.io.contracts`
    exactly as `commonweal contracts review` reads them; all saved or none."""
    from commonweal.io.contracts import parse_contract_upload

    access = commissioner_access(user, slug)
    folder = parse_contract_upload(files, today)
    k, label = folder.contract, files["contract"][0]
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=access.organisation.pk)
        if Contract.objects.filter(organisation=access.organisation, reference=k.id).exists():
            raise InputError([_problem(label, None, "id", f"a contract with reference {k.id} exists already")])
        c = Contract.objects.create(
            organisation=access.organisation, reference=k.id, title=k.title, supplier=k.supplier, value=k.value,
            start=k.start, end=k.end, maximum_end=k.maximum_end, kind=k.kind.value, frequency=k.frequency.value,
            light_touch=k.light_touch, kpi_exemption_reason=k.kpi_exemption_reason or "",
            price_indexation_pct=k.price_indexation_pct, tender_volume_per_period=k.tender_volume_per_period,
            financial_rating=k.financial_rating.value if k.financial_rating else "",
            financial_rating_basis=k.financial_rating_basis, threshold_amount=k.threshold_amount,
            threshold_source=k.threshold_source or "", source=f"contract folder {label}",
            policy=policy_overrides(folder.triggers, folder.social_value, folder.window_months))
        Kpi.objects.bulk_create(Kpi(contract=c, code=x.id, title=x.title, target=x.target,
                                    direction=x.direction.value, tolerance=x.tolerance,
                                    inadequate_beyond=x.inadequate_beyond, unit=x.unit) for x in k.kpis)
        save_commitments(c, [(commitment, "") for commitment in k.commitments])
        _save_returns(access.user, c, folder.returns, Return.SUBMITTED)
        Variation.objects.bulk_create(Variation(
            contract=c, code=v.id, agreed_on=v.agreed_on, description=v.description, value_change=v.value_change,
            term_change_months=v.term_change_months, ground=v.ground.value,
            schedule_8_paragraph=v.schedule_8_paragraph, changes_scope=v.changes_scope,
            favours_supplier=v.favours_supplier, changes_overall_nature=v.changes_overall_nature,
            linked_to=v.linked_to or "", change_notice_published=v.change_notice_published,
            recorded_by=access.user) for v in folder.variations)
        _check_log(c)
        refresh(c, today)
        audit.record(access.user.get_username(), "contract_folder_imported",
                     {"contract": c.reference, "files": sorted(name for name, _ in files.values()),
                      "kpis": len(k.kpis), "returns": len(folder.returns), "variations": len(folder.variations)},
                     organisation=access.organisation)
    return c


def _problem(file: str, row: int | None, column: str, message: str) -> Any:
    from commonweal.io.errors import Problem

    return Problem(file=file, message=message, row=row, column=column)


# -- managers, KPIs, returns, variations -----------------------------------------------------------------------------


@audit.retrying
def give_manager(access: ContractAccess, username: str) -> None:
    if Role.COMMISSIONER.value not in access.roles:
        raise Forbidden("needs the commissioner role")
    target = User.objects.filter(username=username, memberships__organisation=access.contract.organisation).first()
    if target is None:
        raise Refused([f"{username} is not a member of {access.contract.organisation.name}"], ["username"])
    with transaction.atomic():
        c = _locked(access)
        _, made = ContractRole.objects.get_or_create(contract=c, user=target, role=MANAGER)
        if made:
            audit.record(
                access.actor,
                "contract_manager_given",
                {"contract": c.reference, "username": username},
                organisation=c.organisation,
            )


@dataclass(frozen=True)
class KpiValues:
    code: str
    title: str
    target: Decimal
    direction: str
    tolerance: Decimal
    inadequate_beyond: Decimal
    unit: str


@audit.retrying
def save_kpi(access: ContractAccess, values: KpiValues, today: dt.date) -> Kpi:
    """Define (or redefine) a KPI by its code; the contract's ratings are recomputed in the same transaction."""
    if not access.may_change:
        raise Forbidden("needs the commissioner role or to be this contract's manager")
    if values.inadequate_beyond < values.tolerance:
        raise Refused(["The shortfall rated inadequate must be at least the tolerance"], ["inadequate_beyond"])
    with transaction.atomic():
        c = _locked(access)
        kpi, made = Kpi.objects.update_or_create(
            contract=c,
            code=values.code,
            defaults={
                "title": values.title,
                "target": values.target,
                "direction": values.direction,
                "tolerance": values.tolerance,
                "inadequate_beyond": values.inadequate_beyond,
                "unit": values.unit,
            },
        )
        refresh(c, today)
        audit.record(
            access.actor,
            "kpi_saved",
            {
                "contract": c.reference,
                "kpi": values.code,
                "new": made,
                "target": f"{values.target:f}",
                "direction": values.direction,
            },
            organisation=c.organisation,
        )
    return kpi


@audit.retrying
def record_kpi_exemption(access: ContractAccess, reason: str, today: dt.date) -> None:
    """Procurement Act 2023 s.52(1): the recorded reason why performance could not appropriately be assessed by
    KPIs (blank clears it)."""
    if not access.may_change:
        raise Forbidden("needs the commissioner role or to be this contract's manager")
    with transaction.atomic():
        c = _locked(access)
        c.kpi_exemption_reason = reason
        refresh(c, today)
        audit.record(
            access.actor,
            "kpi_exemption_recorded",
            {"contract": c.reference, "reason": reason},
            organisation=c.organisation,
        )


def _save_returns(
    user: User,
    c: Contract,
    returns: Sequence[domain.Return],
    status: str,
    costs: Mapping[dt.date, Decimal | None] | None = None,
) -> tuple[int, int]:
    kpis = {k.code: k for k in c.kpis.all()}
    results = deliveries = 0
    for found in returns:
        ret, _ = Return.objects.update_or_create(
            contract=c,
            period_start=found.period.start,
            defaults={
                "period_end": found.period.end,
                "status": status,
                "submitted_by": user,
                "cost_growth_pct": found.provider.cost_growth_pct,
                "volume": found.provider.volume,
                "workforce_fte": found.provider.workforce_fte,
                "vacancies": found.provider.vacancies,
                "margin_pct": found.provider.margin_pct,
                "cost_pressures": found.provider.cost_pressures,
                "cost": (costs or {}).get(found.period.start),
            },
        )
        ret.results.all().delete()
        ret.deliveries.all().delete()
        KpiResult.objects.bulk_create(
            KpiResult(ret=ret, kpi=kpis[m.kpi], actual=m.actual, note=m.note) for m in found.measurements
        )
        Delivery.objects.bulk_create(
            Delivery(
                ret=ret, measure=d.measure, quantity=d.quantity, evidence=d.evidence, verification=d.verification.value
            )
            for d in found.deliveries
        )
        results += len(found.measurements)
        deliveries += len(found.deliveries)
    return results, deliveries


def _period_problems(c: Contract, start: dt.date, today: dt.date) -> list[str]:
    period = domain.period_starting(start, domain.Frequency(c.frequency))
    if start.day != 1:
        return [f"A period starts on the first day of a month; {start:%d %B %Y} is not"]
    if period.end > today:
        return [f"The period {start:%d %B %Y} to {period.end:%d %B %Y} is not over yet"]
    if start < c.start.replace(day=1) or start > (c.maximum_end or c.end):
        return [f"The period starting {start:%d %B %Y} is outside the contract"]
    return []


@dataclass(frozen=True)
class EvidenceFile:
    """An evidence file chosen for one line of a return (a KPI's code or a committed measure)."""

    field: str  # the form's field, where a refusal of the file is shown
    line: str
    name: str
    content: bytes


@dataclass(frozen=True)
class ReturnValues:
    period_start: dt.date
    status: str
    actuals: Mapping[str, Decimal | None]
    deliveries: Sequence[tuple[str, Decimal, str, str]]
    provider: domain.ProviderReport
    cost: Decimal | None
    evidence: Sequence[EvidenceFile] = ()


@audit.retrying
def save_return(access: ContractAccess, values: ReturnValues, today: dt.date) -> Return:
    """A period's return entered in the form; ratings and triggers are recomputed and stored with it."""
    if not access.may_change:
        raise Forbidden("needs the commissioner role or to be this contract's manager")
    return _record_return(access.user, access.contract, values, today, "council")


# statuses of a provider's return it may replace: not once the council has verified it (a Commonweal default)
PROVIDER_REPLACEABLE = (Return.SUBMITTED, Return.QUERIED, Return.REJECTED)


@audit.retrying
def submit_return(access: ProviderContractAccess, values: ReturnValues, today: dt.date) -> Return:
    """The provider's own return for a period, submitted for the council to check: the same rules as the council's
    form (`_record_return`); its social value claims are unverified until the council verifies them."""
    _refuse_fixed(access.contract, [values.period_start], "period_start")
    return _record_return(access.user, access.contract, values, today, "provider")


def _refuse_fixed(c: Contract, starts: Sequence[dt.date], field: str) -> None:
    """Refuse a provider's return for any of these periods that the council has already verified (on `field`)."""
    fixed = (Return.objects.filter(contract=c, period_start__in=starts).exclude(status__in=PROVIDER_REPLACEABLE)
             .order_by("period_start"))
    if fixed:
        raise Refused([f"The return for the period starting {r.period_start:%d %B %Y} is {r.status}: it can no longer "
                       "be replaced" for r in fixed], [field] * len(fixed))


def _record_return(user: User, c: Contract, values: ReturnValues, today: dt.date, submitted_for: str) -> Return:
    problems = _period_problems(c, values.period_start, today)
    if problems:
        raise Refused(problems, ["period_start"])
    measures = set(c.commitments.values_list("measure", flat=True))
    for measure, *_ in values.deliveries:
        if measure not in measures:
            raise Refused([f"{measure} is not a social value measure committed in this contract"], ["deliveries"])
    lines = measures | set(c.kpis.values_list("code", flat=True))
    for chosen in values.evidence:
        if chosen.line not in lines:
            raise Refused([f"{chosen.line} is neither a KPI nor a social value measure of this contract"],
                          [chosen.field])
    _check_evidence(values.evidence)
    period = domain.period_starting(values.period_start, domain.Frequency(c.frequency))
    found = domain.Return(
        period,
        tuple(domain.KpiMeasurement(code, actual) for code, actual in values.actuals.items() if actual is not None),
        tuple(domain.SocialValueDelivery(m, q, e, domain.Verification(v)) for m, q, e, v in values.deliveries),
        values.provider,
    )
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=c.pk)
        costs = {values.period_start: values.cost}
        results, deliveries = _save_returns(user, locked, [found], values.status, costs)
        # a new submission starts a new check
        Return.objects.filter(contract=locked, period_start=period.start).update(
            submitted_for=submitted_for, check_reason="", checked_by=None
        )
        ret = Return.objects.get(contract=locked, period_start=period.start)
        kept = _add_evidence(user, c, ret, values.evidence)
        refresh(locked, today)
        audit.record(
            user.get_username(),
            "return_saved",
            {
                "contract": locked.reference,
                "period_start": period.start.isoformat(),
                "status": values.status,
                "kpi_results": results,
                "deliveries": deliveries,
                "evidence": kept,
                "source": "form" if submitted_for == "council" else "provider",
            },
            organisation=locked.organisation,
        )
    return ret


def _check_evidence(chosen: Sequence[EvidenceFile]) -> None:
    """Every evidence file checked by the document store before anything is stored or saved (the return form and
    the returns upload alike): Refused on the field that carried the file, naming it."""
    for found in chosen:
        try:
            documents.kind_of(found.name, found.content)
        except InputError as exc:
            raise Refused([str(p) for p in exc.problems], [found.field] * len(exc.problems)) from exc


def _add_evidence(user: User, c: Contract, ret: Return, chosen: Sequence[EvidenceFile]) -> list[dict[str, str]]:
    """Store each (checked) file under the return's period and record it on its line, inside the caller's
    transaction with the contract locked (so `_remove_unless_kept` cannot remove a file this stores again); the
    return's audit detail for them."""
    folder = f"{c.organisation.slug}/contracts/{c.pk}/returns/{ret.period_start.isoformat()}"
    kept = [(found, documents.store(folder, found.name, found.content)) for found in chosen]
    Evidence.objects.bulk_create(
        Evidence(ret=ret, line=found.line, name=found.name, added_by=user, **stored.fields()) for found, stored in kept
    )
    return [{"line": found.line, "name": found.name, "sha256": stored.sha256} for found, stored in kept]


@dataclass(frozen=True)
class ReturnLines:
    """A return's KPI results and social value delivery, each line beside its evidence files."""

    results: list[KpiResult]
    deliveries: list[Delivery]
    evidence: dict[str, list[Evidence]]  # by line: a KPI's code or a measure


def return_lines(ret: Return) -> ReturnLines:
    """The lines of a return the caller has already reached through the access layer."""
    evidence: dict[str, list[Evidence]] = {}
    for found in Evidence.objects.filter(ret=ret).only("ret_id", "line", "name", "kind", "size"):
        evidence.setdefault(found.line, []).append(found)
    return ReturnLines(list(ret.results.select_related("kpi").order_by("kpi__code")),
                       list(ret.deliveries.order_by("measure")), evidence)


def evidence_file(user: Visitor, contract_id: int, evidence_id: int) -> Evidence:
    """One evidence file of a contract's return, to the council's people who read the contract or to the provider
    the contract is let to; for anyone else neither the contract nor the file exists (NotFound)."""
    try:
        contract = contract_access(user, contract_id).contract
    except NotFound:
        contract = provider_contract_access(user, contract_id).contract
    found = Evidence.objects.filter(pk=evidence_id, ret__contract=contract).first()
    if found is None:
        raise NotFound("no such evidence file")
    return found


# statuses of a return whose evidence files may still be deleted (Commonweal default): not once the council has
# verified it (its files are the record of what was checked) nor rejected it (the record of what was rejected; the
# provider submits the return again, which makes it submitted)
EVIDENCE_DELETABLE = (Return.DRAFT, Return.SUBMITTED, Return.QUERIED)


@dataclass(frozen=True)
class EvidenceToDelete:
    evidence: Evidence
    ret: Return
    contract: Contract
    by_provider: bool  # reached as the contract's provider (its page is the portal's)
    refusal: str  # why the file can no longer be deleted, or ""


def evidence_to_delete(user: Visitor, contract_id: int, evidence_id: int, lock: bool = False) -> EvidenceToDelete:
    """An evidence file the user may delete: on the council's side the contract's writers (commissioner, its
    contract manager) or whoever added it, if they still read the contract; on the provider's, the people who submit
    its returns (contract lead, returns contributor), for files their provider added to its own return. NotFound for
    anyone who cannot see the file, Forbidden for one who sees but may not delete it; once the return is verified or
    rejected, `refusal` says why the file stays. With `lock`, the contract's row is locked first, so a concurrent
    check of the return waits."""
    council: ContractAccess | None = None
    provider: ProviderContractAccess | None = None
    try:
        council = contract_access(user, contract_id)
        contract = council.contract
    except NotFound:
        provider = provider_contract_access(user, contract_id)
        contract = provider.contract
    if lock:
        Contract.objects.select_for_update().filter(pk=contract.pk).first()
    found = Evidence.objects.select_related("ret").filter(pk=evidence_id, ret__contract=contract).first()
    if found is None:
        raise NotFound("no such evidence file")
    if council is not None and not (council.may_change or found.added_by_id == council.user.pk):
        raise Forbidden("needs the commissioner role, to be this contract's manager, or to have added the file")
    if provider is not None and (found.ret.submitted_for != "provider"
                                 or not provider.provider.members.filter(user_id=found.added_by_id).exists()):
        raise Forbidden("only a file your organisation added to its own return can be deleted")
    refusal = "" if found.ret.status in EVIDENCE_DELETABLE else (
        f"This return is {found.ret.status}: its evidence files are the record of that check and can no longer be "
        "deleted")
    return EvidenceToDelete(found, found.ret, contract, provider is not None, refusal)


@audit.retrying
def delete_evidence(user: Visitor, contract_id: int, evidence_id: int) -> EvidenceToDelete:
    """Delete an evidence file added by mistake (who and when: `evidence_to_delete`), audited; the stored file is
    removed once the deletion is committed and no other record of the return keeps the same file."""
    with transaction.atomic():
        target = evidence_to_delete(user, contract_id, evidence_id, lock=True)
        if target.refusal:
            raise Refused([target.refusal], ["confirm"])
        found = target.evidence
        found.delete()
        audit.record(
            signed_in(user).get_username(),
            "evidence_deleted",
            {"contract": target.contract.reference, "period_start": target.ret.period_start.isoformat(),
             "line": found.line, "name": found.name, "sha256": found.sha256,
             "side": "provider" if target.by_provider else "council"},
            organisation=target.contract.organisation,
        )
        transaction.on_commit(lambda: _remove_unless_kept(target.contract.pk, found.stored_as))
    return target


def _remove_unless_kept(contract_id: int, stored_as: str) -> None:
    """Files are content-addressed per return, so another record (the same file on another line) may keep it. The
    contract's lock serialises this with a return storing the same file again (`_add_evidence`)."""
    with transaction.atomic():
        Contract.objects.select_for_update().filter(pk=contract_id).first()
        if not Evidence.objects.filter(stored_as=stored_as).exists():
            documents.remove(stored_as)


# what the council may make of a submitted (or queried) return
CHECKS = (Return.VERIFIED, Return.QUERIED, Return.REJECTED)


@audit.retrying
def check_return(access: ContractAccess, return_id: int, status: str, reason: str, today: dt.date) -> Return:
    """The council verifies, queries or rejects a return; a query or rejection needs a reason, which the provider
    sees. Ratings are recomputed (a rejected return is not evidence: `Return.COUNTED`)."""
    if not access.may_change:
        raise Forbidden("needs the commissioner role or to be this contract's manager")
    if status not in CHECKS:
        raise Refused(["Choose verified, queried or rejected"], ["status"])
    if status != Return.VERIFIED and not reason:
        raise Refused(["Enter the reason the provider will see"], ["reason"])
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=access.contract.pk)
        found = Return.objects.filter(pk=return_id, contract=locked).first()
        if found is None:
            raise NotFound("no such return")
        if found.status not in (Return.SUBMITTED, Return.QUERIED):
            raise Refused([f"This return is {found.status}: only a submitted or queried return is checked"],
                          ["status"])
        found.status, found.check_reason, found.checked_by = status, reason, access.user
        found.save()
        refresh(locked, today)
        audit.record(
            access.actor,
            "return_checked",
            {"contract": locked.reference, "period_start": found.period_start.isoformat(), "status": status,
             "reason": reason},
            organisation=locked.organisation,
        )
    return found


@audit.retrying
def respond_to_return(access: ProviderContractAccess, return_id: int, response: str) -> Return:
    """The provider's response to the council's query or rejection of its return."""
    with transaction.atomic():
        found = Return.objects.select_for_update().filter(pk=return_id, contract=access.contract).first()
        if found is None:
            raise NotFound("no such return")
        if found.status not in (Return.QUERIED, Return.REJECTED):
            raise Refused(["Only a queried or rejected return takes a response"], ["response"])
        found.provider_response = response
        found.save()
        audit.record(
            access.actor,
            "return_response",
            {"contract": access.contract.reference, "period_start": found.period_start.isoformat()},
            organisation=access.contract.organisation,
        )
    return found


@audit.retrying
def upload_returns(access: ContractAccess, files: Mapping[str, tuple[str, bytes]], today: dt.date,
                   evidence: Sequence[tuple[str, bytes]] = ()) -> int:
    """Returns from CSV/XLSX tables in the contract folder's layout (kpi_returns, social_value_returns,
    provider_returns) with their evidence files (attached as `commonweal.io.contracts.parse_returns` says: each to
    the line of the row that names it in `evidence_file`, or to the one return the tables hold): every row and file
    loaded, or every problem listed (a file the document store refuses: Refused on `evidence`, naming it) and nothing
    saved or stored then."""
    if not access.may_change:
        raise Forbidden("needs the commissioner role or to be this contract's manager")
    return _upload_returns(access.user, access.actor, access.contract, files, today, evidence, by_provider=False)


@audit.retrying
def submit_returns(access: ProviderContractAccess, files: Mapping[str, tuple[str, bytes]], today: dt.date,
                   evidence: Sequence[tuple[str, bytes]] = ()) -> int:
    """The provider's returns as CSV/XLSX tables, read and checked as the council's upload (`upload_returns`), each
    submitted for the council to check as a return from the portal's form is (`submit_return`): its social value
    claims stated as unverified, and a period whose return the council has verified refused."""
    return _upload_returns(access.user, access.user.get_username(), access.contract, files, today, evidence,
                           by_provider=True)


def _upload_returns(user: User, actor: str, contract: Contract, files: Mapping[str, tuple[str, bytes]],
                    today: dt.date, evidence: Sequence[tuple[str, bytes]], *, by_provider: bool) -> int:
    _check_evidence([EvidenceFile("evidence", "", name, content) for name, content in evidence])
    with transaction.atomic():
        c = Contract.objects.select_for_update().get(pk=contract.pk)
        uploaded = parse_returns(files, domain_contract(c), today, [name for name, _ in evidence], by_provider)
        starts = [r.period.start for r in uploaded.returns]
        if by_provider:
            _refuse_fixed(c, starts, "kpi_returns")
        results, deliveries = _save_returns(user, c, uploaded.returns, Return.SUBMITTED)
        if by_provider:  # a new submission starts a new check, as the portal's form does
            Return.objects.filter(contract=c, period_start__in=starts).update(
                submitted_for="provider", check_reason="", checked_by=None)
        contents = dict(evidence)
        by_period: dict[dt.date, list[EvidenceFile]] = {}
        for named in uploaded.evidence:
            by_period.setdefault(named.period_start, []).append(
                EvidenceFile("evidence", named.line, named.name, contents[named.name]))
        kept: list[dict[str, str]] = []
        for ret in Return.objects.filter(contract=c, period_start__in=by_period):
            kept += _add_evidence(user, c, ret, by_period[ret.period_start])
        refresh(c, today)
        audit.record(
            actor,
            "return_saved",
            {
                "contract": c.reference,
                "periods": len(uploaded.returns),
                "kpi_results": results,
                "deliveries": deliveries,
                "evidence": kept,
                "source": ", ".join(name for name, _ in files.values()) + (" (provider)" if by_provider else ""),
            },
            organisation=c.organisation,
        )
    return len(uploaded.returns)


@dataclass(frozen=True)
class VariationValues:
    code: str
    agreed_on: dt.date
    description: str
    value_change: Decimal
    term_change_months: int
    ground: str
    schedule_8_paragraph: int | None
    changes_scope: bool
    favours_supplier: bool
    changes_overall_nature: bool
    linked_to: str
    change_notice_published: bool


def _check_log(c: Contract) -> dict[str, Any]:
    """Check the whole variations log with the domain's rules and store each variation's result."""
    logged = list(c.variations.all())
    found = check_variations(domain_contract(c), [domain_variation(v) for v in logged])
    checks = {check.variation.id: check for check in found}
    for v in logged:
        check = checks[v.code]
        v.ground_status, v.change_notice_required = check.ground_status.value, check.change_notice_required
        v.flags = list(check.flags)
    Variation.objects.bulk_update(logged, ["ground_status", "change_notice_required", "flags"])
    return checks


@audit.retrying
def record_variation(access: ContractAccess, values: VariationValues, today: dt.date) -> Variation:
    """Log a variation and check the whole log against Procurement Act 2023 ss.74-77 as the CLI does
    (`commonweal.domain.contracts.modifications`), storing each one's result, including whether a contract
    change notice is needed (s.75)."""
    if not access.may_change:
        raise Forbidden("needs the commissioner role or to be this contract's manager")
    if values.ground == domain.ModificationGround.PERMITTED.value and values.schedule_8_paragraph is None:
        raise Refused(["Enter the Schedule 8 paragraph relied on"], ["schedule_8_paragraph"])
    with transaction.atomic():
        c = _locked(access)
        codes = set(c.variations.values_list("code", flat=True))
        if values.code in codes:
            raise Refused([f"Variation {values.code} is logged already"], ["code"])
        if values.linked_to and values.linked_to not in codes:
            raise Refused([f"There is no earlier variation {values.linked_to} to link to"], ["linked_to"])
        made = Variation.objects.create(contract=c, recorded_by=access.user, **asdict(values))
        checks = _check_log(c)
        refresh(c, today)
        mine = checks[values.code]
        audit.record(
            access.actor,
            "variation_recorded",
            {
                "contract": c.reference,
                "variation": values.code,
                "ground": values.ground,
                "value_change": f"{values.value_change:f}",
                "ground_status": mine.ground_status.value,
                "change_notice_required": mine.change_notice_required,
            },
            organisation=c.organisation,
        )
    made.refresh_from_db()
    return made


# -- reviews (renegotiation) -----------------------------------------------------------------------------------------


def review(access: ContractAccess, review_id: int) -> Review:
    found = access.contract.reviews.filter(pk=review_id).select_related("opened_by", "decided_by").first()
    if found is None:
        raise NotFound("no such review")
    return found


def fired_triggers(access: ContractAccess) -> list[dict[str, Any]]:
    return [t for t in access.contract.review.get("triggers", []) if t.get("fired")]


@audit.retrying
def open_review(access: ContractAccess, reason: str, trigger: str, today: dt.date) -> Review:
    if not access.may_change:
        raise Forbidden("needs the commissioner role or to be this contract's manager")
    if trigger and trigger not in {t["id"] for t in fired_triggers(access)}:
        raise Refused(["Choose a trigger that has fired, or none"], ["trigger"])
    with transaction.atomic():
        c = _locked(access)
        made = Review.objects.create(contract=c, reason=reason, trigger=trigger, opened_on=today, opened_by=access.user)
        audit.record(
            access.actor,
            "contract_review_opened",
            {"contract": c.reference, "review": made.pk, "trigger": trigger, "reason": reason},
            organisation=c.organisation,
        )
    return made


def _open(access: ContractAccess, review_id: int) -> Review:
    if not access.may_change:
        raise Forbidden("needs the commissioner role or to be this contract's manager")
    found = Review.objects.select_for_update().filter(pk=review_id, contract=access.contract).first()
    if found is None:
        raise NotFound("no such review")
    if found.status != Review.OPEN:
        raise Refused(["This review has been decided; open a new review to reconsider"])
    return found


@audit.retrying
def record_meeting(
    access: ContractAccess, review_id: int, meeting_on: dt.date, attendees: str, notes: str, today: dt.date
) -> None:
    if meeting_on > today:
        raise Refused(["Record a meeting once it has taken place: the date is in the future"], ["meeting_on"])
    with transaction.atomic():
        found = _open(access, review_id)
        found.meeting_on, found.attendees, found.meeting_notes = meeting_on, attendees, notes
        found.save()
        audit.record(
            access.actor,
            "contract_review_meeting",
            {"contract": access.contract.reference, "review": found.pk, "meeting_on": meeting_on.isoformat()},
            organisation=access.contract.organisation,
        )


@audit.retrying
def add_option(access: ContractAccess, review_id: int, side: str, option: str, legal_basis: str, notes: str) -> None:
    with transaction.atomic():
        found = _open(access, review_id)
        ReviewOption.objects.create(review=found, side=side, option=option, legal_basis=legal_basis, notes=notes)
        audit.record(
            access.actor,
            "contract_review_option",
            {
                "contract": access.contract.reference,
                "review": found.pk,
                "side": side,
                "option": option,
                "legal_basis": legal_basis,
            },
            organisation=access.contract.organisation,
        )


@audit.retrying
def decide(access: ContractAccess, review_id: int, decision: str, reason: str, today: dt.date) -> None:
    """Record the decision. It must be one of the options considered (or no change), after the meeting."""
    with transaction.atomic():
        found = _open(access, review_id)
        considered = set(found.options.values_list("option", flat=True))
        problems = []
        if found.meeting_on is None:
            problems.append("Record the review meeting before the decision")
        if decision != "no_change" and decision not in considered:
            problems.append("Choose an option that was considered for either side, or no change")
        if problems:
            raise Refused(problems, ["decision"] * len(problems))
        found.status, found.decision, found.decision_reason = Review.DECIDED, decision, reason
        found.decided_on, found.decided_by = today, access.user
        found.save()
        audit.record(
            access.actor,
            "contract_review_decided",
            {"contract": access.contract.reference, "review": found.pk, "decision": decision, "reason": reason},
            organisation=access.contract.organisation,
        )


@audit.retrying
def add_action(access: ContractAccess, review_id: int, description: str, owner: str, due_on: dt.date) -> Action:
    """A follow-up action; it may be added after the decision too (the decision's actions)."""
    if not access.may_change:
        raise Forbidden("needs the commissioner role or to be this contract's manager")
    person = User.objects.filter(username=owner, memberships__organisation=access.contract.organisation).first()
    if person is None:
        raise Refused([f"{owner} is not a member of {access.contract.organisation.name}"], ["owner"])
    with transaction.atomic():
        found = Review.objects.select_for_update().filter(pk=review_id, contract=access.contract).first()
        if found is None:
            raise NotFound("no such review")
        made = Action.objects.create(review=found, description=description, owner=person, due_on=due_on)
        audit.record(
            access.actor,
            "contract_action_added",
            {
                "contract": access.contract.reference,
                "review": found.pk,
                "owner": owner,
                "due_on": due_on.isoformat(),
                "description": description,
            },
            organisation=access.contract.organisation,
        )
    return made


@audit.retrying
def complete_action(access: ContractAccess, action_id: int, today: dt.date) -> None:
    """The action's owner, a commissioner or the contract's manager marks it done."""
    with transaction.atomic():
        found = Action.objects.select_for_update().filter(pk=action_id, review__contract=access.contract).first()
        if found is None:
            raise NotFound("no such action")
        if found.owner_id != access.user.pk and not access.may_change:
            raise Forbidden("only the action's owner, a commissioner or the contract's manager marks it done")
        if found.done_on is not None:
            raise Refused(["This action is done already"])
        found.done_on = today
        found.save()
        audit.record(
            access.actor,
            "contract_action_done",
            {"contract": access.contract.reference, "action": found.pk},
            organisation=access.contract.organisation,
        )


# -- the home page ---------------------------------------------------------------------------------------------------


def due_actions(user: User, organisation_ids: Iterable[int], today: dt.date) -> list[Action]:
    return list(
        Action.objects.filter(
            owner=user,
            done_on__isnull=True,
            due_on__lte=today,
            review__contract__organisation__in=list(organisation_ids),
        )
        .select_related("review__contract")
        .order_by("due_on")
    )


def late_returns(user: User, organisation_ids: Iterable[int], today: dt.date) -> list[tuple[Contract, domain.Period]]:
    """The live contracts the user manages whose next return is late (one aggregate query)."""
    managed = (
        Contract.objects.filter(
            roles__user=user, organisation__in=list(organisation_ids), start__lte=today, end__gte=today
        )
        .annotate(last=Max("returns__period_end", filter=Q(returns__status__in=Return.COUNTED)))
        .order_by("reference")
    )
    found: list[tuple[Contract, domain.Period]] = []
    for c in managed:
        missing = domain.first_missing_period(c.start, domain.Frequency(c.frequency), c.last, today)
        if missing is not None:
            found.append((c, missing))
    return found


def options_catalogue() -> list[tuple[str, str, str]]:
    """(id, title, what) of each option the domain knows, for the review page."""
    return [(o.id, o.title, o.what) for o in OPTIONS]
