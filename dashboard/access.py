"""Who may do what: the role of a logged-in user, decided from the identity claims and the allow-list.

Pure: no streamlit, no store. ``ui`` reads ``st.user`` and ``st.secrets`` and hands them here as plain mappings.

The allow-list is the ``[scanready]`` table of ``.streamlit/secrets.toml``::

    [scanready]
    managers = ["ana@example.org"]      # import (and undo), and everything viewers see
    viewers = ["victor@example.org"]    # read only

A user is matched by their e-mail address (case-insensitive) when the provider gives one that it does not
mark unverified (``email_verified = false``), else by their ``sub`` claim (exact). Someone on both lists is a
manager. Anyone else, and everyone when the lists are missing, gets no role: the dashboard refuses them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

Role = Literal["manager", "viewer"]
ROLES: tuple[Role, ...] = ("manager", "viewer")
_LIST_FOR_ROLE: dict[Role, str] = {"manager": "managers", "viewer": "viewers"}


def identity(user_info: Mapping[str, object]) -> str | None:
    """What the allow-list is matched against: the e-mail (lower-cased), else ``sub``; None if neither."""
    email = user_info.get("email")
    if isinstance(email, str) and email.strip() and user_info.get("email_verified") is not False:
        return email.strip().lower()
    sub = user_info.get("sub")
    if isinstance(sub, str) and sub.strip():
        return sub.strip()
    return None


def _entries(value: object) -> set[str]:
    """An allow-list entry as a set of identities; a lone string counts as a list of one."""
    items: Iterable[object] = [value] if isinstance(value, str) else value if isinstance(value, list | tuple) else []
    return {item.strip() for item in items if isinstance(item, str) and item.strip()}


def _matches(who: str, entries: set[str]) -> bool:
    # E-mail addresses compare case-insensitively; subjects are opaque and compare exactly.
    return who in entries if "@" not in who else who in {entry.lower() for entry in entries}


def role_for(user_info: Mapping[str, object], allow: Mapping[str, object]) -> Role | None:
    """The role of the user described by ``user_info`` (``st.user``) under ``allow`` (``[scanready]``).

    None when the user is not logged in, has no usable identity, or is on neither list.
    """
    if user_info.get("is_logged_in") is not True:
        return None
    who = identity(user_info)
    if who is None:
        return None
    for role in ROLES:
        if _matches(who, _entries(allow.get(_LIST_FOR_ROLE[role]))):
            return role
    return None


def can_import(role: Role | None) -> bool:
    """Importing (and undoing an import) is for managers only."""
    return role == "manager"
