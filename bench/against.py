"""Benchmark: this checkout against an earlier commit of scanready, alternately, on the same files and machine.

    .venv/bin/python bench/against.py 583857f [--repeat 7]

A figure from another day's run moves with the machine (the floors of ``bench/run.py`` have measured 0.43 s and
0.56 s for the same file); a revision against another, each command run in turn on the same files, does not. The
revision is checked out into a temporary git worktree and run with this checkout's interpreter and packages (its
own ``dashboard`` and ``models`` first on the path), each as its code runs a command: through ``dashboard.cli``'s
``main`` (``run`` when it has one), both compiled to bytecode first. Each repeat imports ``bench/run.py``'s
programme (100,000 sessions, 1,000,000 links) into a fresh SQLite store, then times ``readiness --json``; the
median and range of each side's whole-process seconds are printed, and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import generate

ROOT = Path(__file__).resolve().parent.parent
ENTRY = ("import sys; import dashboard.cli as cli; "
         "sys.exit(cli.run() if hasattr(cli, 'run') else cli.main())")  # as each revision's command runs it
STEPS = ("import sessions", "import links", "readiness --json")


def timed(source: Path, args: list[str]) -> float:
    """Whole-process seconds of ``scanready args`` as the code in ``source`` runs it."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", ENTRY, *args], cwd=source, env={"PYTHONPATH": str(source), "PATH": ""},
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def one_repeat(source: Path, store: Path, sessions: Path, links: Path) -> list[float]:
    for path in store.parent.glob(store.name + "*"):
        path.unlink()
    url = f"sqlite:///{store}"
    return [timed(source, ["import", str(sessions), "--db", url]), timed(source, ["import", str(links), "--db", url]),
            timed(source, ["readiness", "--db", url, "--as-of", "2027-03-20T00:00:00Z", "--json"])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("revision", help="the earlier commit (any git revision)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scanready-against-") as folder:
        work = Path(folder)
        earlier = work / "earlier"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(earlier), args.revision],
                       check=True)
        try:
            sides = {args.revision: earlier, "this checkout": ROOT}
            for source in sides.values():
                subprocess.run([sys.executable, "-m", "compileall", "-q", "dashboard", "models"], cwd=source,
                               check=True)
            sessions, links = generate(work, args.sessions, args.links)
            times: dict[str, list[list[float]]] = {name: [] for name in sides}
            for repeat in range(args.repeat):
                for name, source in sides.items():
                    times[name].append(one_repeat(source, work / f"{repeat}.db", sessions, links))
                    sys.stderr.write(f"repeat {repeat + 1}, {name}: {times[name][-1]}\n")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(earlier)], check=True)
    print(f"{'step':<18} {args.revision + ' s':>22} {'this checkout s':>22}  ratio  (median, min-max of "
          f"{args.repeat})")
    for i, step in enumerate(STEPS):
        cells = []
        for name in sides:
            values = [row[i] for row in times[name]]
            cells.append(f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})")
        ratio = statistics.median(row[i] for row in times["this checkout"]) / statistics.median(
            row[i] for row in times[args.revision])
        print(f"{step:<18} {cells[0]:>22} {cells[1]:>22}  {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
