"""Write the tender evaluation report: the use case behind `commonweal evaluate --out` and `commonweal demo`.

Nothing partial is written: every document is rendered into a temporary folder beside the destination, and only
when all of them have rendered are they moved into place. A previous report in the destination is replaced: its
`summaries/` folder is swapped whole, so no summary from an earlier run (a bidder since removed) survives beside
the new ones; other files in the destination are left alone.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from commonweal.io.reports.evaluation import write_evaluation_documents
from commonweal.services.evaluation import TenderEvaluation

SUMMARIES = "summaries"
LONDON = ZoneInfo("Europe/London")  # the date printed on a document is the council's date


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FOLDER_MODE = 0o777 & ~_umask()


def write_evaluation_report(
    evaluation: TenderEvaluation, out_dir: Path, generated_on: dt.date | None = None
) -> list[Path]:
    """Write report.html/.pdf, award-recommendation.html/.pdf and summaries/ into `out_dir`; return the paths."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    staging.chmod(_FOLDER_MODE)  # mkdtemp makes a private folder; the report folder is an ordinary one
    try:
        staged = write_evaluation_documents(
            evaluation.tender, evaluation.lots, staging, generated_on or dt.datetime.now(tz=LONDON).date()
        )
        if not out_dir.exists():
            staging.rename(out_dir)
        else:
            _move_into(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / path.relative_to(staging) for path in staged]


def _move_into(staging: Path, out_dir: Path) -> None:
    """Replace the report files in an existing folder, the summaries folder as a whole."""
    old = out_dir / SUMMARIES
    if old.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{SUMMARIES}-old-", dir=out_dir))
        old.rename(retired / SUMMARIES)
        (staging / SUMMARIES).rename(old)
        shutil.rmtree(retired)
    else:
        (staging / SUMMARIES).rename(old)
    for path in staging.iterdir():
        os.replace(path, out_dir / path.name)
