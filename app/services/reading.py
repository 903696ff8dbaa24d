"""intake.read, timed by format for the metrics (the bounds live in the extraction worker)."""

from __future__ import annotations

from app.draft import Draft
from app.services import intake, telemetry
from app.services.report_store import Upload


def read(
    *, data: bytes, filename: str | None, is_json_body: bool, stated: intake.Stated | None = None
) -> tuple[Draft, Upload]:
    """The draft of the bytes, with what the caller stated beside a file over what it says."""
    with telemetry.extraction_timer() as found:
        draft, upload = intake.read(data, filename, is_json_body)
        found["media_type"] = upload.media_type
    return intake.apply_stated(draft, stated or intake.Stated()), upload
