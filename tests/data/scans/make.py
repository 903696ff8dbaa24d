"""Writes the text-layer originals of the scan fixtures: a JSON report → HTML in the official
2021 template → PDF by LibreOffice. The scans themselves are rendered from these PDFs by the tests.

    python tests/data/scans/make.py   # needs soffice and fonts-noto-cjk; rewrites the *.pdf here
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
SOURCES = {
    "beitun_2024": HERE.parent / "examples" / "report.json",
    "varied_2023": HERE / "varied_2023.json",
}

T3_ROWS = [
    ("new_received", "一、本年新收政府信息公开申请数量", None, None),
    ("carried_over", "二、上年结转政府信息公开申请数量", None, None),
    ("result.disclosed", "三、本年度办理结果", "（一）予以公开", None),
    ("result.partially_disclosed", None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    ("result.withheld.state_secret", None, "（三）不予公开", "1.属于国家秘密"),
    ("result.withheld.prohibited_by_law", None, None, "2.其他法律行政法规禁止公开"),
    ("result.withheld.three_security_one_stability", None, None, "3.危及“三安全一稳定”"),
    ("result.withheld.third_party_rights", None, None, "4.保护第三方合法权益"),
    ("result.withheld.internal_affairs", None, None, "5.属于三类内部事务信息"),
    ("result.withheld.process_info", None, None, "6.属于四类过程性信息"),
    ("result.withheld.enforcement_file", None, None, "7.属于行政执法案卷"),
    ("result.withheld.administrative_query", None, None, "8.属于行政查询事项"),
    ("result.unable.not_held", None, "（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("result.unable.needs_creation", None, None, "2.没有现成信息需要另行制作"),
    ("result.unable.unclear_after_correction", None, None, "3.补正后申请内容仍不明确"),
    ("result.not_processed.complaint", None, "（五）不予处理", "1.信访举报投诉类申请"),
    ("result.not_processed.repeated", None, None, "2.重复申请"),
    ("result.not_processed.publication", None, None, "3.要求提供公开出版物"),
    ("result.not_processed.excessive", None, None, "4.无正当理由大量反复申请"),
    ("result.not_processed.confirm_or_reissue", None, None, "5.要求行政机关确认或重新出具已获取信息"),
    (
        "result.other.no_correction",
        None,
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    (
        "result.other.unpaid_fee",
        None,
        None,
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    ("result.other.other", None, None, "3.其他"),
    ("result.total", None, "（七）总计", None),
    ("carried_to_next_year", "四、结转下年度继续办理", None, None),
]
SPANS = {
    "三、本年度办理结果": 22,
    "（三）不予公开": 8,
    "（四）无法提供": 3,
    "（五）不予处理": 5,
    "（六）其他处理": 3,
}
APPLICANTS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_agency",
    "other_org",
    "total",
)
T4 = ("upheld", "corrected", "other", "pending", "total")


def _td(text: object, colspan: int = 1, rowspan: int = 1, width: str | None = None) -> str:
    attrs = (f' colspan="{colspan}"' if colspan > 1 else "") + (
        f' rowspan="{rowspan}"' if rowspan > 1 else ""
    )
    attrs += f' width="{width}"' if width else ""
    return f'<td align="center"{attrs}>{text}</td>'


def _table2(t2: dict) -> str:
    rows = [
        "<tr>" + _td("第二十条第（一）项", 4) + "</tr>",
        "<tr>" + _td("信息内容") + _td("本年制发件数") + _td("本年废止件数") + _td("现行有效件数") + "</tr>",
    ]
    for code, label in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
        r = t2[code]
        rows.append(
            "<tr>" + _td(label) + "".join(_td(r[c]) for c in ("issued", "repealed", "in_force")) + "</tr>"
        )
    rows.append("<tr>" + _td("第二十条第（五）项", 4) + "</tr>")
    rows.append("<tr>" + _td("信息内容") + _td("本年处理决定数量", 3) + "</tr>")
    rows.append("<tr>" + _td("行政许可") + _td(t2["licensing"]["decisions"], 3) + "</tr>")
    rows.append("<tr>" + _td("第二十条第（六）项", 4) + "</tr>")
    rows.append("<tr>" + _td("信息内容") + _td("本年处理决定数量", 3) + "</tr>")
    for code, label in (("penalty", "行政处罚"), ("coercion", "行政强制")):
        rows.append("<tr>" + _td(label) + _td(t2[code]["decisions"], 3) + "</tr>")
    rows.append("<tr>" + _td("第二十条第（八）项", 4) + "</tr>")
    rows.append("<tr>" + _td("信息内容") + _td("本年收费金额（单位：万元）", 3) + "</tr>")
    rows.append("<tr>" + _td("行政事业性收费") + _td(t2["fees"]["amount_10k_yuan"], 3) + "</tr>")
    return _table(rows)


def _table3(t3: dict) -> str:
    rows = [
        "<tr>"
        + _td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3, "44%")
        + _td("申请人情况", 7)
        + "</tr>",
        "<tr>" + _td("自然人", rowspan=2) + _td("法人或其他组织", 5) + _td("总计", rowspan=2) + "</tr>",
        "<tr>"
        + "".join(_td(x) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"))
        + "</tr>",
    ]
    for code, top, middle, item in T3_ROWS:
        cells = []
        if top and middle is None:
            cells.append(_td(top, 3))
        elif top:
            cells.append(_td(top, rowspan=SPANS[top]))
        if middle and item is None:
            cells.append(_td(middle, 2))
        elif middle:
            cells.append(_td(middle, rowspan=SPANS[middle]))
        if item:
            cells.append(_td(item))
        cells += [_td(t3[code][c]) for c in APPLICANTS]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return _table(rows)


def _table4(t4: dict) -> str:
    heads = "".join(_td(x) for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"))
    rows = [
        "<tr>" + _td("行政复议", 5) + _td("行政诉讼", 10) + "</tr>",
        "<tr>"
        + "".join(_td(x, rowspan=2) for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"))
        + _td("未经复议直接起诉", 5)
        + _td("复议后起诉", 5)
        + "</tr>",
        "<tr>" + heads + heads + "</tr>",
        "<tr>"
        + "".join(
            _td(t4[g][c])
            for g in ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
            for c in T4
        )
        + "</tr>",
    ]
    return _table(rows)


def _table(rows: list[str]) -> str:
    return '<table border="1" cellspacing="0" cellpadding="3" width="100%">' + "".join(rows) + "</table>"


def html(report: dict) -> str:
    organ, year = report["organ"], report["year"]
    total = report["table3"]["new_received"]["total"]
    para = 'style="text-indent:2em; line-height:150%"'
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<style>body {{ font-family: 'Noto Serif CJK SC'; font-size: 11pt; }}
td {{ font-family: 'Noto Sans CJK SC'; font-size: 9pt; }}</style></head><body>
<h2 align="center">{organ}{year}年政府信息公开工作年度报告</h2>
<p {para}>本报告根据《中华人民共和国政府信息公开条例》第五十条编制。
数据统计期限自{year}年1月1日至{year}年12月31日。</p>
<p {para}><b>一、总体情况</b></p>
<p {para}>{year}年，{organ}认真贯彻落实政府信息公开工作要求，
全年共收到政府信息公开申请{total}件，均已按时答复。</p>
<p {para}><b>二、主动公开政府信息情况</b></p>{_table2(report["table2"])}
<p style="page-break-before: always" {para}><b>三、收到和处理政府信息公开申请情况</b></p>
{_table3(report["table3"])}
<p style="page-break-before: always" {para}><b>四、政府信息公开行政复议、行政诉讼情况</b></p>
{_table4(report["table4"])}
<p {para}><b>五、存在的主要问题及改进情况</b></p>
<p {para}>主动公开的及时性有待提高。下一步将加强培训，规范发布流程。</p>
<p {para}><b>六、其他需要报告的事项</b></p><p {para}>本年度未收取信息处理费。</p>
<p align="right">{organ}</p></body></html>"""


def main() -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        sys.exit("soffice (LibreOffice) is needed to write the originals")
    with tempfile.TemporaryDirectory() as tmp:
        for name, source in SOURCES.items():
            report = json.loads(source.read_text(encoding="utf-8"))
            page = Path(tmp) / f"{name}.html"
            page.write_text(html(report), encoding="utf-8")
            subprocess.run(
                [
                    soffice,
                    "--headless",
                    "--convert-to",
                    "pdf:writer_web_pdf_Export",
                    "--outdir",
                    tmp,
                    str(page),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            shutil.copy(Path(tmp) / f"{name}.pdf", HERE / f"{name}.pdf")


if __name__ == "__main__":
    main()
