"""Provider organisations and their people. A provider is an `web.Organisation` with a `Provider` row: its people
are plain members of it (`web.Membership`, blank role, made by the people area's one-time invitation) and hold
provider roles here, never a council role. A council brings a provider into a tender by making it a `Bidder`; what
the provider's people see of that tender is decided by `commonweal.web.access.bidder_access`.

A council links a let contract to the provider it is let to (`ContractProvider`, beside `Bidder`); what the
provider's contract leads and returns contributors see of it is decided by
`commonweal.web.access.provider_contract_access`."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ProviderRole(models.TextChoices):
    BID_MANAGER = "bid_manager", "Bid manager: reads tenders it is invited to and asks clarification questions"
    CONTRACT_LEAD = "contract_lead", "Contract lead: the provider's side of its contracts"
    RETURNS_CONTRIBUTOR = "returns_contributor", "Returns contributor: submits a contract's returns"


class ProviderKind(models.TextChoices):
    """How the provider describes itself: the categories a contract details notice states of each supplier (SME,
    VCSE, public service mutual: Procurement Regulations 2024 reg 32(2)(g)(iv)), plus large business."""

    SME = "sme", "Small or medium-sized enterprise (SME)"
    VCSE = "vcse", "Voluntary, community or social enterprise (VCSE)"
    LARGE = "large", "Large business"
    PUBLIC = "public", "Public body or mutual"


class Provider(models.Model):
    organisation = models.OneToOneField("web.Organisation", on_delete=models.PROTECT, related_name="provider")
    kind = models.CharField(max_length=10, choices=ProviderKind.choices)

    def __str__(self) -> str:
        return self.organisation.name


class ProviderMember(models.Model):
    """A person's provider role in one provider organisation (they hold a plain membership of it too)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_roles")
    role = models.CharField(max_length=20, choices=ProviderRole.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "user", "role"], name="one_provider_role")]


class PendingProviderRole(models.Model):
    """The provider role an invitation gives once it is accepted (`web.Invitation` holds council roles only)."""

    invitation = models.OneToOneField("web.Invitation", on_delete=models.CASCADE, related_name="provider_role")
    role = models.CharField(max_length=20, choices=ProviderRole.choices)


class Bidder(models.Model):
    """A provider a council has invited to bid for one of its tenders."""

    tender = models.ForeignKey("web.Tender", on_delete=models.CASCADE, related_name="bidders")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="tenders")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tender", "provider"], name="one_bidder_per_provider")]


class Clarification(models.Model):
    """A bidder's question about a tender and the council's answer, published to every bidder so each has the same
    information (suppliers treated the same, Procurement Act 2023 s.12(2)); without the asker's identity (a
    Commonweal default: the council words the published question)."""

    tender = models.ForeignKey("web.Tender", on_delete=models.CASCADE, related_name="clarifications")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="clarifications")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.TextField()
    asked_at = models.DateTimeField(auto_now_add=True)
    # the council's answer, published to every bidder (the question too, as the council words it)
    published_question = models.TextField(blank=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]


class ContractProvider(models.Model):
    """The provider organisation a council's contract is let to: its contract leads and returns contributors see the
    contract in their portal. One provider per contract (a Commonweal default: the contractor is one supplier)."""

    contract = models.OneToOneField("contracts.Contract", on_delete=models.CASCADE, related_name="provider_link")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="contracts")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)


class ConcernKind(models.TextChoices):
    """The provider's side of "not working for us", each the provider-side review trigger it stands for
    (`commonweal.domain.contracts.triggers`; specification has no computed trigger: `provider_specification` is
    ours)."""

    LOSS_MAKING = "provider_loss_making", "The contract is loss-making"
    COST_GROWTH = "provider_inflation_pressure", "Costs are growing faster than the price"
    VOLUMES = "volumes_off_tender", "Volumes differ from those tendered"
    SPECIFICATION = "provider_specification", "The specification does not work in practice"


class Concern(models.Model):
    """A provider's "not working for us": it opens a review of the contract, or joins the one already open, as a
    provider-side trigger; the council's decision on that review shows to the provider."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="provider_concerns")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="concerns")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40, choices=ConcernKind.choices)
    description = models.TextField()
    raised_on = models.DateField()
    review = models.ForeignKey("contracts.Review", on_delete=models.PROTECT, related_name="provider_concerns")

    class Meta:
        ordering = ["raised_on", "pk"]


class BidderUploads(models.Model):
    """A council's choice, per tender, to let its bidders upload their own response documents and price schedule
    from the provider portal (through the tenders area's one `add_document`) until the end of the last day for
    tenders its tender notice states (`publishing.TenderNoticeFacts.tender_period_end`)."""

    tender = models.OneToOneField("web.Tender", on_delete=models.CASCADE, related_name="bidder_uploads")
    allowed = models.BooleanField(default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)


class RatingComment(models.Model):
    """The provider's comment on the performance ratings the council is to publish in a contract performance notice
    (UK9; Procurement Act 2023 s.71, reg 39(5) ratings): seen by the provider before publication, kept with the
    contract (never replaced) and shown to the council on the notice's preview. `period_start`/`period_end` are the
    assessment period of the ratings commented on."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="rating_comments")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="rating_comments")
    period_start = models.DateField()
    period_end = models.DateField()
    comment = models.TextField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["made_at", "pk"]
