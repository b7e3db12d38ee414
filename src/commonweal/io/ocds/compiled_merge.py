"""The OCDS merge (`commonweal.domain.ocds.merge`) compiled with mypyc, when set-up has built it from the source as
it is now; otherwise the module itself.

`scripts/setup.sh` runs `scripts/build_merge.py`, which compiles a copy of `merge.py` named after the SHA-256 of
the merge sources (`merge_<hash>`) into `build/mypyc/` (gitignored). `merge_module` loads a build only under the
name of the sources as they are now, so an edited `merge.py` runs as plain Python until set-up builds it again: a
stale build is never used. It is one piece of logic compiled, not a second implementation, and it makes a compile
about a fifth faster (docs/ocds.md, Benchmark).
"""

from __future__ import annotations

import hashlib
import sys
from functools import cache
from importlib.machinery import EXTENSION_SUFFIXES
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path
from types import ModuleType

from commonweal.domain.ocds import merge, merge_nodes

# The repository's build/ folder (src/commonweal/io/ocds/ -> the repository); absent from an installed wheel.
BUILD_DIR = Path(__file__).resolve().parents[4] / "build" / "mypyc"
# `merge` compiled uses `merge_nodes` as it is: a change to either needs a new build.
SOURCES = (Path(merge.__file__), Path(merge_nodes.__file__))


def compiled_name(sources: bytes) -> str:
    """The module name a build of these sources carries."""
    return "merge_" + hashlib.sha256(sources).hexdigest()[:16]


def source_bytes() -> bytes:
    return b"".join(path.read_bytes() for path in SOURCES)


def load(sources: bytes, build_dir: Path) -> ModuleType:
    """The build of exactly these sources in `build_dir`, or the plain `merge` module when there is none."""
    name = compiled_name(sources)
    for suffix in EXTENSION_SUFFIXES:
        path = build_dir / f"{name}{suffix}"
        if path.is_file():
            spec = spec_from_file_location(name, path)
            assert spec is not None and spec.loader is not None
            module = module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
            return module
    return merge


@cache
def merge_module() -> ModuleType:
    """The merge module to use: compiled when built for the current sources. Take every name (`MergeRules`,
    `compile_release`, `MergeConflict`, ...) from it, as the compiled functions accept only their own classes."""
    return load(source_bytes(), BUILD_DIR)
