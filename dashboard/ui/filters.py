"""The as-of moment and the overview's filters: widgets seeded from the URL and written back to it, so that a view
can be shared, and carried from page to page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import streamlit as st

from dashboard import services
from dashboard.errors import ScanreadyError
from dashboard.services import Filters
from dashboard.ui.data import filter_options
from dashboard.ui.tables import STATUS_LABEL


def _query_default(key: str, parse: Callable[[list[str]], Any], default: Any, *, param: str | None = None) -> None:
    """Seed a widget's state from the URL's query string (``param``, else ``key``) the first time it appears."""
    if key not in st.session_state:
        raw = st.query_params.get_all(param or key)
        try:
            st.session_state[key] = parse(raw) if raw else default
        except (ValueError, ScanreadyError):
            st.session_state[key] = default


SHARED_KEYS = ("as_of_date", "as_of_time", "status", "group", "delivery", "starts", "closing")


def keep_shared_widgets() -> None:
    """Carry the as-of and filter widgets' values to the next page of this browser session.

    Streamlit forgets a widget's state once a run no longer shows it (the manager moved to another page);
    writing the value back under its key at the top of every run keeps it (Streamlit's documented recipe).
    """
    for key in SHARED_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def as_of_input() -> datetime:
    """Date and time inputs (UTC) for "as of", seeded from ``?as_of=`` and written back to it."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    _query_default("as_of_date", lambda v: services.parse_as_of(v[0]).date(), now.date(), param="as_of")
    _query_default("as_of_time", lambda v: services.parse_as_of(v[0]).time().replace(tzinfo=None), now.time(),
                   param="as_of")
    left, right = st.columns(2)
    day = left.date_input("As of (date, UTC)", key="as_of_date", help="See the programme as it will be that day.")
    moment = right.time_input("As of (time, UTC)", key="as_of_time", step=timedelta(hours=1))
    as_of = datetime.combine(day, moment, tzinfo=UTC)
    if abs(as_of - now) > timedelta(minutes=1):
        st.query_params["as_of"] = as_of.strftime("%Y-%m-%dT%H:%MZ")
    else:
        st.query_params.pop("as_of", None)
    return as_of


def filter_inputs(as_of: datetime) -> Filters:
    """The overview's filters over the board at ``as_of``, seeded from and written back to the query string."""
    groups, deliveries = filter_options(as_of)
    _query_default("status", list, [])
    _query_default("group", lambda v: [g for g in v if g in groups], [])
    _query_default("delivery", lambda v: [d for d in v if d in deliveries], [])
    _query_default("starts", lambda v: tuple(date.fromisoformat(d) for d in v[:2]), ())
    _query_default("closing", lambda v: int(v[0]), 0)
    top = st.columns([2, 3, 3])
    statuses = top[0].multiselect("Status", list(STATUS_LABEL), key="status", format_func=lambda s: STATUS_LABEL[s])
    chosen_groups = top[1].multiselect("Group", groups, key="group")
    chosen_deliveries = top[2].multiselect("Delivery", deliveries, key="delivery")
    bottom = st.columns([3, 2])
    starts = bottom[0].date_input("Sessions starting between", key="starts", format="YYYY-MM-DD")
    closing = bottom[1].number_input("Blocked, window closing within (days; 0 = off)", min_value=0, step=1,
                                     key="closing")
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


