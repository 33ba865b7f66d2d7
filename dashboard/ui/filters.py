"""The as-of moment (in a zone the manager picks), the overview's filters and its search: widgets seeded from the URL
and written back to it, so that a view can be shared, and carried from page to page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import streamlit as st

from dashboard import services, store
from dashboard.config import MAX_CLOSING_DAYS
from dashboard.errors import ScanreadyError
from dashboard.ingest.values import parse_whole
from dashboard.services import Board, Filters
from dashboard.ui.data import board_table, cached_board, data_version, filter_options, settings, table_of
from dashboard.ui.tables import STATUS_CHOICES, plain


def query_default(key: str, parse: Callable[[list[str]], Any], default: Any, *, param: str | None = None) -> None:
    """Seed a widget's state from the URL's query string (``param``, else ``key``) the first time it appears."""
    if key not in st.session_state:
        raw = st.query_params.get_all(param or key)
        try:
            st.session_state[key] = parse(raw) if raw else default
        except (ValueError, ScanreadyError):
            st.session_state[key] = default


# The as-of widget's range, a wall time in any zone: a day inside the range of an as-of (``services.parse_as_of``),
# so that no zone's offset takes it out.
_EARLIEST = (services.AS_OF_EARLIEST + timedelta(days=1)).replace(tzinfo=None)
_LATEST = (services.AS_OF_LATEST - timedelta(days=1)).replace(tzinfo=None)
SHARED_KEYS = ("as_of", "as_of_zone", "status", "by_name", "group", "delivery", "starts", "closing", "search")
BROWSER = "browser"  # the as-of zone choice that follows each viewer's browser (the default, not written to the URL)
_SHOWN_IN = "as_of_shown_in"  # the zone in which the as-of widget's value is written (not a widget: kept as is)
_LAST_AS_OF = "as_of_moment"  # the last run's as-of, aware: which of a repeated hour's two moments it was


def keep_shared_widgets() -> None:
    """Carry the as-of and filter widgets' values to the next page of this browser session.

    Streamlit forgets a widget's state once a run no longer shows it (the manager moved to another page);
    writing the value back under its key at the top of every run keeps it (Streamlit's documented recipe).
    """
    for key in SHARED_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _known_zone(name: str | None) -> str | None:
    """``name`` when it is a time zone this system knows, else None."""
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def zone_of(choice: str) -> str:
    """The zone a choice of the as-of zone means: the browser's (UTC when the browser does not say), or the zone."""
    return (_known_zone(st.context.timezone) or "UTC") if choice == BROWSER else choice


def _zone_choice(raw: list[str]) -> str:
    if raw[0] in (BROWSER, "UTC") or _known_zone(raw[0]):
        return raw[0]
    raise ValueError(f"unknown zone {raw[0]!r}")


def _local(moment: datetime, zone: str) -> datetime:
    """``moment`` as the as-of widget shows it: its wall time in ``zone``, without a zone, to the minute (the
    widget's precision: a URL's seconds, as the CLI prints a moment, would judge the first run alone at them)."""
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None, second=0, microsecond=0)


def as_of_input(zones: Callable[[datetime], Iterable[str | None]] = lambda _: ()) -> datetime:
    """"As of" in a zone the manager picks (the browser's, UTC, or one of ``zones(as_of)``, the sessions' zones), as
    an aware UTC datetime. The URL keeps it as ``?as_of=`` in UTC and ``&zone=`` (unless the browser's).

    One date-and-time input: Enter applies what is typed in it (a date input alone ignores Enter), and closing its
    calendar applies what is picked there.
    """
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    query_default("as_of_zone", _zone_choice, BROWSER, param="zone")
    zone = zone_of(st.session_state["as_of_zone"])
    _seed_moment(now, zone)
    left, right = st.columns([3, 2])
    # 15-minute steps: zones such as Asia/Kolkata (+05:30) or Asia/Kathmandu (+05:45) show whole UTC hours too.
    local = left.datetime_input(f"As of ({zone})", key="as_of", step=timedelta(minutes=15), format="YYYY-MM-DD",
                                min_value=_EARLIEST, max_value=_LATEST,
                                help="See the programme as it will be at that moment. Type a date and a time and "
                                     "press Enter, or pick them in the calendar and click outside it.")
    wall = local or _local(now, zone)
    as_of = wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    last = st.session_state.get(_LAST_AS_OF)
    if last is not None and last != as_of and _local(last, zone) == wall:
        # The same wall time as the last run's moment, in a zone that shows it twice (the autumn change): the
        # widget's value comes back from the browser as a plain wall time, read as its first occurrence; the
        # moment stays the one the manager (or the URL) chose.
        as_of = last
    st.session_state[_LAST_AS_OF] = as_of
    choices = [BROWSER, "UTC", *sorted({z for z in zones(as_of) if z and z != "UTC" and _known_zone(z)})]
    if st.session_state["as_of_zone"] not in choices:
        choices.append(st.session_state["as_of_zone"])  # a zone from the URL that no session has
    right.selectbox("Zone of the as-of", choices, key="as_of_zone", format_func=_zone_label,
                    help="The as-of reads in this zone; every checklist date reads in its session's own zone.")
    if abs(as_of - now) > timedelta(minutes=1):
        st.query_params["as_of"] = as_of.strftime("%Y-%m-%dT%H:%MZ")
    else:
        st.query_params.pop("as_of", None)
    if st.session_state["as_of_zone"] == BROWSER:
        st.query_params.pop("zone", None)
    else:
        st.query_params["zone"] = st.session_state["as_of_zone"]
    return as_of


