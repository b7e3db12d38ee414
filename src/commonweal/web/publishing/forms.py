"""The publishing area's forms: every POST of its pages, checked (lengths, choices, dates, valid Unicode) before
any data function runs, with errors for the GOV.UK error summary linked to each field."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from commonweal.web.forms import iso_date, text_field

# Characters an ocid or an org-id can carry (letters, digits, hyphens): what the prefix and identifier must be
# made of, so the ocids built from them are plain. Which prefix is registered is the Open Contracting
# Partnership's record, not checked here.
_PLAIN = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*")


def _date_field(label: str, required: bool = False) -> forms.CharField:
    return forms.CharField(required=required, max_length=10, error_messages={
        "required": f"Enter {label}, for example 2026-11-24",
        "max_length": f"Enter {label} in the form YYYY-MM-DD, for example 2026-11-24"})


def _date(form: forms.Form, name: str, label: str) -> dt.date | None:
    value = form.cleaned_data.get(name) or ""
    if not value:
        return None
    try:
        return iso_date(value)
    except ValueError as exc:
        raise ValidationError(f"Enter {label} in the form YYYY-MM-DD, for example 2026-11-24") from exc


class SettingsForm(forms.Form):
    ocid_prefix = text_field("the OCID prefix", max_length=60)
    buyer_identifier = text_field("the organisation's identifier", required=False, max_length=100)

    def clean_ocid_prefix(self) -> str:
        value: str = self.cleaned_data["ocid_prefix"]
        if not value.startswith("ocds-") or not _PLAIN.fullmatch(value):
            raise ValidationError("Enter the OCID prefix registered for the council, starting ocds- and made of "
                                  "letters, digits and hyphens")
        return value

    def clean_buyer_identifier(self) -> str:
        value: str = self.cleaned_data["buyer_identifier"]
        if value and not _PLAIN.fullmatch(value):
            raise ValidationError("Enter the identifier as an org-id of letters, digits and hyphens, for example "
                                  "GB-PPON-... or GB-COH-...")
        return value


YES_NO = [("yes", "Yes"), ("no", "No")]


class FactsForm(forms.Form):
    """What a tender's notices say beyond its evaluation record (`TenderNoticeFacts`)."""

    above_threshold = forms.ChoiceField(choices=YES_NO, error_messages={
        "required": "Select yes if the contract is above the threshold",
        "invalid_choice": "Select yes if the contract is above the threshold"})
    category = forms.ChoiceField(choices=[("goods", "Goods"), ("services", "Services"), ("works", "Works")],
                                 error_messages={"required": "Select goods, services or works",
                                                 "invalid_choice": "Select goods, services or works"})
    procedure = forms.ChoiceField(choices=[("open", "Open procedure"),
                                           ("selective", "Competitive flexible procedure")],
                                  error_messages={"required": "Select the procedure",
                                                  "invalid_choice": "Select the procedure"})
    tender_period_end = _date_field("the last day for tenders")
    engagement_description = text_field("how the council engaged the market", required=False)
    engagement_closes_on = _date_field("the day the engagement closes")
    no_engagement_reason = text_field("why there was no preliminary market engagement notice", required=False)
    assessment_summaries_sent = _date_field("the day the assessment summaries were sent")
    terminated_on = _date_field("the day the council decided not to award")
    termination_reason = text_field("why the contract will not be awarded", required=False)
    expected_notice_on = _date_field("the day the tender notice is expected")

    def clean_tender_period_end(self) -> dt.date | None:
        return _date(self, "tender_period_end", "the last day for tenders")

    def clean_engagement_closes_on(self) -> dt.date | None:
        return _date(self, "engagement_closes_on", "the day the engagement closes")

    def clean_assessment_summaries_sent(self) -> dt.date | None:
        return _date(self, "assessment_summaries_sent", "the day the assessment summaries were sent")

    def clean_terminated_on(self) -> dt.date | None:
        return _date(self, "terminated_on", "the day the council decided not to award")

    def clean_expected_notice_on(self) -> dt.date | None:
        return _date(self, "expected_notice_on", "the day the tender notice is expected")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("engagement_description")) != bool(cleaned.get("engagement_closes_on")) and \
                "engagement_closes_on" not in self.errors:
            self.add_error("engagement_closes_on" if cleaned.get("engagement_description") else
                           "engagement_description", "Give both how the council engaged the market and the day the "
                           "engagement closes, or neither")
        if bool(cleaned.get("terminated_on")) != bool(cleaned.get("termination_reason")) and \
                "terminated_on" not in self.errors:
            self.add_error("termination_reason" if cleaned.get("terminated_on") else "terminated_on",
                           "Give both the day the council decided not to award and why, or neither")
        return cleaned


def _yes_no(question: str) -> forms.ChoiceField:
    return forms.ChoiceField(choices=YES_NO, error_messages={"required": f"Select yes if {question}",
                                                             "invalid_choice": f"Select yes if {question}"})


