"""Streamlit glue shared by the pages. With ``app.py`` the only code that imports streamlit; nothing here holds
business rules (those are in the services and below).

    data      settings, the cached engine, units of work, the readiness board and what pages derive from it,
              cached by data version, as-of and filters
    tables    DataFrames and labels for the pages' tables, ``plain`` for user text in Markdown
    widgets   as-of and filters kept in the URL, metrics, the welcome, import and undo
    auth      login and roles: st.secrets, st.user, the door page
"""

from dashboard.ui.auth import LOCAL_MODE_NOTE, account_sidebar, auth_configured, current_role, door, door_page
from dashboard.ui.data import (
    board,
    board_table,
    cached_board,
    data_version,
    database,
    engine,
    filter_options,
    settings,
    shown_board,
    timeline_rows,
    volume_frames,
)
from dashboard.ui.tables import (
    ITEM_LABEL,
    STATE_ICON,
    STATUS_LABEL,
    board_column_config,
    counts_frame,
    dates_line,
    history_frame,
    plain,
    preview_frame,
    problems_frame,
    summary_frame,
)
from dashboard.ui.widgets import (
    as_of_input,
    filter_inputs,
    import_files,
    keep_shared_widgets,
    last_import_message,
    status_metrics,
    undo_picker,
    welcome,
)

__all__ = [
    "ITEM_LABEL", "LOCAL_MODE_NOTE", "STATE_ICON", "STATUS_LABEL", "account_sidebar", "as_of_input",
    "auth_configured", "board", "board_column_config", "board_table", "cached_board", "counts_frame",
    "current_role", "data_version", "database", "dates_line", "door", "door_page", "engine", "filter_inputs",
    "filter_options", "history_frame", "import_files", "keep_shared_widgets", "last_import_message", "plain",
    "preview_frame", "problems_frame", "settings", "shown_board", "status_metrics", "summary_frame",
    "timeline_rows", "undo_picker", "volume_frames", "welcome",
]
