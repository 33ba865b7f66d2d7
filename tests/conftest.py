"""Shared fixtures: a fresh store per test on SQLite (a real file) and, when available, PostgreSQL.

With SCANREADY_REQUIRE_ALL=1 (CI), a test that needs PostgreSQL or Chromium fails instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session

from dashboard.db import make_engine, migrate, normalise_url

REQUIRE_ALL = os.environ.get("SCANREADY_REQUIRE_ALL") == "1"
DATA = Path(__file__).parent / "data"


def unavailable(reason: str) -> None:
    """Skip with ``reason`` on a laptop; fail on CI, where everything must run."""
    if REQUIRE_ALL:
        pytest.fail(f"SCANREADY_REQUIRE_ALL=1 but {reason}")
    pytest.skip(reason)


def postgres_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        unavailable("TEST_POSTGRES_URL is not set (no PostgreSQL server)")
    assert url
    return normalise_url(url)


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    """A URL whose connections use a fresh, empty schema (dropped afterwards)."""
    base = postgres_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty store: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """A migrated, empty store."""
    engine = make_engine(store_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def read(name: str) -> bytes:
    """A file of tests/data as bytes."""
    return (DATA / name).read_bytes()
