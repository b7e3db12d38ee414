"""The tenders area's forms: every POST its pages accept. Types, lengths, valid Unicode (the shared text check in
`commonweal.web.forms`) and choices are checked here, before anything reaches `commonweal.web.tenders.data`, which
keeps the business rules (stages, scales, preconditions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings

from commonweal.domain.lifecycle import Stage
from commonweal.web.forms import TEXT_MAX_CHARS, UploadForm, file_field, text_field


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




class TenderDocumentForm(UploadForm):
    """One of the tender's own documents, with the title bidders see."""

    title = text_field("the document's title", max_length=200)
    document = file_field("the document", required=True, suffixes=("pdf", "docx", "xlsx", "odt"))


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


# The tender builder's rows: how many a new tender starts with, and each row's keys. Each row field is named
# `<kind>-<row>-<key>`, its key the tender.yaml key it becomes, so the reader's problem paths lead back to the field;
# a blank row is ignored. "Add another" adds a row (the count travels in the hidden `<kind>_rows` field), up to
# `settings.COMMONWEAL_BUILDER_MAX_ROWS`.
BUILDER_ROWS: dict[str, tuple[int, tuple[str, ...]]] = {
    "lot": (3, ("id", "title", "budget")),
    "group": (4, ("id", "title", "weight", "category", "threshold")),
    "criterion": (8, ("id", "title", "group", "weight", "scale", "threshold", "guidance")),
    "gate": (3, ("id", "title")),
    "descriptor": (6, ("score", "label", "description")),
    # a lot's price elements (`PriceElement`), read only when the price is priced as elements
    "element": (2, ("id", "title", "weight", "formula", "volume", "unit", "year")),
}
# each kind of row as the builder's headings name it: one, and more than one
BUILDER_ROW_NAMES = {"lot": ("lot", "lots"), "group": ("group", "groups"), "criterion": ("criterion", "criteria"),
                     "gate": ("gate", "gates"), "descriptor": ("score", "scores"),
                     "element": ("price element", "price elements")}


def builder_max_rows(kind: str) -> int:
    return int(settings.COMMONWEAL_BUILDER_MAX_ROWS[kind])


def builder_row_counts(fields: Mapping[str, Any]) -> dict[str, int]:
    """How many rows of each kind these fields have: the count posted in `<kind>_rows`, or more when a row beyond it
    is filled (a stored tender opened for editing), never fewer than a new tender starts with nor more than the
    maximum (what lies beyond it is not read)."""
    counts = dict.fromkeys(BUILDER_ROWS, 0)
    for name in fields:
        kind, _, rest = str(name).partition("-")
        row = rest.partition("-")[0]
        if kind in counts and row.isdigit():
            counts[kind] = max(counts[kind], int(row) + 1)
    for kind, (start, _) in BUILDER_ROWS.items():
        posted = str(fields.get(f"{kind}_rows", ""))
        counts[kind] = min(max(start, counts[kind], int(posted) if posted.isdigit() and len(posted) < 6 else 0),
                           builder_max_rows(kind))
    return counts


BUILDER_SHORT_TEXT = 300  # the Tender and Lot tables' title length: ids, titles, numbers


def builder_label(name: str) -> str:
    """A builder field's name as people read it: `criterion-1-weight` is "Criterion 2 weight"."""
    kind, _, rest = name.partition("-")
    if not rest:
        return name.replace("_", " ").capitalize()
    row, _, key = rest.partition("-")
    return f"{kind.capitalize()} {int(row) + 1} {key.replace('_', ' ')}"


class TenderBuilderForm(forms.Form):
    """The tender and its evaluation model as fields. Only lengths and valid text are checked here: every rule of
    the model (numbers, weights, scales, thresholds, tie-breaks) is the engine's reader's, which the data layer
    runs on the tender.yaml these fields make."""

    title = text_field("the tender's title", max_length=300)
    reference = text_field("the tender's reference", max_length=60)
    description = text_field("a description", required=False)
    price_weight = text_field("the price weight", max_length=40)
    price_formula = text_field("the price formula", max_length=60)
    # one price per bid, or price elements (`PriceRule`): how they combine and what a zero element price means are
    # the engine's choices (`PRICE_COMBINATIONS`, `ZERO_PRICE_POLICIES`), named by the reader if unknown
    price_mode = forms.ChoiceField(required=False, choices=[("one", "One price"), ("elements", "Price elements")],
                                   error_messages={"invalid_choice": "Choose one price or price elements"})
    price_combine = text_field("how the price elements combine", required=False, max_length=40)
    price_zero_prices = text_field("what a zero element price means", required=False, max_length=40)
    price_discount = forms.ChoiceField(required=False, choices=[("yes", "Yes")], error_messages={
        "invalid_choice": "Choose whether later years are discounted"})
    quality_threshold = text_field("the quality threshold", required=False, max_length=40)
    tie_break = text_field("the tie-break order", max_length=BUILDER_SHORT_TEXT)
    social_value_minimum = text_field("the social value minimum", required=False, max_length=40)
    social_value_override_reason = text_field("the reason for going below the social value minimum", required=False)
    scale_id = text_field("the name of your own scale", required=False, max_length=30)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.counts = builder_row_counts(self.data)
        for kind, (_, keys) in BUILDER_ROWS.items():
            many = BUILDER_ROW_NAMES[kind][1]
            most = builder_max_rows(kind)
            self.fields[f"{kind}_rows"] = forms.IntegerField(
                required=False, min_value=0, max_value=most, error_messages={
                "invalid": f"The number of {many} must be a whole number",
                "min_value": f"The number of {many} must be a whole number",
                "max_value": f"A tender built here has at most {most} {many}"})
            for row in range(self.counts[kind]):
                for key in keys:
                    name = f"{kind}-{row}-{key}"
                    long = key in ("guidance", "description")
                    self.fields[name] = text_field(builder_label(name).lower(), required=False,
                                                   max_length=TEXT_MAX_CHARS if long else BUILDER_SHORT_TEXT)

    def values(self) -> dict[str, str]:
        """The cleaned fields as text, as the session keeps them until the tender is created."""
        return {name: str(value) for name, value in self.cleaned_data.items()
                if value and not name.endswith("_rows")}


