"""user_password from TAO's link-new-user template never reaches the store: the database files are grepped."""

from __future__ import annotations

from pathlib import Path

import zstandard
from sqlalchemy import text

from dashboard import services
from dashboard.config import Settings
from dashboard.db import make_engine, migrate, session_scope
from tests.factories import csv_bytes

PASSWORD = "Zq8-unique-Pa55word"
NEW = ("user_username", "user_name", "user_password", "user_email", "user_language", "user_active", "group_role",
       "group_name", "user_organizationId")


def test_no_password_is_stored_anywhere(tmp_path: Path, store_url: str):
    engine = make_engine(store_url)
    migrate(engine)
    rows = [dict(zip(NEW, ("ana", "Ana", PASSWORD, "ana@example.org", "en", "TRUE", "TEST_TAKER", "Class 4A", ""),
                     strict=True)),
            dict(zip(NEW, ("bo", "Bo", PASSWORD + "2", "bo@example.org", "en", "TRUE", "GRADER", "Class 4A", ""),
                     strict=True))]
    data = csv_bytes(NEW, rows)
    assert PASSWORD.encode() in data
    with session_scope(engine, write=True) as db:
        outcome = services.import_files([("link-new-user-to-groups.csv", data)], db=db, settings=Settings())
    assert outcome.import_id is not None
    assert PASSWORD not in repr(outcome.to_dict())
    # What the import keeps for undo is compressed, so grepping the files cannot see into it: read it back.
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT payload FROM import_file")).scalars().all()
    payloads = [zstandard.ZstdDecompressor().decompress(data) for data in stored]
    assert len(payloads) == 1 and b'"ana"' in payloads[0] and PASSWORD.encode() not in payloads[0]
    if store_url.startswith("sqlite"):
        engine.dispose()
        database = Path(store_url.removeprefix("sqlite:///"))
        for path in database.parent.glob(database.name + "*"):  # the file, its -wal and -shm
            assert PASSWORD.encode() not in path.read_bytes(), path
    else:
        with engine.connect() as connection:
            dump = "|".join(connection.execute(text(f"SELECT string_agg(t::text, '|') FROM {table} t")).scalar() or ""
                            for table in ("group_link", "import_file", "import_record"))
        assert "Class 4A" in dump and PASSWORD not in dump
        engine.dispose()
