"""Settings: where the store lives and the limits of an upload, from flags, environment or defaults.

Precedence: an explicit value (the CLI's ``--db``) over ``SCANREADY_*`` environment variables over
the defaults. Imports nothing of scanready.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./data/scanready.db"
# The limits of an upload, the defaults of the settings below (and of ``ingest.parse_file``).
MAX_FIELD_LENGTH = 10_000
MAX_ROWS = 2_000_000
MAX_FILE_MB = 200
OFFLOAD_MB = 5
TABLE_ROWS = 10_000
FILTER_CHOICES = 1_000
# The largest numbers a manager can give: a scanner's capacity (sheets a day, the CLI's --capacity and the charts
# page) and "blocked, window closing within" (days, the overview). Beyond them no chart, date or table holds.
MAX_CAPACITY = 10_000_000
MAX_CLOSING_DAYS = 3_660


class Settings(BaseSettings):
    """Everything scanready can be told from outside."""

    model_config = SettingsConfigDict(env_prefix="SCANREADY_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # A field longer than this is an error at its line and column (corrupt or pasted by mistake).
    max_field_length: int = MAX_FIELD_LENGTH
    # Rows per file; beyond it the file is refused rather than half-read.
    max_rows: int = MAX_ROWS
    # Megabytes per file, for the upload widget and the CLI (which refuses a bigger file before reading it,
    # rather than swapping); keep server.maxUploadSize in .streamlit/config.toml at least as large.
    max_file_mb: int = MAX_FILE_MB
    # An upload larger than this (MB, all files together) is validated and imported by the page in a worker
    # process, so that the dashboard stays responsive for everyone meanwhile; smaller ones in the page itself.
    offload_mb: float = OFFLOAD_MB
    # The most rows the overview's table sends to the browser (the first ones, blocked first); the filters, the
    # search and the CSV download reach the others. A grid of hundreds of thousands of rows takes a minute to build
    # and to send, and nobody scrolls through it.
    table_rows: int = TABLE_ROWS
    # Beyond this many groups (or deliveries), the Group and Delivery filters are sent to the browser only once a
    # manager turns them on, and beyond this many sessions the session page lists those a search finds: every rerun
    # sends every choice (0.2 s of each rerun with 10,000 names, in Chromium).
    filter_choices: int = FILTER_CHOICES


def load_settings(database_url: str | None = None) -> Settings:
    """Settings from the environment, with ``database_url`` overriding it when given."""
    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings
