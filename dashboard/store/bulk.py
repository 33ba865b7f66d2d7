"""Bulk paths per dialect: records given column by column go to the driver as tuples zipped from those columns
(``executemany`` on SQLite, ``COPY`` on PostgreSQL), each column's values bind-processed once per distinct value.
No dict or object per row is built on the way. Inside the caller's transaction; nothing here commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table
from sqlmodel import Session

from dashboard.memo import Memo

Columns = Mapping[str, Sequence[Any]]
"""Records column by column: ``columns[field][i]`` is record ``i``'s value of ``field``."""


def bulk_insert(db: Session, table: Table, columns: Columns, **constants: Any) -> None:
    """Insert the records of ``columns``, each also given the ``constants``, in the current transaction:
    COPY on PostgreSQL, the driver's executemany on SQLite.

    Values go through each column's own bind processing (UTC timestamps, booleans), once per distinct value:
    a programme's sessions share few moments, so 100,000 rows cost a few thousand conversions.
    """
    count = len(next(iter(columns.values()), ()))
    if not count:
        return
    connection = db.connection()
    raw = connection.connection.driver_connection
    assert raw is not None
    names = [column.name for column in table.columns if column.name in columns or column.name in constants]
    if connection.dialect.name != "postgresql":
        _insert_sqlite(raw, connection, table, names, count, columns, constants)
        return
    values: list[Sequence[Any]] = []
    for name in names:
        column = bound(connection, table, name, [constants[name]] if name in constants else columns[name])
        # COPY takes text: a timestamp's or a number's text is made once per distinct value. A column's values
        # share one type (SQLModel's string type does not say str), so its first value tells.
        if not isinstance(next((value for value in column if value is not None), ""), str):
            texts = {value: _copy_text(value) for value in set(column)}
            column = list(map(texts.__getitem__, column))
        values.append([column[0]] * count if name in constants else column)
    with raw.cursor() as cursor:
        copy_rows(cursor, f"{table.name} ({', '.join(names)})", values)


def _insert_sqlite(raw: Any, connection: Connection, table: Table, names: list[str], count: int, columns: Columns,
                   constants: Mapping[str, Any]) -> None:
    """The records through the driver's executemany. A column with one value for every record (the import's
    number, a file's template, its sessions' one time zone) is written into the statement once as a literal
    rather than bound on every row: 100,000 sessions' five such columns, 0.03 s of 0.38 s. ``count``: how many
    records ``columns`` holds."""
    placeholders, values = [], []
    for name in names:
        given = [constants[name]] if name in constants else columns[name]
        same = name in constants or (given[0] == given[-1] and given.count(given[0]) == count)
        column = bound(connection, table, name, given[:1] if same else given)
        text = _sql_literal(column[0]) if same else None
        if text is None:
            placeholders.append("?")
            values.append([column[0]] * count if same else column)
        else:
            placeholders.append(text)
    statement = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join(placeholders)})"
    raw.executemany(statement, zip(*values, strict=True) if values else ((),) * count)


def _sql_literal(value: Any) -> str | None:
    """``value`` (as the driver would receive it) as an SQLite literal: NULL, an integer, or text quoted with its
    quotes doubled (SQLite's only escape in a string literal); None for anything else, which stays bound."""
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if type(value) is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def bound(connection: Connection, table: Table, name: str, values: Sequence[Any]) -> Sequence[Any]:
    """``values`` of column ``name`` as the driver receives them (UTC timestamps, booleans), each distinct
    value processed once: a programme's sessions share few moments."""
    process = table.c[name].type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
    if process is None:
        return values
    return list(map(Memo(lambda value: None if value is None else process(value)).__getitem__, values))


def _copy_text(value: Any) -> str | None:
    """A value as COPY reads it (None stays None, for NULL)."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat() if isinstance(value, datetime) else str(value)


# COPY's text format: a backslash starts an escape, a tab ends a field, a line end ends a row; \N is NULL.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_BATCH = 50_000


def copy_rows(cursor: Any, target: str, columns: Sequence[Sequence[str | None]]) -> None:
    """COPY records given column by column (text or None) into ``target`` ("table (columns)").

    Rows are joined into COPY's text format in C (``str.join`` over zipped columns), in batches; a column
    is escaped value by value only when one of its values holds a backslash, tab or line end."""
    prepared = [_copy_column(column) for column in columns]
    count = len(prepared[0]) if prepared else 0
    with cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for start in range(0, count, _COPY_BATCH):
            rows = zip(*(column[start : start + _COPY_BATCH] for column in prepared), strict=True)
            copy.write("\n".join(map("\t".join, rows)) + "\n")


def _copy_column(column: Sequence[str | None]) -> Sequence[str]:
    """A column in COPY's text format: special characters escaped, None as \\N."""
    has_null = None in column
    texts = [value for value in column if value is not None] if has_null else column
    joined = "".join(texts)  # type: ignore[arg-type]  # no None left
    if any(special in joined for special in "\\\t\n\r"):
        escaped: dict[str | None, str] = {value: value.translate(_COPY_ESCAPES) for value in set(texts) if value}
        escaped[None], escaped[""] = "\\N", ""
        return list(map(escaped.__getitem__, column))
    if has_null:
        return ["\\N" if value is None else value for value in column]
    return column  # type: ignore[return-value]  # no None in it
