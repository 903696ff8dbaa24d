"""The gazetteer and the resolver: the five seed bodies placed, numerals, aliases, no guessing."""

from __future__ import annotations

import pytest
from conftest import expected, seed_names, seed_report_json

from app.services.gazetteer import chinese_number, gazetteer
from app.services.regions import resolve
from app.services.resolver import Resolver

KEKEDALA, BEITUN, TIEMENGUAN = "659008000000", "659005000000", "659006000000"


def _names(path: list) -> list[str]:
    return [step.name for step in path]


def test_sixty_seventh_regiment_is_a_regiment_of_the_fourth_division():
    """The statistics list no town for 六十七团: it is a regiment of 第四师 in the XPCC tree, and
    counted under 可克达拉市 in the geographic one."""
    found = resolve(name="第四师可克达拉市六十七团")
    assert found.code == "XPCC04R067"
    assert _names(found.xpcc_path) == ["新疆生产建设兵团", "第四师可克达拉市", "六十七团"]
    assert found.xpcc_path[-1].level == "regiment"
    assert _names(found.path) == ["新疆维吾尔自治区", "自治区直辖县级行政区划", "可克达拉市"]
    assert found.rest is None
    assert 0.6 <= found.confidence < 1
    columns = gazetteer().path_columns("XPCC04R067")
    assert (columns["xpcc_division"], columns["xpcc_regiment"]) == (KEKEDALA, "XPCC04R067")
    assert (columns["region_county"], columns["region_township"]) == (KEKEDALA, None)


def test_a_regiment_known_by_its_number_is_placed_alike_before_and_after_it_is_made():
    """六十七团 joins the gazetteer when a report or a key first asks for it; a resolver built
    after that reads its names exactly as one built before, bare or under its 师."""
    gazetteer().regiment(4, 67)
    fresh = Resolver(gazetteer())
    for name in ("第四师可克达拉市六十七团", "六十七团"):
        found = fresh.resolve(name)
        assert (found.code, found.confidence) == ("XPCC04R067", resolve(name=name).confidence), name
        assert found.confidence < 1, name


@pytest.mark.parametrize(
    ("name", "code", "division"),
    [
        ("六十七团", "XPCC04R067", KEKEDALA),  # bare, not in the statistics
        ("十团", "XPCC01R010", "659002000000"),
        ("一五二团", "659001500000", "659001000000"),  # bare, listed by the statistics
        ("兵团一三七团", "650205509000", "659010000000"),  # listed as 兵团一三七团乡
        ("第六师土墩子农场", "652302503000", "659004000000"),  # listed as 兵团农六师土墩子农场
        ("第十二师一〇四团", "650103501000", "XPCC12"),
    ],
)
def test_bare_and_numbered_regiments_are_placed_at_regiment_level(name, code, division):
    found = resolve(name=name)
    assert found.code == code
    assert [(s.code, s.level) for s in found.xpcc_path][1:] == [(division, "division"), (code, "regiment")]


def test_a_regiment_number_of_another_division_is_not_guessed():
    found = resolve(name="第八师八十六团")  # 八十六团 is 第五师's
    assert found.code == "659001000000" and found.rest == "86团"


def test_tenth_division_is_beitun():
    found = resolve(name="第十师北屯市")
    assert (found.code, found.confidence, found.rest) == (BEITUN, 1.0, None)
    assert found.xpcc_path[-1].level == "division"


def test_ashili_township_by_its_short_name():
    found = resolve(name="昌吉市阿什里乡")
    assert found.code == "652301202000"
    assert _names(found.path) == ["新疆维吾尔自治区", "昌吉回族自治州", "昌吉市", "阿什里哈萨克民族乡"]
    assert found.xpcc_path == []


def test_kekedala_development_zone_hangs_under_its_city():
    found = resolve(name="可克达拉经开区")
    assert found.region is not None and found.region.kind == "functional"
    assert found.region.parent == KEKEDALA
    assert _names(found.xpcc_path)[:2] == ["新疆生产建设兵团", "第四师可克达拉市"]


def test_regiment_223_is_kaize_town_under_tiemenguan():
    found = resolve(name="二二三团开泽镇")
    assert found.code == "659006105000"
    assert found.region is not None and found.region.parent == TIEMENGUAN
    assert found.xpcc_path[1].code == TIEMENGUAN and found.xpcc_path[1].name == "第二师铁门关市"
    assert resolve(name="第二师223团").code == "659006105000"


@pytest.mark.parametrize("name", seed_names())
def test_every_seed_lands_on_the_last_named_step_of_its_expected_path(name):
    data = expected(name)
    found = resolve(name=data["organ"])
    assert found.code is not None
    names = _names(found.xpcc_path) + _names(found.path)
    # the expected path names the 师 as 第四师可克达拉市; 六十七团 is known to the resolver only by number
    assert any(step in names for step in data["region_path"][1:])


def test_chinese_numerals():
    assert [chinese_number(t) for t in ("六十七", "二二三", "一零四", "十二", "一五二", "一百零五")] == [
        67,
        223,
        104,
        12,
        152,
        105,
    ]


