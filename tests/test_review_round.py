"""Reviews of findings, corrected versions, 退回整改 and the audit log, on both databases: one
round of seed 001 (第十师北屯市, its 总计 row doubled) between a clerk and a supervisor."""

from __future__ import annotations

import re

import pytest
from conftest import seed_report_json
from people import csrf_header, make_user, sign_in

SEED_001 = "001_67e027749f67ecd0"
RESULT_SUM = "T3-RESULT-SUM"


def _finding(reviews: dict, rule: str, column: str) -> dict:
    [found] = [f for f in reviews["findings"] if f["rule"] == rule and f["location"]["column"] == column]
    return found


@pytest.fixture
def round_(client, session):
    """v1 stored by the local newcomer; then a clerk of 北屯, its supervisor, and one elsewhere."""
    stored = client.post("/api/v1/reports", json=seed_report_json(SEED_001))
    assert stored.status_code == 201
    make_user(session, "clerk", "clerk", organs=["第十师北屯市"])
    make_user(session, "sup10", "supervisor", region="659005")
    make_user(session, "sup4", "supervisor", region="659008")
    return stored.json()["id"]


def _as(client, name: str) -> dict[str, str]:
    client.cookies.clear()
    assert sign_in(client, name).status_code == 303
    return csrf_header(client)


def test_a_review_shows_beside_its_finding_and_survives_a_new_version(client, round_):
    v1 = round_
    headers = _as(client, "clerk")
    reviews = client.get(f"/api/v1/reports/{v1}/reviews").json()
    other_org = _finding(reviews, RESULT_SUM, "other_org")
    assert other_org["review"] is None and isinstance(other_org["id"], int)
    no_note = client.post(
        f"/api/v1/reports/{v1}/reviews",
        json={"finding": other_org["id"], "action": "explain"},
        headers=headers,
    )
    assert no_note.status_code == 422 and no_note.json()["code"] == "note_required"
    explained = client.post(
        f"/api/v1/reports/{v1}/reviews",
        json={"finding": other_org["id"], "action": "explain", "note": "含上年结转"},
        headers=headers,
    )
    assert explained.status_code == 201
    review = _finding(explained.json(), RESULT_SUM, "other_org")["review"]
    assert review["status"] == "explained" and review["note"] == "含上年结转" and review["by"] == "user:clerk"
    # beside the finding in the report itself, and on the page
    report = client.get(f"/api/v1/reports/{v1}").json()
    [shown] = [
        f
        for f in report["validation"]["findings"]
        if f["rule"] == RESULT_SUM and f["location"]["column"] == "other_org"
    ]
    assert shown["review"]["note"] == "含上年结转" and shown["id"] == other_org["id"]
    assert "含上年结转" in client.get(f"/reports/{v1}").text
    # a finding of another report is not this report's
    assert (
        client.post(
            f"/api/v1/reports/{v1}/reviews", json={"finding": 10**9, "action": "accept"}, headers=headers
        ).status_code
        == 404
    )

    # a new version with the same findings (another publication date) carries the review
    again = client.post(
        "/api/v1/reports", json={**seed_report_json(SEED_001), "published_on": "2025-01-21"}, headers=headers
    )
    assert again.status_code == 201 and again.json()["version"] == 2
    [carried] = [
        f
        for f in again.json()["validation"]["findings"]
        if f["rule"] == RESULT_SUM and f["location"]["column"] == "other_org"
    ]
    assert carried["review"]["note"] == "含上年结转" and carried["review"]["version"] == 1
    assert carried["id"] != other_org["id"]
    v2 = again.json()["id"]
    assert client.get(f"/api/v1/reports/{v2}").json() == again.json()
    # reopened on v2: v2 shows it open, v1 still shows what was said on v1
    client.post(
        f"/api/v1/reports/{v2}/reviews", json={"finding": carried["id"], "action": "reopen"}, headers=headers
    )
    assert (
        _finding(client.get(f"/api/v1/reports/{v2}/reviews").json(), RESULT_SUM, "other_org")["review"][
            "status"
        ]
        == "open"
    )
    assert (
        _finding(client.get(f"/api/v1/reports/{v1}/reviews").json(), RESULT_SUM, "other_org")["review"][
            "status"
        ]
        == "explained"
    )


