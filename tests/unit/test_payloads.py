"""An import's payload (what its file held, for undo) reads back as written, in either format a store may hold."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

import orjson

from dashboard.store.payloads import Payload, decode, encode

MOMENT = datetime(2027, 3, 16, 8, 30, tzinfo=UTC)


def _payload() -> Payload:
    return Payload({"session_name": ["Maths 1", "Maths 2", "Ünïcode"], "scan_upload_end": [MOMENT, None, MOMENT],
                    "paper_total_interactions": [40, None, 12]},
                   fields=("session_name", "scan_upload_end"), synced=("Class 4A",),
                   removed=[("Class 4A", "ana", "TESTTAKER")])


def test_a_payload_reads_back_as_written() -> None:
    data = encode(_payload())
    assert data[:4] == b"\x28\xb5\x2f\xfd"  # a Zstandard frame
    assert decode(data) == _payload()


def test_a_payload_written_before_zstandard_reads_back_too() -> None:
    """Stores keep the zlib streams migration 0007 and the imports before this change wrote."""
    document = {"columns": {"session_name": ["Maths 1", "Maths 2", "Ünïcode"],
                            "scan_upload_end": ["2027-03-16T08:30:00+00:00", None, "2027-03-16T08:30:00+00:00"],
                            "paper_total_interactions": [40, None, 12]},
                "fields": ["session_name", "scan_upload_end"], "synced": ["Class 4A"],
                "removed": [["Class 4A", "ana", "TESTTAKER"]]}
    legacy = zlib.compress(orjson.dumps(document), 1)
    assert decode(legacy) == _payload()
    assert decode(legacy) == decode(encode(_payload()))


def test_dates_are_written_as_orjson_writes_them() -> None:
    """``encode`` hands orjson each date as its text (quicker): the JSON is byte for byte orjson's own."""
    import zstandard

    moments = [MOMENT, None, MOMENT.replace(microsecond=123_456), MOMENT, None]
    payload = Payload({"session_name": ["a", "b", "c", "d", "e"], "scan_upload_start": moments,
                       "started_at": list(reversed(moments))}, fields=("session_name", "scan_upload_start"))
    written = zstandard.ZstdDecompressor().decompress(encode(payload))
    assert written == orjson.dumps({"columns": payload.columns, "fields": payload.fields, "synced": payload.synced,
                                    "removed": payload.removed})
    assert decode(encode(payload)) == payload
