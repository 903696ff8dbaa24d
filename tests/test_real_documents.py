"""Three real published reports, as their publishers or public collections hold them, each read
to the figures a person reads in it (tests/data/real), and the rules that keep a report whose title
or table cannot be read from being refused or passed as clean."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import DATA, form_token

from app.draft import Severity, Status
from app.extract.pipeline import read_document
from app.extract.sniff import sniff
from app.rules.engine import validate

REAL = DATA / "real"
APPLICANTS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_agency",
    "other_org",
)


def _read(name: str):
    data = (REAL / name).read_bytes()
    return read_document(data, sniff(data))


def _total(draft, row: str):
    return draft.figures[("table3", row, "total")].value


def _table4(draft) -> list:
    return [f.value for (table, _, _), f in draft.figures.items() if table == "table4"]


def _errors(findings) -> list[str]:
    return [f"{f.rule} {f.message}" for f in findings if f.severity is Severity.ERROR]


# ---- hongze-2024.pdf: a WPS PDF, title on two lines, ruled page frames, scrambled table 三 ----


def test_hongze_every_figure_as_a_person_reads_it():
    draft = _read("hongze-2024.pdf")
    assert (draft.organ, draft.year) == ("淮安市洪泽区人民政府", 2024)
    assert (str(draft.period_start), str(draft.period_end)) == ("2024-01-01", "2024-12-31")
    t2 = {(row, column): f.value for (table, row, column), f in draft.figures.items() if table == "table2"}
    assert t2 == {
        ("regulations", "issued"): 0,
        ("regulations", "repealed"): 0,
        ("regulations", "in_force"): 0,
        ("normative_documents", "issued"): 3,
        ("normative_documents", "repealed"): 0,
        ("normative_documents", "in_force"): 8,
        ("licensing", "decisions"): 9487,
        ("penalty", "decisions"): 2776,
        ("coercion", "decisions"): 84,
        ("fees", "amount_10k_yuan"): Decimal(7545),
    }
    nonzero = {
        "new_received": 95,
        "result.disclosed": 50,
        "result.partially_disclosed": 9,
        "result.withheld.three_security_one_stability": 1,
        "result.withheld.process_info": 1,
        "result.withheld.enforcement_file": 1,
        "result.unable.not_held": 31,
        "result.unable.needs_creation": 1,
        "result.not_processed.complaint": 1,
        "result.total": 95,
    }
    for row in draft.layout.table("table3").rows:
        expected = nonzero.get(row.code, 0)
        assert _total(draft, row.code) == expected, row.code
        assert draft.figures[("table3", row.code, "natural_person")].value == expected, row.code
        for column in APPLICANTS[1:]:
            assert draft.figures[("table3", row.code, column)].value == 0, (row.code, column)
    t4 = _table4(draft)
    assert t4 == [1, 1, 0, 0, 2, 1, 0, 0, 0, 1, 2, 0, 1, 0, 3]
    assert all(f.status is Status.READ for f in draft.figures.values())


def test_hongze_has_no_error_and_questions_the_narratives_17_only_as_a_warning():
    draft = _read("hongze-2024.pdf")
    findings = validate(draft)
    assert _errors(findings) == []
    text = [f for f in findings if f.rule == "TEXT"]
    assert [(f.reported, f.expected, f.severity) for f in text] == [("17", "95", Severity.WARNING)]


# ---- shanghai-kewei-2024.md.txt: a converter's Markdown, 正文 then a year-first wrapped title ----


def test_kewei_title_and_the_balance_of_table_three():
    draft = _read("shanghai-kewei-2024.md.txt")
    assert (draft.organ, draft.year) == ("上海市科委", 2024)
    assert _total(draft, "new_received") == 34
    assert _total(draft, "carried_over") == 2
    assert _total(draft, "result.total") == 35
    assert _total(draft, "carried_to_next_year") == 1
    assert _errors(validate(draft)) == []


def test_kewei_table_two_printed_in_two_pieces_out_of_the_templates_order():
    """“行政许可 97 … 行政事业性收费 0” above the 规章 / 规范性文件 table: each row by its own label."""
    draft = _read("shanghai-kewei-2024.md.txt")
    t2 = {(row, column): f.value for (table, row, column), f in draft.figures.items() if table == "table2"}
    assert t2 == {
        ("regulations", "issued"): 0,
        ("regulations", "repealed"): 0,
        ("regulations", "in_force"): 0,
        ("normative_documents", "issued"): 13,
        ("normative_documents", "repealed"): 0,
        ("normative_documents", "in_force"): 55,
        ("licensing", "decisions"): 97,
        ("penalty", "decisions"): 0,
        ("coercion", "decisions"): 0,
        ("fees", "amount_10k_yuan"): Decimal(0),
    }


def test_kewei_rows_whose_labels_came_apart_are_placed_by_the_order_of_the_rows():
    """The converter printed labels in blocks apart from their figures ("（四）无2.没有现成信息需要另"),
    but the rows of figures kept their order: between two rows printed with their own labels, the
    label-less rows are the template's rows between those two, each said to be placed so."""
    draft = _read("shanghai-kewei-2024.md.txt")
    placed = {
        row: draft.figures[("table3", row, "total")].value
        for (table, row, column), figure in draft.figures.items()
        if table == "table3" and column == "total" and figure.status is Status.PLACED
    }
    assert placed == {
        "result.partially_disclosed": 0,
        "result.withheld.prohibited_by_law": 0,
        "result.withheld.internal_affairs": 1,  # （三） is 2 in all: 1 here and 1 过程性
        "result.unable.not_held": 4,  # 4 + 6 + 0: the narrative's 无法提供的 10 件
        "result.unable.needs_creation": 6,
        "result.unable.unclear_after_correction": 0,
        "result.not_processed.excessive": 0,
        "result.not_processed.confirm_or_reissue": 0,
        "result.other.no_correction": 10,  # 10 + 0 + 4: the narrative's 其他处理 14 件
        "result.other.unpaid_fee": 0,
    }
    row = [draft.figures[("table3", "result.other.no_correction", c)].value for c in (*APPLICANTS, "total")]
    assert row == [8, 2, 0, 0, 0, 0, 10]
    # a row printed with its label on the same line is read as printed
    assert draft.figures[("table3", "result.withheld.process_info", "total")].status is Status.READ
    assert not [f for f in draft.figures.values() if f.status in (Status.AMBIGUOUS, Status.MISSING)]
    findings = validate(draft)
    complete = [f for f in findings if f.rule == "COMPLETE"]
    assert {f.severity for f in complete} == {Severity.INFO}
    assert sum("已按行的先后次序对应" in f.message for f in complete) == len(placed)
    # the narrative's 9 / 0 / 2 / 10 / 0 / 14 / 1 agree with the tables
    assert [f for f in findings if f.rule == "TEXT"] == []


