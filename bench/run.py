"""Benchmark: scanready against the raw floor, side by side in one run, as ratios.

    python bench/run.py [--sessions 100000] [--links 1000000] [--repeat 3]      (or: make bench)

Generates the programme deterministically (seeded), then for each task runs the floor (the ``csv`` module
and ``sqlite3.executemany`` into a plain table in one transaction, index built afterwards; on PostgreSQL
the same csv rows sent through psycopg's ``COPY``, and, as a second floor, the file's bytes copied as they
are) and scanready's CLI, each as a whole process (interpreter start included), and prints
the median wall time, the ratio scanready/floor, the ratio of the work above start-up and the peak RSS. Each
comparison runs its commands in turn (floor, scanready, their start-ups; then again), so that the machine's drift
weighs on both sides of its ratios. The work
ratio is (scanready - its start-up) / (floor - a bare interpreter): scanready's start-up is ``readiness --json`` on
an empty store (the interpreter, SQLAlchemy, SQLModel and the tables loaded, the store opened: what every command
pays before its first row, the design card's price), a bare interpreter ``python -c pass``; on the receipt's row,
whose floor is ``readiness --json``, both sides lose scanready's start-up. PostgreSQL rows run when
TEST_POSTGRES_URL is set (their start-up is measured on an empty PostgreSQL store). Below the table: the start-up
against ``python -c "import sqlmodel"`` (the issue's target: at most 1.6x), and the charts page (on the whole
programme, its data parts timed alone in the same run) and the overview page (on --overview-sessions sessions) in
Streamlit's AppTest, first run and rerun; ``scanready report`` against ``readiness --json`` on a small store of
--report-sessions sessions, beside the least a review drawn by Altair and vl-convert takes (import Altair, draw the
report's two specs, made beforehand by its own code, with vl-convert; nothing else).
Times on a shared 2-core machine are noisy: only the ratios of one run mean something.
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


def generate_scans(folder: Path, sessions: int, batches: int) -> Path:
    """A scanning centre's log of ``batches`` batches spread over the ``sessions`` sessions of ``generate``."""
    rng = random.Random(7)
    base = datetime(2027, 3, 2, 7, tzinfo=UTC)
    path = folder / "scans.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["session_name", "pages", "received_at", "batch_id"])
        for n in range(batches):
            moment = base + timedelta(days=rng.randrange(70), hours=rng.randrange(10))
            writer.writerow([f"Session {n % sessions:06d}", rng.randint(1, 40), moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                             f"b{n // sessions}"])
    return path


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
import csv, sys, psycopg
kind, path, url, mode = sys.argv[1:5]
columns = {"sessions": "delivery text, grp text, name text, tz text, start text, end_ text, sub text, paper text, "
                       "sheets text, inter text, booklet text, scan_start text, scan_end text",
           "links": "usr text, grp text, role text"}[kind]
table = "s" if kind == "sessions" else "l"
with psycopg.connect(url) as con, con.cursor() as cur:
    cur.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
    if mode == "rows":  # as the SQLite floor: the csv module's rows, sent by COPY; the index built afterwards
        with open(path, newline="", encoding="utf-8") as f, cur.copy(f"COPY {table} FROM STDIN") as copy:
            rows = csv.reader(f); next(rows)
            for row in rows:
                copy.write_row(row)
        cur.execute("CREATE UNIQUE INDEX ON s (name)" if kind == "sessions" else "CREATE INDEX ON l (grp, role)")
    else:  # the file's bytes as they are, parsed by the server alone, no index
        with open(path, "rb") as f, cur.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            while chunk := f.read(1 << 20):
                copy.write(chunk)
'''


PAGE = r'''
import statistics, sys, time
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
app, page, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
at = AppTest.from_file(app, default_timeout=300)
at._page_hash = calc_hash(page)  # the page, as the browser asks for it
start = time.perf_counter()
at.run()
first = time.perf_counter() - start
assert not at.exception, at.exception
times = []
for _ in range(repeat):
    start = time.perf_counter()
    at.run()
    times.append(time.perf_counter() - start)
print(f"{first:.3f} {statistics.median(times):.3f} {len(at.dataframe)}")
'''


# The data the charts page's first run computes, as it computes it (ui/data.py), timed after the imports: the
# board at the page's default as-of (now), the timeline's rows as the page lays them out, the volume's two frames.
PARTS = r'''
import statistics, sys, time
from datetime import UTC, datetime
from sqlmodel import Session
from dashboard import charts, services, volume
from dashboard.db import make_engine
engine = make_engine(sys.argv[1])
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    with Session(engine) as db:
        checklists = services.readiness_board(db=db, as_of=datetime.now(UTC)).checklists
    charts.timeline_frame(checklists, by=charts.rows_by(checklists))
    volume.daily_series(checklists, capacity=None), volume.volume_by_day(checklists, by="status")
    times.append(time.perf_counter() - start)
