"""Write printable documents all or nothing: the use case behind `commonweal evaluate --out`, `commonweal demo`
and `commonweal contracts review --out`.

Nothing partial is written: every document is rendered into a temporary folder beside the destination, and only
when all of them have rendered are they moved into place. A previous document in the destination is replaced, and a
sub-folder (the evaluation report's `summaries/`) is swapped whole, so no file from an earlier run (a bidder since
removed) survives beside the new ones; other files in the destination are left alone.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from commonweal.io.reports.evaluation import write_evaluation_documents
from commonweal.services.evaluation import TenderEvaluation

LONDON = ZoneInfo("Europe/London")  # the date printed on a document is the council's date


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FOLDER_MODE = 0o777 & ~_umask()


def write_all_or_nothing(out_dir: Path, write: Callable[[Path], list[Path]]) -> list[Path]:
    """Run `write` on an empty staging folder, then move what it wrote into `out_dir`; return the final paths.

    If `write` raises, the staging folder is removed and `out_dir` is untouched.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    staging.chmod(_FOLDER_MODE)  # mkdtemp makes a private folder; the destination is an ordinary one
    try:
        staged = write(staging)
        if not out_dir.exists():
            staging.rename(out_dir)
        else:
            _move_into(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / path.relative_to(staging) for path in staged]


def _move_into(staging: Path, out_dir: Path) -> None:
    """Replace the staged files in an existing folder, each staged sub-folder as a whole."""
    for path in staging.iterdir():
        target = out_dir / path.name
        if path.is_dir() and target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{path.name}-old-", dir=out_dir))
            target.rename(retired / path.name)
            path.rename(target)
            shutil.rmtree(retired)
        else:
            os.replace(path, target)


def write_evaluation_report(
    evaluation: TenderEvaluation, out_dir: Path, generated_on: dt.date | None = None
) -> list[Path]:
    """Write report.html/.pdf, award-recommendation.html/.pdf and summaries/ into `out_dir`; return the paths."""
    on = generated_on or dt.datetime.now(tz=LONDON).date()
    return write_all_or_nothing(
        out_dir, lambda staging: write_evaluation_documents(evaluation.tender, evaluation.lots, staging, on)
    )
