"""The tenders area's forms: every POST its pages accept. Types, lengths, valid Unicode (the shared text check in
`commonweal.web.forms`) and choices are checked here, before anything reaches `commonweal.web.tenders.data`, which
keeps the business rules (stages, scales, preconditions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms

from commonweal.domain.lifecycle import Stage
from commonweal.web.forms import UploadForm, file_field, text_field


def score_field(label: str) -> forms.DecimalField:
    """A score as the score columns hold it (7 digits, 2 decimal places); whether it is on the criterion's scale
    is the data layer's rule (the engine's `ScoringScale`)."""
    message = f"Select {label}"
    return forms.DecimalField(max_digits=7, decimal_places=2, error_messages={
        "required": message, "invalid": message, "max_digits": message, "max_decimal_places": message,
        "max_whole_digits": message,
    })


class AdvanceForm(forms.Form):
    """The confirmation of the tender's next step; for the contract award notice, the date it was published as a
    GOV.UK date input (day, month and year fields, `award_notice_published-day` and so on)."""

    target = forms.ChoiceField(choices=[(s.value, s.label) for s in Stage],
                               error_messages={"required": "Choose the stage to move to",
                                               "invalid_choice": "Choose a stage the tender can move to"})
    DATE = "award_notice_published"
    PARTS = ("day", "month", "year")
    DATE_MESSAGE = "Enter the date the contract award notice was published, for example 24 11 2026"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for part in self.PARTS:
            self.fields[f"{self.DATE}-{part}"] = forms.CharField(required=False, max_length=4, error_messages={
                "max_length": self.DATE_MESSAGE})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        parts = [str(cleaned.get(f"{self.DATE}-{part}") or "").strip() for part in self.PARTS]
        cleaned[self.DATE] = None
        if any(parts):
            try:
                day, month, year = (int(p) for p in parts)  # digits only: int() refuses anything else here
                if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
                    raise ValueError
                cleaned[self.DATE] = dt.date(year, month, day)
            except ValueError:
                self.add_error(f"{self.DATE}-day", self.DATE_MESSAGE)
        return cleaned


class DeclarationForm(forms.Form):
    has_conflict = forms.ChoiceField(choices=[("no", "No"), ("yes", "Yes")], error_messages={
        "required": "Select yes if you have a conflict of interest",
        "invalid_choice": "Select yes if you have a conflict of interest"})
    details = text_field("the conflict of interest", required=False)


class ConflictDecisionForm(forms.Form):
    """The commissioner's decision on a declared conflict; who may replace the evaluator, and whether a reason is
    needed, are the data layer's rules (`data.decide_conflict`)."""

    outcome = forms.ChoiceField(choices=[("replaced", "Replaced"), ("continues", "Continues")], error_messages={
        "required": "Choose whether the evaluator is replaced or continues",
        "invalid_choice": "Choose whether the evaluator is replaced or continues"})
    replacement = text_field("who replaces the evaluator", required=False, max_length=150)
    reason = text_field("the reason for the decision", required_message="Give the reason for the decision")


class ScoreForm(forms.Form):
    """One criterion's score on one bid (the page names both)."""

    score = score_field("a score")
    rationale = text_field("a rationale for the score", required=False)


class ModerationForm(forms.Form):
    score = score_field("the consensus score")
    rationale = text_field("a rationale for the consensus score", required=False)


class AbnormallyLowForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accepted", "Accepted"), ("rejected", "Rejected")], error_messages={
        "required": "Choose whether the tender is accepted or rejected",
        "invalid_choice": "Choose whether the tender is accepted or rejected"})
    reason = text_field("the reason for the decision", required_message="Give the reason for the decision")


class ScoresUploadForm(UploadForm):
    scores = file_field("a scores file", required=True)
    # the SHA-256 of the file whose replacements of saved scores the person has seen and confirmed
    replace = forms.RegexField(r"^[0-9a-f]{64}$", required=False, error_messages={
        "invalid": "Choose the file again and confirm the scores it replaces"})


TENDER_FILES = ("tender", "bids", "gates", "commitments", "socialvalue")


class TenderUploadForm(UploadForm):
    tender = file_field("the tender.yaml file", required=True, suffixes=("yaml", "yml"))
    bids = file_field("the bids file (bids.csv or bids.xlsx)", required=True)
    gates = file_field("the gates file", required=False)
    commitments = file_field("the commitments file", required=False)
    socialvalue = file_field("the socialvalue.yaml file", required=False, suffixes=("yaml", "yml"))




class DocumentForm(UploadForm):
    """A bid's document; what it is is read from its content by the data layer (`commonweal.io.documents`)."""

    document = file_field("the document", required=True, suffixes=("pdf", "docx", "xlsx", "odt"))
    purpose = forms.ChoiceField(choices=[("response", "Response"), ("price_schedule", "Price schedule")],
                                error_messages={
                                    "required": "Choose whether the document is a response or the price schedule",
                                    "invalid_choice": "Choose whether the document is a response or the price "
                                                      "schedule"})
    criterion = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, error_messages={
        "invalid_choice": "Choose a criterion of this bid's lot, or the whole bid"})

    def __init__(self, *args: Any, criteria: Sequence[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [("", "The whole bid"), *((str(c), str(c)) for c in criteria)]  # type: ignore[attr-defined]
