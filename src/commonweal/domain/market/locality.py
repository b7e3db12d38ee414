"""Whether a supplier is local, from its postcode and the council's own list of local postcode areas.

A UK postcode's outward code (before the space: `M5`, `BL4`) names a district; its leading letters (`M`, `BL`)
an area (Royal Mail, Postcode Address File). The local list is the council's choice and a parameter: Commonweal
ships none, because a county's or a city's "local" differ.

A supplier is local, not local or unknown (`Locality`): unknown when the council has listed no local areas, when
none of the supplier's known postcodes is a UK postcode, or when its postcodes disagree (one site inside the
council's areas, another outside: which site a payment went to is not recorded, so it is never guessed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")
# the two shapes a local area entry may take: a postcode area (letters) or a district (an outward code)
_AREA = re.compile(r"[A-Z]{1,2}")
_DISTRICT = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?")
_SEPARATORS = re.compile(r"[\s,;]+")
# Commonweal default: the most entries one organisation's list holds (a county is some tens of districts).
MAX_LOCAL_AREAS = 300


class Locality(StrEnum):
    LOCAL = "local"
    NOT_LOCAL = "not_local"
    UNKNOWN = "unknown"


def outward_code(postcode: str) -> str | None:
    match = _POSTCODE.match(postcode.strip().upper())
    return match[1] if match else None


def is_local(postcode: str, local_areas: Sequence[str]) -> bool | None:
    """True/False when the postcode is valid and the council listed local areas; None when it cannot be told.

    An entry of letters only (`M`) is a postcode area; an entry with a digit (`M5`) is a district.
    """
    outward = outward_code(postcode)
    if outward is None or not local_areas:
        return None
    area = re.match(r"[A-Z]+", outward)
    for entry in (e.strip().upper() for e in local_areas):
        if entry == outward or (entry.isalpha() and area is not None and area[0] == entry):
            return True
    return False


def area_problem(entry: str) -> str | None:
    """Why `entry` cannot be a local area (None when it can): the shapes `is_local` compares, an area such as `M`
    or `BL`, or a district (outward code) such as `M5`, `BL4` or `EC1A`."""
    entry = entry.strip().upper()
    if _AREA.fullmatch(entry) or _DISTRICT.fullmatch(entry):
        return None
    if _POSTCODE.match(entry):
        return f"'{entry}' is a full postcode: enter its district ({outward_code(entry)}) or its area"
    return (f"'{entry}' is not a postcode area (one or two letters, such as M or BL) or a district (an outward "
            "code, such as M5, BL4 or EC1A)")


def parse_local_areas(text: str, limit: int = MAX_LOCAL_AREAS) -> tuple[tuple[str, ...], list[str]]:
    """The entries of `text` (separated by commas, semicolons, spaces or new lines), in capitals, each once, in
    the order given; and the problems found (an entry of another shape, more than `limit` entries)."""
    entries = [e.upper() for e in _SEPARATORS.split(text) if e]
    problems = [p for p in (area_problem(e) for e in entries) if p]
    unique = tuple(dict.fromkeys(entries))
    if len(unique) > limit:
        problems.append(f"{len(unique)} areas listed; at most {limit} may be")
    return (unique, problems) if not problems else ((), problems)


def supplier_locality(postcodes: Iterable[str], local_areas: Sequence[str]) -> Locality:
    """Whether a supplier with these known postcodes is local: what all its UK postcodes say when they agree,
    unknown otherwise (none known, none a UK postcode, no local areas listed, or sites on both sides)."""
    found = {is_local(p, local_areas) for p in postcodes} - {None}
    if len(found) != 1:
        return Locality.UNKNOWN
    return Locality.LOCAL if found.pop() else Locality.NOT_LOCAL


@dataclass(frozen=True)
class LocalShare:
    """Spend split into local, not local and unknown, each with its exact amount and how many suppliers."""

    local_areas: tuple[str, ...]
    totals: Mapping[Locality, Decimal]
    suppliers: Mapping[Locality, int]

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), Decimal("0.00"))

    def share(self, locality: Locality) -> Decimal | None:
        """The part's share of all the spend (None when there is none)."""
        return self.totals[locality] / self.total if self.total else None

    def as_data(self) -> dict[str, Any]:
        """Plain JSON-ready data: amounts as exact text, shares as floats for display."""
        parts = []
        for locality in Locality:
            share = self.share(locality)
            parts.append({"locality": locality.value, "total": str(self.totals[locality]),
                          "share": float(share) if share is not None else None,
                          "suppliers": self.suppliers[locality]})
        return {"local_areas": list(self.local_areas), "total": str(self.total), "parts": parts}


def local_share(rows: Iterable[tuple[str, Decimal, str]], local_areas: Sequence[str]) -> LocalShare:
    """Add up (supplier, amount, locality's value) rows: the spend and the distinct suppliers of each locality.
    Keyed by the values as stored (an enum member hashes in Python: a third of a second on a county's cells)."""
    totals = {locality.value: Decimal("0.00") for locality in Locality}
    seen: dict[str, set[str]] = {locality.value: set() for locality in Locality}
    for supplier, amount, locality in rows:
        totals[locality] += amount
        seen[locality].add(supplier)
    return LocalShare(tuple(local_areas), {locality: totals[locality.value] for locality in Locality},
                      {locality: len(seen[locality.value]) for locality in Locality})
