"""The Government's Social Value Model (PPN 002, Cabinet Office, February 2025) as data: each row a piece of the
model (a rule or guidance paragraph, a mission, an outcome, a model award criterion, a sub-criterion or a standard
reporting metric) with the source it was read from and whether its wording is verbatim.

Commonweal ships only the rows read in a primary source (gov.uk or the Government Commercial Function's
Procurement Pathway); the rest of the model (missions, outcomes, award criteria, sub-criteria and reporting
metrics) was not seen and is never written from memory. An organisation imports the full model from a file of
the same layout. For councils the model is voluntary: PPN 002 para 3 says "Other contracting authorities may wish
to apply the approach set out in this PPN".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

RowType = Literal["rule", "guidance", "structure", "mission", "outcome", "mac", "sub_criterion", "srm"]
ROW_TYPES: tuple[RowType, ...] = get_args(RowType)
# what each kind of row sits under: an outcome under a mission, an award criterion under an outcome, ...
PARENT_TYPES: dict[RowType, tuple[RowType, ...]] = {
    "outcome": ("mission",), "mac": ("outcome",), "sub_criterion": ("mac",), "srm": ("mac", "sub_criterion"),
}
Status = Literal["read", "secondary only", "incomplete", "not seen"]
STATUSES: tuple[Status, ...] = get_args(Status)


@dataclass(frozen=True)
class ModelRow:
    row_type: RowType
    id: str
    parent_id: str
    wording: str
    unit: str
    source_url: str
    section: str
    source_kind: str
    verbatim: bool
    status: Status
    notes: str = ""

    @property
    def verified(self) -> bool:
        """Read, verbatim, in a primary source."""
        return self.status == "read" and self.verbatim and self.source_kind.startswith("primary")


def check_model(rows: Iterable[ModelRow]) -> list[str]:
    """Problems with a model file: repeated ids, and rows whose parent is missing or of the wrong kind."""
    rows = tuple(rows)
    problems: list[str] = []
    by_id: dict[str, ModelRow] = {}
    for row in rows:
        if row.id in by_id and row.id:
            problems.append(f"id {row.id!r} is used twice")
        by_id.setdefault(row.id, row)
    for row in rows:
        wanted = PARENT_TYPES.get(row.row_type)
        if wanted is None or not row.parent_id:
            continue
        parent = by_id.get(row.parent_id)
        if parent is None:
            problems.append(f"{row.row_type} {row.id!r} names parent {row.parent_id!r}, which is not in the file")
        elif parent.row_type not in wanted:
            problems.append(f"{row.row_type} {row.id!r} sits under a {parent.row_type}; expected a "
                            f"{' or '.join(wanted)}")
    return problems