def test_a_regiment_inside_an_ordinary_county_belongs_to_its_division_in_the_xpcc_tree():
    found = resolve(name="第十二师一〇四团")
    assert _names(found.path)[:3] == ["新疆维吾尔自治区", "乌鲁木齐市", "沙依巴克区"]
    assert [step.code for step in found.xpcc_path][:2] == ["XPCC", "XPCC12"]


def test_suffixes_traditional_characters_and_skipped_levels():
    assert resolve(name="昌吉市阿什里鄉人民政府").code == "652301202000"
    assert resolve(name="北京市朝阳区人民政府办公室").code == "110105000000"
    assert resolve(name="杭州市西湖区教育局").rest == "教育局"


def test_an_ambiguous_name_gets_no_region_but_its_candidates():
    found = resolve(name="朝阳区教育局")
    assert found.code is None
    assert sorted(c.code for c in found.candidates) == ["110105000000", "220104000000"]


def test_fuzzy_matching_only_among_the_children_of_a_found_region():
    loose = resolve(name="昌吉市阿什里哈萨克名族乡")  # 名 for 民, under a known city
    assert loose.code == "652301202000" and loose.confidence < 1
    assert resolve(name="昌洁市阿什里乡").code is None  # no fuzzy match at the top


def test_the_xpcc_tree_is_built_from_data_not_counts():
    gaz = gazetteer()
    divisions = gaz.children["xpcc"]["XPCC"]
    cities = {r.code for r in divisions if r.level == "county"}
    assert {KEKEDALA, BEITUN, TIEMENGUAN} <= cities
    assert all(r.parent == "659000000000" for r in divisions if r.level == "county")
    assert {"XPCC11", "XPCC12"} <= {r.code for r in divisions}
    columns = gaz.path_columns("659006105000")
    assert columns == {
        "region_province": "650000000000",
        "region_prefecture": "659000000000",
        "region_county": TIEMENGUAN,
        "region_township": "659006105000",
        "xpcc_corps": "XPCC",
        "xpcc_division": TIEMENGUAN,
        "xpcc_regiment": "659006105000",
    }


# ---- over HTTP ----------------------------------------------------------------------------------


def test_regions_tree_by_parent_level_and_name(client):
    provinces = client.get("/api/v1/regions").json()
    assert {"code": "650000000000", "name": "新疆维吾尔自治区"} in [
        {"code": r["code"], "name": r["name"]} for r in provinces["items"]
    ]
    kids = client.get("/api/v1/regions", params={"parent": "659008"}).json()
    assert "可克达拉经济技术开发区" in [r["name"] for r in kids["items"]]
    xpcc = client.get("/api/v1/regions", params={"tree": "xpcc"}).json()
    assert [r["code"] for r in xpcc["items"]] == ["XPCC"]
    divisions = client.get("/api/v1/regions", params={"tree": "xpcc", "parent": "XPCC"}).json()
    assert "第四师可克达拉市" in [r["name"] for r in divisions["items"]]
    search = client.get("/api/v1/regions", params={"q": "阿什里"}).json()
    assert [r["code"] for r in search["items"]] == ["652301202000"]
    assert search["items"][0]["path"][1]["name"] == "昌吉回族自治州"
    assert client.get("/api/v1/regions", params={"parent": "999999"}).status_code == 404


def test_resolve_endpoint(client):
    body = client.get("/api/v1/regions/resolve", params={"name": "第十师北屯市"}).json()
    assert body["code"] == BEITUN and body["xpcc_path"][1]["name"] == "第十师北屯市"
    unknown = client.get("/api/v1/regions/resolve", params={"name": "某某机关"}).json()
    assert unknown["code"] is None and unknown["path"] == []


def test_ingest_places_the_report_and_a_given_code_wins(client):
    body = client.post("/api/v1/reports", json=seed_report_json("004_3754507d9f900802")).json()
    assert body["region_code"] == "659006105000"
    listed = client.get("/api/v1/reports", params={"region": "659006"}).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]

    given = seed_report_json("002_3de73757d3cdff2d") | {"region_code": "652301"}
    assert client.post("/api/v1/reports", json=given).json()["region_code"] == "652301000000"

    wrong = seed_report_json("002_3de73757d3cdff2d") | {"region_code": "999999", "year": 2020}
    response = client.post("/api/v1/reports", json=wrong)
    assert response.status_code == 422 and response.json()["code"] == "unknown_region"


def test_an_unplaced_body_is_stored_without_a_region_and_with_a_finding(client):
    report = seed_report_json("002_3de73757d3cdff2d") | {"organ": "某某机关"}
    body = client.post("/api/v1/reports", json=report).json()
    assert body["region_code"] is None
    findings = [f for f in body["validation"]["findings"] if f["rule"] == "REGION"]
    assert len(findings) == 1 and findings[0]["severity"] == "warning"
    assert "某某机关" in findings[0]["message"]
    assert "REGION" in {r["id"] for r in client.get("/api/v1/rules").json()}


def test_a_regiment_key_is_known_before_any_name_asked_for_it():
    from app.services.aggregates import region_ref

    ref = region_ref("XPCC01R015", "xpcc")
    assert [(r.name, r.level) for r in ref.path] == [
        ("新疆生产建设兵团", "corps"),
        ("第一师阿拉尔市", "division"),
        ("十五团", "regiment"),
    ]
    assert gazetteer().get("XPCC08R067") is None  # 六十七团 is 第四师's, not 第八师's
