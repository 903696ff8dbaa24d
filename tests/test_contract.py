"""The OpenAPI document as integrators use it: valid, every operation named on its route, enums
and problems typed, files as their own operations, and a signature made from its words alone."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
import time
import uuid
from urllib.parse import parse_qsl, quote, urlencode

import openpyxl
import pytest
from conftest import SEEDS, seed_report_json
from fastapi.routing import APIRoute
from openapi_spec_validator import validate

from app.main import create_app
from app.routes.access import PUBLIC_PATHS
from app.services import access

CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
SPEC = create_app().openapi()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _operations(spec: dict) -> list[tuple[str, str, dict]]:
    return [(path, method, op) for path, ops in spec["paths"].items() for method, op in ops.items()]


def test_the_document_is_valid_openapi():
    validate(SPEC)
    assert [server["url"] for server in SPEC["servers"]] == ["/", "http://127.0.0.1:8000"]


def test_every_route_names_its_operation_explicitly_in_camel_case():
    """An id FastAPI would make up (`create_report_api_v1_reports_post`) becomes a generated
    function's name; so every route in the document sets `operation_id=` itself."""
    routes = [r for r in create_app().routes if isinstance(r, APIRoute) and r.include_in_schema]
    unnamed = [f"{sorted(r.methods)} {r.path}" for r in routes if not r.operation_id]
    assert unnamed == []
    assert [r.operation_id for r in routes if not CAMEL.match(r.operation_id or "")] == []
    ids = [op["operationId"] for _, _, op in _operations(SPEC)]
    assert len(ids) == len(set(ids))
    assert all(CAMEL.match(i) for i in ids), [i for i in ids if not CAMEL.match(i)]
    assert SPEC["paths"]["/api/v1/reports"]["post"]["operationId"] == "createReport"
    assert SPEC["paths"]["/gov/v1/reports"]["post"]["operationId"] == "govCreateReport"
    assert SPEC["paths"]["/api/v1/aggregates.csv"]["get"]["operationId"] == "getAggregatesCsv"


def test_every_tag_is_declared_with_a_description():
    declared = [tag["name"] for tag in SPEC["tags"]]
    assert all(tag["description"] for tag in SPEC["tags"])
    used = {tag for _, _, op in _operations(SPEC) for tag in op["tags"]}
    assert used <= set(declared), used - set(declared)
    assert declared[:2] == ["reports", "batches"]


def _ref(schema: dict) -> str | None:
    refs = [schema.get("$ref")] + [s.get("$ref") for s in schema.get("anyOf", [])]
    return next((r.rsplit("/", 1)[1] for r in refs if r), None)


def test_enums_are_shared_and_named():
    schemas = SPEC["components"]["schemas"]
    for name, schema in schemas.items():
        if "enum" in schema:
            assert len(schema["x-enum-varnames"]) == len(schema["enum"]), name
    params = {p["name"]: p["schema"] for p in SPEC["paths"]["/api/v1/aggregates"]["get"]["parameters"]}
    assert {name: _ref(params[name]) for name in ("group_by", "tree", "region_level", "scope")} == {
        "group_by": "GroupBy",
        "tree": "Tree",
        "region_level": "RegionLevel",
        "scope": "AggregateScope",
    }
    assert "format" not in params  # the files have their own paths
    assert schemas["GroupBy"]["enum"] == ["", "region", "year", "region,year", "year,region"]
    for model in ("ReportPublic", "ReportSummary", "ReportMeta"):
        properties = schemas[model]["properties"]
        assert (_ref(properties["format"]), _ref(properties["scope"])) == ("Format", "Scope"), model
    assert _ref(schemas["AggregateResult"]["properties"]["tree"]) == "Tree"
    assert _ref(schemas["RegionPublic"]["properties"]["level"]) == "RegionLevel"
    assert schemas["Format"]["x-enum-varnames"] == ["F2021", "F2019"]