# ---- pingtan-2022.txt: a portal page copied as text, the whole report on one line ----


def test_pingtan_one_line_page_split_by_the_relations():
    draft = _read("pingtan-2022.txt")
    assert (draft.organ, draft.year) == ("平潭综合实验区", 2022)
    assert str(draft.published_on) == "2023-02-20"
    assert (_total(draft, "new_received"), _total(draft, "carried_over")) == (74, 1)
    assert (_total(draft, "result.total"), _total(draft, "carried_to_next_year")) == (75, 0)
    assert [draft.figures[("table3", "new_received", c)].value for c in (*APPLICANTS, "total")] == [
        71, 3, 0, 0, 0, 0, 74,
    ]  # fmt: skip
    assert draft.figures[("table3", "result.unable.not_held", "total")].value == 37
    assert draft.figures[("table2", "licensing", "decisions")].value == 10690
    assert draft.figures[("table2", "fees", "amount_10k_yuan")].value == Decimal("9116.36")
    t4 = _table4(draft)
    assert t4 == [0, 1, 1, 0, 2, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    assert _errors(validate(draft)) == []


def test_pingtan_a_run_with_several_splits_is_ambiguous_with_its_candidates():
    """ "行政规范性文件8855698": three figures with no relation to choose between 88/5/5698, 88/55/698…"""
    draft = _read("pingtan-2022.txt")
    issued = draft.figures[("table2", "normative_documents", "issued")]
    assert issued.status is Status.AMBIGUOUS and issued.value is None
    assert 88 in (issued.candidates or [])
    complete = [
        f for f in validate(draft) if f.rule == "COMPLETE" and f.location.row == "normative_documents"
    ]
    assert complete and "多种读法" in complete[0].message


# ---- the rules around the tables, through the API ----

NO_TITLE = (REAL / "pingtan-2022.txt").read_text(encoding="utf-8")
# The same page with every line that names the body or the year taken out: the chrome lines and the
# sentence with the statistics period and contact.
_CUT = ("标题", "本地目录", "原文链接")


def _without_identity() -> bytes:
    lines = [line for line in NO_TITLE.split("\n") if not line.startswith(_CUT)]
    text = "\n".join(lines)
    start = text.index("本报告根据")
    end = text.index("一、总体情况")
    return (text[:start] + text[end:]).replace("2022年，平潭综合实验区", "全区").encode("utf-8")


def _upload(client, path: str, data: bytes, **fields: str):
    return client.post(path, files={"file": ("page.txt", data, "text/plain")}, data=fields)


def test_no_body_in_the_document_validate_answers_200_with_meta_organ(client):
    response = _upload(client, "/api/v1/validate", _without_identity())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["organ"] is None
    rules = {f["rule"] for f in body["validation"]["findings"]}
    assert "META-ORGAN" in rules
    assert body["table3"]["new_received"]["total"] == 74


def test_storing_without_a_body_is_422_organ_unknown_with_the_reading_and_nothing_stored(client):
    response = _upload(client, "/api/v1/reports", _without_identity())
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "organ_unknown"
    assert "机关" in problem["detail"]
    assert problem["report"]["table3"]["result.total"]["total"] == 75
    assert "META-ORGAN" in {f["rule"] for f in problem["report"]["validation"]["findings"]}
    assert client.get("/api/v1/reports").json()["total"] == 0


def test_stored_with_the_organ_and_year_fields(client):
    response = _upload(client, "/api/v1/reports", _without_identity(), organ="平潭综合实验区", year="2022")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["organ"], body["year"]) == ("平潭综合实验区", 2022)
    rules = {f["rule"] for f in body["validation"]["findings"]}
    assert not rules & {"META-ORGAN", "META-YEAR", "META-STATED"}
    assert client.get(f"/api/v1/reports/{body['id']}").json()["table3"]["new_received"]["total"] == 74


