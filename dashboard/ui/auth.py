"""Login and roles: st.secrets, st.user and the widgets (the rule itself is dashboard.access.role_for)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from dashboard.access import Role, identity, role_for
from dashboard.ui.tables import plain

LOCAL_MODE_NOTE = "Local mode: no login; everyone who can reach this address can import."


def auth_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` has an ``[auth]`` section: then everyone must log in."""
    return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)


def current_role() -> Role | None:
    """"manager" in local mode (no ``[auth]``); else the allow-list's answer for ``st.user``, None for no entry."""
    if not auth_configured():
        return "manager"
    allow = st.secrets.get("scanready", {})
    return role_for(st.user.to_dict(), allow if isinstance(allow, Mapping) else {})


def account_sidebar(role: Role | None) -> None:
    """Say in the sidebar who is using the dashboard (with Log out), or that it runs without login."""
    if not auth_configured():
        st.sidebar.info(LOCAL_MODE_NOTE, icon=":material/lock_open:")
    elif role is not None:
        who = identity(st.user.to_dict()) or "unknown"
        st.sidebar.caption(f"Logged in as **{plain(who)}** ({role})")
        st.sidebar.button("Log out", on_click=st.logout, icon=":material/logout:", key="logout")


def door() -> None:
    """The only page for someone not let in: a Log in button, or a polite refusal and a Log out button."""
    user = st.user.to_dict()
    if user.get("is_logged_in") is not True:
        st.title("scanready")
        st.write("This dashboard holds exam-session data. Log in with your organisation's account to open it.")
        st.button("Log in", type="primary", on_click=st.login, icon=":material/login:", key="login")
        return
    st.title("No access")
    who = identity(user) or "this account"
    st.warning(f"Sorry, **{plain(who)}** is not on this dashboard's list of managers and viewers. If you need "
               "access, ask a programme manager to add your e-mail address.", icon=":material/block:")
    st.button("Log out", on_click=st.logout, icon=":material/logout:", key="logout-refused")


def door_page() -> Any:
    """The navigation of someone not let in: the door alone (a request for any other page lands here)."""
    if st.user.to_dict().get("is_logged_in") is True:
        return st.Page(door, title="No access", icon=":material/block:", url_path="login", default=True)
    return st.Page(door, title="Log in", icon=":material/login:", url_path="login", default=True)
