"""Compile the OCDS merge with mypyc into build/mypyc/ (run by scripts/setup.sh; see commonweal.io.ocds.compiled_merge).

The build is a copy of src/commonweal/domain/ocds/merge.py named after the hash of the merge sources, so it is
used only while they are unchanged. Nothing is done when that build exists; older builds are removed.
Usage: .venv/bin/python scripts/build_merge.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from commonweal.io.ocds.compiled_merge import BUILD_DIR, SOURCES, compiled_name, merge_module, source_bytes

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    name = compiled_name(source_bytes())
    if merge_module().__name__ == name:
        print(f"build_merge: {name} is up to date")
        return
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copyfile(SOURCES[0], Path(tmp) / f"{name}.py")  # merge.py
        # run where no project config applies (its Django plugin and file list are for type-checking the repo)
        env = {**os.environ, "MYPYPATH": str(REPO / "src")}
        subprocess.run([sys.executable, "-m", "mypyc", f"{name}.py"], cwd=tmp, env=env, check=True,  # noqa: S603
                       stdout=subprocess.DEVNULL)
        (built,) = [path for path in Path(tmp).iterdir() if path.name.endswith(tuple(EXTENSION_SUFFIXES))]
        BUILD_DIR.mkdir(parents=True, exist_ok=True)
        for old in BUILD_DIR.glob("merge_*"):
            old.unlink()
        shutil.move(built, BUILD_DIR / built.name)
    print(f"build_merge: compiled {name} into {BUILD_DIR}")


if __name__ == "__main__":
    main()