def test_the_sent_back_round_with_a_correction_and_its_audit(client, round_):
    v1 = round_
    # the clerk explains one finding
    clerk = _as(client, "clerk")
    other_org = _finding(client.get(f"/api/v1/reports/{v1}/reviews").json(), RESULT_SUM, "other_org")
    client.post(
        f"/api/v1/reports/{v1}/reviews",
        json={"finding": other_org["id"], "action": "explain", "note": "含上年结转"},
        headers=clerk,
    )
    # a clerk may not send back or accept
    refused = client.post(f"/api/v1/reports/{v1}/state", json={"state": "accepted"}, headers=clerk)
    assert refused.status_code == 403

    # the supervisor sends it back with what to correct
    sup = _as(client, "sup10")
    no_note = client.post(f"/api/v1/reports/{v1}/state", json={"state": "returned"}, headers=sup)
    assert no_note.status_code == 422
    returned = client.post(
        f"/api/v1/reports/{v1}/state", json={"state": "returned", "note": "表三总计行请核对"}, headers=sup
    )
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    listed = client.get("/api/v1/reports", params={"state": "returned"}).json()
    assert [item["id"] for item in listed["items"]] == [v1]
    assert client.get("/api/v1/reports", params={"state": "accepted"}).json()["total"] == 0

    # the clerk sees what was asked, and corrects one cell in a new version
    clerk = _as(client, "clerk")
    seen = client.get(f"/api/v1/reports/{v1}").json()
    assert seen["state"] == "returned" and seen["state_note"] == "表三总计行请核对"
    page = client.get(f"/reports/{v1}").text
    assert "退回整改" in page and "表三总计行请核对" in page
    bad = client.patch(
        f"/api/v1/reports/{v1}/figures", json={"figures": {"table3.nonsense.total": 1}}, headers=clerk
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "figures.table3.nonsense.total"
    corrected = client.patch(
        f"/api/v1/reports/{v1}/figures",
        json={"figures": {"table3.result.total.natural_person": 82}, "note": "总计行误加"},
        headers=clerk,
    )
    assert corrected.status_code == 201, corrected.text
    v2 = corrected.json()
    assert v2["version"] == 2 and v2["corrected_from"] == v1
    assert v2["corrected_cells"] == ["table3.result.total.natural_person"]
    assert v2["table3"]["result.total"]["natural_person"] == 82
    assert v2["state"] == "resubmitted" and v2["state_note"] == "表三总计行请核对"
    assert v2["source"]["media_type"] == "application/json"
    rules = {(f["rule"], f["location"]["column"]) for f in v2["validation"]["findings"]}
    assert (RESULT_SUM, "natural_person") not in rules and (RESULT_SUM, "other_org") in rules
    # the row no longer adds up to its total: a new finding of the corrected version
    assert ("T3-ROW-TOTAL", "total") in rules
    assert v2["validation"]["counts"]["error"] == 5, sorted(rules)
    figure = next(f for f in v2["figures"] if f["row"] == "result.total" and f["column"] == "natural_person")
    assert figure["value"] == 82 and figure["note"] == "人工更正（原为 164）"
    # the old version is untouched and can no longer be corrected
    assert client.get(f"/api/v1/reports/{v1}").json()["table3"]["result.total"]["natural_person"] == 164
    stale = client.patch(
        f"/api/v1/reports/{v1}/figures",
        json={"figures": {"table3.result.total.other_org": 215}},
        headers=clerk,
    )
    assert stale.status_code == 409 and stale.json()["code"] == "not_latest"
    # the review carried; the findings the correction removed show as fixed
    reviews = client.get(f"/api/v1/reports/{v2['id']}/reviews").json()
    assert _finding(reviews, RESULT_SUM, "other_org")["review"]["note"] == "含上年结转"
    fixed = {(f["rule"], f["location"]["column"]) for f in reviews["fixed"]}
    assert (RESULT_SUM, "natural_person") in fixed and (RESULT_SUM, "other_org") not in fixed

    # the supervisor accepts; a supervisor elsewhere does not even see it
    sup = _as(client, "sup10")
    accepted = client.post(f"/api/v1/reports/{v2['id']}/state", json={"state": "accepted"}, headers=sup)
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    audit = client.get("/api/v1/audit", params={"report": v2["id"]}).json()["items"]
    steps = [(step["action"], step["actor"], step["report_id"]) for step in audit]
    assert steps == [
        ("report.create", "local", v1),
        ("review.explain", "user:clerk", v1),
        ("report.state", "user:sup10", v1),
        ("report.create", "user:clerk", v2["id"]),
        ("figures.correct", "user:clerk", v2["id"]),
        ("report.state", "user:sup10", v2["id"]),
    ]
    assert audit[2]["detail"] == {"from": "submitted", "to": "returned", "note": "表三总计行请核对"}
    assert audit[4]["detail"]["cells"] == {"table3.result.total.natural_person": 82}
    assert "表三总计行请核对" in client.get(f"/reports/{v2['id']}").text

    _as(client, "sup4")
    assert client.get("/api/v1/audit", params={"report": v2["id"]}).status_code == 404
    _as(client, "clerk")
    assert client.get("/api/v1/audit", params={"report": v2["id"]}).status_code == 403


def test_the_same_round_on_the_pages(client, round_):
    v1 = round_
    _as(client, "clerk")
    page = client.get(f"/reports/{v1}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    finding = re.search(r'name="finding" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    reviewed = client.post(
        f"/reports/{v1}/reviews",
        data={"csrf_token": token, "finding": finding, "action": "accept", "note": "下一版更正"},
        follow_redirects=False,
    )
    assert reviewed.status_code == 303
    assert "将更正：下一版更正" in client.get(f"/reports/{v1}").text

    _as(client, "sup10")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(f"/reports/{v1}").text).group(1)  # type: ignore[union-attr]
    sent = client.post(
        f"/reports/{v1}/state",
        data={"csrf_token": token, "state": "returned", "note": "请核对表三"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    listed = client.get("/reports", params={"state": "returned"}).text.split("<tbody>", 1)[1]
    assert "第十师北屯市" in listed and "退回整改" in listed

    _as(client, "clerk")
    grid = client.get(f"/reports/{v1}/correct").text
    assert 'name="cell:table3.result.total.natural_person" value="164"' in grid
    fields = dict(re.findall(r'name="((?:cell|was):[^"]+)" value="([^"]*)"', grid))
    token = re.search(r'name="csrf_token" value="([^"]+)"', grid).group(1)  # type: ignore[union-attr]
    unchanged = client.post(f"/reports/{v1}/correct", data={**fields, "csrf_token": token})
    assert unchanged.status_code == 422 and "没有改动" in unchanged.text
    fields["cell:table3.result.total.natural_person"] = "82"
    saved = client.post(
        f"/reports/{v1}/correct", data={**fields, "csrf_token": token}, follow_redirects=False
    )
    assert saved.status_code == 303
    target = saved.headers["location"]
    assert target.startswith(f"/compare?a={v1}&b=")
    compared = client.get(target)
    assert compared.status_code == 200 and "82" in compared.text and "164" in compared.text
    v2 = int(target.rsplit("=", 1)[1])
    shown = client.get(f"/reports/{v2}").text
    assert "table3.result.total.natural_person" in shown and "整改后重新提交" in shown
    assert "操作记录" in shown and "user:sup10" in shown and "已修正" in shown