def _seed_moment(now: datetime, zone: str) -> None:
    """The as-of widget's value, a wall time in ``zone``: from ``?as_of=`` (UTC) the first time, else now; when the
    zone has changed since the last run, the same moment in the new zone."""
    if "as_of" not in st.session_state:
        query_default("as_of", lambda v: _local(services.parse_as_of(v[0]), zone), _local(now, zone))
    elif st.session_state.get(_SHOWN_IN, zone) != zone and st.session_state["as_of"] is not None:
        shown_in = ZoneInfo(st.session_state[_SHOWN_IN])
        last = st.session_state.get(_LAST_AS_OF)
        st.session_state["as_of"] = _local(last or st.session_state["as_of"].replace(tzinfo=shown_in), zone)
    st.session_state[_SHOWN_IN] = zone


def as_of_zone() -> str:
    """The zone the as-of reads in (after ``as_of_input``): other moments of the page read in it too."""
    return zone_of(st.session_state.get("as_of_zone", BROWSER))


def _zone_label(choice: str) -> str:
    if choice == BROWSER:
        return f"Your browser's zone ({zone_of(BROWSER)})"
    return choice


@st.cache_resource(max_entries=4, show_spinner=False)
def _zones(version: store.DataVersion, url: str, _as_of: datetime) -> frozenset[str | None]:
    """The zones of the board's sessions: the same at every as-of, so kept per data version (``_as_of``, left out of
    the key, only says which cached board to read them from: the one the page is about to show)."""
    return frozenset(c.session.timezone for c in cached_board(version, _as_of, url).checklists)


def board_zones(as_of: datetime) -> frozenset[str | None]:
    """The zones of the board's sessions: the as-of zones the overview and the charts offer."""
    return _zones(data_version(), settings().database_url, as_of)


def as_of_params() -> dict[str, str]:
    """The as-of and its zone as the URL carries them, for a link to another page showing the same moment."""
    return {key: st.query_params[key] for key in ("as_of", "zone") if key in st.query_params}


def overview_table(as_of: datetime, filters: Filters, found: Board, positions: list[int] | None) -> pd.DataFrame:
    """The overview's table of ``found``, the filtered board's sessions at ``positions`` (None: all of them), its
    first ``Settings.table_rows`` rows: the cached ``board_table``, narrowed to ``positions`` when they all lie in
    it, else built for ``found``; its links carry the as-of's zone when one is chosen."""
    frame = board_table(as_of, filters)
    if positions is not None:
        kept = positions[:settings().table_rows]  # ascending, as the board's order
        frame = frame.iloc[kept] if not kept or kept[-1] < len(frame) else table_of(as_of, found)
    if zone := as_of_params().get("zone"):
        frame = frame.assign(session=frame["session"] + f"&zone={quote(zone, safe='')}")
    return frame


def ticked_row(key: str, rows: int) -> int | None:
    """The row ticked in the table of ``key`` at the last run (of ``rows`` rows shown), read before the table is
    drawn again: the page can act on it (open a session) without sending the table once more."""
    state = st.session_state.get(key)
    picked = state["selection"]["rows"] if state else []
    return picked[0] if picked and picked[0] < rows else None


def search_input() -> str:
    """A search box over the sessions' names, groups and deliveries, kept in the URL as ``?search=``."""
    query_default("search", lambda v: v[0], "")
    text = st.text_input("Search sessions", key="search", icon=":material/search:",
                         placeholder="Part of a session's name, group or delivery")
    if text.strip():
        st.query_params["search"] = text.strip()
    else:
        st.query_params.pop("search", None)
    return text.strip()


SESSIONS_LISTED = 100  # sessions a search lists in the Session choice of a programme beyond the choices limit


