"""The measures library: Theme → Outcome → Measure, each measure with a unit, a sourced proxy value in £ per unit
(or none: "record only"), its price base, source, licence and the evidence a supplier must keep.

A library is versioned twice over: the version its publisher declares and a content hash of every value in it.
A tender pins both (`LibraryPin`), so an auditor can tell whether the figures a tender was evaluated on are the
figures on file today.

Licences matter: the market standards (the National TOMs, HACT's Social Value Bank) are CC BY-NC-ND. A council
may load its own licensed copy, and every measure keeps its licence so that a non-commercial or no-derivatives
value is marked wherever it is shown or exported (`Licence.marking`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

PENNY = Decimal("0.01")  # £ values are rounded to the penny, half up, wherever they are computed

# The units a measure may be counted in. A library row with any other unit is refused, so that quantities from
# different bids are always counted the same way. Keys are the codes used in library files.
UNITS: Mapping[str, str] = {
    "person_year": "one person for one year",
    "person_lifetime": "one person, lifetime (do not combine with annual figures)",
    "hour": "one hour",
    "week": "one week",
    "household_week": "one household for one week",
    "application": "one application",
    "incident": "one incident",
    "offence": "one offence",
    "tco2e": "one tonne of CO2 equivalent",
    "wellby": "one WELLBY (one point of life satisfaction, one person, one year)",
}

_NON_COMMERCIAL = re.compile(r"\bNC\b|non[- ]?commercial", re.IGNORECASE)
_NO_DERIVATIVES = re.compile(r"\bND\b|no[- ]?derivatives", re.IGNORECASE)


@dataclass(frozen=True)
class Licence:
    """The terms a value may be reused on, as its publisher states them.

    `non_commercial` and `no_derivatives` are read from the text ("CC BY-NC-ND 4.0") or set explicitly by the
    library file; either one means the value may be shown to the council that holds the licence but must be
    marked when shown or exported, and must not be modified or resold.
    """

    text: str
    non_commercial: bool = False
    no_derivatives: bool = False

    @classmethod
    def from_text(cls, text: str, non_commercial: bool = False, no_derivatives: bool = False) -> Licence:
        return cls(
            text=text,
            non_commercial=non_commercial or bool(_NON_COMMERCIAL.search(text)),
            no_derivatives=no_derivatives or bool(_NO_DERIVATIVES.search(text)),
        )

    @property
    def restricted(self) -> bool:
        return self.non_commercial or self.no_derivatives

    @property
    def marking(self) -> str:
        """The label shown beside every restricted value, empty for an unrestricted one."""
        parts = []
        if self.non_commercial:
            parts.append("NON-COMMERCIAL USE ONLY")
        if self.no_derivatives:
            parts.append("NO DERIVATIVES: do not modify or redistribute altered values")
        return "; ".join(parts)


@dataclass(frozen=True)
class Measure:
    """One measure: what is counted (`unit`), what one unit is worth (`proxy`, £) and where that figure came from.

    `proxy` is None for a record-only measure: it is counted and reported in units, never turned into £.
    `deadweight`, `attribution`, `displacement` and `drop_off` are optional source-given defaults (fractions
    0–1) used by SROI when an impact map does not set its own.
    """

    id: str
    theme: str
    outcome: str
    name: str
    unit: str
    source_title: str
    licence: Licence
    proxy: Decimal | None = None
    price_year: str | None = None
    unit_description: str = ""
    price_base_note: str = ""
    source_reference: str = ""
    section: str = ""
    evidence_required: str = ""
    deadweight: Decimal | None = None
    attribution: Decimal | None = None
    displacement: Decimal | None = None
    drop_off: Decimal | None = None
    overlaps: tuple[str, ...] = ()
    verified: bool = True
    notes: str = ""

    @property
    def record_only(self) -> bool:
        return self.proxy is None

    def fingerprint(self) -> str:
        """Every value that changes what a measure is worth or how it may be used, in a fixed order."""
        fields = (
            self.id, self.theme, self.outcome, self.name, self.unit, str(self.proxy), str(self.price_year),
            self.source_title, self.source_reference, self.section, self.licence.text,
            str(self.licence.non_commercial), str(self.licence.no_derivatives), self.evidence_required,
            str(self.deadweight), str(self.attribution), str(self.displacement), str(self.drop_off),
            ",".join(self.overlaps), str(self.verified),
        )
        return "\x1f".join(fields)


@dataclass(frozen=True)
class LibraryPin:
    """What a tender records about the library it was evaluated on."""

    name: str
    version: str
    content_hash: str


@dataclass(frozen=True)
class Library:
    """A named, versioned set of measures. Measure ids are unique within a library."""

    name: str
    version: str
    measures: tuple[Measure, ...]
    _by_id: dict[str, Measure] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {m.id: m for m in self.measures})
        if len(self._by_id) != len(self.measures):
            raise ValueError(f"library {self.name!r} has duplicate measure ids")

    @property
    def content_hash(self) -> str:
        """SHA-256 over every measure's fingerprint, in id order: changes whenever any value changes."""
        digest = hashlib.sha256()
        for measure in sorted(self.measures, key=lambda m: m.id):
            digest.update(measure.fingerprint().encode("utf-8"))
            digest.update(b"\x1e")
        return digest.hexdigest()

    def pin(self) -> LibraryPin:
        return LibraryPin(name=self.name, version=self.version, content_hash=self.content_hash)

    def matches(self, pin: LibraryPin) -> bool:
        """True when this library holds exactly the values the pinned tender was evaluated on."""
        return pin.content_hash == self.content_hash

    def __contains__(self, measure_id: object) -> bool:
        return measure_id in self._by_id

    def measure(self, measure_id: str) -> Measure:
        try:
            return self._by_id[measure_id]
        except KeyError:
            raise KeyError(f"measure {measure_id!r} is not in library {self.name!r} {self.version}") from None

    def themes(self) -> dict[str, dict[str, tuple[Measure, ...]]]:
        """Theme → Outcome → Measures, in the library's own order."""
        tree: dict[str, dict[str, list[Measure]]] = {}
        for measure in self.measures:
            tree.setdefault(measure.theme, {}).setdefault(measure.outcome, []).append(measure)
        return {theme: {o: tuple(ms) for o, ms in outcomes.items()} for theme, outcomes in tree.items()}

    @property
    def markings(self) -> tuple[str, ...]:
        return licence_markings(self.measures)


def licence_markings(measures: Iterable[Measure]) -> tuple[str, ...]:
    """The distinct licence markings that must accompany any output showing these measures' values."""
    found: list[str] = []
    for measure in measures:
        text = measure.licence.marking
        if text and f"{text} ({measure.licence.text})" not in found:
            found.append(f"{text} ({measure.licence.text})")
    return tuple(found)
