"""Crash points: where a test kills the process on purpose, to prove a store is the old or the new version after a
crash at that point and never a mix of the two.

`COMMONWEAL_TEST_CRASH_AT=<name>` makes the process kill itself (SIGKILL: no clean-up runs, as in a power cut or
the kernel's OOM killer) when it reaches the crash point of that name. Only the crash-safety tests set it.
"""

from __future__ import annotations

import os
import signal

CRASH_AT = "COMMONWEAL_TEST_CRASH_AT"


def crash_point(name: str) -> None:
    if os.environ.get(CRASH_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)
