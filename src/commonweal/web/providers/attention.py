"""The providers area's source for the home page (`web.home.attention.SOURCES`): for a provider's people, each
tender their provider is invited to, under the provider; for a tender's commissioners, the questions waiting for an
answer. Two queries, however many tenders or questions."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.urls import reverse

from commonweal.domain.lifecycle import Role
from commonweal.web.access import bidder_tenders
from commonweal.web.home.attention import Attention
from commonweal.web.models import Organisation
from commonweal.web.providers.data import ASKING_STAGE
from commonweal.web.providers.models import Clarification


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
    return found
