"""Supplier names as published are noisy: legal suffixes, punctuation, non-breaking spaces, case and truncation.

`normalise_name` gives the key two spellings of one organisation share, so that `Age UK Warwickshire Ltd.` and
`AGE UK WARWICKSHIRE LIMITED` resolve to one supplier.
"""

from __future__ import annotations

import re

# Legal-form words dropped from the end of a name. They say nothing about who the organisation is, and councils
# write them inconsistently (`Ltd`, `LTD`, `Limited`, `Ltd.`).
LEGAL_SUFFIXES = ("LIMITED", "LTD", "PLC", "P L C", "LLP", "INC", "CIC", "CIO")
_PUNCTUATION = re.compile(r"[^0-9A-Z& ]+")
_SPACES = re.compile(r"\s+")
_SUFFIX = re.compile(r"(?:\s+(?:" + "|".join(re.escape(s) for s in LEGAL_SUFFIXES) + r"))+$")
_UNCLOSED_BRACKET = re.compile(r"\s*\([^)]*$")
_BRACKETED = re.compile(r"\([^)]*\)")


def normalise_name(name: str) -> str:
    """`'Lifeways Community Care Ltd (New'` -> `'LIFEWAYS COMMUNITY CARE'`; `'A & A Electrical Ltd.'` -> `'A AND A
    ELECTRICAL'`. Empty for an empty name."""
    text = name.replace("\xa0", " ").upper()
    text = _UNCLOSED_BRACKET.sub("", text)  # a name cut off inside a bracket (Devon truncates at 32 characters)
    text = _BRACKETED.sub(" ", text)
    text = text.replace("&", " AND ").replace("'", "").replace("\u2019", "")
    text = _SPACES.sub(" ", _PUNCTUATION.sub(" ", text)).strip()
    if text.startswith("THE "):
        text = text[4:]
    stripped = _SUFFIX.sub("", text).strip()
    return stripped or text