print(f"{statistics.median(times):.3f}")
'''


# The review's two chart specs, made by the report's own code on the store at argv[1] as of argv[3], written as JSON
# to argv[2] with the Vega-Lite version vl-convert reads them as.
REPORT_SPECS = r'''
import json, sys
from dashboard import report, services
from dashboard.db import make_engine, session_scope
specs = []
def keep(chart, prefix):
    specs.append(chart if isinstance(chart, dict) else chart.to_dict())
    return "<svg/>"
with session_scope(make_engine(sys.argv[1])) as db:
    board = services.readiness_board(db=db, as_of=services.parse_as_of(sys.argv[3]))
services.review_report(board, render=keep)
json.dump({"version": report.vl_version(), "specs": specs}, open(sys.argv[2], "w"))
'''
# The least a review drawn by Altair and vl-convert can take: import Altair (the design card's chart library) and
# draw those two specs, already made, with vl-convert; no store, no pandas, no HTML.
DRAWING_ONLY = r'''
import json, sys
import altair
import vl_convert
made = json.load(open(sys.argv[1]))
for spec in made["specs"]:
    vl_convert.vegalite_to_svg(spec, vl_version=made["version"])
'''


def data_parts(url: str, repeat: int) -> float:
    """Median seconds of the charts page's data parts (``PARTS``) on the store at ``url``."""
    done = subprocess.run([sys.executable, "-c", PARTS, url, str(repeat)], check=True, capture_output=True, text=True)
    return float(done.stdout)


def page_rerun(url: str, page: str, repeat: int) -> tuple[float, float]:
    """Seconds of ``page``'s first run and of a rerun (median), in AppTest, on the store at ``url``."""
    app = str(HERE.parent / "dashboard" / "app.py")
    done = subprocess.run([sys.executable, "-c", PAGE, app, page, str(repeat)], check=True, capture_output=True,
                          text=True, env={**os.environ, "SCANREADY_DATABASE_URL": url})
    first, rerun, tables = done.stdout.split()
    if int(tables) < 1:
        raise SystemExit(f"the {page} page showed no table")
    return float(first), float(rerun)


def overview_rerun(work: Path, sessions: int, links: int, repeat: int) -> tuple[float, float]:
    """The overview page's first run and rerun (``page_rerun``) on a store of ``sessions`` sessions and
    ``links`` links."""
    folder = work / "overview"
    folder.mkdir()
    session_file, link_file = generate(folder, sessions, links)
    url = f"sqlite:///{folder / 'store.db'}"
    for path in (session_file, link_file):
        subprocess.run([CLI, "import", str(path), "--db", url], check=True, capture_output=True)
    return page_rerun(url, "overview", repeat)


Run = tuple[list[str], list[list[str]]]  # a command, and the commands run before each of its runs (not timed)


def alternate(runs: list[Run], repeat: int) -> list[tuple[float, float]]:
    """Median wall seconds and peak RSS (MB) of each command, run ``repeat`` times in turn (the first, the second,
    ..., then the first again), each after its setup: a drift of the machine's speed during the run weighs on every
    side of a ratio alike, not on one side measured minutes apart from the other."""
    times: list[list[float]] = [[] for _ in runs]
    peaks: list[list[float]] = [[] for _ in runs]
    for _ in range(repeat):
        for i, (command, setup) in enumerate(runs):
            for step in setup:
                subprocess.run(step, check=True, capture_output=True)
            start = time.perf_counter()
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(process.pid, 0)
            times[i].append(time.perf_counter() - start)
            if os.waitstatus_to_exitcode(status) not in (0, 3):
                raise SystemExit(f"{command} failed: {process.stderr.read().decode() if process.stderr else ''}")
            peaks[i].append(usage.ru_maxrss / 1024)
    return [(statistics.median(t), max(p)) for t, p in zip(times, peaks, strict=True)]


def measure(command: list[str], repeat: int, setup: list[list[str]] | None = None) -> tuple[float, float]:
    """Median wall seconds and peak RSS (MB) of ``command`` run ``repeat`` times, each after ``setup``."""
    return alternate([(command, setup or [])], repeat)[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--overview-sessions", type=int, default=10_000)
    parser.add_argument("--batches", type=int, default=1_000_000, help="scan batches for the receipt")
    parser.add_argument("--report-sessions", type=int, default=5, help="sessions of the report's small store")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scanready-bench-") as folder:  # 330 MB of files and stores at full size
        return run(args, Path(folder))


def run(args: argparse.Namespace, work: Path) -> int:
    """Every comparison, in ``work``; the table and the lines below it on stdout, progress on stderr."""
    sessions, links = generate(work, args.sessions, args.links)
    py = sys.executable
    floor_db, ours_db = work / "floor.db", work / "ours.db"
    ours = f"sqlite:///{ours_db}"

    def rm(path: Path) -> list[str]:
        """A command deleting a SQLite file and its -wal/-shm companions."""
        code = f"import pathlib; [p.unlink() for p in pathlib.Path({str(path.parent)!r}).glob({path.name + '*'!r})]"
        return [py, "-c", code]

    floor = [py, "-c", FLOOR_SQLITE]
    # What every command pays before any row: the interpreter, SQLAlchemy, SQLModel and the tables, opening the
    # store (readiness on an empty store). Each comparison measures its sides' start-ups in turn with its runs.
    empty = f"sqlite:///{work / 'empty.db'}"
    subprocess.run([CLI, "migrate", "--db", empty], check=True, capture_output=True)
    start_ups: dict[str, list[str]] = {"bare": [py, "-c", "pass"],
                                       "sqlite": [CLI, "readiness", "--db", empty, "--json"]}
    start_up: dict[str, float] = {}  # a start-up measured once (PostgreSQL's: its store is emptied by the tasks)
    # task, floor s, scanready s, peak RSS MB, and each side's start-up measured beside them (s)
    rows: list[tuple[str, float, float, float, float, float]] = []

    def compare(task: str, floor_cmd: list[str], ours_cmd: list[str], floor_setup: list[list[str]],
                ours_setup: list[list[str]], floor_start: str = "bare", ours_start: str = "sqlite") -> None:
        kinds = list(dict.fromkeys(kind for kind in (floor_start, ours_start) if kind in start_ups))
        measured = alternate([(floor_cmd, floor_setup), (ours_cmd, ours_setup),
                              *((start_ups[kind], []) for kind in kinds)], args.repeat)
        (floor_s, _), (ours_s, ours_mb) = measured[:2]
        starts = {**start_up, **{kind: seconds for kind, (seconds, _) in zip(kinds, measured[2:], strict=True)}}
        rows.append((task, floor_s, ours_s, ours_mb, starts[floor_start], starts[ours_start]))
        sys.stderr.write(f"{task}: floor {floor_s:.2f} s, scanready {ours_s:.2f} s\n")

    compare(f"import {args.sessions:,} sessions (SQLite)", [*floor, "sessions", str(sessions), str(floor_db)],
            [CLI, "import", str(sessions), "--db", ours], [rm(floor_db)], [rm(ours_db)])
    compare(f"import {args.links:,} links (SQLite)", [*floor, "links", str(links), str(floor_db)],
            [CLI, "import", str(links), "--db", ours],
            [rm(floor_db), [*floor, "sessions", str(sessions), str(floor_db)]],
            [rm(ours_db), [CLI, "import", str(sessions), "--db", ours]])
    # The floor's table has no unique index: each run starts from sessions and the links loaded once, so it
    # holds the same rows as scanready's store (which a re-import leaves as it was).
    floor_loaded = [rm(floor_db), [*floor, "sessions", str(sessions), str(floor_db)],
                    [*floor, "links", str(links), str(floor_db)]]
    compare(f"re-import {args.links:,} links (SQLite)", [*floor, "links", str(links), str(floor_db)],
            [CLI, "import", str(links), "--db", ours], floor_loaded, [])
    for step in floor_loaded:  # the readiness floor counts over sessions and the links, once
        subprocess.run(step, check=True)
    readiness = [CLI, "readiness", "--db", ours, "--as-of", "2027-03-20T00:00:00Z", "--json"]
    compare("readiness --json (SQLite)", [*floor, "count", "", str(floor_db)], readiness, [], [])
    # The receipt of the same programme once the scanning centre's log is in, against readiness in the same run
    # (the "floor" column is readiness --json on the store with the batches).
    scans = generate_scans(work, args.sessions, args.batches)
    subprocess.run([CLI, "import", str(scans), "--db", ours], check=True, capture_output=True)
    compare(f"receipt --json, {args.batches:,} batches (SQLite; floor: readiness --json)", readiness,
            [CLI, "receipt", "--db", ours, "--as-of", "2027-03-20T00:00:00Z", "--json"], [], [], "sqlite")
    # The charts page on the whole programme: every rerun (a click, a capacity) reuses the cached rows.
    charts_first, charts_rerun = page_rerun(ours, "charts", args.repeat)
    charts_parts = data_parts(ours, args.repeat)
    # The review report against readiness on a small store (what a manager runs on a few sessions).
    small_folder = work / "small"
    small_folder.mkdir()
    small = f"sqlite:///{small_folder / 'small.db'}"
    for path in generate(small_folder, args.report_sessions, args.report_sessions * 30):
        subprocess.run([CLI, "import", str(path), "--db", small], check=True, capture_output=True)
    at = ["--as-of", "2027-03-20T00:00:00Z"]
    specs = small_folder / "specs.json"
    subprocess.run([py, "-c", REPORT_SPECS, small, str(specs), at[1]], check=True, capture_output=True)
    (small_readiness, _), (small_report, _), (drawing_only, _) = alternate(
        [([CLI, "readiness", "--db", small, *at, "--json"], []),
         ([CLI, "report", "--db", small, *at, "--output", str(small_folder / "review.html")], []),
         ([py, "-c", DRAWING_ONLY, str(specs)], [])], args.repeat)
    # The start-up against the design card's own import, in turn.
    (fixed, _), (sqlmodel_s, _), (bare_s, _) = alternate(
        [(start_ups["sqlite"], []), ([py, "-c", "import sqlmodel"], []), (start_ups["bare"], [])], args.repeat)
    postgres = os.environ.get("TEST_POSTGRES_URL")
    if postgres:
        raw = postgres.replace("postgresql+psycopg://", "postgresql://")
        drop = [py, "-c", "import psycopg, sys\nwith psycopg.connect(sys.argv[1], autocommit=True) as c:\n"
                " c.execute('DROP SCHEMA public CASCADE'); c.execute('CREATE SCHEMA public')", raw]
        floor_pg = [py, "-c", FLOOR_POSTGRES]
        subprocess.run(drop, check=True, capture_output=True)
        subprocess.run([CLI, "migrate", "--db", postgres], check=True, capture_output=True)
        start_up["postgres"], _ = measure([CLI, "readiness", "--db", postgres, "--json"], args.repeat)
        for kind, path, setup in (("sessions", sessions, [drop]),
                                  ("links", links, [drop, [CLI, "import", str(sessions), "--db", postgres]])):
            count = args.sessions if kind == "sessions" else args.links
            task = f"import {count:,} {kind} (PostgreSQL)"
            compare(task, [*floor_pg, kind, str(path), raw, "rows"], [CLI, "import", str(path), "--db", postgres],
                    [drop], setup, ours_start="postgres")
            bare, _ = measure([*floor_pg, kind, str(path), raw, "bytes"], args.repeat, [drop])
            rows.append(("  same, against a bare COPY of the file's bytes", bare, *rows[-1][2:]))
    width = max(len(r[0]) for r in rows)
    sys.stdout.write(f"{'task':<{width}}  floor s  scanready s  ratio  work ratio  peak RSS MB\n")
    for task, floor_s, ours_s, mb, floor_start, ours_start in rows:
        work_ratio = (ours_s - ours_start) / max(floor_s - floor_start, 1e-3)
        sys.stdout.write(f"{task:<{width}}  {floor_s:7.2f}  {ours_s:11.2f}  {ours_s / floor_s:5.2f}  "
                         f"{work_ratio:10.2f}  {mb:11.0f}\n")
    sys.stdout.write(f"\nstart-up of a command (readiness --json on an empty store): {fixed:.2f} s, "
                     f"{fixed / sqlmodel_s:.2f}x python -c \"import sqlmodel\" ({sqlmodel_s:.2f} s; target ≤ 1.6x); "
                     f"a bare interpreter {bare_s:.2f} s"
                     + (f"; on PostgreSQL {start_up['postgres']:.2f} s" if "postgres" in start_up else "") + "\n")
    sys.stdout.write(f"\ncharts page, {args.sessions:,} sessions / {args.links:,} links (AppTest): "
                     f"first run {charts_first:.2f} s, rerun {charts_rerun:.2f} s (median of {args.repeat}); its data "
                     f"parts (board, timeline rows, volume frames) {charts_parts:.2f} s: the first run is "
                     f"{charts_first / charts_parts:.2f}x them (target ≤ 2x)\n")
    sys.stdout.write(f"\nreport on {args.report_sessions:,} sessions: {small_report:.2f} s, readiness --json "
                     f"{small_readiness:.2f} s on the same store: {small_report / small_readiness:.2f}x "
                     f"(target ≤ 2x); importing Altair and drawing the review's two charts with vl-convert, nothing "
                     f"else: {drawing_only:.2f} s, {drawing_only / small_readiness:.2f}x readiness\n")
    first, rerun = overview_rerun(work, args.overview_sessions, args.links, args.repeat)
    sys.stdout.write(f"\noverview page, {args.overview_sessions:,} sessions / {args.links:,} links (AppTest): "
                     f"first run {first:.2f} s, rerun {rerun:.2f} s (median of {args.repeat}; target ≤ 1 s)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
