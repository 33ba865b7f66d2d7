"""AppTest fixtures: the real app script on a fresh SQLite file per test."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import streamlit.elements.widgets.button as st_button
from sqlalchemy import Engine
from sqlmodel import Session
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from dashboard import services
from dashboard.config import Settings
from dashboard.db import make_engine, migrate
from dashboard.example import example_files

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def store_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The SQLite file the app under test uses (through SCANREADY_DATABASE_URL)."""
    path = tmp_path / "store.db"
    monkeypatch.setenv("SCANREADY_DATABASE_URL", f"sqlite:///{path}")
    return path


@pytest.fixture
def app_engine(store_file: Path) -> Engine:
    engine = make_engine(f"sqlite:///{store_file}")
    migrate(engine)
    return engine


@pytest.fixture
def make_app(store_file: Path) -> Callable[..., AppTest]:
    """An AppTest of the whole app, opened on ``page`` (a url path) with optional query params."""

    def make(page: str = "overview", **query: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        # Pages are functions (st.Page(callable, url_path=...)); AppTest.switch_page only takes files, so
        # request the page the way the browser does: by the hash Streamlit derives from its url_path.
        at._page_hash = calc_hash(page)
        at.query_params.update(query)
        return at

    return make


EXAM_DAY = datetime(2027, 3, 16, tzinfo=UTC)
AS_OF = "2027-03-16T07:00Z"  # the example programme's exam day, as the pages' ?as_of= writes it


@pytest.fixture
def programme(app_engine: Engine) -> Engine:
    """The example programme around EXAM_DAY, imported into the app's store."""
    with Session(app_engine) as db:
        outcome = services.import_files(example_files(EXAM_DAY), db=db, settings=Settings())
        db.commit()
    assert outcome.validation.valid
    return app_engine


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Every download button's file, by file name, as the browser would get it (a deferred one generated now)."""
    files: dict[str, bytes] = {}
    original = st_button.marshall_file

    def record(coordinates: str, data: Any, proto: Any, mimetype: Any, file_name: str | None = None,
               **kwargs: Any) -> None:
        made = data() if callable(data) else data
        files[str(file_name)] = made.encode() if isinstance(made, str) else bytes(made)
        original(coordinates, data, proto, mimetype, file_name, **kwargs)

    monkeypatch.setattr(st_button, "marshall_file", record)
    return files
