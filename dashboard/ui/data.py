"""The store as the pages see it: settings, the cached engine, units of work, the cached readiness board and
what the pages derive from it (filtered boards, their tables, chart rows and charts), cached by data version, as-of and
filters: a rerun that changes none of them (a click on a chart, a page of the timeline) recomputes nothing. The
data version changes with every import and every undo (on any replica: it is read from the store), and is read
once per script run (``read_data_version``, called by ``app.py``), not once per cached value.

Cached values are shared between reruns and sessions as they are (resources, not copies): pages read them and
never change them."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session
from streamlit.elements import vega_charts

from dashboard import charts, report, services, store, volume
from dashboard.config import Settings, load_settings
from dashboard.db import make_engine, migrate, session_scope
from dashboard.receipt import ReceiptDay
from dashboard.services import Board, Filters, ReceiptBoard
from dashboard.ui import renderer
from dashboard.ui.tables import board_frame, with_receipts


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


_VERSION = "_data_version"  # this run's data version, in the session's state


def read_data_version() -> None:
    """Read the store's data version for this script run: every cached read of the run keys on it, so that an
    import or an undo (here or on another replica) invalidates them all, for one query per rerun."""
    with Session(engine()) as db:
        st.session_state[_VERSION] = store.data_version(db=db)


def data_version() -> store.DataVersion:
    """This run's data version (``read_data_version``); read now when the run has none yet."""
    if _VERSION not in st.session_state:
        read_data_version()
    version: store.DataVersion = st.session_state[_VERSION]
    return version


@st.cache_resource(max_entries=16, show_spinner="Checking every session…")
def cached_board(version: store.DataVersion, as_of: datetime, url: str) -> Board:
    """The readiness board, recomputed only when an import bumps ``version`` or ``as_of`` changes.

    A resource, not data: shared read-only between reruns and sessions instead of unpickled at each rerun.
    """
    with Session(_engine_for(url)) as db:
        return services.readiness_board(db=db, as_of=as_of)


def board(as_of: datetime) -> Board:
    return cached_board(data_version(), as_of, settings().database_url)


@st.cache_resource(max_entries=16, show_spinner=False)
def _options(version: store.DataVersion, as_of: datetime, url: str) -> tuple[list[str], list[str]]:
    checklists = cached_board(version, as_of, url).checklists
    return (sorted({c.session.group_name for c in checklists}),
            sorted({c.session.delivery_id for c in checklists}))


def filter_options(as_of: datetime) -> tuple[list[str], list[str]]:
    """The groups and the deliveries of the board, sorted: the filters' choices."""
    return _options(data_version(), as_of, settings().database_url)


@st.cache_resource(max_entries=16, show_spinner=False)
def _shown(version: store.DataVersion, as_of: datetime, url: str, filters: Filters) -> Board:
    return services.filter_board(cached_board(version, as_of, url), filters)


def shown_board(as_of: datetime, filters: Filters) -> Board:
    """The board's sessions that pass ``filters``."""
    return _shown(data_version(), as_of, settings().database_url, filters)


@st.cache_resource(max_entries=4, show_spinner=False)  # a table per session: the largest value kept here
def _board_table(version: store.DataVersion, as_of: datetime, url: str, filters: Filters, rows: int) -> pd.DataFrame:
    shown = _shown(version, as_of, url, filters)
    return _table(first_rows(shown, rows), _receipts(version, as_of, url, None))


def board_table(as_of: datetime, filters: Filters) -> pd.DataFrame:
    """The overview's table of the filtered board's first ``Settings.table_rows`` sessions (``tables.board_frame``,
    with the receipt's columns once scans came)."""
    return _board_table(data_version(), as_of, settings().database_url, filters, settings().table_rows)


def table_of(as_of: datetime, shown: Board) -> pd.DataFrame:
    """``board_table`` of any board (a search's results), built now: its first ``Settings.table_rows`` sessions."""
    return _table(first_rows(shown, settings().table_rows), receipt_board(as_of))


def first_rows(shown: Board, rows: int) -> Board:
    """The first ``rows`` sessions of ``shown`` (blocked first): what the overview's table holds."""
    return shown if len(shown.checklists) <= rows else Board(shown.as_of, shown.checklists[:rows],
                                                              shown.activity_imported_at)


def _table(shown: Board, receipts: ReceiptBoard | None) -> pd.DataFrame:
    frame = board_frame(shown)
    return frame if receipts is None else with_receipts(frame, shown, receipts)


@st.cache_resource(max_entries=16, show_spinner="Laying out the timeline…")
def _timeline_rows(version: store.DataVersion, as_of: datetime, url: str, filters: Filters,
                   by: charts.RowsBy) -> pd.DataFrame:
    return charts.timeline_frame(_shown(version, as_of, url, filters).checklists, by=by)


def timeline_rows(as_of: datetime, filters: Filters, by: charts.RowsBy) -> pd.DataFrame:
    """The timeline's rows of the filtered board (``charts.timeline_frame``)."""
    return _timeline_rows(data_version(), as_of, settings().database_url, filters, by)