def session_choice(names: list[str]) -> str | None:
    """The Session choice of the session page: every paper session's name up to ``Settings.filter_choices`` of
    them; beyond, the session shown and the first ``SESSIONS_LISTED`` whose name contains the text of a search box
    above it (each rerun would send every name: 0.2 s of opening a session at 10,000 of them, in Chromium)."""
    current = st.session_state.get("session_name")
    if len(names) <= settings().filter_choices:
        return st.selectbox("Session", names, key="session_name", placeholder="Type part of a session's name")
    text = st.text_input("Find a session", key="session_search", icon=":material/search:",
                         placeholder=f"Part of a session's name: {len(names):,} are stored").strip()
    needle = text.casefold()
    found = [name for name in names if needle in name.casefold()] if needle else []
    listed = found[:SESSIONS_LISTED]
    if current is not None and current not in listed:
        listed.insert(0, current)
    if len(found) > SESSIONS_LISTED:
        st.caption(f"{len(found):,} sessions match “{plain(text)}”: the first {SESSIONS_LISTED} are listed, type "
                   "more of the name.")
    elif needle and not found:
        st.caption(f"No session's name contains “{plain(text)}”.")
    return st.selectbox("Session", listed, key="session_name",
                        placeholder="Find a session above, then choose it here")


def search_board(shown: Board, text: str) -> tuple[Board, list[int] | None]:
    """The sessions of ``shown`` whose name, group or delivery contains ``text`` (any case), and their positions in
    ``shown`` (None when ``text`` is empty: all of them)."""
    if not text:
        return shown, None
    needle = text.casefold()
    positions = [i for i, c in enumerate(shown.checklists)
                 if needle in c.session.session_name.casefold() or needle in c.session.group_name.casefold()
                 or needle in c.session.delivery_id.casefold()]
    return Board(shown.as_of, [shown.checklists[i] for i in positions], shown.activity_imported_at), positions


def _turned_on(column: Any, groups: list[str], deliveries: list[str]) -> bool:
    """Whether a manager has turned on the Group and Delivery filters of a programme of more than
    ``Settings.filter_choices`` of either (on from the start when the URL filters by them). Off, they filter nothing."""
    if "by_name" not in st.session_state:
        st.session_state["by_name"] = bool(st.session_state.get("group") or st.session_state.get("delivery"))
    return bool(column.toggle(
        "Filter by group or delivery", key="by_name",
        help=f"This programme has {len(groups):,} groups and {len(deliveries):,} deliveries: their lists are sent to "
             "your browser only while this is on, which slows every change a little. The search box finds a group "
             "or a delivery by part of its name."))


def filter_inputs(as_of: datetime) -> Filters:
    """The overview's filters over the board at ``as_of``, seeded from and written back to the query string."""
    groups, deliveries = filter_options(as_of)
    query_default("status", list, [])
    query_default("group", lambda v: [g for g in v if g in groups], [])
    query_default("delivery", lambda v: [d for d in v if d in deliveries], [])
    query_default("starts", lambda v: tuple(date.fromisoformat(d) for d in v[:2]), ())
    query_default("closing", lambda v: parse_whole(v[0], minimum=0, maximum=MAX_CLOSING_DAYS), 0)
    top = st.columns([2, 3, 3])
    statuses = top[0].multiselect("Status", list(STATUS_CHOICES), key="status")
    chosen_groups: list[str] = []
    chosen_deliveries: list[str] = []
    many = max(len(groups), len(deliveries)) > settings().filter_choices
    if not many or _turned_on(top[1], groups, deliveries):
        where = (top[1], top[2]) if not many else st.columns(2)  # beyond the limit: a row of their own, under it
        chosen_groups = where[0].multiselect("Group", groups, key="group")
        chosen_deliveries = where[1].multiselect("Delivery", deliveries, key="delivery")
    bottom = st.columns([3, 2])
    starts = bottom[0].date_input("Sessions starting between", key="starts", format="YYYY-MM-DD",
                                  help="Each session's start date in its own time zone, as its page shows it.")
    closing = bottom[1].number_input("Blocked, window closing within (days; 0 = off)", min_value=0,
                                     max_value=MAX_CLOSING_DAYS, step=1, key="closing")
    values = {"status": statuses, "group": chosen_groups, "delivery": chosen_deliveries,
              "starts": [d.isoformat() for d in starts] if isinstance(starts, tuple) else [],
              "closing": [str(closing)] if closing else []}
    for key, value in values.items():
        if value:
            st.query_params[key] = value
        else:
            st.query_params.pop(key, None)
    range_: list[date] = list(starts) if isinstance(starts, tuple) else []
    return Filters(tuple(statuses), tuple(chosen_groups), tuple(chosen_deliveries),
                   range_[0] if range_ else None, range_[1] if len(range_) > 1 else None,
                   int(closing) or None)


