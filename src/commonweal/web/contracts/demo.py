"""The contracts demo: Northfield's let contracts in every state (good, approaching target, requires improvement,
inadequate), one with a provider-side trigger, one over £5 million short of its s.52 KPIs, one with a late return,
and an open review with actions; a contract manager (`contract.manager`) who manages them; one Southdale contract
(another organisation's, for the isolation tests). Figures are invented; dates are relative to today so the
returns are always in the past."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from commonweal.domain.contracts import model as domain
from commonweal.domain.socialvalue.commitments import Commitment as SvCommitment
from commonweal.io.socialvalue import open_library
from commonweal.web import audit
from commonweal.web.contracts import data
from commonweal.web.contracts.models import Action, Contract, ContractRole, Kpi, KpiResult, Return, Review
from commonweal.web.models import Membership, Organisation

MANAGER = "contract.manager"


@dataclass(frozen=True)
class Spec:
    reference: str
    title: str
    service: str
    supplier: str
    value: Decimal
    actual: Decimal  # every KPI's result in every return (the KPIs' target is 95, tolerance 2, inadequate 10)
    frequency: domain.Frequency = domain.Frequency.QUARTERLY
    kpis: int = 3
    returns: int = 4
    margin_pct: Decimal | None = None
    cost_growth_pct: Decimal | None = None
    sme: bool = False
    vcse: bool = False
    social_value: bool = False


SPECS = (
    Spec(
        "NBC-C-001",
        "Home care, north locality",
        "Adult social care",
        "Brightwater Home Care Ltd",
        Decimal("4200000.00"),
        Decimal(97),
        sme=True,
        social_value=True,
    ),
    Spec(
        "NBC-C-002",
        "Home care, south locality",
        "Adult social care",
        "Carewell Partnership CIC",
        Decimal("3100000.00"),
        Decimal(94),
        vcse=True,
    ),
    Spec(
        "NBC-C-003", "Supported living", "Adult social care", "Harbour Support Ltd", Decimal("1850000.00"), Decimal(90)
    ),
    Spec(
        "NBC-C-004",
        "Reablement service",
        "Adult social care",
        "Rapid Response Care Ltd",
        Decimal("2400000.00"),
        Decimal(80),
    ),
    # good performance, but the provider reports a loss and costs growing faster than the indexation
    Spec(
        "NBC-C-005",
        "Meals at home",
        "Adult social care",
        "Northfield Community Kitchens",
        Decimal("640000.00"),
        Decimal(96),
        margin_pct=Decimal("-2.5"),
        cost_growth_pct=Decimal("6.1"),
        vcse=True,
    ),
    # over £5 million with two KPIs: the s.52(1) warning
    Spec(
        "NBC-C-006",
        "Highways maintenance",
        "Highways",
        "Roadline Infrastructure plc",
        Decimal("7800000.00"),
        Decimal(96),
        kpis=2,
    ),
    # monthly returns with the latest ones missing: late on the home page
    Spec(
        "NBC-C-007",
        "School transport",
        "Children's services",
        "County Coaches Ltd",
        Decimal("380000.00"),
        Decimal(95),
        frequency=domain.Frequency.MONTHLY,
        returns=8,
        sme=True,
    ),
)
KPI_TITLES = ("Visits on time (%)", "Service users satisfied (%)", "Staff with required training (%)")


def _contract(organisation: Organisation, spec: Spec, today: dt.date) -> Contract:
    start = domain.add_months(today.replace(day=1), -12)
    c = Contract.objects.create(
        organisation=organisation,
        reference=spec.reference,
        title=spec.title,
        service=spec.service,
        supplier=spec.supplier,
        sme=spec.sme,
        vcse=spec.vcse,
        value=spec.value,
        start=start,
        end=domain.add_months(start, 36) - dt.timedelta(days=1),
        maximum_end=domain.add_months(start, 48) - dt.timedelta(days=1),
        kind=domain.ContractKind.SERVICES.value,
        frequency=spec.frequency.value,
        price_indexation_pct=Decimal("3.0"),
        tender_volume_per_period=Decimal(1000),
        source="demo",
    )
    kpis = [
        Kpi.objects.create(
            contract=c,
            code=f"KPI{i + 1}",
            title=KPI_TITLES[i],
            target=Decimal(95),
            direction=domain.Direction.HIGHER_IS_BETTER.value,
            tolerance=Decimal(2),
            inadequate_beyond=Decimal(10),
            unit="%",
        )
        for i in range(spec.kpis)
    ]
    if spec.social_value:
        library = open_library()
        data.save_commitments(
            c,
            [
                (
                    domain.SocialValueCommitment(
                        SvCommitment(spec.supplier, "", measure, quantity, 1), library.measure(measure)
                    ),
                    core,
                )
                for measure, quantity, core in (
                    ("EMP-JSA-FISCAL", Decimal(4), "Good local jobs"),
                    ("VOL-HOUR-ASHE2024", Decimal(400), "Stronger communities"),
                )
            ],
        )
    period_start = start
    for _ in range(spec.returns):
        period = domain.period_starting(period_start, spec.frequency)
        ret = Return.objects.create(
            contract=c,
            period_start=period.start,
            period_end=period.end,
            margin_pct=spec.margin_pct,
            cost_growth_pct=spec.cost_growth_pct,
            volume=Decimal(1000),
        )
        KpiResult.objects.bulk_create(KpiResult(ret=ret, kpi=k, actual=spec.actual) for k in kpis)
        if spec.social_value:  # on profile: a quarter of the year's commitment each quarter, verified
            ret.deliveries.create(
                measure="EMP-JSA-FISCAL",
                quantity=Decimal(1),
                evidence="Payroll starter report",
                verification=domain.Verification.VERIFIED.value,
            )
            ret.deliveries.create(
                measure="VOL-HOUR-ASHE2024",
                quantity=Decimal(100),
                evidence="Volunteering log",
                verification=domain.Verification.VERIFIED.value,
            )
        period_start = period.end + dt.timedelta(days=1)
    data.refresh(c, today)
    return c


def _manager(organisation: Organisation, passwords: dict[str, str], password: str | None) -> User:
    from commonweal.web.demo import _user

    user = _user(MANAGER, passwords, password)
    Membership.objects.get_or_create(user=user, organisation=organisation, role="")
    return user


@transaction.atomic
def seed(
    northfield: Organisation,
    southdale: Organisation,
    today: dt.date,
    passwords: dict[str, str],
    password: str | None = None,
) -> None:
    """Northfield's demo contracts, managed by `contract.manager` (whose password joins `passwords`), and one
    Southdale contract."""
    if Contract.objects.filter(organisation=northfield).exists():
        return
    manager = _manager(northfield, passwords, password)
    made = [_contract(northfield, spec, today) for spec in SPECS]
    for c in made:
        ContractRole.objects.create(contract=c, user=manager)
    inadequate = made[3]
    review = Review.objects.create(
        contract=inadequate,
        reason="KPIs missed in every return this year",
        trigger="kpi_consecutive_misses",
        opened_on=today - dt.timedelta(days=14),
        opened_by=manager,
        meeting_on=today - dt.timedelta(days=7),
        attendees="Council: contract manager, commissioner; provider: operations director",
        meeting_notes="Recruitment shortfall in two localities; remedy plan proposed",
    )
    review.options.create(
        side="council",
        option="remedy_plan",
        legal_basis="The contract's performance provisions; no modification (Procurement Act 2023 s.74 not engaged)",
    )
    review.options.create(
        side="provider",
        option="variation",
        legal_basis="Procurement Act 2023 s.74(1)(b): a price review within the contract's own "
        "review clause, not a substantial modification",
    )
    Action.objects.create(
        review=review,
        description="Provider to submit a recruitment remedy plan",
        owner=manager,
        due_on=today - dt.timedelta(days=1),
    )
    Action.objects.create(
        review=review,
        description="Check the plan against the KPI shortfall",
        owner=manager,
        due_on=today + dt.timedelta(days=14),
    )
    other = _contract(
        southdale,
        Spec(
            "SDC-C-001",
            "Home care",
            "Adult social care",
            "Brightwater Home Care Ltd",
            Decimal("2000000.00"),
            Decimal(97),
        ),
        today,
    )
    audit.record("demo", "contracts_demo_seeded", {"contracts": len(made)}, organisation=northfield)
    audit.record("demo", "contracts_demo_seeded", {"contracts": 1}, organisation=other.organisation)
