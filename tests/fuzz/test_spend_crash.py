"""Issue #15, crash consistency of the spend store: an import killed at any step leaves the store as it was (or,
once the new version is current, as the import made it), never a mix; what a killed import left is removed by
the next one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from commonweal.io.crash import CRASH_AT
from commonweal.io.spend.fast import remove_stale_temporaries
from commonweal.io.spend.store import SpendStore
from commonweal.services.spend import spend_report

COMMONWEAL = str(Path(sys.executable).parent / "commonweal")
HEADER = "Date,Supplier Name,Transaction Number,Amount\n"


def spend_file(folder: Path, name: str, amounts: list[str]) -> Path:
    path = folder / name
    path.write_text(HEADER + "".join(f"13/08/2022,Supplier {i} Ltd,{i},{a}\n" for i, a in enumerate(amounts)))
    return path


def import_(db: Path, *files: Path, crash_at: str | None = None, engine: str = "rows"
            ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != CRASH_AT}
    if crash_at:
        env[CRASH_AT] = crash_at
    return subprocess.run([COMMONWEAL, "spend", "import", *map(str, files), "--db", str(db), "--engine", engine],
                          capture_output=True, text=True, timeout=120, check=False, env=env)


def state(db: Path) -> tuple[list[str], list[str]]:
    """The store as a reader sees it: the imported files by their reports, and the Parquet files it reads."""
    store = SpendStore(db)
    return (sorted(r["file"] for r in store.reports()),
            sorted(Path(p).name for table in ("payments", "contracts") for p in _files(store, table)))


def _files(store: SpendStore, table: str) -> list[str]:
    return [str(p) for p in Path(store.dataset(table)).parent.glob("*.parquet")]


@pytest.mark.parametrize("engine", ["rows", "fast"])
def test_an_import_killed_before_the_swap_leaves_the_old_version(tmp_path: Path, engine: str) -> None:
    db = tmp_path / "db"
    first = spend_file(tmp_path, "anytown_2022-07.csv", ["5.00", "6.00"])
    assert import_(db, first, engine=engine).returncode == 0
    before = state(db)
    second = spend_file(tmp_path, "anytown_2022-08.csv", ["7.00"])
    killed = import_(db, second, crash_at="spend-store:before-swap", engine=engine)
    assert killed.returncode == -9  # SIGKILL: nothing cleaned up, as in a power cut
    assert state(db) == before
    assert [r["file"] for r in spend_report(db)["imports"]] == ["anytown_2022-07.csv"]
    assert spend_report(db)["imports"][0]["rows_loaded"] == 2
    # the next import removes what the killed one left, and completes
    left = [p for p in db.glob("version-*") if p != SpendStore(db).root]
    assert left, "the killed import's version should still be on disk"
    assert import_(db, second, engine=engine).returncode == 0
    assert not any(p.exists() for p in left)
    assert state(db)[0] == ["anytown_2022-07.csv", "anytown_2022-08.csv"]


def test_an_import_killed_after_the_swap_leaves_the_new_version(tmp_path: Path) -> None:
    db = tmp_path / "db"
    assert import_(db, spend_file(tmp_path, "anytown_2022-07.csv", ["5.00"])).returncode == 0
    killed = import_(db, spend_file(tmp_path, "anytown_2022-08.csv", ["7.00"]), crash_at="spend-store:after-swap")
    assert killed.returncode == -9
    assert state(db)[0] == ["anytown_2022-07.csv", "anytown_2022-08.csv"]
    assert {r["total_amount"] for r in spend_report(db)["imports"]} == {"5.00", "7.00"}


def test_reimporting_a_file_replaces_it(tmp_path: Path) -> None:
    db = tmp_path / "db"
    path = spend_file(tmp_path, "anytown_2022-07.csv", ["5.00"])
    for _ in range(2):
        assert import_(db, path).returncode == 0
    (report,) = (SpendStore(db).root / "reports").glob("*.json")
    assert state(db) == (["anytown_2022-07.csv"], [f"{json.loads(report.read_text())['sha256'][:16]}.parquet"])


def test_a_store_from_before_versions_is_read_and_becomes_a_version(tmp_path: Path) -> None:
    db = tmp_path / "db"
    assert import_(db, spend_file(tmp_path, "anytown_2022-07.csv", ["5.00"])).returncode == 0
    root = SpendStore(db).root
    for table in ("payments", "contracts", "reports"):  # the layout before versions: tables in the folder
        (root / table).rename(db / table)
    (db / "CURRENT").unlink()
    root.rmdir()
    assert state(db)[0] == ["anytown_2022-07.csv"]
    assert import_(db, spend_file(tmp_path, "anytown_2022-08.csv", ["7.00"])).returncode == 0
    assert state(db)[0] == ["anytown_2022-07.csv", "anytown_2022-08.csv"]
    # the old layout stays for any report still reading it, until the next import
    assert import_(db, spend_file(tmp_path, "anytown_2022-09.csv", ["8.00"])).returncode == 0
    assert not (db / "payments").exists() and not (db / "reports").exists()


def test_temporary_folders_of_killed_imports_are_removed_at_start(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    pid = int(dead.stdout)  # a process that has ended
    with tempfile.TemporaryDirectory() as folder:
        left = Path(folder) / f"commonweal-fast-{pid}-out-abc"
        mine = Path(folder) / f"commonweal-fast-{os.getpid()}-out-abc"
        for path in (left, mine):
            path.mkdir()
            (path / "rows.parquet").write_bytes(b"x")
        assert remove_stale_temporaries(Path(folder)) == [left]
        assert not left.exists() and mine.exists()
