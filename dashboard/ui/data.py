"""The store as the pages see it: settings, the cached engine, units of work, the cached readiness board."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session

from dashboard import services, store
from dashboard.config import Settings, load_settings
from dashboard.db import make_engine, migrate, session_scope
from dashboard.services import Board


def settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner="Opening the store…")
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    return engine


def engine() -> Engine:
    """The store's engine (migrated once per URL and process)."""
    return _engine_for(settings().database_url)


@contextmanager
def database(*, write: bool = False) -> Iterator[Session]:
    """A unit of work on the store: committed at the end of the block, rolled back on error."""
    with session_scope(engine(), write=write) as db:
        yield db


def data_version() -> int:
    """Bumped by every import; cached reads take it as an argument so an import invalidates them."""
    with Session(engine()) as db:
        return store.data_version(db=db)


@st.cache_resource(max_entries=16, show_spinner="Checking every session…")
def cached_board(version: int, as_of: datetime, url: str) -> Board:
    """The readiness board, recomputed only when an import bumps ``version`` or ``as_of`` changes.

    A resource, not data: shared read-only between reruns and sessions instead of unpickled at each rerun.
    """
    with Session(_engine_for(url)) as db:
        return services.readiness_board(db=db, as_of=as_of)


def board(as_of: datetime) -> Board:
    return cached_board(data_version(), as_of, settings().database_url)
