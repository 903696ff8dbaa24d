"""Report files uploaded through the API: read in the bounded worker, stored with their bytes."""

from __future__ import annotations

from conftest import SEEDS

from app.services import files
from app.services.access import LOCAL

SEED_001 = "001_67e027749f67ecd0"
SEED_004 = "004_3754507d9f900802"


def _upload(client, path: str, data: bytes, filename: str = "report.txt"):
    return client.post(path, files={"file": (filename, data, "application/octet-stream")})


def test_a_text_report_is_read_stored_and_its_bytes_kept(client):
    data = (SEEDS / f"{SEED_004}.txt").read_bytes()
    response = _upload(client, "/api/v1/reports", data, "二二三团.txt")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["organ"], body["year"], body["format"]) == ("二二三团开泽镇", 2024, "2019")
    assert body["source"]["media_type"] == "text/plain" and body["source"]["filename"] == "二二三团.txt"
    assert files.read(body["source"]["sha256"]) == data
    errors = [f for f in body["validation"]["findings"] if f["severity"] == "error"]
    assert len(errors) == 4
    new_received = next(f for f in body["figures"] if f["row"] == "new_received" and f["column"] == "total")
    assert new_received["value"] == 1 and new_received["status"] == "read" and new_received["line"] > 0

    again = _upload(client, "/api/v1/reports", data, "again.txt")
    assert again.status_code == 200 and again.json()["id"] == body["id"]


def test_gb18030_and_utf16_text_read_the_same(client):
    text = (SEEDS / f"{SEED_001}.txt").read_text(encoding="utf-8")
    for encoding in ("gb18030", "utf-16"):
        body = _upload(client, "/api/v1/validate", text.encode(encoding)).json()
        assert body["organ"] == "第十师北屯市", encoding
        assert body["table2"]["fees"]["amount_10k_yuan"] == "1941.7065"
        assert body["table3"]["result.total"]["total"] == 594


def test_filename_is_reduced_to_a_harmless_name(client):
    data = (SEEDS / f"{SEED_004}.txt").read_bytes()
    body = _upload(client, "/api/v1/reports", data, "../../etc/pa\x00sswd.txt").json()
    name = body["source"]["filename"]
    assert name.endswith("sswd.txt") and "/" not in name and ".." not in name and "\x00" not in name


def test_unknown_and_empty_files(client):
    for data, status, code in (
        (b"", 422, "empty_file"),
        (b"\x00\x01\x02\x03" * 100, 415, "unsupported_type"),
        (b"just a sentence with no report in it", 422, "not_a_report"),
    ):
        response = _upload(client, "/api/v1/reports", data)
        assert response.status_code == status, (data[:10], response.text)
        assert response.json()["code"] == code
    assert client.get("/api/v1/reports").json()["total"] == 0


def test_a_figures_reading_confidence_is_stored_and_read_back(session):
    from app.extract.layout import parse
    from app.extract.text import extract_text
    from app.services import reports

    draft = parse(extract_text((SEEDS / f"{SEED_004}.txt").read_text(encoding="utf-8")))
    draft.figures[("table3", "new_received", "total")].confidence = 0.875
    data = (SEEDS / f"{SEED_004}.txt").read_bytes()
    stored, created = reports.ingest(
        session=session, draft=draft, upload=reports.Upload(data, "text/plain"), caller=LOCAL
    )
    assert created
    figure = next(f for f in stored.figures if (f.row, f.column) == ("new_received", "total"))
    assert (figure.value, figure.confidence) == (1, 0.875)
