"""What the workspace stores. Every object belongs to one organisation through its tender; read and write it only
through the access layer (`commonweal.web.access`) and each area's data functions, which scope every query by
organisation and by the user's role on the tender."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from commonweal.domain.lifecycle import Role, Stage

ROLE_CHOICES = [(role.value, role.value.capitalize()) for role in Role]
STAGE_CHOICES = [(stage.value, stage.label) for stage in Stage]


class Organisation(models.Model):
    """A council, or a shared service that works for several councils. A shared service's staff hold memberships
    in each council they serve; the shared service never sees a council's data through itself."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    served_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="serves"
    )

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in an organisation: a plain member (blank role, who works only on the tenders they are given
    a role on) or an organisation-wide role (admin, commissioner, viewer) that applies to each of its tenders."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=[("", "Member"), *ROLE_CHOICES], blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="one_membership_role")]


class Tender(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tenders")
    reference = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    # The tender.yaml it was created from: the evaluation model is rebuilt from it by the engine's own reader, so
    # the web app never keeps a second copy of the model's rules.
    definition = models.TextField()
    stage = models.CharField(max_length=30, choices=STAGE_CHOICES, default=Stage.DRAFT.value)
    # the day the award was recommended: a contract award notice cannot be dated before it
    award_recommended_on = models.DateField(null=True, blank=True)
    award_notice_published = models.DateField(null=True, blank=True)
    standstill_last_day = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"], name="tender_reference")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class TenderRole(models.Model):
    """A user's role on one tender (evaluator, moderator, finance, commissioner, viewer)."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tender_roles")
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tender", "user", "role"], name="one_tender_role")]


class Lot(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lots")
    reference = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    budget = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tender", "reference"], name="lot_reference")]


class Criterion(models.Model):
    """A scored criterion of a lot's model, mirrored from the tender.yaml so scores can reference it."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="criteria")
    reference = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    group = models.CharField(max_length=40)
    weight = models.DecimalField(max_digits=7, decimal_places=3)
    scale = models.CharField(max_length=30)
    guidance = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["lot", "reference"], name="criterion_reference")]


class Bid(models.Model):
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="bids")
    bidder = models.CharField(max_length=300)
    price = models.DecimalField(max_digits=16, decimal_places=2)
    identifier = models.CharField(max_length=100, blank=True)
    address = models.CharField(max_length=300, blank=True)
    email = models.CharField(max_length=200, blank=True)
    response = models.TextField(blank=True)
    # What the bid offers for each quantitative criterion (criterion id -> exact decimal string), computed at
    # import from its commitments.csv (`commonweal.io.socialvalue.committed_quantities`) and fed back to the engine.
    offers = models.JSONField(default=dict, blank=True)
    # Each price element's price (element id -> exact decimal string) when the lot prices elements
    # (`PriceRule.elements`): sealed as `price` is, which then holds their evaluated total to the penny for people to
    # read; the engine is given the elements and computes the exact total itself (`engine.tender_folder`).
    element_prices = models.JSONField(default=dict, blank=True)
    # the provider organisation that started this bid itself from the provider portal (`tenders.data.start_own_bid`);
    # None for a bid the council recorded
    provider = models.ForeignKey("providers.Provider", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="bids")

    class Meta:
        ordering = ["bidder"]
        constraints = [models.UniqueConstraint(fields=["lot", "bidder"], name="one_bid_per_bidder")]


class StoredDocument(models.Model):
    """What every untrusted document the one document store (`commonweal.web.documents`) keeps is recorded with:
    the uploader's file name, its kind read from its content, size, SHA-256, where it is stored under the media
    root, who added it and when. Each area's document model adds what it belongs to."""

    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=10)  # pdf, docx, xlsx, odt: from the content (`commonweal.io.documents`)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_as = models.CharField(max_length=500)  # relative to the media root
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class BidDocument(StoredDocument):
    """A document of a bid: a written response (for one criterion, or the whole bid) or its price schedule, sealed
    like the price until prices are opened. The file is stored under the configured media root, per organisation
    (`COMMONWEAL_MEDIA_ROOT/<organisation slug>/...`, named by its SHA-256), and served only through the tenders
    area's data functions; `added_by` is whoever added it (the commissioner now, the bidder once the provider portal
    adds its upload route over the same data function)."""

    RESPONSE = "response"
    PRICE_SCHEDULE = "price_schedule"

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="documents")
    criterion = models.ForeignKey(Criterion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=20, choices=[(RESPONSE, "Response"), (PRICE_SCHEDULE, "Price schedule")])

    class Meta:
        ordering = ["purpose", "criterion__position", "name", "pk"]


class TenderDocument(StoredDocument):
    """One of the tender's own documents (the specification, the terms, a pricing template: the "associated tender
    documents" of Procurement Act 2023 s.21(4)), added by the commissioner while the tender is a draft or open for
    bids, read by everyone with a role on the tender and by every invited bidder once the tender is open. Stored and
    served by the one document store (`commonweal.web.documents`), per organisation under the media root."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="tender_documents")
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["added_at", "pk"]


class GateResult(models.Model):
    """A pass/fail gate's result for a bid (from the uploaded gates file)."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="gate_results")
    gate = models.CharField(max_length=60)
    passed = models.BooleanField()
    rationale = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bid", "gate"], name="one_gate_result")]


