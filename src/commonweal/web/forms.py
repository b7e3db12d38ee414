"""Every POST the pages accept goes through one of these forms: types, lengths, valid Unicode and choices are
checked here, before anything reaches an area's data functions, which keep the business rules (stages, scales,
preconditions). The text checks (`text_problem`, `TEXT_PATTERN`, `TEXT_MAX_CHARS`) are shared with the API's
schemas, so a page and the API accept exactly the same text."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import FileExtensionValidator, ProhibitNullCharactersValidator

from commonweal.io.errors import InputError, Problem

# Commonweal default: free text (rationales, reasons, declarations) up to 10,000 characters, which holds a long
# evaluator's rationale while keeping a hostile request small; COMMONWEAL_TEXT_MAX_CHARS changes it.
TEXT_MAX_CHARS: int = settings.COMMONWEAL_TEXT_MAX_CHARS
# Django's own limit for a user name (AbstractUser.username)
USERNAME_MAX_CHARS = 150
# Commonweal default: a password longer than this is refused before it is hashed (hashing unbounded input is a
# denial-of-service vector)
PASSWORD_MAX_CHARS = 4096
# The largest id any of our tables can hold (a 64-bit primary key): a bigger number can name nothing
ID_MAX = 2**63 - 1
# Text a database can store: no NUL (PostgreSQL refuses it in text) and no lone surrogate (not encodable as
# UTF-8). The OpenAPI document publishes the NUL rule as a JSON Schema pattern (it reads the same in ECMAScript,
# Python and Rust regular expressions); a lone surrogate cannot be written in a pattern that Rust-based validators
# compile, so the schema's description states that rule.
TEXT_PATTERN = r"^[^\u0000]*$"
TEXT_RULE = "text without NUL characters or lone surrogates"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None. Used by the forms and by the API's schemas."""
    if "\x00" in value:
        return "must not contain a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text (it contains a lone surrogate)"
    return None


def iso_date(value: str) -> dt.date:
    """A date written YYYY-MM-DD, and nothing looser (no week dates, no timestamps); ValueError otherwise."""
    if not _DATE.fullmatch(value):
        raise ValueError("must be a date in the form YYYY-MM-DD")
    return dt.date.fromisoformat(value)


def valid_text(value: str) -> None:
    """The shared text check as a Django validator: every form's text fields, the people area's included."""
    if (problem := text_problem(value)) is not None:
        raise ValidationError(f"The text {problem}")


def page_field() -> forms.IntegerField:
    """A register's page number (GET): a number from 1; beyond the last page shows the last."""
    message = "Choose a page number"
    return forms.IntegerField(required=False, min_value=1, max_value=10**6,
                              error_messages={"invalid": message, "min_value": message, "max_value": message})


def text_field(label: str, *, required: bool = True, max_length: int = TEXT_MAX_CHARS, strip: bool = True,
               required_message: str | None = None) -> forms.CharField:
    """A text field with the shared Unicode check and a GOV.UK-style message for each problem."""
    text = forms.CharField(
        required=required, max_length=max_length, strip=strip, validators=[valid_text],
        error_messages={
            "required": required_message or f"Enter {label}",
            "max_length": f"{label[0].upper()}{label[1:]} must be {max_length:,} characters or fewer",
        },
    )
    # Django's own NUL check would say it a second time, in other words
    text.validators = [v for v in text.validators if not isinstance(v, ProhibitNullCharactersValidator)]
    return text


class SignInForm(forms.Form):
    username = text_field("your user name", max_length=USERNAME_MAX_CHARS)
    password = text_field("your password", max_length=PASSWORD_MAX_CHARS, strip=False)
    next = text_field("the page to return to", required=False, max_length=2000)


