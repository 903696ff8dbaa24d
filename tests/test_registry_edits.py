"""Merging two rows of the registry that are one body, and splitting an alias off: by the API and
on the page, audited, within one region, and harmless when refused; both databases."""

from __future__ import annotations

from conftest import form_token, seed_report_json
from sqlmodel import select

from app.models.people import AuditEntry
from app.models.tables import Report

ASHILI = "002_3de73757d3cdff2d"  # a consistent report, 2025
REGISTRY = """名称,别名,区划代码,类别,应公开
吐鲁番市高昌区教育局,,650402,部门,是
高昌区教育和科技局,,650402,部门,是
兰州市城关区人民政府,,620102,人民政府,是
昌吉市阿什里乡,阿什里哈萨克民族乡,652301202,乡镇街道,是
"""


def _setup(client) -> dict[str, dict]:
    response = client.post(
        "/api/v1/bodies", content=REGISTRY.encode("utf-8"), headers={"content-type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    report = seed_report_json(ASHILI) | {"organ": "高昌区教育和科技局", "year": 2025}
    assert client.post("/api/v1/reports", json=report).status_code == 201
    return {b["name"]: b for b in client.get("/api/v1/bodies").json()["items"]}


def _coverage(client) -> tuple[list[str], list[str]]:
    body = client.get("/api/v1/coverage", params={"region": "650402", "year": 2025}).json()
    return sorted(b["organ"] for b in body["published"]), sorted(b["organ"] for b in body["missing"])


def _audit(session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


def test_merge_keeps_one_body_its_names_as_aliases_and_its_reports(client, session):
    bodies = _setup(client)
    kept, gone = bodies["吐鲁番市高昌区教育局"], bodies["高昌区教育和科技局"]
    assert _coverage(client) == (["高昌区教育和科技局"], ["吐鲁番市高昌区教育局"])

    response = client.post(f"/api/v1/bodies/{gone['id']}/merge", json={"into": kept["id"]})
    assert response.status_code == 200, response.text
    merged = response.json()
    assert merged["body"]["id"] == kept["id"] and merged["body"]["key"] == "650402000000|教育局"
    assert merged["body"]["aliases"] == ["高昌区教育和科技局"] and merged["reports"] == 1
    names = sorted(b["name"] for b in client.get("/api/v1/bodies").json()["items"])
    assert names == ["兰州市城关区人民政府", "吐鲁番市高昌区教育局", "昌吉市阿什里乡"]
    assert _coverage(client) == (["吐鲁番市高昌区教育局"], [])
    session.expire_all()
    [report] = session.exec(select(Report)).all()
    assert report.body_key == "650402000000|教育局"
    [entry] = _audit(session, "body.merge")
    assert entry.actor == "local"  # the newcomer on this machine, before any key or person exists
    assert entry.detail["into"] == kept["id"] and entry.detail["body"]["name"] == "高昌区教育和科技局"

    # and split again: the alias is a body of its own, its report goes with it
    response = client.post(f"/api/v1/bodies/{kept['id']}/split", json={"alias": "高昌区教育和科技局"})
    assert response.status_code == 200, response.text
    split = response.json()
    assert (
        split["body"]["name"] == "高昌区教育和科技局" and split["body"]["key"] == "650402000000|教育和科技局"
    )
    assert split["body"]["region"]["code"] == "650402000000" and split["body"]["kind"] == "department"
    assert split["other"]["aliases"] == [] and split["reports"] == 1
    assert _coverage(client) == (["高昌区教育和科技局"], ["吐鲁番市高昌区教育局"])
    session.expire_all()
    assert session.exec(select(Report)).one().body_key == "650402000000|教育和科技局"
    [entry] = _audit(session, "body.split")
    assert entry.detail["alias"] == "高昌区教育和科技局" and entry.detail["body"] == split["body"]["id"]


def test_refused_merges_and_splits_change_nothing(client, session):
    bodies = _setup(client)
    before = client.get("/api/v1/bodies").json()
    edu, lanzhou = bodies["吐鲁番市高昌区教育局"], bodies["兰州市城关区人民政府"]
    across = client.post(f"/api/v1/bodies/{edu['id']}/merge", json={"into": lanzhou["id"]})
    assert across.status_code == 409 and across.headers["content-type"].startswith("application/problem+json")
    assert across.json()["code"] == "different_regions"
    assert (
        "不同地区的机关不能合并" in across.json()["detail"]
        and "甘肃省兰州市城关区" in across.json()["detail"]
    )
    itself = client.post(f"/api/v1/bodies/{edu['id']}/merge", json={"into": edu["id"]})
    assert (itself.status_code, itself.json()["code"]) == (422, "same_body")
    missing = client.post(f"/api/v1/bodies/{edu['id']}/merge", json={"into": 99999})
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    unknown = client.post(f"/api/v1/bodies/{edu['id']}/split", json={"alias": "高昌区文化局"})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_alias")
    ashili = bodies["昌吉市阿什里乡"]  # 阿什里哈萨克民族乡 is 阿什里乡 written out: one identity
    same = client.post(f"/api/v1/bodies/{ashili['id']}/split", json={"alias": "阿什里哈萨克民族乡"})
    assert (same.status_code, same.json()["code"]) == (409, "same_identity")
    assert client.get("/api/v1/bodies").json() == before
    assert _audit(session, "body.merge") == [] and _audit(session, "body.split") == []


def test_the_page_merges_and_splits_with_its_token_and_says_why_it_refuses(client):
    bodies = _setup(client)
    kept, gone = bodies["吐鲁番市高昌区教育局"], bodies["高昌区教育和科技局"]
    page = client.get("/bodies")
    assert f'action="/bodies/{gone["id"]}/merge"' in page.text and 'name="into"' in page.text
    forged = client.post(f"/bodies/{gone['id']}/merge", data={"into": str(kept["id"])})
    assert forged.status_code == 403 and len(client.get("/api/v1/bodies").json()["items"]) == 4

    across = client.post(
        f"/bodies/{gone['id']}/merge",
        data={"into": str(bodies["兰州市城关区人民政府"]["id"]), "csrf_token": form_token(client)},
    )
    assert across.status_code == 409 and across.headers["content-type"].startswith("text/html")
    assert "不同地区的机关不能合并" in across.text
    blank = client.post(
        f"/bodies/{gone['id']}/merge", data={"into": "十二", "csrf_token": form_token(client)}
    )
    assert blank.status_code == 422 and "请填写要合并到的机关编号" in blank.text

    page = client.post(
        f"/bodies/{gone['id']}/merge", data={"into": str(kept["id"]), "csrf_token": form_token(client)}
    )
    assert page.status_code == 200 and "已合并：吐鲁番市高昌区教育局" in page.text
    assert f'action="/bodies/{kept["id"]}/split"' in page.text and 'value="高昌区教育和科技局"' in page.text
    page = client.post(
        f"/bodies/{kept['id']}/split", data={"alias": "高昌区教育和科技局", "csrf_token": form_token(client)}
    )
    assert page.status_code == 200 and "已拆分：高昌区教育和科技局" in page.text
    assert len(client.get("/api/v1/bodies").json()["items"]) == 4


def test_merging_and_splitting_need_the_admin_scope():
    from app.routes.access import required_scope

    for path in ("/api/v1/bodies/3/merge", "/api/v1/bodies/3/split", "/bodies/3/merge", "/bodies/3/split"):
        assert required_scope("POST", path) == "admin"
    assert required_scope("GET", "/api/v1/bodies") == "read"
    assert required_scope("POST", "/api/v1/bodies/3/other") == "submit"


def test_a_scoped_admin_merges_only_within_its_region(client, session):
    from app.services import access

    bodies = _setup(client)
    kept, gone = bodies["吐鲁番市高昌区教育局"], bodies["高昌区教育和科技局"]
    elsewhere = access.create_key(session=session, name="兰州", scopes=["admin"], region="620102")
    here = access.create_key(session=session, name="高昌", scopes=["admin"], region="650402")
    session.commit()
    refused = client.post(
        f"/api/v1/bodies/{gone['id']}/merge",
        json={"into": kept["id"]},
        headers={"Authorization": f"Bearer {elsewhere.token}"},
    )
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    assert (
        len(client.get("/api/v1/bodies", headers={"Authorization": f"Bearer {here.token}"}).json()["items"])
        == 2
    )
    done = client.post(
        f"/api/v1/bodies/{gone['id']}/merge",
        json={"into": kept["id"]},
        headers={"Authorization": f"Bearer {here.token}"},
    )
    assert done.status_code == 200 and done.json()["body"]["aliases"] == ["高昌区教育和科技局"]
    [entry] = _audit(session, "body.merge")
    assert entry.actor == f"key:{here.key.id}:高昌"


def test_importing_and_changing_are_audited_and_scoped(client, session):
    from app.services import access

    bodies = _setup(client)
    [imported] = _audit(session, "body.import")
    assert imported.actor == "local" and imported.detail["created"] == 4
    lanzhou = bodies["兰州市城关区人民政府"]
    gaochang = access.create_key(session=session, name="高昌", scopes=["admin"], region="650402")
    session.commit()
    refused = client.patch(
        f"/api/v1/bodies/{lanzhou['id']}",
        json={"must_publish": False},
        headers={"Authorization": f"Bearer {gaochang.token}"},
    )
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    assert _audit(session, "body.change") == []
    edu = bodies["吐鲁番市高昌区教育局"]
    done = client.patch(
        f"/api/v1/bodies/{edu['id']}",
        json={"must_publish": False},
        headers={"Authorization": f"Bearer {gaochang.token}"},
    )
    assert done.status_code == 200 and done.json()["must_publish"] is False
    [changed] = _audit(session, "body.change")
    assert changed.actor == f"key:{gaochang.key.id}:高昌" and changed.detail == {"must_publish": False}
