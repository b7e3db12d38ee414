"""The contracts area's forms: every POST its pages accept (and the register's filters). Types, lengths, valid
Unicode (the shared text check in `commonweal.web.forms`) and choices are checked here, before anything reaches
`commonweal.web.contracts.data`, which keeps the business rules (standstill, periods, the review's order)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from commonweal.domain.contracts.model import (
    ContractKind,
    Direction,
    Frequency,
    ModificationGround,
    ProviderReport,
    Verification,
)
from commonweal.domain.contracts.ratings import Rating
from commonweal.domain.contracts.review import OPTIONS
from commonweal.domain.contracts.triggers import Side
from commonweal.web.contracts.data import EXPIRY_MONTHS, STATUSES, VALUE_BANDS, EvidenceFile, ReturnValues
from commonweal.web.contracts.models import Return
from commonweal.web.forms import UploadForm, file_field, files_field, iso_date, page_field, text_field

SHORT = 300
CODE = 60


class DateField(forms.CharField):
    """A date written YYYY-MM-DD (the workspace's one date format; never dd/mm or mm/dd guessed)."""

    def __init__(self, label: str, required: bool = True) -> None:
        message = f"Enter {label} in the form YYYY-MM-DD, for example 2026-04-01"
        super().__init__(required=required, max_length=10, error_messages={"required": message, "max_length": message})
        self.message = message

    def clean(self, value: Any) -> dt.date | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return iso_date(text)
        except ValueError as exc:
            raise ValidationError(self.message) from exc


def amount(
    label: str, required: bool = True, minimum: Decimal | None = None, places: int = 6, digits: int = 20
) -> forms.DecimalField:
    message = f"Enter {label} as a number, for example 95 or 12.5"
    return forms.DecimalField(
        required=required,
        max_digits=digits,
        decimal_places=places,
        min_value=minimum,
        error_messages={
            "required": f"Enter {label}",
            "invalid": message,
            "max_digits": message,
            "max_decimal_places": message,
            "max_whole_digits": message,
            "min_value": f"Enter {label} of {minimum} or more",
        },
    )


def money(label: str, required: bool = True, minimum: Decimal | None = Decimal(0)) -> forms.DecimalField:
    return amount(label, required, minimum, places=2, digits=16)


def choice(label: str, choices: Sequence[tuple[str, str]], required: bool = True) -> forms.ChoiceField:
    message = f"Choose {label}"
    return forms.ChoiceField(
        choices=list(choices), required=required, error_messages={"required": message, "invalid_choice": message}
    )


def yes_no(label: str) -> forms.ChoiceField:
    return choice(label, [("no", "No"), ("yes", "Yes")])


def _values(enum: Iterable[StrEnum]) -> list[tuple[str, str]]:
    return [(e.value, e.value.replace("_", " ").capitalize()) for e in enum]


class FilterForm(forms.Form):
    """The register's filters (GET): unknown values are errors, never silently dropped."""

    status = choice("a status", [("", "Any"), *STATUSES.items()], required=False)
    service = text_field("a service", required=False, max_length=200)
    supplier = text_field("a supplier", required=False, max_length=SHORT)
    rating = choice("a rating", [("", "Any"), *_values(Rating)], required=False)
    expiry = choice(
        "an expiry window", [("", "Any"), *((str(m), f"Within {m} months") for m in EXPIRY_MONTHS)], required=False
    )
    band = choice("a value band", [("", "Any"), *((k, v[0]) for k, v in VALUE_BANDS.items())], required=False)
    sme = forms.BooleanField(required=False)
    vcse = forms.BooleanField(required=False)
    page = page_field()


class CreateForm(UploadForm):
    lot = forms.TypedChoiceField(
        coerce=int, error_messages={"required": "Choose the awarded lot", "invalid_choice": "Choose an awarded lot"}
    )
    reference = text_field("the contract reference", max_length=100)
    service = text_field("the service (department responsible)", max_length=200)
    start = DateField("the start date")
    end = DateField("the end date")
    maximum_end = DateField("the end of the maximum term", required=False)
    kind = choice("goods, services or works", _values(ContractKind))
    frequency = choice("how often returns are due", _values(Frequency))
    sme = forms.BooleanField(required=False)
    vcse = forms.BooleanField(required=False)
    commitments = file_field("the commitments file", required=False)
    socialvalue = file_field("the socialvalue.yaml file", required=False, suffixes=("yaml", "yml"))

    def __init__(self, *args: Any, lots: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].choices = [(str(pk), label) for pk, label in lots]  # type: ignore[attr-defined]


class RegisterUploadForm(UploadForm):
    register = file_field("a contracts register (CSV or XLSX)", required=True)


FOLDER_FILES = ("contract", "kpi_returns", "social_value_returns", "provider_returns", "variations")


class FolderUploadForm(UploadForm):
    contract = file_field("the contract.yaml file", required=True, suffixes=("yaml", "yml"))
    kpi_returns = file_field("the KPI results file", required=False)
    social_value_returns = file_field("the social value delivery file", required=False)
    provider_returns = file_field("the provider's costs and volumes file", required=False)
    variations = file_field("the variations log", required=False)


class ManagerForm(forms.Form):
    username = text_field("the user name of the contract manager", max_length=150)


class KpiForm(forms.Form):
    code = forms.RegexField(
        regex=r"^[A-Za-z0-9_.-]{1,60}$",
        max_length=CODE,
        error_messages={
            "required": "Enter the KPI's code",
            "invalid": "Enter a code of letters, digits, dot, dash or underscore",
            "max_length": "Enter a code of 60 characters or fewer",
        },
    )
    title = text_field("the KPI's title", max_length=SHORT)
    target = amount("the target")
    direction = choice("whether higher or lower is better", _values(Direction))
    tolerance = amount("the tolerance", minimum=Decimal(0))
    inadequate_beyond = amount("the shortfall rated inadequate", minimum=Decimal(0))
    unit = text_field("the unit", required=False, max_length=40)


class ExemptionForm(forms.Form):
    reason = text_field("the reason", required=False)


#: what an evidence file may be: the document kinds the one document store accepts (`commonweal.web.documents`)
EVIDENCE_SUFFIXES = ("pdf", "docx", "xlsx", "odt")


class ReturnForm(UploadForm):
    """A period's return: one field per KPI (`kpi_<id>`) and per committed measure (`sv_<n>_*`), each line with an
    optional evidence file (`<line field>_file`). The provider's own return (`for_provider`) has the same fields and
    checks but no status (it is submitted) and no verification of its social value claims (they are unverified
    until the council checks them)."""

    period_start = DateField("the first day of the period")
    status = choice("the return's status", [(s, label) for s, label in Return.STATUSES])
    cost = money("the cost in the period", required=False)
    cost_growth_pct = amount("the annual cost growth, in per cent", required=False)
    volume = amount("the volume", required=False, minimum=Decimal(0))
    workforce_fte = amount("the workforce (FTE)", required=False, minimum=Decimal(0))
    vacancies = amount("the vacancies", required=False, minimum=Decimal(0))
    margin_pct = amount("the margin, in per cent", required=False)
    cost_pressures = text_field("the cost pressures", required=False)

    def __init__(
        self,
        *args: Any,
        kpis: Sequence[tuple[int, str]],
        measures: Sequence[str],
        for_provider: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.for_provider = for_provider
        if for_provider:
            del self.fields["status"]
        self.kpi_fields = [(f"kpi_{pk}", code) for pk, code in kpis]
        for name, code in self.kpi_fields:
            self.fields[name] = amount(f"the result for {code}", required=False)
            self.fields[f"{name}_file"] = file_field(f"the evidence for {code}", False, EVIDENCE_SUFFIXES)
        self.measures = list(measures)
        for i, measure in enumerate(self.measures):
            self.fields[f"sv_{i}_quantity"] = amount(
                f"the quantity delivered of {measure}", required=False, minimum=Decimal(0)
            )
            self.fields[f"sv_{i}_evidence"] = text_field(f"the evidence for {measure}", required=False)
            self.fields[f"sv_{i}_file"] = file_field(f"the evidence file for {measure}", False, EVIDENCE_SUFFIXES)
            if not for_provider:
                self.fields[f"sv_{i}_verification"] = choice(
                    f"whether the delivery of {measure} is verified", _values(Verification), required=False
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for i, measure in enumerate(self.measures):
            if cleaned.get(f"sv_{i}_quantity") is not None and not self.for_provider:
                if not cleaned.get(f"sv_{i}_verification"):
                    self.add_error(f"sv_{i}_verification", f"Choose whether the delivery of {measure} is verified")
                elif cleaned[f"sv_{i}_verification"] == Verification.VERIFIED.value and not cleaned.get(
                    f"sv_{i}_evidence"
                ):
                    self.add_error(f"sv_{i}_evidence", f"Enter the evidence for the verified {measure} delivery")
        return cleaned

    def actuals(self) -> dict[str, Decimal | None]:
        return {code: self.cleaned_data.get(name) for name, code in self.kpi_fields}

    def deliveries(self) -> list[tuple[str, Decimal, str, str]]:
        found = []
        for i, measure in enumerate(self.measures):
            quantity = self.cleaned_data.get(f"sv_{i}_quantity")
            if quantity is not None:
                found.append(
                    (
                        measure,
                        quantity,
                        self.cleaned_data.get(f"sv_{i}_evidence") or "",
                        Verification.UNVERIFIED.value
                        if self.for_provider
                        else self.cleaned_data[f"sv_{i}_verification"],
                    )
                )
        return found

    def evidence(self) -> list[EvidenceFile]:
        """The evidence files chosen, each with the line it is for."""
        lines = [(f"{name}_file", code) for name, code in self.kpi_fields]
        lines += [(f"sv_{i}_file", measure) for i, measure in enumerate(self.measures)]
        chosen = self.files_read([field for field, _ in lines])
        return [EvidenceFile(field, line, *chosen[field]) for field, line in lines if field in chosen]

    def values(self) -> ReturnValues:
        c = self.cleaned_data
        provider = ProviderReport(
            c["cost_growth_pct"], c["volume"], c["workforce_fte"], c["vacancies"], c["margin_pct"], c["cost_pressures"]
        )
        status = Return.SUBMITTED if self.for_provider else c["status"]
        return ReturnValues(c["period_start"], status, self.actuals(), self.deliveries(), provider, c["cost"],
                            self.evidence())


RETURN_FILES = ("kpi_returns", "social_value_returns", "provider_returns")


class ReturnsUploadForm(UploadForm):
    kpi_returns = file_field("the KPI results file", required=False)
    social_value_returns = file_field("the social value delivery file", required=False)
    provider_returns = file_field("the provider's costs and volumes file", required=False)
    # the returns' evidence files, each checked as the return form's (`data.upload_returns` says where each goes)
    evidence = files_field("the evidence files", False, EVIDENCE_SUFFIXES)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(name) for name in RETURN_FILES) and not self.errors:
            self.add_error("kpi_returns", "Choose at least one returns file")
        return cleaned


_GROUNDS = {
    ModificationGround.PERMITTED: "A permitted modification under Schedule 8 (s.74(1)(a))",
    ModificationGround.NOT_SUBSTANTIAL: "Not a substantial modification (s.74(1)(b))",
    ModificationGround.BELOW_THRESHOLD: "A below-threshold modification (s.74(1)(c))",
    ModificationGround.LIGHT_TOUCH: "A light touch contract (s.74(2))",
}


class VariationForm(forms.Form):
    code = forms.RegexField(
        regex=r"^[A-Za-z0-9_.-]{1,60}$",
        max_length=CODE,
        error_messages={
            "required": "Enter the variation's reference",
            "invalid": "Enter a reference of letters, digits, dot, dash or underscore",
            "max_length": "Enter a reference of 60 characters or fewer",
        },
    )
    agreed_on = DateField("the date the variation was agreed")
    description = text_field("what the variation changes")
    value_change = money("the change in value (£, negative for a reduction)", minimum=None)
    term_change_months = forms.IntegerField(
        min_value=-1200,
        max_value=1200,
        error_messages={
            "required": "Enter the change in the term in months (0 for none)",
            "invalid": "Enter the change in the term as a whole number of months",
            "min_value": "Enter a change in the term of at most 1,200 months",
            "max_value": "Enter a change in the term of at most 1,200 months",
        },
    )
    ground = choice("the ground relied on", [(g.value, _GROUNDS[g]) for g in ModificationGround])
    schedule_8_paragraph = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=20,
        error_messages={
            "invalid": "Enter the Schedule 8 paragraph as a number",
            "min_value": "Enter a Schedule 8 paragraph",
            "max_value": "Enter a Schedule 8 paragraph",
        },
    )
    changes_scope = yes_no("whether it materially changes the scope (s.74(3)(b))")
    favours_supplier = yes_no(
        "whether it materially changes the economic balance in the supplier's favour (s.74(3)(c))"
    )
    changes_overall_nature = yes_no("whether it materially changes the overall nature (s.74(4))")
    linked_to = text_field("the earlier variation", required=False, max_length=CODE)
    change_notice_published = yes_no("whether a contract change notice was published")


class OpenReviewForm(forms.Form):
    reason = text_field("why the review is opened")
    trigger = text_field("the trigger", required=False, max_length=CODE)


class MeetingForm(forms.Form):
    meeting_on = DateField("the date of the meeting")
    attendees = text_field("who attended")
    meeting_notes = text_field("the meeting notes")


class OptionForm(forms.Form):
    side = choice("the side the option is for", _values(Side))
    option = choice("the option", [(o.id, o.title) for o in OPTIONS])
    legal_basis = text_field("the option's legal basis")
    notes = text_field("notes", required=False)


class DecisionForm(forms.Form):
    decision = choice("the decision", [(o.id, o.title) for o in OPTIONS] + [("no_change", "No change")])
    reason = text_field("the reason for the decision")


class ActionForm(forms.Form):
    description = text_field("the action")
    owner = text_field("the action's owner (user name)", max_length=150)
    due_on = DateField("the due date")


class ConfirmForm(forms.Form):
    confirm = choice("to confirm", [("yes", "Yes")])