def form_errors(form: forms.Form, ids: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """The form's errors for the GOV.UK error summary, each linking to its field (`ids` maps a field name to
    the id of the element to link to where it is not the field's name)."""
    ids = ids or {}
    return [{"text": str(message), "href": f"#{ids.get(name, name)}"}
            for name, messages in form.errors.items() for message in messages]


def field_errors(errors: Iterable[Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Each field's first error, keyed by the field's element id, for the message at the field."""
    found: dict[str, dict[str, str]] = {}
    for error in errors:
        found.setdefault(error["href"].removeprefix("#"), {"text": error["text"]})
    return found


class GovukErrors:
    """A form that shows its own errors: `summary()` for the GOV.UK error summary, `message(name)` at each field,
    and `refused(...)` to put a data function's refusal on the field it names. Built on `form_errors` and
    `field_errors`, so a form that uses it and a view that calls them link errors the same way."""

    errors: Any
    fields: dict[str, forms.Field]

    def _ids(self) -> dict[str, str]:
        # errors not about one field (NON_FIELD_ERRORS) link to the form's first field
        first = next(iter(self.fields))
        return {name: name if name in self.fields else first for name in self.errors}

    def summary(self) -> list[dict[str, str]]:
        return form_errors(self, self._ids())  # type: ignore[arg-type]

    def message(self, name: str) -> dict[str, str] | None:
        return field_errors(self.summary()).get(name) if name in self.errors else None

    def refused(self, problems: Sequence[str], fields: Sequence[str]) -> None:
        """A data function's refusal, shown on the field it names (or the form's first field)."""
        first = next(iter(self.fields))
        for index, problem in enumerate(problems):
            field = fields[index] if index < len(fields) and fields[index] in self.fields else first
            self.add_error(field, problem)  # type: ignore[attr-defined]


def refused_errors(problems: Sequence[str], fields: Sequence[str], ids: Mapping[str, str],
                   default: str) -> list[dict[str, str]]:
    """The data layer's refusals for the error summary, each linking to the field it names (`ids` maps the data
    layer's field names to element ids) or to `default`."""
    return [{"text": problem, "href": f"#{ids.get(fields[i], fields[i]) if i < len(fields) else default}"}
            for i, problem in enumerate(problems)]


def _within_limit(upload: UploadedFile[Any]) -> None:
    """Uploads are read whole, so each is capped (COMMONWEAL_UPLOAD_MAX_BYTES, Commonweal default 10 MB)."""
    limit = settings.COMMONWEAL_UPLOAD_MAX_BYTES
    if (upload.size or 0) > limit:
        raise ValidationError(f"{upload.name} is larger than the {limit:,}-byte limit")


def _named_in_text(upload: UploadedFile[Any]) -> None:
    if upload.name and text_problem(upload.name):
        raise ValidationError("The file's name must be valid Unicode text")


def file_field(label: str, required: bool, suffixes: Sequence[str] = ()) -> forms.FileField:
    """A file field; with `suffixes`, the file's name must end in one of them (the readers check the tables')."""
    validators: list[Any] = [_within_limit, _named_in_text]
    if suffixes:
        kinds = " or ".join(f".{s}" for s in suffixes)
        validators.append(FileExtensionValidator(list(suffixes), message=f"Choose {label}: a {kinds} file"))
    messages = {"required": f"Choose {label}", "invalid": f"Choose {label}", "missing": f"Choose {label}",
                "max_length": "The file's name must be 255 characters or fewer"}
    return forms.FileField(required=required, allow_empty_file=True, max_length=255, validators=validators,
                           error_messages=messages)


class _SeveralFilesInput(forms.FileInput):
    allow_multiple_selected = True


class _SeveralFilesField(forms.FileField):
    """Several files under one name, each checked as `file_field` checks one, every file's problem reported."""

    def __init__(self, *, max_files: int, **options: Any) -> None:
        super().__init__(widget=_SeveralFilesInput, **options)
        self.max_files = max_files

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        chosen = [d for d in (data if isinstance(data, (list, tuple)) else [data]) if d]
        if not chosen and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(chosen) > self.max_files:
            raise ValidationError(f"Choose at most {self.max_files} files")
        cleaned, problems = [], []
        for upload in chosen:
            try:
                cleaned.append(super().clean(upload, initial))
            except ValidationError as exc:
                problems.extend(exc.messages)
        if problems:
            raise ValidationError(problems)
        return cleaned


def files_field(label: str, required: bool, suffixes: Sequence[str] = ()) -> forms.FileField:
    """`file_field` for several files at once, at most COMMONWEAL_UPLOAD_MAX_FILES (Commonweal default 20)."""
    one = file_field(label, required, suffixes)
    return _SeveralFilesField(max_files=settings.COMMONWEAL_UPLOAD_MAX_FILES, required=required,
                              allow_empty_file=True, max_length=255, validators=one.validators,
                              error_messages=one.error_messages)


class UploadForm(forms.Form):
    def files_read(self, names: Sequence[str]) -> dict[str, tuple[str, bytes]]:
        """The chosen files as (name, content), for the data layer's readers."""
        return {name: (upload.name or name, upload.read())
                for name in names if (upload := self.cleaned_data.get(name)) is not None}

    def several_read(self, name: str) -> list[tuple[str, bytes]]:
        """The files chosen in a `files_field`, each as (name, content)."""
        return [(upload.name or name, upload.read()) for upload in self.cleaned_data.get(name) or []]


def input_problems(exc: InputError, field: str | None = None, *, files: bool = False
                   ) -> tuple[list[Problem], list[dict[str, str]]]:
    """A reader's refusal of an upload, for the page: its problems (the page's problems table) and the error
    summary, whose first link goes to that table and, given `field`, a second to the field with the first problem."""
    noun = "files" if files else "file"
    errors = [{"text": f"{len(exc.problems)} problem(s) in the {noun}: nothing was saved", "href": "#problems"}]
    if field is not None:
        errors.append({"text": exc.problems[0].message, "href": f"#{field}"})
    return exc.problems, errors
