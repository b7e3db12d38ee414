"""The social value area's forms: every POST of its pages (and the report's period) is checked here (lengths,
choices, valid Unicode, file size and kind) before any data function runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from commonweal.domain.socialvalue.maturity import LEVELS, QUESTIONS
from commonweal.web.forms import file_field, form_errors, iso_date, text_field

# Commonweal default: the financial years a contract may start in or a report may cover.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class AreaForm(forms.Form):
    def summary(self) -> list[dict[str, str]]:
        return form_errors(self)

    def refused(self, problems: Sequence[str], fields: Sequence[str]) -> None:
        first = next(iter(self.fields))
        for index, problem in enumerate(problems):
            name = fields[index] if index < len(fields) and fields[index] in self.fields else first
            self.add_error(name, problem)

    def upload(self, name: str) -> tuple[str, bytes] | None:
        found = self.cleaned_data.get(name)
        return None if found is None else (found.name or name, found.read())


def _choices(label: str, choices: Iterable[tuple[str, str]]) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(choices=list(choices), error_messages={
        "required": f"Select at least one {label}", "invalid_choice": f"Choose each {label} from the list",
        "invalid_list": f"Choose each {label} from the list"})


def _year(label: str) -> forms.IntegerField:
    return forms.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, error_messages={
        "required": f"Enter {label}", "invalid": f"Enter {label} as a year, for example 2026",
        "min_value": f"Enter {label} from {FIRST_YEAR} to {LAST_YEAR}",
        "max_value": f"Enter {label} from {FIRST_YEAR} to {LAST_YEAR}"})


class CoreValueForm(AreaForm):
    title = text_field("the core value's title", max_length=200)
    outcomes = forms.MultipleChoiceField()
    measures = forms.MultipleChoiceField()
    proportionality = text_field("why these measures are relevant and proportionate",
                                 required_message="Say why these measures are relevant and proportionate")

    def __init__(self, *args: Any, outcomes: Iterable[str], measures: Iterable[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["outcomes"] = _choices("outcome", ((o, o) for o in outcomes))
        self.fields["measures"] = _choices("measure", measures)


class ConfirmForm(AreaForm):
    confirm = forms.ChoiceField(choices=[("yes", "Yes")], error_messages={
        "required": "Confirm that you want to remove it", "invalid_choice": "Confirm that you want to remove it"})


class LibraryImportForm(AreaForm):
    library = file_field("your library file (.csv or .xlsx)", required=True, suffixes=("csv", "xlsx"))
    name = text_field("the library's name", max_length=200)
    version = text_field("the library's version", max_length=60)


class ModelImportForm(AreaForm):
    model = file_field("the model file (.csv or .xlsx)", required=True, suffixes=("csv", "xlsx"))


class TenderMeasureForm(AreaForm):
    core_value = forms.TypedChoiceField(coerce=int, error_messages={
        "required": "Choose a core value", "invalid_choice": "Choose one of the organisation's core values"})
    measure = forms.ChoiceField(error_messages={
        "required": "Choose a measure", "invalid_choice": "Choose a measure of the organisation's core values"})
    relevance = text_field("how the measure relates to the subject-matter of the contract",
                           required_message="Say how the measure relates to the subject-matter of the contract")
    proportionality = text_field("why asking for the measure is proportionate",
                                 required_message="Say why asking for the measure is proportionate")

    def __init__(self, *args: Any, core_values: Iterable[tuple[int, str]], measures: Iterable[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["core_value"].choices = [(str(i), t) for i, t in core_values]  # type: ignore[attr-defined]
        self.fields["measure"].choices = [(m, m) for m in measures]  # type: ignore[attr-defined]


class ContractForm(AreaForm):
    title = text_field("the contract's title", max_length=200)
    supplier = text_field("the supplier, as named in the commitments file", max_length=300)
    first_year = _year("the financial year the contract starts in")
    commitments = file_field("the winning bid's commitments (.csv or .xlsx)", required=True, suffixes=("csv", "xlsx"))
    returns = file_field("the supplier's returns (.csv or .xlsx)", required=False, suffixes=("csv", "xlsx"))


class SroiForm(AreaForm):
    impact_map = file_field("an impact map (.yaml)", required=True, suffixes=("yaml", "yml"))


class MaturityForm(AreaForm):
    taken_on = forms.CharField(max_length=10, error_messages={
        "required": "Enter the date of the self-assessment",
        "max_length": "Enter the date as YYYY-MM-DD, for example 2026-12-06"})

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[question.id] = forms.ChoiceField(
                choices=[(level, level.capitalize()) for level in LEVELS], error_messages={
                    "required": f"Answer: {question.text}", "invalid_choice": f"Answer: {question.text}"})

    def clean_taken_on(self) -> dt.date:
        try:
            return iso_date(self.cleaned_data["taken_on"])
        except ValueError as exc:
            raise ValidationError("Enter the date as YYYY-MM-DD, for example 2026-12-06") from exc


class PeriodForm(AreaForm):
    """The report's period (GET): a financial year and, for a quarterly report, its quarter."""

    year = _year("the financial year")
    quarter = forms.TypedChoiceField(coerce=int, choices=[("4", "The whole year"), ("1", "Q1 (April to June)"),
                                                          ("2", "Q2 (July to September)"),
                                                          ("3", "Q3 (October to December)")],
                                     error_messages={"required": "Choose the period",
                                                     "invalid_choice": "Choose the period"})

