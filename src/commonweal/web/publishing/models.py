"""What the publishing area stores: each organisation's OCID prefix and identifier, what a tender's notices say
beyond its evaluation record, and each notice's recorded publication on Find a Tender. Read and write them only
through `commonweal.web.publishing.data`."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PublishingSettings(models.Model):
    """An organisation's OCID prefix (registered with the Open Contracting Partnership) and its identifier on the
    Central Digital Platform (an org-id such as GB-PPON-...). Until a prefix is set, previews use a placeholder
    and say so."""

    organisation = models.OneToOneField("web.Organisation", on_delete=models.CASCADE, related_name="publishing")
    ocid_prefix = models.CharField(max_length=60)
    buyer_identifier = models.CharField(max_length=100, blank=True)


class TenderNoticeFacts(models.Model):
    """What a tender's notices say that its evaluation record does not (`commonweal.domain.notices.build`):
    TenderFacts, the engagement (UK2), the date the assessment summaries were sent (UK6), a decision not to
    award (UK12) and, while it is planned, when its tender notice is expected (UK1)."""

    tender = models.OneToOneField("web.Tender", on_delete=models.CASCADE, related_name="notice_facts")
    above_threshold = models.BooleanField()
    category = models.CharField(max_length=20)
    procedure = models.CharField(max_length=20)
    tender_period_end = models.DateField(null=True, blank=True)
    engagement_description = models.TextField(blank=True)
    engagement_closes_on = models.DateField(null=True, blank=True)
    no_engagement_reason = models.TextField(blank=True)
    assessment_summaries_sent = models.DateField(null=True, blank=True)
    terminated_on = models.DateField(null=True, blank=True)
    termination_reason = models.TextField(blank=True)
    # when the tender notice is expected to be published, for a planned tender in the pipeline notice (UK1,
    # `tender.communication.futureNoticeDate`): the council's plan, never derived
    expected_notice_on = models.DateField(null=True, blank=True)


class Publication(models.Model):
    """A notice recorded as published on Find a Tender: the day and its notice identifier. `source` and `key` name
    what it is about (a tender or a contract, by its id), `sequence` which one of several (a
    variation's change notice; a performance notice's due day)."""

    organisation = models.ForeignKey("web.Organisation", on_delete=models.PROTECT, related_name="publications")
    source = models.CharField(max_length=20)
    key = models.CharField(max_length=60)
    notice = models.CharField(max_length=5)
    sequence = models.CharField(max_length=60, blank=True)
    published_on = models.DateField()
    notice_identifier = models.CharField(max_length=20)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "source", "key", "notice", "sequence"],
                                               name="one_publication_per_notice")]


class ContractNoticeFacts(models.Model):
    """What a contract's notices say that the contracts area's record does not (`commonweal.domain.notices.build`
    LetContract and ContractEnd): the day it was signed (UK7, reg 32), whether it is above threshold, the supplier's
    public service mutual and supported employment provider status (reg 32(2)(g)(iv); SME and VCSE are the
    contract's own), and how it ended (UK11, s.80 and reg 41)."""

    contract = models.OneToOneField("contracts.Contract", on_delete=models.CASCADE, related_name="notice_facts")
    signed_on = models.DateField(null=True, blank=True)
    above_threshold = models.BooleanField()
    public_service_mutual = models.BooleanField(default=False)
    supported_employment_provider = models.BooleanField(default=False)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    final_value = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)


class PipelineYear(models.Model):
    """What the pipeline notice (UK1, Procurement Act 2023 s.93) of one financial year needs that the record does
    not hold: whether the council "considers that, in the coming financial year, it will pay more than £100 million
    under relevant contracts" (s.93(1): the council's own judgement, never guessed), and its re-procurement lead
    time (months before a contract's maximum term ends when its tender notice is expected: the council's, entered,
    never a Commonweal default). `financial_year` is the year in which it begins on 1 April."""

    organisation = models.ForeignKey("web.Organisation", on_delete=models.CASCADE, related_name="pipeline_years")
    financial_year = models.PositiveSmallIntegerField()
    pays_over_threshold = models.BooleanField()
    lead_months = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "financial_year"],
                                               name="one_pipeline_record_per_year")]


class PerformanceFailure(models.Model):
    """A breach or failure to perform reported in a contract performance notice (Procurement Act 2023
    s.71(4)-(5), reg 39) and in the contract termination notice (reg 41(2)(h)), with only the fields the UK
    extension defines for `performanceFailures` (`commonweal.domain.notices.build.PerformanceFailure`)."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="performance_failures")
    requirement = models.TextField()
    description = models.TextField()
    decided_on = models.DateField(null=True, blank=True)
    penalty_on = models.DateField(null=True, blank=True)
    penalty_type = models.CharField(max_length=20, blank=True)
    penalty_value = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    partial_termination = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField()
