"""What a council publishes about its upcoming procurements (the pipeline), and the local organisations that
registered interest. Only an opportunity the council has published (`planned` or `open`) is ever shown on the
public pages or in their downloads; a draft exists only in the workspace."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Draft (not published)"
    PLANNED = "planned", "Planned: preliminary market engagement"
    OPEN = "open", "Open for bids"
    CLOSED = "closed", "Closed (no longer shown)"


PUBLISHED = (Status.PLANNED, Status.OPEN)


class Opportunity(models.Model):
    council = models.ForeignKey("web.Organisation", on_delete=models.PROTECT, related_name="opportunities")
    title = models.CharField(max_length=300)
    summary = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # the day bids or expressions of interest close, when the council has set one
    closes_on = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # the council's tender this opportunity leads to, when there is one: its registrations are offered beside the
    # tender's preliminary market engagement notice (UK2) as the invitation list; never shown on a public page
    tender = models.ForeignKey("web.Tender", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="opportunities")

    class Meta:
        ordering = ["closes_on", "title", "id"]


class OpportunityLot(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lots")
    title = models.CharField(max_length=300)
    # the council's own judgement, published so small and community organisations can find lots they could bid for
    # (the duty to consider the barriers SMEs face and whether they can be reduced: Procurement Act 2023 s.12(4))
    suited_to_smes = models.BooleanField(default=False)
    suited_to_vcses = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]


class InterestKind(models.TextChoices):
    VCSE = "vcse", "Voluntary or community organisation"
    SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"
    SME = "sme", "Small or medium-sized business"
    OTHER = "other", "Other"


class Purpose(models.TextChoices):
    ENGAGEMENT = "engagement", "Take part in preliminary market engagement"
    BID = "bid", "Hear when it opens for bids, to bid or to partner with a bidder"


class Interest(models.Model):
    """A local organisation's registered interest in an opportunity (no account needed)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="interests")
    organisation_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=InterestKind.choices)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    contact_name = models.CharField(max_length=150)
    email = models.EmailField(max_length=254)
    message = models.TextField(blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["registered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["opportunity", "email", "purpose"], name="one_interest")]
