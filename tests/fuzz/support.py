"""Shared tools for the fuzz suite: run one reader on one hostile input in a forked child with a CPU-time and
memory cap, and report how it ended (loaded, refused with InputError, crashed, or out of time/memory).

`COMMONWEAL_FUZZ_EXAMPLES` raises hypothesis's examples per property for a longer run (docs/input-limits.md).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import resource
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

from commonweal.io.errors import InputError

# the shipped examples and fixtures the fuzz tests start from
ROOT = Path(__file__).resolve().parents[2]
TENDER = ROOT / "examples" / "home-care-tender"
CONTRACT = ROOT / "examples" / "contracts" / "healthy-home-care"
SUPPLIERS = ROOT / "examples" / "suppliers"
SOCIAL = ROOT / "examples" / "socialvalue"
IXBRL = ROOT / "tests" / "fixtures" / "ixbrl" / "hollybrook-care-2024.html"
AS_OF = dt.date(2026, 6, 30)

EXAMPLES = int(os.environ.get("COMMONWEAL_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=2000, suppress_health_check=[HealthCheck.too_slow],
                derandomize=EXAMPLES <= 40)
SECONDS = 5  # each hostile case must end within this CPU time
WALL_SECONDS = 20  # ... and this wall time (generous: the CI machine may be shared)
MEMORY = 1_500_000_000  # ... and this much more address space than the test process has (bytes)


@dataclass(frozen=True)
class Outcome:
    kind: str  # loaded | refused | crashed | timeout | died
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail[:2000]}"


def _address_space() -> int:
    """This process's virtual size now (Linux): a forked child starts with all of the test process's mappings."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _child(call: Callable[..., Any], args: tuple[Any, ...], send: Any) -> None:
    # the cap bounds what the reader may add: the child inherits the whole test process's address space, which grows
    # with every library the suite has imported before this test (a fixed cap failed order-dependently)
    limit = _address_space() + MEMORY
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (SECONDS, SECONDS + 1))
    try:
        result = call(*args)
        send.send(Outcome("loaded", repr(result)[:500]))
    except InputError as exc:
        send.send(Outcome("refused", str(exc)))
    except BaseException:
        send.send(Outcome("crashed", traceback.format_exc()))


def bounded(call: Callable[..., Any], *args: Any) -> Outcome:
    """Run `call(*args)` in a forked child limited to SECONDS of CPU time and MEMORY bytes."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(call, args, send))
    child.start()
    try:
        if receive.poll(WALL_SECONDS):
            try:
                return receive.recv()  # type: ignore[no-any-return]
            except EOFError:
                return Outcome("died", f"exit code {child.exitcode}")
        return Outcome("timeout", f"still running after {WALL_SECONDS} s")
    finally:
        child.kill()
        child.join()


def refused(outcome: Outcome, *fragments: str) -> str:
    """Assert the input was refused with a clear error holding every fragment; return the message."""
    assert outcome.kind == "refused", str(outcome)
    for fragment in fragments:
        assert fragment in outcome.detail, f"{fragment!r} not in {outcome.detail!r}"
    return outcome.detail


def never_crashes(call: Callable[..., Any], *args: Any) -> str:
    """In-process (for hypothesis): the reader either loads or raises InputError, nothing else."""
    try:
        call(*args)
    except InputError as exc:
        assert exc.problems, "an InputError names its problems"
        return "refused"
    return "loaded"