def test_problem_errors_are_typed_and_request_fields_have_no_null_default():
    schemas = SPEC["components"]["schemas"]
    errors = schemas["Problem"]["properties"]["errors"]["anyOf"][0]
    # a field of a request, or a row of an uploaded 名录 (invalid_registry)
    assert errors["items"] == {
        "anyOf": [{"$ref": "#/components/schemas/FieldError"}, {"$ref": "#/components/schemas/RowError"}]
    }
    assert set(schemas["FieldError"]["required"]) == {"path", "message"}
    assert set(schemas["RowError"]["required"]) == {"line", "detail"}
    meta = schemas["ReportMeta"]
    optional = [name for name in meta["properties"] if name not in meta["required"]]
    assert "region_code" in optional and "published_on" in optional
    assert "narrative" in optional
    assert [name for name in optional if "default" in meta["properties"][name]] == []


def test_downloads_are_their_own_operations_typed_as_text_or_binary():
    paths = SPEC["paths"]
    for name in ("aggregates", "coverage"):
        assert list(paths[f"/api/v1/{name}"]["get"]["responses"]["200"]["content"]) == ["application/json"]
        text = paths[f"/api/v1/{name}.csv"]["get"]["responses"]["200"]["content"]
        assert text == {"text/csv": {"schema": {"type": "string"}}}
        binary = paths[f"/api/v1/{name}.xlsx"]["get"]["responses"]["200"]["content"]
        assert list(binary) == [XLSX, "application/octet-stream"]
        assert all(c["schema"] == {"type": "string", "format": "binary"} for c in binary.values())


def test_the_security_schemes_say_how_to_sign():
    schemes = SPEC["components"]["securitySchemes"]
    assert {(s.get("in"), s.get("name")) for s in schemes.values() if s["type"] == "apiKey"} == {
        ("header", "X-App-Key"),
        ("header", "X-Timestamp"),
        ("header", "X-Nonce"),
        ("header", "X-Signature"),
    }
    recipe = schemes["appKey"]["description"]
    for words in ("HMAC-SHA256", "SHA-256", "300 秒", "\\n", "parse_qsl", "e3b0c442"):
        assert words in recipe
    both = [{"bearerKey": []}, {"appKey": [], "appTimestamp": [], "appNonce": [], "appSignature": []}]
    assert {"/healthz", "/metrics"} <= PUBLIC_PATHS
    for path, _, op in _operations(SPEC):
        public = path.replace("/gov/v1/", "/api/v1/", 1) in PUBLIC_PATHS
        assert op.get("security") == (None if public else both), path


def _sign(secret: str, method: str, path: str, query: str, body: bytes) -> dict[str, str]:
    """Written from the appKey scheme's description in the document, not from the server's code."""
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex
    lines = [
        method.upper(),
        path,
        urlencode(sorted(parse_qsl(query, keep_blank_values=True))),
        timestamp,
        nonce,
        hashlib.sha256(body).hexdigest(),
    ]
    signature = hmac.new(secret.encode(), "\n".join(lines).encode(), hashlib.sha256).hexdigest()
    return {"X-Timestamp": timestamp, "X-Nonce": nonce, "X-Signature": signature}


def test_a_request_signed_from_the_document_alone_is_accepted(client, session):
    new = access.create_key(session=session, name="政务服务平台", scopes=["submit", "read"], signing=True)
    session.commit()
    app_key, secret = new.key.prefix, new.key.signing_secret
    body = json.dumps(seed_report_json("001_67e027749f67ecd0"), ensure_ascii=False).encode()
    headers = {"X-App-Key": app_key, "content-type": "application/json"}

    signed = _sign(secret, "POST", "/api/v1/reports", "", body)
    stored = client.post("/api/v1/reports", content=body, headers=headers | signed)
    assert stored.status_code == 201, stored.text
    # A query in no particular order, with a name to percent-encode.
    query = f"year=2024&organ={quote('第十师北屯市')}&limit=5"
    signed = _sign(secret, "GET", "/api/v1/reports", query, b"")
    listed = client.get(f"/api/v1/reports?{query}", headers={"X-App-Key": app_key} | signed)
    assert listed.status_code == 200, listed.text
    assert [item["id"] for item in listed.json()["items"]] == [stored.json()["id"]]


