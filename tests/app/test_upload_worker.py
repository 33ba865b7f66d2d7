"""A large upload is validated and imported in a worker process (here every upload is "large": the threshold is
set to 0), with the same verdict, the same import, and only a preview of its records kept by the page."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from models import ExamSession, ImportFile
from tests.factories import NEW_GROUPS, csv_bytes, session

MANY = csv_bytes(NEW_GROUPS, [session(f"History {i:03d}", group=f"Class {i:03d}") for i in range(300)])


@pytest.fixture
def offloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCANREADY_OFFLOAD_MB", "0")


def count(engine, table) -> int:
    with Session(engine) as db:
        return int(db.scalar(select(func.count()).select_from(table)) or 0)


def test_a_large_upload_is_checked_and_imported_by_the_worker(make_app, app_engine, offloaded):
    at = make_app("import").run()
    at.file_uploader[0].set_value([("many.csv", MANY, "text/csv")]).run()
    assert not at.exception
    assert [s.value for s in at.success] == ["All 1 file(s) are valid."]
    validation = at.session_state["verdict"][1]
    assert validation.reports[0].rows == 300 and validation.reports[0].count == 100  # a preview, not every record
    next(b for b in at.button if b.label == "Import").click().run()
    assert not at.exception
    assert "Imported: 300 sessions created." in [s.value for s in at.success]
    assert (count(app_engine, ExamSession), count(app_engine, ImportFile)) == (300, 1)
    assert multiprocessing.active_children() == []  # each worker ends with its task: no idle process holds memory


def test_a_bad_line_found_by_the_worker_is_shown_at_its_line(make_app, offloaded):
    bad = MANY.replace(b"History 150,", b",", 1)
    at = make_app("import").run()
    at.file_uploader[0].set_value([("bad.csv", bad, "text/csv")]).run()
    assert not at.exception
    problems = at.dataframe[1].value
    assert problems[["line", "column"]].to_dict("records") == [{"line": 152, "column": "session_name"}]
