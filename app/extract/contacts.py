"""The postcode and telephone area codes a report prints (联系地址、邮编、联系电话), read for
placing a body whose name fits several places."""

from __future__ import annotations

import re
import unicodedata

_POSTCODE = re.compile(r"(?:邮政编码|邮编)\s*[:：]?\s*(\d{6})(?!\d)")
# 0994-2345678, (0991)2345678, （0931）8123456, 029-88888888: the code is followed by a separator
_AREA_CODE = re.compile(r"(?<![\d-])[(（]?(0\d{2,3})(?:[)）]\s*|\s*[-－—]\s*)\d{7,8}(?!\d)")


def postcodes(text: str) -> list[str]:
    """Every 6-digit postcode printed after 邮编 / 邮政编码, in order, once each."""
    return list(dict.fromkeys(_POSTCODE.findall(unicodedata.normalize("NFKC", text))))


def area_codes(text: str) -> list[str]:
    """Every telephone area code printed with its number, in order, once each."""
    return list(dict.fromkeys(_AREA_CODE.findall(unicodedata.normalize("NFKC", text))))
