"""Compile throughput: `commonweal ocds compile` beside `ocdskit compile` on the same Contracts Finder-shaped file.

Target (issue 5): at least 5x ocdskit's MB/s. Each tool runs twice: as its command (interpreter start-up and
imports included), and as a library call timed after its imports (`ocdskit.combine.merge` over ijson, as the
ocdskit command does, against `commonweal.services.ocds.compile_jsonl`), each in a fresh process. Output goes to a
file and the outputs are compared byte for byte, so a speed-up never hides a difference. Wall time is what a user
waits; CPU time (user + system, of the process and its workers) is less disturbed by other load on the machine.
`commonweal ocds compile` merges in one worker process per CPU by default (ocdskit uses one core); the `--jobs 1`
rows show it on one core.

Usage: python benchmarks/ocds_compile.py [--mb 150] [--file FILE] [--jobs N] [--repeat 1]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from ocds_generate import generate  # noqa: E402

SCHEMA = HERE.parent / "src" / "commonweal" / "io" / "ocds" / "schema" / "1.1.5" / "release-schema.json"
BIN = Path(sys.executable).parent


def run(command: list[str], stdin: Path | None, stdout: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with stdout.open("wb") as out, (stdin.open("rb") if stdin else open(os.devnull, "rb")) as inp:
        subprocess.run(command, stdin=inp, stdout=out, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def inner(tool: str, source: Path, out: Path, jobs: int) -> None:
    """Run one tool as a library in this fresh process; print wall and CPU seconds after the imports."""
    if tool == "ocdskit":
        from ocdskit.combine import merge
        from ocdskit.util import ijson, json_dumps

        start, cpu = time.perf_counter(), _cpu()
        with source.open("rb") as f, out.open("w", encoding="utf-8") as sink:
            for compiled in merge(ijson.items(f, "", multiple_values=True), schema=str(SCHEMA)):
                sink.write(json_dumps(compiled) + "\n")
    else:
        from commonweal.services.ocds import compile_jsonl

        start, cpu = time.perf_counter(), _cpu()
        with out.open("wb") as sink:
            for piece in compile_jsonl(source, jobs=jobs or None):
                sink.write(piece)
    print(time.perf_counter() - start, _cpu() - cpu)


def run_inner(tool: str, source: Path, out: Path, jobs: int) -> tuple[float, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--inner", tool, "--file", str(source), "--out", str(out), "--jobs", str(jobs)],
        capture_output=True, text=True, check=True,
    )
    wall, cpu = result.stdout.split()
    return float(wall), float(cpu)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=150, help="size of the generated file (default 150 MB)")
    parser.add_argument("--file", type=Path, help="use this JSON Lines file instead of generating one")
    parser.add_argument("--jobs", type=int, default=0, help="workers for the default rows (default: one per CPU)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best is reported")
    parser.add_argument("--inner", choices=["ocdskit", "commonweal"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.inner, args.file, args.out, args.jobs)
        return

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = args.file
        if source is None:
            source = folder / "contracts-finder-shaped.jsonl"
            count = generate(source, args.mb)
            print(f"generated {count} releases in {source.stat().st_size / 1e6:.1f} MB")
        megabytes = source.stat().st_size / 1e6
        jobs = f" --jobs {args.jobs}" if args.jobs else ""
        runs = {
            "ocdskit compile --schema (peer)": ([str(BIN / "ocdskit"), "compile", "--schema", str(SCHEMA)], source),
            f"commonweal ocds compile{jobs}": (
                [str(BIN / "commonweal"), "ocds", "compile", str(source), *jobs.split()], None),
            "commonweal ocds compile --jobs 1": (
                [str(BIN / "commonweal"), "ocds", "compile", str(source), "--jobs", "1"], None),
        }
        library = {
            "ocdskit.combine.merge (peer)": ("ocdskit", 1),
            f"commonweal compile_jsonl{jobs}": ("commonweal", args.jobs),
            "commonweal compile_jsonl --jobs 1": ("commonweal", 1),
        }
        results: dict[str, tuple[float, float]] = {}
        digests = {}
        # start-up: each command on a file of two releases, so the table's command rows can be read apart from it
        tiny = folder / "two-releases.jsonl"
        tiny.write_text("".join(
            f'{{"ocid":"ocds-x-1","id":"{n}","date":"2020-01-0{n}T00:00:00Z","parties":[]}}\n' for n in (1, 2)))
        startup = {
            "ocdskit": min(run([*runs["ocdskit compile --schema (peer)"][0]], tiny, folder / "t.jsonl")[1]
                           for _ in range(3)),
            "commonweal": min(run([str(BIN / "commonweal"), "ocds", "compile", str(tiny)], None, folder / "t.jsonl")[1]
                              for _ in range(3)),
        }
        for name, (command, stdin) in runs.items():
            out = folder / f"out-{len(results)}.jsonl"
            results[name] = min((run(command, stdin, out) for _ in range(args.repeat)), key=lambda r: r[0])
            digests[name] = digest(out)
            out.unlink()
        for name, (tool, jobs) in library.items():
            out = folder / f"out-{len(results)}.jsonl"
            results[name] = min((run_inner(tool, source, out, jobs) for _ in range(args.repeat)), key=lambda r: r[0])
            digests[name] = digest(out)
            out.unlink()

    print(f"\nOCDS compile of {megabytes:.1f} MB ({os.cpu_count()} CPUs)")
    print(f"{'':<38} {'wall s':>8} {'MB/s':>8} {'x peer':>7} {'CPU s':>8} {'x peer CPU':>10}")
    for group, peer in ((runs, "ocdskit compile --schema (peer)"), (library, "ocdskit.combine.merge (peer)")):
        peer_wall, peer_cpu = results[peer]
        for name in group:
            wall, cpu = results[name]
            print(f"{name:<38} {wall:>8.2f} {megabytes / wall:>8.1f} {peer_wall / wall:>7.2f} {cpu:>8.2f} "
                  f"{peer_cpu / cpu:>10.2f}")
    print(f"\nstart-up (a 2-release file, CPU s, best of 3): ocdskit {startup['ocdskit']:.2f}, "
          f"commonweal {startup['commonweal']:.2f}")
    same = len(set(digests.values())) == 1
    print(f"\noutputs identical to ocdskit's: {'yes' if same else 'NO'}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