class ConflictDeclaration(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="declarations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    has_conflict = models.BooleanField()
    details = models.TextField(blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tender", "user"], name="one_declaration")]


class ConflictDecision(models.Model):
    """What the commissioner decided about a declared conflict of interest: the evaluator is replaced by another
    member (their evaluator role goes to `replacement`; what they declared stays on record), or continues with the
    steps that mitigate the conflict recorded in `reason` (Procurement Act 2023 s.82, the duty to mitigate; s.83,
    the conflicts assessment kept under review)."""

    REPLACED = "replaced"
    CONTINUES = "continues"

    declaration = models.OneToOneField(ConflictDeclaration, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=10, choices=[(REPLACED, "Replaced"), (CONTINUES, "Continues")])
    replacement = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)


class Score(models.Model):
    """One evaluator's independent score for one bid against one criterion."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    score = models.DecimalField(max_digits=7, decimal_places=2)
    rationale = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bid", "criterion", "evaluator"], name="one_score")]


class ScoreSubmission(models.Model):
    """An evaluator's "submit my scores": until then their scores are drafts they may change; from then on they
    are locked, and moderation waits for every evaluator's."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="submissions")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tender", "evaluator"], name="one_submission")]


class ModeratedScore(models.Model):
    """The consensus score the moderator records after the evaluators' discussion."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="moderated")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="moderated")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    score = models.DecimalField(max_digits=7, decimal_places=2)
    rationale = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bid", "criterion"], name="one_moderated_score")]


class AbnormallyLowDecision(models.Model):
    bid = models.OneToOneField(Bid, on_delete=models.CASCADE, related_name="abnormally_low_decision")
    decision = models.CharField(max_length=10, choices=[("accepted", "Accepted"), ("rejected", "Rejected")])
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    decided_on = models.DateField()


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its SHA-256 digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)


class AuditHead(models.Model):
    """The head of one audit chain: an organisation's, or the deployment's (`organisation` empty) for entries that
    belong to no organisation, such as an API token issued to a user. Every writer locks this row
    (`select_for_update`) before appending, so two transactions never take the same sequence number."""

    DEPLOYMENT = "deployment"

    # "organisation:<id>" or "deployment": unique where a nullable organisation alone could not be
    scope = models.CharField(max_length=60, unique=True)
    organisation = models.OneToOneField(
        Organisation, null=True, on_delete=models.PROTECT, related_name="audit_head"
    )
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    mac = models.CharField(max_length=64, blank=True)

    @staticmethod
    def scope_for(organisation_id: int | None) -> str:
        return f"organisation:{organisation_id}" if organisation_id is not None else AuditHead.DEPLOYMENT

    @property
    def name(self) -> str:
        """The chain's name in reports: the organisation's slug, or "deployment"."""
        return self.organisation.slug if self.organisation is not None else self.DEPLOYMENT


class AuditEntry(models.Model):
    """One link of a hash chain (see `commonweal.domain.audit`). Written only by `commonweal.web.audit.record`,
    inside the same transaction as the change it records."""

    chain = models.ForeignKey(AuditHead, on_delete=models.PROTECT, related_name="entries")
    sequence = models.PositiveBigIntegerField()
    at = models.CharField(max_length=40)
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=60)
    organisation = models.ForeignKey(Organisation, null=True, on_delete=models.PROTECT)
    tender = models.ForeignKey(Tender, null=True, on_delete=models.PROTECT, related_name="audit_entries")
    detail = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # HMAC-SHA256 of `hash` under the audit key (kept outside the database), and which key
    mac = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16)

    class Meta:
        ordering = ["chain", "sequence"]
        constraints = [models.UniqueConstraint(fields=["chain", "sequence"], name="audit_sequence_per_chain")]

    def record(self) -> dict[str, object]:
        """The canonical content the hash covers."""
        return {
            "sequence": self.sequence,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "organisation": self.organisation_id,
            "tender": self.tender_id,
            "detail": self.detail,
        }


class Invitation(models.Model):
    """A one-time link: an invitation to join an organisation (`join`) or a password reset (`reset`). Only the
    SHA-256 digest of its random token is stored, so the link is shown once; it expires and works once."""

    JOIN = "join"
    RESET = "reset"

    purpose = models.CharField(max_length=10, choices=[(JOIN, "Join"), (RESET, "Reset the password")])
    digest = models.CharField(max_length=64, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    username = models.CharField(max_length=150)
    display_name = models.CharField(max_length=150, blank=True)
    # the organisation role the invitee joins with (blank: a plain member)
    role = models.CharField(max_length=20, choices=[("", "Member"), *ROLE_CHOICES], blank=True)
    # the account a reset link is for, and the account an invitation created once used
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class StoredEvaluation(models.Model):
    """The evaluation engine's result for a tender, stored so no page runs the evaluation (or its Monte Carlo) to
    render: computed by `commonweal.web.evaluations` inside each write that changes its inputs, keyed by a hash of
    those inputs, and recomputed once, under a lock on the tender, when a reader finds it stale. It holds prices:
    read it only through `commonweal.web.tenders.data`, which shows it only to the roles and stages allowed."""

    tender = models.OneToOneField(Tender, on_delete=models.CASCADE, related_name="stored_evaluation")
    input_hash = models.CharField(max_length=64)
    # `commonweal.services.evaluation.tender_json`: the API's answer, as it is
    result = models.JSONField(default=dict)
    # each lot's sensitivity, exact (`sensitivity_data`), so a process rebuilds the rich result without the Monte Carlo
    sensitivity = models.JSONField(default=dict)
    # why the evaluation cannot run, when it cannot (then `result` is empty)
    problems = models.JSONField(default=list)
    # the lifecycle's facts from the result
    has_ranking = models.BooleanField(default=False)
    abnormally_low_pending = models.JSONField(default=list)
    computed_at = models.DateTimeField()