def test_a_file_part_without_a_filename_is_the_file(client):
    data = (SEEDS / "004_3754507d9f900802.txt").read_bytes()
    checked = client.post(
        "/api/v1/validate", files={"file": (None, data)}, data={"published_on": "2025-01-20"}
    )
    assert checked.status_code == 200, checked.text
    body = checked.json()
    assert (body["organ"], body["year"], body["published_on"]) == ("二二三团开泽镇", 2024, "2025-01-20")
    stored = client.post("/api/v1/reports", files={"file": (None, data)})
    assert stored.status_code == 201 and stored.json()["table3"] == body["table3"]
    assert stored.json()["source"] | {"sha256": None} == {
        "filename": None,
        "sha256": None,
        "media_type": "text/plain",
        "size": len(data),
    }
    batch = client.post("/api/v1/batches", files=[("files", (None, data)), ("files", ("b.txt", data))])
    assert batch.status_code == 202, batch.text
    assert [f["filename"] for f in batch.json()["files"]][1] == "b.txt"
    assert len(batch.json()["files"]) == 2
    # what is not a file part is still refused as before
    missing = client.post("/api/v1/reports", data={"published_on": "2025-01-20"}, files={"other": ("x", b"")})
    assert missing.status_code == 422 and missing.json()["code"] == "missing_file"


@pytest.fixture
def seeded(client):
    for name in ("001_67e027749f67ecd0", "004_3754507d9f900802"):
        assert client.post("/api/v1/reports", json=seed_report_json(name)).status_code == 201
    return client


def test_files_by_path_and_by_format_are_the_same(seeded):
    params = {"figures": "table3.new_received.total", "group_by": "year"}
    by_path = seeded.get("/api/v1/aggregates.csv", params=params)
    assert by_path.headers["content-type"] == "text/csv; charset=utf-8"
    assert by_path.headers["content-disposition"] == 'attachment; filename="aggregates.csv"'
    assert by_path.content == seeded.get("/api/v1/aggregates", params=params | {"format": "csv"}).content
    rows = list(csv.reader(io.StringIO(by_path.content.decode("utf-8-sig"))))
    assert rows[1][:2] == ["year", "reports"]  # the codes under the Chinese headings
    assert rows[2][:2] == ["2024", "2"] and "298" in rows[2]

    sheet = seeded.get("/api/v1/aggregates.xlsx", params=params)
    assert sheet.headers["content-type"] == XLSX
    cells = list(openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert [("" if c is None else str(c)) for c in cells[2]] == rows[2]
    octets = seeded.get(
        "/api/v1/aggregates.xlsx", params=params, headers={"Accept": "application/octet-stream"}
    )
    assert octets.headers["content-type"] == "application/octet-stream" and octets.content[:2] == b"PK"

    coverage = seeded.get("/api/v1/coverage.csv", params={"year": 2024})
    assert coverage.headers["content-disposition"] == 'attachment; filename="coverage-2024.csv"'
    assert coverage.content == seeded.get("/api/v1/coverage", params={"year": 2024, "format": "csv"}).content
    assert "第十师北屯市" in coverage.content.decode("utf-8-sig")
    xlsx = seeded.get("/api/v1/coverage.xlsx", params={"year": 2024})
    assert xlsx.headers["content-type"] == XLSX and xlsx.content[:2] == b"PK"
    # A caller's mistake is a problem, whichever path
    wrong = seeded.get("/api/v1/aggregates.csv", params={"figures": "table9.x"})
    assert wrong.status_code == 422 and wrong.headers["content-type"] == "application/problem+json"
