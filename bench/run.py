"""Benchmark: scanready against the raw floor, side by side in one run, as ratios.

    python bench/run.py [--sessions 100000] [--links 1000000] [--repeat 3]      (or: make bench)

Generates the programme deterministically (seeded), then for each task runs the floor (the ``csv`` module
and ``sqlite3.executemany`` into a plain table in one transaction, index built afterwards; ``COPY`` through
psycopg on PostgreSQL) and scanready's CLI, each as a whole process (interpreter start included), and prints
the median wall time, the ratio scanready/floor and the peak RSS. PostgreSQL rows run when TEST_POSTGRES_URL
is set. Times on a shared 2-core machine are noisy: only the ratios of one run mean something.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLI = str(Path(sys.executable).with_name("scanready"))
SESSION_COLUMNS = ["session_deliveryId", "group_name", "session_name", "session_timezone", "session_startDate",
                   "session_endDate", "session_submissionDate", "session_paperMode_isEnabled",
                   "session_paperMode_sheetsPerInteraction", "session_paperMode_totalInteractions",
                   "session_paperMode_bookletFilename", "session_paperMode_scanUploadStartDate",
                   "session_paperMode_scanUploadEndDate"]


def generate(folder: Path, sessions: int, links: int) -> tuple[Path, Path]:
    """A programme of ``sessions`` paper sessions (one group each) and ``links`` enrolment links."""
    rng = random.Random(5)
    base = datetime(2027, 3, 1, 7, tzinfo=UTC)

    def iso(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    session_path, link_path = folder / "sessions.csv", folder / "links.csv"
    with session_path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(SESSION_COLUMNS)
        for i in range(sessions):
            day = base + timedelta(days=rng.randrange(60), hours=rng.randrange(8))
            writer.writerow([f"https://tao.example.org/delivery/d{i % 50}", f"Group {i:06d}", f"Session {i:06d}",
                             "Europe/Paris", iso(day), iso(day + timedelta(hours=2)), iso(day + timedelta(hours=4)),
                             "1", str(1 + i % 2), str(4 + i % 9), f"booklet-{i}", iso(day + timedelta(days=1)),
                             iso(day + timedelta(days=15))])
    per_group = max(links // sessions, 2)
    with link_path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["user_username", "group_name", "group_role"])
        written = 0
        for i in range(sessions):
            for j in range(per_group):
                if written == links:
                    break
                role = "SCAN_UPLOADER" if j == 0 and i % 7 else "TEST_TAKER"
                writer.writerow([f"user{i:06d}.{j:03d}", f"Group {i:06d}", role])
                written += 1
    return session_path, link_path


FLOOR_SQLITE = r'''
import csv, sqlite3, sys
kind, path, db = sys.argv[1:4]
con = sqlite3.connect(db)
if kind == "sessions":
    con.execute("CREATE TABLE IF NOT EXISTS s (delivery, grp, name, tz, start, end_, sub, paper, sheets, inter, "
                "booklet, scan_start, scan_end)")
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f); next(rows)
        with con:
            con.executemany("INSERT INTO s VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    con.execute("CREATE UNIQUE INDEX IF NOT EXISTS s_name ON s (name)")
elif kind == "links":
    con.execute("CREATE TABLE IF NOT EXISTS l (usr, grp, role)")
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f); next(rows)
        with con:
            con.executemany("INSERT INTO l VALUES (?,?,?)", rows)
    con.execute("CREATE INDEX IF NOT EXISTS l_grp ON l (grp, role)")
else:
    rows = con.execute("SELECT s.name, sum(l.role = 'TEST_TAKER'), sum(l.role = 'SCAN_UPLOADER') FROM s "
                       "LEFT JOIN l ON l.grp = s.grp GROUP BY s.name").fetchall()
    sys.stdout.write(str(len(rows)))
con.commit()
'''

FLOOR_POSTGRES = r'''
import sys, psycopg
kind, path, url = sys.argv[1:4]
with psycopg.connect(url) as con, con.cursor() as cur:
    if kind == "sessions":
        cur.execute("CREATE TABLE IF NOT EXISTS s (delivery text, grp text, name text, tz text, start text, "
                    "end_ text, sub text, paper text, sheets text, inter text, booklet text, scan_start text, "
                    "scan_end text)")
        table = "s"
    else:
        cur.execute("CREATE TABLE IF NOT EXISTS l (usr text, grp text, role text)")
        table = "l"
    with open(path, "rb") as f, cur.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
        while chunk := f.read(1 << 20):
            copy.write(chunk)
'''


def measure(command: list[str], repeat: int, setup: list[list[str]] | None = None) -> tuple[float, float]:
    """Median wall seconds and peak RSS (MB) of ``command`` run ``repeat`` times, each after ``setup``."""
    times, peaks = [], []
    for _ in range(repeat):
        for step in setup or []:
            subprocess.run(step, check=True, capture_output=True)
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) not in (0, 3):
            raise SystemExit(f"{command} failed: {process.stderr.read().decode() if process.stderr else ''}")
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(peaks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="scanready-bench-"))
    sessions, links = generate(work, args.sessions, args.links)
    py = sys.executable
    floor_db, ours_db = work / "floor.db", work / "ours.db"
    ours = f"sqlite:///{ours_db}"

    def rm(path: Path) -> list[str]:
        """A command deleting a SQLite file and its -wal/-shm companions."""
        code = f"import pathlib; [p.unlink() for p in pathlib.Path({str(path.parent)!r}).glob({path.name + '*'!r})]"
        return [py, "-c", code]

    floor = [py, "-c", FLOOR_SQLITE]
    rows: list[tuple[str, float, float, float, float]] = []

    def compare(task: str, floor_cmd: list[str], ours_cmd: list[str], floor_setup: list[list[str]],
                ours_setup: list[list[str]]) -> None:
        floor_s, floor_mb = measure(floor_cmd, args.repeat, floor_setup)
        ours_s, ours_mb = measure(ours_cmd, args.repeat, ours_setup)
        rows.append((task, floor_s, ours_s, ours_s / floor_s, ours_mb))
        sys.stderr.write(f"{task}: floor {floor_s:.2f} s, scanready {ours_s:.2f} s\n")

    compare(f"import {args.sessions:,} sessions (SQLite)", [*floor, "sessions", str(sessions), str(floor_db)],
            [CLI, "import", str(sessions), "--db", ours], [rm(floor_db)], [rm(ours_db)])
    compare(f"import {args.links:,} links (SQLite)", [*floor, "links", str(links), str(floor_db)],
            [CLI, "import", str(links), "--db", ours],
            [rm(floor_db), [*floor, "sessions", str(sessions), str(floor_db)]],
            [rm(ours_db), [CLI, "import", str(sessions), "--db", ours]])
    compare(f"re-import {args.links:,} links (SQLite)", [*floor, "links", str(links), str(floor_db)],
            [CLI, "import", str(links), "--db", ours], [], [])
    subprocess.run([*floor, "links", str(links), str(floor_db)], check=True)  # floor: sessions + links once
    compare("readiness --json (SQLite)", [*floor, "count", "", str(floor_db)],
            [CLI, "readiness", "--db", ours, "--as-of", "2027-03-20T00:00:00Z", "--json"], [], [])
    postgres = os.environ.get("TEST_POSTGRES_URL")
    if postgres:
        raw = postgres.replace("postgresql+psycopg://", "postgresql://")
        drop = [py, "-c", "import psycopg, sys\nwith psycopg.connect(sys.argv[1], autocommit=True) as c:\n"
                " c.execute('DROP SCHEMA public CASCADE'); c.execute('CREATE SCHEMA public')", raw]
        floor_pg = [py, "-c", FLOOR_POSTGRES]
        compare(f"import {args.sessions:,} sessions (PostgreSQL)", [*floor_pg, "sessions", str(sessions), raw],
                [CLI, "import", str(sessions), "--db", postgres], [drop], [drop])
        compare(f"import {args.links:,} links (PostgreSQL)", [*floor_pg, "links", str(links), raw],
                [CLI, "import", str(links), "--db", postgres], [drop], [drop, [CLI, "import", str(sessions),
                                                                               "--db", postgres]])
    width = max(len(r[0]) for r in rows)
    sys.stdout.write(f"{'task':<{width}}  floor s  scanready s  ratio  peak RSS MB\n")
    for task, floor_s, ours_s, ratio, mb in rows:
        sys.stdout.write(f"{task:<{width}}  {floor_s:7.2f}  {ours_s:11.2f}  {ratio:5.2f}  {mb:11.0f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