@st.cache_resource(max_entries=16, show_spinner="Counting sheets per day…")
def _daily_series(version: store.DataVersion, as_of: datetime, url: str, filters: Filters) -> pd.DataFrame:
    return volume.daily_series(_shown(version, as_of, url, filters).checklists)


@st.cache_resource(max_entries=16, show_spinner="Counting sheets per day…")
def _volume_by_day(version: store.DataVersion, as_of: datetime, url: str, filters: Filters,
                   by: volume.StackBy) -> pd.DataFrame:
    return volume.volume_by_day(_shown(version, as_of, url, filters).checklists, by=by)


def _volume_at(version: store.DataVersion, as_of: datetime, url: str, filters: Filters, by: volume.StackBy,
               capacity: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The view's days (counted once, whatever the stacking or capacity) with those over ``capacity`` marked on a
    copy, and its sheets per day stacked ``by`` (counted once per stacking)."""
    return (volume.with_capacity(_daily_series(version, as_of, url, filters), capacity),
            _volume_by_day(version, as_of, url, filters, by))


def volume_frames(as_of: datetime, filters: Filters, by: volume.StackBy,
                  capacity: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The filtered board's sheets per day (``volume.daily_series``) and stacked by ``by``
    (``volume.volume_by_day``)."""
    return _volume_at(data_version(), as_of, settings().database_url, filters, by, capacity)


@st.cache_resource(max_entries=8, show_spinner="Counting the scans received…")
def _receipt_board(version: store.DataVersion, as_of: datetime, url: str) -> ReceiptBoard:
    with Session(_engine_for(url)) as db:
        return services.receipt_board(db=db, as_of=as_of)


@st.cache_resource(max_entries=8, show_spinner=False)
def _receipt_board_at(version: store.DataVersion, as_of: datetime, url: str, capacity: int | None) -> ReceiptBoard:
    """The receipt board at a scanning capacity, judged again from the one read at none (a new capacity reads
    nothing: at 10,000 sessions, a tenth of a second of the store each time before)."""
    board = _receipt_board(version, as_of, url)
    return board if capacity is None else services.receipt_at_capacity(board, capacity)


@st.cache_resource(max_entries=4, show_spinner=False)
def _scans_stored(version: store.DataVersion, url: str) -> bool:
    with Session(_engine_for(url)) as db:
        return store.scans_received(db=db)


def _receipts(version: store.DataVersion, as_of: datetime, url: str, capacity: int | None) -> ReceiptBoard | None:
    """The receipt board, or None while no scan was ever imported: then no page shows a receipt, so none is
    worked out (at 10,000 sessions, a tenth of a second at each new as-of)."""
    return _receipt_board_at(version, as_of, url, capacity) if _scans_stored(version, url) else None


@st.cache_resource(max_entries=16, show_spinner=False)
def _received_days(version: store.DataVersion, as_of: datetime, url: str, filters: Filters) -> list[ReceiptDay] | None:
    if not _scans_stored(version, url):
        return None
    shown = _shown(version, as_of, url, filters).checklists
    whole = len(shown) == len(cached_board(version, as_of, url).checklists)
    with Session(_engine_for(url)) as db:
        return services.received_days(db=db, checklists=shown, as_of=as_of, whole=whole)


def received_days(as_of: datetime, filters: Filters) -> list[ReceiptDay] | None:
    """The pages the filtered board's sessions received per UTC day, against their forecast
    (``services.received_days``); None while no scan was ever imported."""
    return _received_days(data_version(), as_of, settings().database_url, filters)


def receipt_board(as_of: datetime, capacity: int | None = None) -> ReceiptBoard | None:
    """Every paper session's receipt at ``as_of`` (``services.receipt_board``), with a scanner's ``capacity``; None
    while no scan was ever imported."""
    return _receipts(data_version(), as_of, settings().database_url, capacity)


@st.cache_resource(max_entries=16, show_spinner=False)
def _timeline_chart(version: store.DataVersion, as_of: datetime, url: str, filters: Filters, by: charts.RowsBy,
                    page: int, theme: charts.Theme) -> alt.LayerChart:
    rows = charts.page_of(_timeline_rows(version, as_of, url, filters, by), page)
    return charts.timeline_chart(rows, as_of=as_of, by=by, theme=theme)


def timeline_chart(as_of: datetime, filters: Filters, by: charts.RowsBy, page: int,
                   theme: charts.Theme) -> alt.LayerChart:
    """One page of the scan upload windows (``charts.timeline_chart``), kept while its rows and theme stand."""
    return _timeline_chart(data_version(), as_of, settings().database_url, filters, by, page, theme)


@contextmanager
def altair_settings() -> Iterator[None]:
    """Hold Altair's settings while a chart becomes a spec here: its data transformer and theme are settings of the
    whole process, which Streamlit switches (under this lock of its own) while it turns a page's chart into a spec.
    A chart made a spec meanwhile in another thread (another manager's run, the review's drafter) came out of it
    with its data left out or in another theme."""
    with vega_charts._altair_globals_lock:
        yield


@st.cache_resource(max_entries=16, show_spinner=False)
def _volume_shape(by: volume.StackBy, theme: charts.Theme, received: bool) -> dict[str, Any]:
    with altair_settings():
        spec: dict[str, Any] = charts.volume_shape(by=by, theme=theme, received=received).to_dict()
    return spec


def volume_spec(as_of: datetime, filters: Filters, by: volume.StackBy, capacity: int | None,
                theme: charts.Theme) -> dict[str, Any]:
    """The scan volume per day with the pages received, as the Vega-Lite spec ``st.vega_lite_chart`` draws: the
    chart's shape (``charts.volume_shape``), built once per stacking, scheme and receipt, with its data by name
    (``charts.volume_data``). A new capacity sends new data in the same spec, and the browser redraws in place."""
    version, url = data_version(), settings().database_url
    series, by_day = _volume_at(version, as_of, url, filters, by, capacity)
    received = _received_days(version, as_of, url, filters)  # the filtered sessions' pages, whatever the capacity
    data = charts.volume_data(by_day, series, capacity=capacity, received=received)
    return {**_volume_shape(by, theme, charts.RECEIVED_DATA in data), "datasets": data}


# The review's costly parts (``report.Drawn``: the timeline's SVG, every blocked and pending session) are drawn ahead
# of the download, once the charts page has drawn its own, by two threads per server (while one waits for the
# renderer's SVG, the other writes its view's sessions: with 8 managers changing their views at once, one thread
# left most of their capacity changes before their view was drawn). Once they are, the volume's
# fragment puts the file together when it runs again (its volume chart, for the capacity given: a tenth of a
# second), so that the download button holds it at the click, as a CSV's would; until then, and for views of more
# sessions than this (0.2 s of a core per view at 10,000 sessions; 18 MB of HTML at 20,000), it is built at the click.
AHEAD_SESSIONS = 20_000


@st.cache_resource(show_spinner=False)
def _drafter() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="scanready-review")


