"""The registry (名录) of bodies that must publish, and coverage from it: generated bodies across
provinces, the XPCC tree and name variants; both databases."""

from __future__ import annotations

import io

import openpyxl
from conftest import form_token, seed_report_json

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ASHILI = "002_3de73757d3cdff2d"  # a consistent report, 2025

REGISTRY = """名称,别名,区划代码,类别,应公开
昌吉市阿什里乡,阿什里哈萨克民族乡,652301202,乡镇街道,是
吐鲁番市高昌区人民政府,,650402,人民政府,是
吐鲁番市高昌区教育局,高昌区教育局,650402,部门,是
六十七团,第四师六十七团,,团场,是
兰州市城关区人民政府,,620102,人民政府,是
杭州市西湖区人民政府,,330106,人民政府,是
昌吉市三工镇,,,乡镇街道,否
"""


def _register(client, text: str = REGISTRY) -> dict:
    response = client.post(
        "/api/v1/bodies", content=text.encode("utf-8"), headers={"content-type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _report(client, organ: str, year: int, **extra) -> None:
    report = seed_report_json(ASHILI) | {"organ": organ, "year": year, **extra}
    response = client.post("/api/v1/reports", json=report)
    assert response.status_code == 201, response.text


def _coverage(client, **params) -> dict:
    response = client.get("/api/v1/coverage", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_registry_is_stored_listed_and_uploaded_again_as_an_update(client):
    first = _register(client)
    assert (first["created"], first["updated"]) == (7, 0)
    listed = client.get("/api/v1/bodies").json()
    by_name = {b["name"]: b for b in listed["items"]}
    assert by_name["昌吉市阿什里乡"]["region"]["code"] == "652301202000"
    assert by_name["昌吉市阿什里乡"]["aliases"] == ["阿什里哈萨克民族乡"]
    assert by_name["吐鲁番市高昌区教育局"]["kind"] == "department"
    assert by_name["六十七团"]["region"]["code"] == "XPCC04R067"  # placed from its name
    assert by_name["杭州市西湖区人民政府"]["key"] == "330106000000|"
    assert by_name["昌吉市三工镇"]["must_publish"] is False
    under = client.get("/api/v1/bodies", params={"region": "6523"}).json()
    assert sorted(b["name"] for b in under["items"]) == ["昌吉市三工镇", "昌吉市阿什里乡"]

    # the XLSX download uploads again as it is: the same bodies, updated
    book = client.get("/api/v1/bodies", params={"format": "xlsx"}).content
    rows = list(openpyxl.load_workbook(io.BytesIO(book)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("名称", "别名", "区划代码", "类别", "应公开") and rows[-1][0] == "合计"
    again = client.post("/api/v1/bodies", content=book, headers={"content-type": XLSX}).json()
    assert (again["created"], again["updated"]) == (0, 7)
    assert client.get("/api/v1/bodies").json()["total"] == 7


def test_the_same_body_printed_another_way_is_updated_not_added(client):
    _register(client)
    renamed = "名称,区划代码,类别\n高昌区人民政府,650402,人民政府\n"
    assert _register(client, renamed) == _register(client, renamed) | {"created": 0, "updated": 1}
    assert client.get("/api/v1/bodies").json()["total"] == 7


def test_json_and_a_multipart_file_are_taken_too(client):
    response = client.post(
        "/api/v1/bodies", json=[{"name": "北屯市财政局", "region_code": "659005", "kind": "部门"}]
    )
    assert response.status_code == 200, response.text
    assert response.json()["items"][0]["key"] == "659005000000|财政局"
    response = client.post(
        "/api/v1/bodies",
        files={"file": ("名录.csv", "名称,类别\n第十师北屯市教育局,部门\n".encode(), "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["items"][0]["region"]["code"] == "659005000000"


def test_a_bad_row_stores_nothing_and_says_which_row(client):
    bad = REGISTRY + "城关区人民政府,,,人民政府,是\n某某局,,999999,部门,是\n,,650402,部门,是\n"
    response = client.post("/api/v1/bodies", content=bad.encode(), headers={"content-type": "text/csv"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "invalid_registry"
    assert [row["line"] for row in problem["errors"]] == [9, 10, 11]
    assert "第 9 行" in problem["detail"] and "区划代码" in problem["detail"]
    assert client.get("/api/v1/bodies").json()["total"] == 0


def test_a_registered_body_that_never_uploaded_is_unpublished(client):
    _register(client)
    body = _coverage(client, region="6523", year=2025)
    assert [b["organ"] for b in body["missing"]] == ["昌吉市阿什里乡"]  # 三工镇 need not publish
    assert body["missing"][0]["registered"] is True and body["published"] == []


def test_two_spellings_are_one_body_in_coverage(client):
    _register(client)
    _report(client, "昌吉市阿什里乡", 2024)
    _report(client, "阿\u200b什里乡", 2025)  # printed shorter, with an invisible character
    body = _coverage(client, region="6523", year=2025)
    assert body["missing"] == []
    [ashili] = body["published"]
    assert ashili["organ"] == "昌吉市阿什里乡" and ashili["registered"] is True
    assert ashili["last_year"] == 2024
    assert sorted(ashili["names"]) == sorted(["昌吉市阿什里乡", "阿\u200b什里乡"])


def test_late_from_the_publication_date_or_the_signing_date(client):
    _register(client)
    _report(client, "高昌区教育局", 2025, published_on="2026-02-10")  # departments: by 31 January
    _report(client, "吐鲁番市高昌区人民政府", 2025, signed_on="2026-04-02")  # no publication date
    body = _coverage(client, region="650402", year=2025)
    rows = client.get("/api/v1/coverage", params={"region": "650402", "year": 2025, "format": "xlsx"}).content
    header, codes, *listed, total = openpyxl.load_workbook(io.BytesIO(rows)).active.iter_rows(
        values_only=True
    )
    assert header[9] == "在名录中" and total[0] == "合计"
    government = next(r for r in listed if r[1] == "吐鲁番市高昌区人民政府")
    assert (government[0], government[9], government[10], government[11]) == (
        "逾期公开",
        "是",
        "2026-04-02",
        "签发日期",
    )
    assert government[12] == "吐鲁番市高昌区人民政府" and codes[9:13] == (
        "registered",
        "signed_on",
        "late_from",
        "names",
    )
    late = {b["organ"]: b for b in body["late"]}
    assert set(late) == {"吐鲁番市高昌区教育局", "吐鲁番市高昌区人民政府"}
    assert (late["吐鲁番市高昌区教育局"]["late_from"], late["吐鲁番市高昌区教育局"]["deadline"]) == (
        "published_on",
        "2026-01-31",
    )
    assert (late["吐鲁番市高昌区人民政府"]["late_from"], late["吐鲁番市高昌区人民政府"]["deadline"]) == (
        "signed_on",
        "2026-03-31",
    )
    assert body["missing"] == []


def test_a_regiment_of_the_registry_is_covered_in_the_xpcc_tree(client):
    _register(client)
    body = _coverage(client, region="659008", tree="xpcc", year=2025)
    assert [(b["organ"], b["region"]["path"][-1]["level"]) for b in body["missing"]] == [
        ("六十七团", "regiment")
    ]
    _report(client, "第四师可克达拉市六十七团", 2025)
    body = _coverage(client, region="659008", tree="xpcc", year=2025)
    assert body["missing"] == [] and [b["organ"] for b in body["published"]] == ["六十七团"]


def test_a_body_can_be_edited(client):
    created = _register(client)["items"]
    sangong = next(b for b in created if b["name"] == "昌吉市三工镇")
    response = client.patch(
        f"/api/v1/bodies/{sangong['id']}", json={"must_publish": True, "aliases": ["三工镇"]}
    )
    assert response.status_code == 200, response.text
    assert response.json()["must_publish"] is True and response.json()["aliases"] == ["三工镇"]
    body = _coverage(client, region="6523", year=2025)
    assert sorted(b["organ"] for b in body["missing"]) == ["昌吉市三工镇", "昌吉市阿什里乡"]
    assert client.patch("/api/v1/bodies/999999", json={"kind": "部门"}).status_code == 404
    assert client.patch(f"/api/v1/bodies/{sangong['id']}", json={"kind": "小组"}).status_code == 422


def test_the_registry_page_uploads_lists_and_changes_a_body(client):
    page = client.get("/bodies")
    assert page.status_code == 200 and "应公开机关名录" in page.text
    page = client.post(
        "/bodies",
        files={"file": ("名录.csv", REGISTRY.encode("utf-8"), "text/csv")},
        data={"csrf_token": form_token(client)},
    )
    assert page.status_code == 200, page.text
    assert "新增 7 个" in page.text and "吐鲁番市高昌区教育局" in page.text
    sangong = client.get("/api/v1/bodies", params={"q": "三工镇"}).json()["items"][0]
    page = client.post(
        f"/bodies/{sangong['id']}", data={"must_publish": "1", "csrf_token": form_token(client)}
    )
    assert page.status_code == 200 and "已修改：昌吉市三工镇应公开" in page.text
    assert client.get("/api/v1/bodies", params={"q": "三工镇"}).json()["items"][0]["must_publish"] is True
    bad = client.post(
        "/bodies",
        files={"file": ("名录.csv", "名称,区划代码\n某局,999999\n".encode(), "text/csv")},
        data={"csrf_token": form_token(client)},
    )
    assert bad.status_code == 422 and "第 2 行" in bad.text
    assert client.get("/bodies", params={"region": "6523"}).text.count('data-body="') == 2


def test_two_spellings_pair_for_year_carry_and_as_versions(client):
    _report(client, "昌吉市阿什里乡", 2024)
    later = seed_report_json(ASHILI) | {"organ": "阿什里乡", "year": 2025}
    later["table3"] = {
        **later["table3"],
        "carried_over": {**later["table3"]["carried_over"], "natural_person": 3, "total": 3},
    }
    response = client.post("/api/v1/reports", json=later)
    assert response.status_code == 201, response.text
    carry = [f for f in response.json()["validation"]["findings"] if f["rule"] == "YEAR-CARRY"]
    assert carry and carry[0]["expected"] == "0"  # read against 昌吉市阿什里乡's 2024 report

    # the same body and year printed another way again: a new version, counted once
    again = later | {"organ": "昌吉市阿什里哈萨克民族乡人民政府", "published_on": "2026-03-01"}
    response = client.post("/api/v1/reports", json=again)
    assert response.status_code == 201 and response.json()["version"] == 2
    sums = client.get(
        "/api/v1/aggregates",
        params={"figures": "table3.carried_over.total", "group_by": "year", "region": "652301"},
    ).json()
    assert [(r["year"], r["reports"], r["values"]["table3.carried_over.total"]) for r in sums["rows"]] == [
        (2024, 1, 0),
        (2025, 1, 3),
    ]


def test_the_registry_and_placing_by_hand_need_an_admin_key(client, session):
    from app.services import access

    submitter = access.create_key(session=session, name="portal", scopes=["submit", "read"])
    admin = access.create_key(session=session, name="supervisor", scopes=["admin"])
    session.commit()
    as_submitter = {"Authorization": f"Bearer {submitter.token}", "content-type": "text/csv"}
    refused = client.post("/api/v1/bodies", content=REGISTRY.encode(), headers=as_submitter)
    assert refused.status_code == 403
    assert (
        client.get("/api/v1/bodies", headers={"Authorization": f"Bearer {submitter.token}"}).status_code
        == 200
    )
    assert (
        client.put(
            "/api/v1/reports/1/region",
            json={"region_code": "620102"},
            headers={"Authorization": f"Bearer {submitter.token}"},
        ).status_code
        == 403
    )
    as_admin = {"Authorization": f"Bearer {admin.token}", "content-type": "text/csv"}
    assert client.post("/api/v1/bodies", content=REGISTRY.encode(), headers=as_admin).status_code == 200


def test_files_that_are_not_a_registry_are_problems(client):
    cases = [
        (b"PK\x03\x04not really a zip", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (b"[" * 100_000, "application/json"),
        (b'{"bodies": 3}', "application/json"),
        (b"\xff\xfe\x00garbage", "text/csv"),
        ("名称\n" + "长" * 200_000 + "\n").encode(),
    ]
    for case in cases:
        data, media = case if isinstance(case, tuple) else (case, "text/csv")
        response = client.post("/api/v1/bodies", content=data, headers={"content-type": media})
        assert response.status_code == 422, (data[:20], response.text)
        assert response.json()["code"] in ("invalid_registry", "empty_registry")
    assert client.get("/api/v1/bodies").json()["total"] == 0
