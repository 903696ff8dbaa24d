"""Imported once by the extraction fork server, so every worker child starts warm.

Children are forked from that server: the modules imported here and the character maps loaded
here are already in memory in each child, instead of being loaded again for every file.
"""

from __future__ import annotations

import contextlib

from pdfminer.cmapdb import CMapDB

import app.extract.pipeline  # noqa: F401  (the extractors and the layout parser)

# The predefined Chinese character maps that reports made by WPS and older Word versions use.
for _name in ("UniGB-UCS2-H", "UniGB-UTF16-H", "GBK-EUC-H", "Adobe-GB1-UCS2"):
    with contextlib.suppress(CMapDB.CMapNotFound):
        CMapDB.get_cmap(_name)
CMapDB.get_unicode_map("Adobe-GB1", vertical=False)
