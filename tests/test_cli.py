"""`nianbao check`: the same reading and findings on a terminal, with an exit status for scripts."""

from __future__ import annotations

import io
import json

from conftest import SEEDS

from app import check


def _run(*paths: str, as_json: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    return check.main(list(paths), as_json=as_json, out=out), out.getvalue()


def test_errors_give_exit_status_1_and_are_printed():
    status, text = _run(str(SEEDS / "001_67e027749f67ecd0.txt"))
    assert status == 1
    assert "第十师北屯市 2024 年度报告（2021 年格式）" in text
    assert "[error] T3-RESULT-SUM table3.result.total.natural_person" in text
    assert "两倍" in text


def test_a_clean_report_exits_0_and_json_is_the_api_shape():
    status, text = _run(str(SEEDS / "002_3de73757d3cdff2d.txt"), as_json=True)
    assert status == 0
    body = json.loads(text)
    assert body["organ"] == "昌吉市阿什里乡" and body["validation"]["valid"] is True
    assert body["table3"]["result.total"]["total"] == 0


def test_unreadable_file_exits_2(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("会议纪要", encoding="utf-8")
    status, text = _run(str(path), str(SEEDS / "002_3de73757d3cdff2d.txt"))
    assert status == 2
    assert json.loads(text.splitlines()[0])["code"] == "not_a_report"
