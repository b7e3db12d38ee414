"""Whether a supplier is local, from its postcode and the council's own list of local postcode areas.

A UK postcode's outward code (before the space: `M5`, `BL4`) names a district; its leading letters (`M`, `BL`)
an area (Royal Mail, Postcode Address File). The local list is the council's choice and a parameter: Commonweal
ships none, because a county's or a city's "local" differ.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")


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
