"""The demo's providers, community group and published opportunities (issue #20), seeded by one line of
`web.demo.seed_demo` after the councils' tenders:

- Brightwater Care Ltd (an SME) serves both councils: `brightwater.bids` is invited to Northfield's and
  Southdale's tenders;
- Southdale Home Support CIC (a VCSE) serves Southdale only: `sdhs.bids` is invited to Southdale's tender;
- Northfield Community Transport (a community group) has no tender: `community.lead`, who registered interest in
  Northfield's planned day opportunities;
- Northfield links its contract NBC-C-001 (let to Brightwater) to Brightwater Care Ltd, where `brightwater.bids` is
  also the contract lead;
- Northfield publishes a planned and an open opportunity and keeps one draft (never shown); Southdale publishes one.
On Southdale's tender a question of Brightwater Care's is answered and published; one of Southdale Home Support's
waits for the council's answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from commonweal.web import audit
from commonweal.web.access import tender_access
from commonweal.web.contracts import data as contracts
from commonweal.web.contracts.models import Contract
from commonweal.web.models import Membership, Organisation, Tender
from commonweal.web.providers import data
from commonweal.web.providers.models import Clarification, Provider, ProviderKind, ProviderMember, ProviderRole
from commonweal.web.public import data as public
from commonweal.web.public.models import Interest, Status

# provider -> (kind, its person, what they do)
PROVIDERS = {
    "Brightwater Care Ltd": (ProviderKind.SME, "brightwater.bids", ProviderRole.BID_MANAGER),
    "Southdale Home Support CIC": (ProviderKind.VCSE, "sdhs.bids", ProviderRole.BID_MANAGER),
    "Northfield Community Transport": (ProviderKind.VCSE, "community.lead", ProviderRole.BID_MANAGER),
}
# which provider bids for which council's tender
BIDS = {"northfield": ["Brightwater Care Ltd"], "southdale": ["Brightwater Care Ltd", "Southdale Home Support CIC"]}


def _provider(name: str, kind: ProviderKind, slug: str) -> Provider:
    organisation, _ = Organisation.objects.get_or_create(name=name, defaults={"slug": slug})
    provider, _ = Provider.objects.get_or_create(organisation=organisation, defaults={"kind": kind})
    return provider


def seed(
    make_user: Callable[[str, dict[str, str], str | None], User], passwords: dict[str, str], password: str | None
) -> None:
    """`make_user` is the demo's own account maker (`web.demo`), so passwords are chosen as for everyone else."""
    providers = {}
    for name, (kind, username, role) in PROVIDERS.items():
        provider = _provider(name, kind, username.split(".")[0])
        person: User = make_user(username, passwords, password)
        Membership.objects.get_or_create(user=person, organisation=provider.organisation, role="")
        ProviderMember.objects.get_or_create(provider=provider, user=person, role=role)
        providers[name] = provider
    commissioner = User.objects.get(username="shared.commissioner")
    for slug, names in BIDS.items():
        tender = Tender.objects.filter(organisation__slug=slug).order_by("pk").first()
        assert tender is not None
        access = tender_access(commissioner, tender.pk)
        for name in names:
            data.invite_bidder(access, name, PROVIDERS[name][0], PROVIDERS[name][1], "")
    southdale = Tender.objects.filter(organisation__slug="southdale").order_by("pk").first()
    assert southdale is not None
    _clarifications(southdale, providers, commissioner)
    _opportunities(commissioner)
    _contracts(commissioner)


def _contracts(commissioner: User) -> None:
    brightwater = User.objects.get(username="brightwater.bids")
    ProviderMember.objects.get_or_create(
        provider=Provider.objects.get(organisation__name="Brightwater Care Ltd"),
        user=brightwater,
        role=ProviderRole.CONTRACT_LEAD,
    )
    contract = Contract.objects.filter(organisation__slug="northfield", reference="NBC-C-001").first()
    if contract is not None:
        data.link_contract(contracts.contract_access(commissioner, contract.pk, change=True), "Brightwater Care Ltd")


def _clarifications(tender: Tender, providers: dict[str, Provider], commissioner: User) -> None:
    with transaction.atomic():
        answered = Clarification.objects.create(
            tender=tender,
            provider=providers["Brightwater Care Ltd"],
            asked_by=User.objects.get(username="brightwater.bids"),
            question="Brightwater Care asks: must carers already hold the Care Certificate at contract start?",
            published_question="Must carers already hold the Care Certificate at contract start?",
            answer="No. Carers must complete it within 12 weeks of starting, as the specification says (section 4.2).",
            answered_by=commissioner,
            answered_at=timezone.now(),
        )
        data.record_asked(answered)
        audit.record(
            commissioner.get_username(), "clarification_answered", {"clarification": answered.pk}, tender=tender
        )
        waiting = Clarification.objects.create(
            tender=tender,
            provider=providers["Southdale Home Support CIC"],
            asked_by=User.objects.get(username="sdhs.bids"),
            question="Can a consortium of two community interest companies bid for the rural lot?",
        )
        data.record_asked(waiting)


def _opportunities(commissioner: User) -> None:
    spring = dt.date(2027, 3, 31)
    planned = public.create_opportunity(
        commissioner,
        "northfield",
        "Day opportunities for adults with learning disabilities",
        "Community-based day opportunities across the borough from April 2028. We want to hear from local "
        "organisations before we design the service (preliminary market engagement).",
        None,
        Status.PLANNED,
    )
    public.add_lot(commissioner, "northfield", planned.pk, "North and east localities", smes=True, vcses=True)
    public.add_lot(commissioner, "northfield", planned.pk, "Specialist autism support", smes=True, vcses=False)
    meals = public.create_opportunity(
        commissioner,
        "northfield",
        "Community meals",
        "Hot and frozen meals delivered to people at home.",
        spring,
        Status.OPEN,
    )
    public.add_lot(commissioner, "northfield", meals.pk, "Whole borough", smes=True, vcses=True)
    public.create_opportunity(
        commissioner,
        "northfield",
        "Carers' breaks (draft)",
        "Not yet agreed by the council: never shown publicly.",
        None,
        Status.DRAFT,
    )
    rural = public.create_opportunity(
        commissioner,
        "southdale",
        "Rural transport to health appointments",
        "Door-to-door transport for residents of the rural wards.",
        spring,
        Status.PLANNED,
    )
    public.add_lot(commissioner, "southdale", rural.pk, "Rural wards", smes=True, vcses=True)
    with transaction.atomic():
        interest = Interest.objects.create(
            opportunity=planned,
            organisation_name="Northfield Community Transport",
            kind="vcse",
            purpose="engagement",
            contact_name="Sam Okafor",
            email="sam@northfield-community-transport.example",
            message="We run minibuses to day centres and would like to take part in the engagement.",
        )
        audit.record(
            "public",
            "interest_registered",
            {"opportunity": planned.pk, "interest": interest.pk, "kind": "vcse", "purpose": "engagement"},
            organisation=planned.council,
        )