class ContractFactsForm(forms.Form):
    """What a contract's notices say beyond its record in the contracts area (`ContractNoticeFacts`)."""

    signed_on = _date_field("the day the contract was signed")
    above_threshold = _yes_no("the contract is above the threshold")
    public_service_mutual = _yes_no("the supplier is a public service mutual")
    supported_employment_provider = _yes_no("the supplier is a supported employment provider")
    ended_on = _date_field("the day the contract ended")
    end_reason = text_field("why the contract ended", required=False)
    final_value = forms.DecimalField(required=False, min_value=0, max_digits=16, decimal_places=2, error_messages={
        "invalid": "Enter the final value in pounds, for example 512000.50",
        "min_value": "Enter a final value of 0 or more",
        "max_digits": "Enter a final value under £100 trillion, in pounds and pence",
        "max_whole_digits": "Enter a final value under £100 trillion, in pounds and pence",
        "max_decimal_places": "Enter the final value in pounds and pence, at most 2 decimal places"})

    def clean_signed_on(self) -> dt.date | None:
        return _date(self, "signed_on", "the day the contract was signed")

    def clean_ended_on(self) -> dt.date | None:
        return _date(self, "ended_on", "the day the contract ended")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("ended_on")) != bool(cleaned.get("end_reason")) and "ended_on" not in self.errors:
            self.add_error("end_reason" if cleaned.get("ended_on") else "ended_on",
                           "Give both the day the contract ended and why (reg 41(2)(e)-(f)), or neither")
        if cleaned.get("final_value") is not None and not cleaned.get("ended_on") and "ended_on" not in self.errors:
            self.add_error("ended_on", "Give the day the contract ended with its final value")
        return cleaned


def _money_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(required=False, min_value=0, max_digits=16, decimal_places=2, error_messages={
        "invalid": f"Enter {label} in pounds, for example 512000.50",
        "min_value": f"Enter {label} of 0 or more",
        "max_digits": f"Enter {label} under £100 trillion, in pounds and pence",
        "max_whole_digits": f"Enter {label} under £100 trillion, in pounds and pence",
        "max_decimal_places": f"Enter {label} in pounds and pence, at most 2 decimal places"})


#: The UK extension's closed codelist for `PerformanceFailure.penaltyType`.
PENALTY_TYPES = [("contracted", "Contracted: as the contract provides"), ("imposed", "Imposed"),
                 ("negotiated", "Negotiated: a settlement")]


class FailureForm(forms.Form):
    """A performance failure (Procurement Act 2023 s.71(4)-(5)) in the UK extension's `performanceFailures`
    fields."""

    requirement = text_field("the requirement that was not carried out successfully")
    description = text_field("what the failure was")
    decided_on = _date_field("the day the supplier was judged to have failed to improve")
    penalty_on = _date_field("the day of the penalty")
    penalty_type = forms.ChoiceField(required=False, choices=[("", "None"), *PENALTY_TYPES], error_messages={
        "invalid_choice": "Select contracted, imposed or negotiated, or none"})
    penalty_value = _money_field("the penalty's value")
    partial_termination = text_field("what was partly terminated", required=False)

    def clean_decided_on(self) -> dt.date | None:
        return _date(self, "decided_on", "the day the supplier was judged to have failed to improve")

    def clean_penalty_on(self) -> dt.date | None:
        return _date(self, "penalty_on", "the day of the penalty")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("penalty_value") is not None and not cleaned.get("penalty_type") and \
                "penalty_type" not in self.errors:
            self.add_error("penalty_type", "Select whether the penalty was contracted, imposed or negotiated")
        return cleaned


class PipelineForm(forms.Form):
    """Whether s.93 applies to the council in a financial year, and its re-procurement lead time."""

    pays_over_threshold = _yes_no("the council expects to pay more than £100 million under relevant contracts in "
                                  "the year")
    lead_months = forms.IntegerField(required=False, min_value=0, max_value=120, error_messages={
        "invalid": "Enter the lead time as a whole number of months, for example 12",
        "min_value": "Enter a lead time of 0 months or more",
        "max_value": "Enter a lead time of at most 120 months"})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("pays_over_threshold") == "yes" and cleaned.get("lead_months") is None and \
                "lead_months" not in self.errors:
            self.add_error("lead_months", "Enter the re-procurement lead time in months: the pipeline notice "
                           "lists the contracts whose re-procurement it brings into the period")
        return cleaned


class RecordForm(forms.Form):
    published_on = _date_field("the day the notice was published on Find a Tender", required=True)
    notice_identifier = text_field("Find a Tender's notice identifier", max_length=20)

    def clean_published_on(self) -> dt.date | None:
        return _date(self, "published_on", "the day the notice was published on Find a Tender")


class PeriodForm(forms.Form):
    """The period of the transparency files (a GET form: choosing a period changes nothing)."""

    start = _date_field("the first day of the period", required=True)
    end = _date_field("the last day of the period", required=True)

    def clean_start(self) -> dt.date | None:
        return _date(self, "start", "the first day of the period")

    def clean_end(self) -> dt.date | None:
        return _date(self, "end", "the last day of the period")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The last day of the period must be on or after its first day")
        return cleaned
