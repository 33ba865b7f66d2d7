"""Streamlit glue shared by the pages. With ``app.py`` the only code that imports streamlit; nothing here holds
business rules (those are in the services and below).

    data         settings, the cached engine, units of work, the readiness board and what pages derive from it
                 (tables, chart rows, charts, the review), cached by data version, as-of and filters
    tables       DataFrames and labels for the pages' tables, ``plain`` for user text in Markdown
    filters      the as-of (in a zone the manager picks), the overview's filters and search, kept in the URL and
                 from page to page
    imports      the import page: an upload's options, the verdict, the import, the history and its undo
    charts_page  the charts page's sections: the upload windows and the scan volume
    receipts     the scans received on the overview and the session page
    sessions     a session's checklist, on the session page and at a glance under the overview's table
    widgets      metrics, activity's freshness, the welcome, the last import's message and the way to the
                 overview, known errors shown
    auth         login and roles: st.secrets, st.user, the door page
"""

from dashboard.ui.auth import LOCAL_MODE_NOTE, account_sidebar, auth_configured, current_role, door, door_page
from dashboard.ui.charts_page import capacity_input, timeline_section, volume_and_review, volume_section
from dashboard.ui.data import (
    board,
    board_table,
    cached_board,
    data_version,
    database,
    engine,
    filter_options,
    read_data_version,
    receipt_board,
    review,
    review_ahead,
    settings,
    shown_board,
    timeline_chart,
    timeline_rows,
    volume_frames,
    volume_spec,
)
from dashboard.ui.filters import (
    as_of_input,
    as_of_params,
    as_of_zone,
    board_zones,
    filter_inputs,
    keep_shared_widgets,
    overview_table,
    search_board,
    search_input,
    session_choice,
    ticked_row,
)
from dashboard.ui.imports import (
    history,
    import_and_rerun,
    option_widgets,
    show_verdict,
    upload_options,
    verdict,
)
from dashboard.ui.receipts import by_receipt, receipt_filter, receipt_metrics, session_receipt
from dashboard.ui.sessions import checklist_card, session_glance
from dashboard.ui.tables import (
    STATE_ICON,
    STATUS_CHOICES,
    STATUS_ICON,
    board_column_config,
    counts_frame,
    dates_line,
    plain,
)
from dashboard.ui.widgets import (
    activity_freshness,
    known_errors,
    last_import_message,
    overview_link,
    status_metrics,
    welcome,
)

__all__ = [
    "LOCAL_MODE_NOTE", "STATE_ICON", "STATUS_ICON", "STATUS_CHOICES", "account_sidebar", "activity_freshness",
    "as_of_input", "as_of_params", "as_of_zone", "auth_configured", "board", "board_column_config", "board_table",
    "board_zones", "by_receipt", "cached_board", "capacity_input", "checklist_card", "counts_frame", "current_role",
    "data_version", "database", "dates_line", "door", "door_page", "engine", "filter_inputs", "filter_options",
    "history", "import_and_rerun", "keep_shared_widgets", "known_errors", "last_import_message", "option_widgets",
    "overview_link", "overview_table", "plain", "read_data_version", "receipt_board", "receipt_filter",
    "receipt_metrics", "review", "review_ahead", "search_board", "search_input", "session_choice", "session_glance",
    "session_receipt", "settings", "show_verdict", "shown_board", "status_metrics", "ticked_row", "timeline_chart",
    "timeline_rows", "timeline_section", "upload_options", "verdict", "volume_and_review", "volume_frames",
    "volume_section", "volume_spec", "welcome",
]
