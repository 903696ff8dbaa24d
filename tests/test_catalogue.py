"""The catalogue drives the checks: every rule has its evaluator, every finding comes from its rule."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import SEEDS, seed_names, seed_report_json

from app.draft import Finding, Severity
from app.extract.json_report import parse_report
from app.extract.ocr_review import review
from app.extract.pipeline import read_document
from app.extract.sniff import sniff
from app.rules.catalogue import RULES, RULES_BY_ID, Rule
from app.rules.engine import ON_DRAFT, ON_PAIR, validate
from app.rules.registry import EVALUATORS
from app.services import regions

APP = Path(__file__).parent.parent / "app"
# Findings rebuilt from what the database stores are the rule's findings as they were built.
REBUILT = {"services/report_store.py", "services/report_writes.py"}


def test_every_check_of_the_catalogue_has_one_evaluator_and_one_place_it_runs():
    checks = {rule.check for rule in RULES}
    assert set(EVALUATORS) == checks
    assert not set(ON_DRAFT) & set(ON_PAIR)
    # the engine runs the checks on a draft and on a pair of years; OCR runs while a scan is read,
    # REGION as a report is placed in the region tree
    assert set(ON_DRAFT) | set(ON_PAIR) | {"ocr", "region"} == checks
    assert EVALUATORS["ocr"] is review and EVALUATORS["region"] is regions.place


def test_every_case_a_rule_says_has_both_languages():
    for rule in RULES:
        assert rule.message and rule.message_en, rule.id
        for case, templates in rule.cases.items():
            assert len(templates) == 2 and all(templates), (rule.id, case)


def test_a_case_that_is_not_of_its_rules_severity_says_so_in_the_catalogue():
    for rule in RULES:
        assert set(rule.case_severity) <= set(rule.cases), rule.id
    complete = RULES_BY_ID["COMPLETE"]
    fields = {"where": "表三“自然人”", "columns": "", "columns_en": "", "unchecked": "", "unchecked_en": ""}
    assert complete.finding("inferred", fields).severity is Severity.INFO
    assert complete.finding("placed", fields).severity is Severity.INFO
    assert complete.finding("blank", fields).severity is Severity.WARNING
    assert complete.finding("blank", fields, severity=Severity.ERROR).severity is Severity.ERROR


def test_no_finding_is_built_by_hand():
    """Only `Rule.finding` builds a finding from what a check found."""
    for path in sorted(APP.rglob("*.py")):
        name = path.relative_to(APP).as_posix()
        if name == "rules/rule.py" or name in REBUILT:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Finding"
        ]
        assert calls == [], f"app/{name} builds a Finding at lines {calls}"


@pytest.fixture
def built(monkeypatch) -> list[Finding]:
    """Every finding Rule.finding builds while the test runs."""
    found: list[Finding] = []
    plain = Rule.finding

    def finding(self, *args, **kwargs):
        found.append(plain(self, *args, **kwargs))
        return found[-1]

    monkeypatch.setattr(Rule, "finding", finding)
    return found


def test_every_finding_over_the_seeds_is_one_its_rule_built(built):
    findings: list[Finding] = []
    drafts = [parse_report(seed_report_json(name)) for name in seed_names()]
    for path in sorted(SEEDS.glob("*.txt")):
        data = path.read_bytes()
        drafts.append(read_document(data, sniff(data)))
    scan = parse_report(seed_report_json("001_67e027749f67ecd0"))
    for figure in scan.figures.values():
        figure.confidence, figure.raw, figure.page = 0.5, str(figure.value), 2
    drafts.append(review(scan, threshold=0.9))
    for draft in drafts:
        findings += validate(draft, drafts[0])
        if draft.organ:
            findings += regions.place(organ=draft.organ, region_code=None, document=draft.narrative).findings
    findings += regions.place(organ="某某机关", region_code=None).findings
    kinds = {"COMPLETE", "FORMAT", "OCR", "REGION", "STRUCTURE", "T3-BALANCE", "TEXT", "YEAR-IN-FORCE"}
    assert {f.rule for f in findings} >= kinds
    assert all(f.rule in RULES_BY_ID for f in findings)
    ids = {id(f) for f in built}
    assert [f for f in findings if id(f) not in ids] == []
