"""The providers area's source for the home page (`web.home.attention.SOURCES`): for a provider's people, each
tender their provider is invited to, each contract's return now due and each return the council queried or rejected
that waits for their response, under the provider; for a tender's commissioners, the questions waiting for an
answer; for a contract's commissioners and manager, the provider's returns to check and its "not working for us"
concerns on open reviews. Seven queries, however many tenders, contracts, returns or concerns."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Count, Max, Q
from django.urls import reverse

from commonweal.domain.contracts.model import Frequency, first_missing_period
from commonweal.domain.lifecycle import Role
from commonweal.web.access import bidder_tenders, provider_contracts
from commonweal.web.contracts.models import Contract, Return, Review
from commonweal.web.home.attention import Attention
from commonweal.web.models import Organisation
from commonweal.web.providers.data import ASKING_STAGE
from commonweal.web.providers.models import Clarification, Concern
from commonweal.web.views import today


def items(user: User, organisations: list[Organisation]) -> list[Attention]:
    found = []
    mine = {o.pk for o in organisations}
    for invited in bidder_tenders(user):
        if invited.provider.organisation_id not in mine:
            continue
        tender = invited.tender
        asking = " and ask questions" if invited.stage == ASKING_STAGE else ""
        found.append(
            Attention(
                invited.provider.organisation_id,
                f"{tender.reference} {tender.title}",
                f"{tender.organisation.name} invites you to bid: read the tender{asking}",
                reverse("portal_tender", args=[tender.pk]),
            )
        )
    commissioner = Role.COMMISSIONER.value
    waiting = (
        Clarification.objects.filter(answered_at__isnull=True, tender__organisation__in=mine)
        .filter(
            Q(tender__organisation__memberships__user=user, tender__organisation__memberships__role=commissioner)
            | Q(tender__roles__user=user, tender__roles__role=commissioner)
        )
        .values("tender_id", "tender__reference", "tender__title", "tender__organisation_id")
        .annotate(questions=Count("id", distinct=True))
        .order_by("tender__reference")
    )
    for row in waiting:
        count = row["questions"]
        found.append(
            Attention(
                row["tender__organisation_id"],
                f"{row['tender__reference']} {row['tender__title']}",
                f"{count} clarification question{'s' if count != 1 else ''} to answer",
                reverse("clarifications", args=[row["tender_id"]]),
            )
        )
    return found + _provider_contracts(user, mine) + _council_contracts(user, mine)


def _provider_contracts(user: User, mine: set[int]) -> list[Attention]:
    """The provider's side: each live contract's return now due (the first period ended without a counted return,
    `domain.contracts.first_missing_period`, as the council's late returns) and the returns the council queried or
    rejected that wait for the provider's response."""
    links = {a.contract.pk: a for a in provider_contracts(user) if a.provider.organisation_id in mine}
    now = today()
    rows = (
        Contract.objects.filter(pk__in=list(links))
        .annotate(
            last=Max("returns__period_end", filter=Q(returns__status__in=Return.COUNTED)),
            waiting=Count(
                "returns",
                filter=Q(returns__status__in=[Return.QUERIED, Return.REJECTED], returns__provider_response=""),
            ),
        )
        .only("reference", "title", "start", "end", "frequency")
        .order_by("reference")
    )
    found = []
    for c in rows:
        provider, href = links[c.pk].provider.organisation_id, reverse("portal_contract", args=[c.pk])
        # due once its period has ended (the council counts it late after its grace days)
        due = (first_missing_period(c.start, Frequency(c.frequency), c.last, now, grace_days=0)
               if c.start <= now <= c.end else None)
        if due is not None:
            found.append(Attention(provider, str(c), f"Return for {due.label} is due", href))
        if c.waiting:
            found.append(Attention(provider, str(c), f"{c.waiting} return{'s' if c.waiting != 1 else ''} queried or "
                                                     "rejected: respond to the council", href))
    return found


def _council_contracts(user: User, mine: set[int]) -> list[Attention]:
    """The council's side, for a contract's commissioners and its manager (those who check returns and run
    reviews): the provider's returns waiting to be checked, and its concerns joining a review still open."""
    commissioner = Role.COMMISSIONER.value
    checking = Q(contract__organisation__memberships__user=user,
                 contract__organisation__memberships__role=commissioner) | Q(contract__roles__user=user)
    found = []
    to_check = (
        Return.objects.filter(contract__organisation__in=mine, submitted_for="provider", status=Return.SUBMITTED)
        .filter(checking)
        .values("contract_id", "contract__reference", "contract__title", "contract__organisation_id")
        .annotate(returns=Count("id", distinct=True))
        .order_by("contract__reference")
    )
    for row in to_check:
        count, subject = row["returns"], f"{row['contract__reference']} {row['contract__title']}"
        found.append(Attention(row["contract__organisation_id"], subject,
                               f"{count} provider return{'s' if count != 1 else ''} to check",
                               reverse("contract", args=[row["contract_id"]])))
    concerns = (
        Concern.objects.filter(contract__organisation__in=mine, review__status=Review.OPEN)
        .filter(checking)
        .values("contract_id", "contract__reference", "contract__title", "contract__organisation_id", "review_id")
        .annotate(concerns=Count("id", distinct=True))
        .order_by("contract__reference")
    )
    for raised in concerns:
        count, subject = raised["concerns"], f"{raised['contract__reference']} {raised['contract__title']}"
        found.append(Attention(raised["contract__organisation_id"], subject,
                               f"{count} \"not working for us\" concern{'s' if count != 1 else ''} from the provider "
                               "in the open review",
                               reverse("contract_review", args=[raised["contract_id"], raised["review_id"]])))
    return found