def _money(what: str, least: Decimal) -> forms.DecimalField:
    """An amount in pounds and pence, as a bid's price column holds it."""
    return forms.DecimalField(required=False, max_digits=16, decimal_places=2, min_value=least, error_messages={
        "invalid": f"Enter {what} in pounds, such as 1234567.89",
        "min_value": f"{what[0].upper()}{what[1:]} must be £{least} or more" if least == 0 else
                     f"{what[0].upper()}{what[1:]} must be above £0",
        "max_digits": f"{what[0].upper()}{what[1:]} must be under £100,000,000,000,000",
        "max_whole_digits": f"{what[0].upper()}{what[1:]} must be under £100,000,000,000,000",
        "max_decimal_places": f"Enter {what} in pounds and pence (at most 2 decimal places)"})


class PricedForm(forms.Form):
    """A bid's price as a form takes it: one price, or, for a lot priced as elements, a price for each of its
    elements (`element-<n>`, n counting the tender's elements) instead. Whether £0 may be bid for an element is the
    lot's declared policy, the engine's rule; the subclass declares the `lot` field."""

    price = _money("the price", Decimal("0.01"))
    field_order = ("lot", "bidder", "price")  # the subclass's lot (and bidder) first, as the page shows them

    def __init__(self, *args: Any, elements: Sequence[tuple[str, str, frozenset[int]]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # each price element (id, title, the lots that price it)
        self.elements = elements
        for index, (_, title, _) in enumerate(elements):
            self.fields[f"element-{index}"] = _money(f"the price of {title}", Decimal(0))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lot = cleaned.get("lot")
        if lot is None:
            return cleaned
        own = [index for index, (_, _, lots) in enumerate(self.elements) if lot in lots]
        for index in own:
            name = f"element-{index}"
            if cleaned.get(name) is None and name not in self.errors:
                # a blank is never read as £0 (as in bids.csv)
                self.add_error(name, f"Enter the price of {self.elements[index][1]} in pounds")
        if not own and cleaned.get("price") is None and "price" not in self.errors:
            self.add_error("price", "Enter the bid's price in pounds")
        return cleaned

    def element_prices(self) -> dict[str, Decimal] | None:
        """The chosen lot's element prices by element id, or None when its price is one price."""
        lot = self.cleaned_data["lot"]
        own = {e: self.cleaned_data[f"element-{index}"] for index, (e, _, lots) in enumerate(self.elements)
               if lot in lots}
        return own or None

    def element_field(self, field: str) -> str:
        """The field of a data-layer refusal: `element:<id>` is that element's price field."""
        index = next((i for i, (e, _, _) in enumerate(self.elements) if f"element:{e}" == field), None)
        return field if index is None else f"element-{index}"


class BidForm(PricedForm):
    """A bid entered by the commissioner; the bidder's identity and the price are checked by the engine's rules in
    the data layer (`commonweal.domain.evaluation.evaluate.check_inputs`)."""

    lot = forms.TypedChoiceField(coerce=int, error_messages={"required": "Choose the lot",
                                                             "invalid_choice": "Choose a lot of this tender"})
    bidder = text_field("the bidder's name", max_length=300)
    identifier = text_field("the bidder's identifier", required=False, max_length=100)
    address = text_field("the bidder's address", required=False, max_length=300)
    email = text_field("the bidder's email address", required=False, max_length=200)

    def __init__(self, *args: Any, lots: Sequence[tuple[int, str]], gates: Sequence[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].choices = [(str(i), label) for i, label in lots]  # type: ignore[attr-defined]
        # each pass/fail gate's result is recorded as the bid is received (the engine needs one per gate)
        for index, (_, title) in enumerate(gates):
            self.fields[f"gate-{index}"] = forms.ChoiceField(
                choices=[("pass", "Pass"), ("fail", "Fail")],
                error_messages={"required": f"Choose whether the bid passes {title}",
                                "invalid_choice": f"Choose whether the bid passes {title}"})
            self.fields[f"gate-{index}-rationale"] = text_field(f"why it passes or fails {title}", required=False)
        self.gates = gates

    def gate_results(self) -> dict[str, tuple[bool, str]]:
        """Each gate's result (passed, rationale) by gate id."""
        return {gate: (self.cleaned_data[f"gate-{index}"] == "pass", self.cleaned_data[f"gate-{index}-rationale"])
                for index, (gate, _) in enumerate(self.gates)}


class ConfirmForm(forms.Form):
    """A confirmation: the check-your-answers page's button (the CSRF token is its only content)."""
