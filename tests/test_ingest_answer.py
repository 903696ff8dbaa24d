"""Storing a report answers with what was stored without reading it back: the answer is exactly
what GET returns afterwards, for every kind of input, on both databases."""

from __future__ import annotations

import copy
import json
import shutil
from decimal import Decimal

import pytest
from conftest import SEEDS, seed_report_json
from fixtures import documents, html_page, reports

from app.draft import Figure, Status
from app.services import bulk, intake
from app.services import reports as service
from app.services.access import LOCAL
from app.services.present import public_value
from app.services.scope import NATIONAL

SEED_000 = "000_b5dc321a53ba7bbe"
SEED_001 = "001_67e027749f67ecd0"
SEED_004 = "004_3754507d9f900802"


def _same_as_stored(client, response) -> dict:
    assert response.status_code == 201, response.text
    body = response.json()
    assert body == client.get(f"/api/v1/reports/{body['id']}").json()
    return body


def test_json_reports_answer_as_stored(client):
    _same_as_stored(client, client.post("/api/v1/reports", json=seed_report_json(SEED_001)))
    money = seed_report_json(SEED_000)
    money["table2"]["fees"]["amount_10k_yuan"] = "12.50000000"  # more places than are kept
    money["region_code"] = "659005"  # given, not resolved from the name
    body = _same_as_stored(client, client.post("/api/v1/reports", json=money))
    assert body["table2"]["fees"]["amount_10k_yuan"] == "12.5" and body["region_code"] == "659005000000"


def test_versions_and_cross_year_findings_answer_as_stored(client):
    before = seed_report_json(SEED_001)
    before["year"] -= 1
    _same_as_stored(client, client.post("/api/v1/reports", json=before))
    first = _same_as_stored(client, client.post("/api/v1/reports", json=seed_report_json(SEED_001)))
    assert any(f["rule"].startswith("YEAR-") for f in first["validation"]["findings"])
    fixed = copy.deepcopy(seed_report_json(SEED_001))
    fixed["table3"]["result.total"].update({"natural_person": 82, "other_org": 215, "total": 297})
    second = _same_as_stored(client, client.post("/api/v1/reports", json=fixed))
    assert (second["version"], second["is_latest"]) == (2, True)
    assert client.get(f"/api/v1/reports/{first['id']}").json()["is_latest"] is False


def test_files_answer_as_stored_with_their_provenance(client):
    text = (SEEDS / f"{SEED_004}.txt").read_bytes()
    body = _same_as_stored(
        client,
        client.post(
            "/api/v1/reports",
            files={"file": ("二二三团.txt", text, "text/plain")},
            data={"published_on": "2025-01-20"},
        ),
    )
    assert body["published_on"] == "2025-01-20" and body["figures"][0]["line"] is not None
    docx = copy.deepcopy(reports.REPORT_2021)
    docx["organ"] = "答复核对县第一局"
    uploads = [
        ("report.docx", documents._report_docx(docx)),
        ("page.html", html_page.html_portal()),
    ]
    if shutil.which("soffice"):
        uploads.append(("report.pdf", documents.pdf_2021()))
    for name, data in uploads:
        body = _same_as_stored(client, client.post("/api/v1/reports", files={"file": (name, data)}))
        assert body["source"]["filename"] == name and body["source"]["size"] == len(data)


def test_the_same_content_again_is_answered_from_the_store(client):
    report = seed_report_json(SEED_000)
    first = _same_as_stored(client, client.post("/api/v1/reports", json=report))
    again = client.post("/api/v1/reports", json=report)
    assert again.status_code == 200 and again.json() == first


def test_figures_are_answered_as_the_columns_keep_them(session):
    """Money read as a whole number, more places than the column keeps, candidates, confidence."""
    draft, upload = intake.json_report(json.dumps(seed_report_json(SEED_001)).encode())
    draft.figures[("table2", "fees", "amount_10k_yuan")] = Figure(5, raw="5", page=1, line=3)
    draft.figures[("table3", "new_received", "natural_person")] = Figure(
        None, Status.AMBIGUOUS, raw="640020470", page=2, line=14, candidates=[64, Decimal("6.40")]
    )
    draft.figures[("table3", "new_received", "total")] = Figure(
        Decimal("12"), Status.OCR, raw="12", confidence=0.8123456789
    )
    answer, created = service.ingest(session=session, draft=draft, upload=upload, caller=LOCAL)
    stored = service.get(session=session, report_id=answer.id, within=NATIONAL)  # type: ignore[arg-type]
    assert created and answer.model_dump() == stored.model_dump()
    assert answer.table2["fees"]["amount_10k_yuan"] == "5"


@pytest.mark.parametrize("places", ["1941.7065", "0.1234564", "7.0000005"])
def test_money_past_the_kept_places_is_answered_rounded_as_stored(session, places):
    draft, upload = intake.json_report(json.dumps(seed_report_json(SEED_001) | {"organ": places}).encode())
    draft.figures[("table2", "fees", "amount_10k_yuan")] = Figure(Decimal(places))
    [outcome] = bulk.ingest(session=session, items=[bulk.prepare(draft, upload)], caller=LOCAL)
    stored = service.get(session=session, report_id=outcome.report_id, within=NATIONAL)
    as_stored = service.as_stored(draft, None, session.get_bind().dialect)
    expected = as_stored.figures[("table2", "fees", "amount_10k_yuan")].value
    assert stored.table2["fees"]["amount_10k_yuan"] == public_value(expected)
