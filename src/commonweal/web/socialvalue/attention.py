"""The social value area's source for the home page (`web.home.attention.SOURCES`): let contracts whose verified
social value is below profile, for the organisation's commissioners and the contract's managers. It reads the £
the contracts area stored at its last review (`Contract.sv_due`, `sv_delivered`, recomputed inside every write
that changes a contract or a return), so it costs two queries however many contracts.

"Below profile" is below the share of the £ due that the contracts area rates "approaching target"
(`SocialValuePolicy.approaching_share`, 90%: a Commonweal default, not the Act's or any guidance's)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import F, Q
from django.urls import reverse

from commonweal.domain.contracts.social_value import SocialValuePolicy
from commonweal.domain.lifecycle import Role
from commonweal.domain.numbers import money
from commonweal.web.contracts.models import Contract
from commonweal.web.home.attention import Attention
from commonweal.web.models import Membership, Organisation


def items(user: User, organisations: list[Organisation]) -> list[Attention]:
    commissioned = Membership.objects.filter(user=user, organisation__in=organisations,
                                             role=Role.COMMISSIONER.value).values("organisation_id")
    below = (Contract.objects.filter(organisation__in=organisations, sv_due__gt=0,
                                     sv_delivered__lt=F("sv_due") * SocialValuePolicy().approaching_share)
             .filter(Q(organisation__in=commissioned) | Q(roles__user=user)).distinct().order_by("reference"))
    return [Attention(c.organisation_id, str(c),
                      f"Social value below profile: {money(c.sv_delivered)} verified of {money(c.sv_due)} due "
                      f"as at {c.reviewed_as_of.isoformat() if c.reviewed_as_of else 'its last review'}",
                      reverse("contract", args=[c.pk]))
            for c in below]