def test_a_stated_field_that_disagrees_with_the_document_wins_with_a_warning(client):
    data = (REAL / "pingtan-2022.txt").read_bytes()
    response = _upload(client, "/api/v1/validate", data, year="2023", published_on="2023-03-01")
    assert response.status_code == 200
    body = response.json()
    assert (body["year"], body["published_on"]) == (2023, "2023-03-01")
    stated = [f for f in body["validation"]["findings"] if f["rule"] == "META-STATED"]
    assert {f["severity"] for f in stated} == {"warning"}
    messages = " ".join(f["message"] for f in stated)
    assert "2022" in messages and "2023-02-20" in messages


def test_a_bad_stated_field_is_422_naming_it(client):
    data = (REAL / "pingtan-2022.txt").read_bytes()
    assert _upload(client, "/api/v1/validate", data, year="二〇二二").json()["code"] == "invalid_year"
    assert _upload(client, "/api/v1/validate", data, region_code="35").json()["code"] == "invalid_region"


def test_a_report_with_table_three_cut_out_is_never_valid(client):
    text = NO_TITLE
    start = text.index("一、本年新收")
    end = text.index("（七）总计")
    cut = (text[:start] + "一、本年新收政府信息公开申请数量" + text[end:]).encode("utf-8")
    body = _upload(client, "/api/v1/validate", cut).json()
    assert body["validation"]["valid"] is False
    unread = [f for f in body["validation"]["findings"] if f["rule"] == "T3-UNREAD"]
    assert len(unread) == 1 and unread[0]["severity"] == "error"
    assert "表三未能读取" in unread[0]["message"]


@pytest.mark.parametrize("name", ["hongze-2024.pdf", "pingtan-2022.txt", "shanghai-kewei-2024.md.txt"])
def test_every_real_document_is_stored(client, name):
    response = client.post("/api/v1/reports", files={"file": (name, (REAL / name).read_bytes())})
    assert response.status_code == 201, response.text
    assert response.json()["validation"]["counts"]["error"] == 0


# ---- the check page: fields prefilled with what was read, so a clerk is never stuck ----


def _check_page(client, data: bytes, action: str = "check", **fields: str):
    return client.post(
        "/check",
        files={"file": ("page.txt", data, "text/plain")},
        data={"action": action, "csrf_token": form_token(client), **fields},
    )


def test_the_check_page_prefills_what_was_read(client):
    page = _check_page(client, (REAL / "pingtan-2022.txt").read_bytes())
    assert page.status_code == 200
    assert 'name="organ" form="check-form" value="平潭综合实验区"' in page.text
    assert 'name="year" form="check-form" value="2022"' in page.text
    assert 'name="published_on" form="check-form" type="date" value="2023-02-20"' in page.text


def test_the_check_page_saves_a_report_without_a_body_once_the_clerk_names_it(client):
    refused = _check_page(client, _without_identity(), "save")
    assert refused.status_code == 422
    assert "尚未保存" in refused.text and "机关" in refused.text
    assert 'name="organ" form="check-form" value=""' in refused.text  # the field to fill in
    assert client.get("/api/v1/reports").json()["total"] == 0
    saved = _check_page(client, _without_identity(), "save", organ="平潭综合实验区", year="2022")
    assert saved.status_code == 200 and "已保存：编号" in saved.text
    assert client.get("/api/v1/reports").json()["items"][0]["organ"] == "平潭综合实验区"


def test_the_check_page_shows_an_unread_table_as_a_failure_to_read(client):
    text = NO_TITLE
    start, end = text.index("一、本年新收"), text.index("（七）总计")
    cut = text[:start] + "一、本年新收政府信息公开申请数量" + text[end:]
    page = _check_page(client, cut.encode("utf-8"))
    assert "表三未能读取" in page.text and "不能当作核对通过" in page.text
