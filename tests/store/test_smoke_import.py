from datetime import UTC, datetime

from dashboard import services
from dashboard.config import Settings
from models import ExamSession
from tests.factories import stored_session

HEADER = ("session_deliveryId,group_name,session_name,session_timezone,session_startDate,session_endDate,"
          "session_submissionDate,session_paperMode_isEnabled,session_paperMode_sheetsPerInteraction,"
          "session_paperMode_totalInteractions,session_paperMode_bookletFilename,"
          "session_paperMode_scanUploadStartDate,session_paperMode_scanUploadEndDate")
ROW = ("d1,Class 4A,History 4A,Europe/Brussels,2028-06-12T09:00:00+02:00,2028-06-12T10:00:00Z,"
       "2028-06-12T11:00:00Z,1,2,6,history,2028-06-13T06:00:00.000Z,2028-06-27T18:00:00.000Z")



def test_import_stores_utc_aware_dates(db):
    data = f"{HEADER}\n{ROW}\n".encode()
    outcome = services.import_files([("s.csv", data)], db=db, settings=Settings(), now=datetime(2028, 1, 1, tzinfo=UTC))
    db.commit()
    assert outcome.counts.to_dict() == {"created": 1, "updated": 0, "unchanged": 0, "removed": 0}
    stored = stored_session(db, "History 4A")
    assert isinstance(stored, ExamSession)
    assert stored.start_date == datetime(2028, 6, 12, 7, 0, tzinfo=UTC)
    assert stored.start_date.utcoffset().total_seconds() == 0
    again = services.import_files([("s.csv", data)], db=db, settings=Settings())
    assert again.counts.to_dict() == {"created": 0, "updated": 0, "unchanged": 1, "removed": 0}
