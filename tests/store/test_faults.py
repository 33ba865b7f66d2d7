"""Faults and load on a real store: an import killed midway leaves the store exactly as it was; two imports at
the same time both land (or one is told to run again), nothing lost or mixed. SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from dashboard.db import make_engine, migrate
from tests.factories import LINKS, NEW_GROUPS, csv_bytes, session

CLI = [str(Path(sys.executable).with_name("scanready"))]
TABLES = ("exam_session", "group_link", "activity", "import_record", "import_file")


def fingerprint(engine: Engine) -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row of every table, in a stable order."""
    out = {}
    with engine.connect() as connection:
        for table in TABLES:
            order = "group_name, user_username, group_role" if table == "group_link" else "id"  # keyed by the link
            rows = connection.execute(text(f"SELECT * FROM {table} ORDER BY {order}")).all()
            out[table] = (len(rows), hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest())
    return out


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300)


def big_links_file(path: Path, rows: int) -> Path:
    with path.open("w") as out:
        out.write("user_username,group_name,group_role\n")
        for i in range(rows):
            out.write(f"user{i:07d},Group {i % 5000:04d},TEST_TAKER\n")
    return path


def writing_started(url: str, engine: Engine, wal: Path | None, wal_before: int) -> bool:
    """Whether the import under test has begun writing its rows (not just reading the file)."""
    if wal is not None:
        return wal.exists() and wal.stat().st_size > wal_before + 4_000_000
    with engine.connect() as connection:
        return bool(connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
            "AND (query LIKE 'COPY incoming_link%' OR query LIKE 'COPY group_link%' "
            "OR query LIKE 'INSERT INTO group_link%')")).scalar())


def test_an_import_killed_while_writing_leaves_the_store_as_it_was(store_url: str, tmp_path: Path):
    engine = make_engine(store_url)
    migrate(engine)
    (tmp_path / "s.csv").write_bytes(csv_bytes(NEW_GROUPS, [session("History 4A")]))
    assert run("import", str(tmp_path / "s.csv"), "--db", store_url).returncode == 0
    before = fingerprint(engine)
    big = big_links_file(tmp_path / "links.csv", 2_500_000)
    wal = Path(store_url.removeprefix("sqlite:///") + "-wal") if store_url.startswith("sqlite") else None
    wal_before = wal.stat().st_size if wal is not None and wal.exists() else 0
    process = subprocess.Popen([*CLI, "import", str(big), "--db", store_url], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ, "SCANREADY_MAX_ROWS": "5000000"})
    deadline = time.monotonic() + 240
    while not writing_started(store_url, engine, wal, wal_before):
        assert process.poll() is None, "the import ended before it was killed"
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    engine.dispose()
    engine = make_engine(store_url)
    assert fingerprint(engine) == before
    if wal is not None:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    (tmp_path / "more.csv").write_bytes(csv_bytes(LINKS, [{"user_username": "ana", "group_name": "Class 4A",
                                                           "group_role": "TEST_TAKER"}]))
    assert run("import", str(tmp_path / "more.csv"), "--db", store_url).returncode == 0
    engine.dispose()


def _files(tmp_path: Path, prefix: str, count: int) -> list[str]:
    sessions = tmp_path / f"{prefix}-sessions.csv"
    links = tmp_path / f"{prefix}-links.csv"
    sessions.write_bytes(csv_bytes(NEW_GROUPS, [session(f"{prefix} {i:03d}", group=f"{prefix} group {i:03d}")
                                                for i in range(count)]))
    links.write_bytes(csv_bytes(LINKS, [{"user_username": f"{prefix}.{i:03d}.{j}",
                                         "group_name": f"{prefix} group {i:03d}", "group_role": "TEST_TAKER"}
                                        for i in range(count) for j in range(40)]))
    return [str(sessions), str(links)]


@pytest.mark.parametrize("overlap", [False, True], ids=["different sessions", "the same sessions"])
def test_two_imports_at_once_both_land_or_one_is_told_to_retry(store_url: str, tmp_path: Path, overlap: bool):
    engine = make_engine(store_url)
    migrate(engine)
    first = _files(tmp_path, "A", 300)
    second = first if overlap else _files(tmp_path, "B", 300)
    processes = [subprocess.Popen([*CLI, "import", *files, "--db", store_url, "--json"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for files in (first, second)]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        results.append((process.returncode, out, err))
    codes = sorted(code for code, _, _ in results)
    for code, _, err in results:
        assert "Traceback" not in err, err
        assert code == 0 or (code == 2 and "Run it again" in err), (code, err)
    assert codes[0] == 0
    with engine.connect() as connection:
        sessions = connection.execute(text("SELECT count(*), count(DISTINCT session_name) FROM exam_session")).one()
        links = connection.execute(text("SELECT count(*) FROM group_link")).scalar()
        imports = connection.execute(text("SELECT count(*) FROM import_record")).scalar()
    expected = 300 if overlap else 600
    assert tuple(sessions) == (expected, expected)
    assert links == expected * 40
    # A refused import leaves no trace; so does one that found everything already stored (the same files twice).
    recorded = [json.loads(out)["imported"]["import_id"] for code, out, _ in results if code == 0]
    assert imports == len([ident for ident in recorded if ident is not None]) == (1 if overlap else 2)
    engine.dispose()


def test_two_browser_sessions_importing_at_once_both_land(engine: Engine, tmp_path: Path):
    """Streamlit serves each browser session in a thread of one process: the same engine, two imports at once."""
    import threading

    from dashboard import services
    from dashboard.config import Settings
    from dashboard.db import session_scope

    uploads = {prefix: [(Path(f).name, Path(f).read_bytes()) for f in _files(tmp_path, prefix, 200)]
               for prefix in ("A", "B")}
    start = threading.Barrier(2)
    outcomes: dict[str, int | None] = {}

    def browser(prefix: str) -> None:
        start.wait()
        with session_scope(engine, write=True) as db:
            outcomes[prefix] = services.import_files(uploads[prefix], db=db, settings=Settings()).import_id

    threads = [threading.Thread(target=browser, args=(prefix,)) for prefix in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["A", "B"] and None not in outcomes.values()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM exam_session")).scalar() == 400
        assert connection.execute(text("SELECT count(*) FROM group_link")).scalar() == 400 * 40