@st.cache_resource(max_entries=4, show_spinner=False)  # every blocked and pending session's section: a few views
def _drawn(version: store.DataVersion, as_of: datetime, url: str, filters: Filters) -> Future[report.Drawn]:
    shown = _shown(version, as_of, url, filters).checklists
    return _drafter().submit(report.drawn_parts, shown, _review_timeline(version, as_of, url, filters),
                             render=renderer.chart_svg)


def _review_timeline(version: store.DataVersion, as_of: datetime, url: str, filters: Filters) -> report.Timeline:
    """The review's timeline as a spec, made here (``report.drawn_parts`` then draws it with no Altair)."""
    shown = _shown(version, as_of, url, filters).checklists
    rows = _timeline_rows(version, as_of, url, filters, charts.rows_by(shown))
    with altair_settings():
        return report.timeline_of(shown, as_of, rows)


def _ahead(version: store.DataVersion, as_of: datetime, url: str, filters: Filters) -> Future[report.Drawn] | None:
    return (_drawn(version, as_of, url, filters)
            if len(_shown(version, as_of, url, filters).checklists) <= AHEAD_SESSIONS else None)


def review_ahead(as_of: datetime, filters: Filters) -> bool:
    """Start drawing the costly parts of the filtered board's review, in a thread, once per view (returns at
    once); whether they are drawn already (``review`` then takes a tenth of a second)."""
    drawn = _ahead(data_version(), as_of, settings().database_url, filters)
    return drawn is not None and drawn.done() and drawn.exception() is None


@st.cache_resource(max_entries=4, show_spinner=False)  # an HTML page of every session: a few at most
def _review(version: store.DataVersion, as_of: datetime, url: str, filters: Filters, capacity: int | None,
            scope: str | None) -> bytes:
    shown = _shown(version, as_of, url, filters)
    series, by_day = _volume_at(version, as_of, url, filters, "status", capacity)
    frames = report.Frames(_timeline_rows(version, as_of, url, filters, charts.rows_by(shown.checklists)), series,
                           by_day, lambda received: _volume_shape("status", "light", received))
    receipts = _receipts(version, as_of, url, capacity)
    ahead = _ahead(version, as_of, url, filters)
    drawn = (report.drawn_parts(shown.checklists, _review_timeline(version, as_of, url, filters),
                                render=renderer.chart_svg) if ahead is None else ahead.result())
    return services.review_report(shown, capacity=capacity, scope=scope, receipts=receipts, frames=frames,
                                  days=_received_days(version, as_of, url, filters), drawn=drawn,
                                  render=renderer.chart_svg).encode("utf-8")


def review(as_of: datetime, filters: Filters, capacity: int | None, scope: str | None) -> bytes:
    """The readiness review of the filtered board (``services.review_report``), drawn from the rows and frames the
    charts page has cached already and from the parts ``review_ahead`` started, and kept for the next download of
    the same view."""
    return _review(data_version(), as_of, settings().database_url, filters, capacity, scope)
