"""Region scope for people and keys: every read shows only what lies in scope, a write outside
it is 403 `out_of_scope` and stores nothing. On both databases, over the five seeds."""

from __future__ import annotations

import csv
import io

import pytest
from conftest import seed_names, seed_report_json
from people import csrf_header, make_user, sign_in
from sqlmodel import func, select

from app.models.tables import Report
from app.services import access

SEED_000 = "000_b5dc321a53ba7bbe"  # 第四师可克达拉市六十七团
SEED_001 = "001_67e027749f67ecd0"  # 第十师北屯市
SEED_002 = "002_3de73757d3cdff2d"  # 昌吉市阿什里乡
SEED_003 = "003_15b7e0ad82ac5c7e"  # 可克达拉经开区 (第四师)
FOURTH = "659008"  # 第四师可克达拉市


@pytest.fixture
def seeded(client, session) -> dict[str, int]:
    """The five seeds stored while nobody exists yet (the local newcomer); their ids by organ."""
    ids = {}
    for name in seed_names():
        answer = client.post("/api/v1/reports", json=seed_report_json(name))
        assert answer.status_code == 201
        ids[answer.json()["organ"]] = answer.json()["id"]
    return ids


def _count(session) -> int:
    return session.exec(select(func.count()).select_from(Report)).one()


def test_a_supervisor_of_the_fourth_division_sees_only_its_reports(client, session, seeded):
    make_user(session, "sup4", "supervisor", region=FOURTH)
    sign_in(client, "sup4")
    listed = client.get("/api/v1/reports").json()
    assert sorted(item["organ"] for item in listed["items"]) == ["可克达拉经开区", "第四师可克达拉市六十七团"]
    assert listed["total"] == 2
    table = client.get("/reports").text.split("<tbody>", 1)[1]
    assert "可克达拉经开区" in table and "北屯" not in table and "阿什里" not in table

    # a report out of scope is not there at all, word for word like one that never existed
    beitun = client.get(f"/api/v1/reports/{seeded['第十师北屯市']}")
    missing = client.get("/api/v1/reports/999999")
    assert beitun.status_code == missing.status_code == 404
    assert beitun.json()["detail"].replace(str(seeded["第十师北屯市"]), "N") == missing.json()[
        "detail"
    ].replace("999999", "N")
    assert client.get(f"/api/v1/reports/{seeded['第十师北屯市']}/validation").status_code == 404
    assert client.get(f"/reports/{seeded['第十师北屯市']}").status_code == 404
    assert client.get(f"/api/v1/reports/{seeded['可克达拉经开区']}").status_code == 200

    # sums: by division in the XPCC tree, only 第四师 is there
    sums = client.get(
        "/api/v1/aggregates",
        params={"figures": "table3.new_received.total", "tree": "xpcc", "region_level": "division"},
    ).json()
    assert [row["region"]["code"] for row in sums["rows"]] == ["659008000000"]
    assert sums["rows"][0]["reports"] == 2
    asked_elsewhere = client.get(
        "/api/v1/aggregates",
        params={"figures": "table3.new_received.total", "tree": "xpcc", "region": "659005"},
    ).json()
    assert asked_elsewhere["rows"] == []

    # coverage and its export name only bodies in scope
    for year in (2024, 2025):
        covered = client.get("/api/v1/coverage", params={"year": year, "tree": "xpcc"}).json()
        organs = {b["organ"] for b in covered["published"] + covered["missing"]}
        assert organs <= {"可克达拉经开区", "第四师可克达拉市六十七团"} and organs
    exported = client.get("/api/v1/coverage", params={"year": 2024, "format": "csv"}).text
    cells = {cell for row in csv.reader(io.StringIO(exported.lstrip("\ufeff"))) for cell in row}
    assert "第十师北屯市" not in cells and "可克达拉经开区" in cells
    csv_sums = client.get(
        "/api/v1/aggregates",
        params={"figures": "table3.new_received.total", "group_by": "year", "format": "csv"},
    ).text
    assert "第十师" not in csv_sums


def test_a_key_of_beitun_stores_beitun_and_nothing_elsewhere(client, session):
    key = access.create_key(session=session, name="beitun-portal", scopes=["submit", "read"], region="659005")
    session.commit()
    bearer = {"Authorization": f"Bearer {key.token}"}
    stored = client.post("/api/v1/reports", json=seed_report_json(SEED_001), headers=bearer)
    assert stored.status_code == 201
    before = _count(session)
    refused = client.post("/api/v1/reports", json=seed_report_json(SEED_002), headers=bearer)
    assert refused.status_code == 403
    assert refused.json()["code"] == "out_of_scope" and "昌吉市阿什里乡" in refused.json()["detail"]
    assert _count(session) == before
    # in a bulk, the item outside is refused by its index and the rest stored
    items = [seed_report_json(SEED_002), {**seed_report_json(SEED_001), "year": 2023}]
    bulk = client.post("/api/v1/reports/bulk", json=items, headers=bearer).json()
    assert [item["status"] for item in bulk["items"]] == [403, 201]
    assert bulk["items"][0]["problem"]["code"] == "out_of_scope"
    assert {r["organ"] for r in client.get("/api/v1/reports", headers=bearer).json()["items"]} == {
        "第十师北屯市"
    }


def test_a_national_key_sees_everything(client, session, seeded):
    key = access.create_key(session=session, name="national", scopes=["read"])
    session.commit()
    listed = client.get("/api/v1/reports", headers={"Authorization": f"Bearer {key.token}"}).json()
    assert listed["total"] == 5


def test_a_key_region_must_exist():
    with pytest.raises(ValueError, match="no region"):
        access.create_key(session=None, name="x", scopes=["read"], region="999999")  # type: ignore[arg-type]


def test_a_clerk_sees_and_submits_only_their_bodies(client, session, seeded):
    make_user(session, "clerk", "clerk", organs=["第十师北屯市"])
    sign_in(client, "clerk")
    assert [i["organ"] for i in client.get("/api/v1/reports").json()["items"]] == ["第十师北屯市"]
    headers = csrf_header(client)
    refused = client.post("/api/v1/reports", json=seed_report_json(SEED_003), headers=headers)
    assert refused.status_code == 403 and refused.json()["code"] == "out_of_scope"
    again = client.post("/api/v1/reports", json={**seed_report_json(SEED_001), "year": 2023}, headers=headers)
    assert again.status_code == 201


def test_a_batch_is_seen_by_its_sender_and_stores_only_in_scope(client, session):
    key = access.create_key(session=session, name="beitun", scopes=["submit", "read"], region="659005")
    other = access.create_key(session=session, name="other", scopes=["submit", "read"], region="659008")
    session.commit()
    import json

    files = [
        (
            "files",
            (
                f"{name}.json",
                json.dumps(seed_report_json(name), ensure_ascii=False).encode(),
                "application/json",
            ),
        )
        for name in (SEED_001, SEED_002)
    ]
    created = client.post("/api/v1/batches", files=files, headers={"Authorization": f"Bearer {key.token}"})
    assert created.status_code == 202, created.text
    batch_id = created.json()["id"]
    assert (
        client.get(
            f"/api/v1/batches/{batch_id}", headers={"Authorization": f"Bearer {other.token}"}
        ).status_code
        == 404
    )
    mine = client.get(f"/api/v1/batches/{batch_id}", headers={"Authorization": f"Bearer {key.token}"})
    assert mine.status_code == 200 and mine.json()["total"] == 2
