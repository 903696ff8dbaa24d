"""PDF pages read by PDFium (pypdfium2): the positioned characters and rulings of each page.

PDFium gives what pdfminer.six gives (app.extract.pdf keeps that as the reference reader) an
order of magnitude faster. A character's box is pdfminer's: from its origin across its advance,
one font size tall standing on the baseline. A path becomes rulings as pdfminer's lines
and rectangles do. Where PDFium cannot give the same — a file it cannot open (`Unsupported`),
a turned page, vertical writing, characters it cannot map to Unicode (a page given as None) —
pdfminer.six reads it.
"""

from __future__ import annotations

import ctypes
import math

import pypdfium2 as pdfium
import pypdfium2.raw as c

from app.extract.pdfpage import Char, PageContent

Matrix = tuple[float, float, float, float, float, float]  # a b c d e f, as PDF writes them
Point = tuple[float, float]  # (x, y): the page's left edge and top, in PDF user space
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
MAX_FORM_DEPTH = 8
_UNMAPPED = frozenset({0, 0xFFFD, 0xFFFE, 0xFFFF})
# FPDFText_GetTextObject answering the object's address as an int, so a character's text object
# is compared without a pointer object built for each character
_text_object = ctypes.cast(
    c.FPDFText_GetTextObject, ctypes.CFUNCTYPE(ctypes.c_void_p, *c.FPDFText_GetTextObject.argtypes)
)


class Unsupported(Exception):
    """PDFium cannot give this file's characters as pdfminer.six would: read it with pdfminer.six."""


class Encrypted(Exception):
    """The file needs a password to open."""


def open_document(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if getattr(error, "err_code", None) == c.FPDF_ERR_PASSWORD:
            raise Encrypted from None
        raise Unsupported(str(error)) from None


def read_pages(document: pdfium.PdfDocument) -> list[PageContent | None]:
    """Every page's content; None for a page PDFium cannot give as pdfminer.six would."""
    pages: list[PageContent | None] = []
    for index in range(len(document)):
        page = document[index]
        try:
            pages.append(_page(page))
        except Unsupported:
            pages.append(None)
        finally:
            page.close()
    return pages


def _page(page: pdfium.PdfPage) -> PageContent:
    if page.get_rotation() % 360:
        raise Unsupported("turned page")
    left, bottom, _, top = page.get_mediabox()
    content = PageContent(top - bottom)
    _chars(page, content, left, top)
    _objects(page, _IDENTITY, content, (left, top))
    return content


def _chars(page: pdfium.PdfPage, content: PageContent, left: float, top: float) -> None:
    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        box, x, y, matrix = c.FS_RECTF(), ctypes.c_double(), ctypes.c_double(), c.FS_MATRIX()
        high = 0  # the first half of a UTF-16 surrogate pair
        # A character's font size and matrix are its text object's: asked once per text object
        # (PDFium answers them from the object), not once per character.
        current, scaled = None, 0.0
        for index in range(c.FPDFText_CountChars(raw)):
            code = c.FPDFText_GetUnicode(raw, index)
            if 0xD800 <= code < 0xDC00:
                high = code
                continue
            if high and 0xDC00 <= code < 0xE000:
                code, high = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00), 0
            if code in _UNMAPPED:
                raise Unsupported("a character without Unicode")
            text = chr(code)
            if not text.strip():  # PDFium's own (generated) characters are spaces and line breaks
                continue
            c.FPDFText_GetLooseCharBox(raw, index, box)
            c.FPDFText_GetCharOrigin(raw, index, x, y)
            text_object = _text_object(raw, index)
            if text_object is None or text_object != current:
                c.FPDFText_GetMatrix(raw, index, matrix)
                # the font size as set (Tf), scaled by the text and graphics matrices, as pdfminer does
                scaled = c.FPDFText_GetFontSize(raw, index) * math.hypot(matrix.c, matrix.d)
                current = text_object
            size = scaled
            if not size > 0:
                size = box.top - box.bottom
            # pdfminer's box for the CID fonts of Chinese documents: one font size tall on the baseline
            if box.right - box.left > 2 * size:  # vertical writing: pdfminer's boxes differ
                raise Unsupported("vertical writing")
            baseline = top - y.value
            content.chars.append(Char(text, box.left - left, box.right - left, baseline - size, baseline))
    finally:
        textpage.close()


def _times(inner: Matrix, outer: Matrix) -> Matrix:
    """`inner` then `outer`."""
    a, b, cc, d, e, f = inner
    oa, ob, oc, od, oe, of = outer
    return (
        a * oa + b * oc,
        a * ob + b * od,
        cc * oa + d * oc,
        cc * ob + d * od,
        e * oa + f * oc + oe,
        e * ob + f * od + of,
    )


def _matrix(obj: c.FPDF_PAGEOBJECT) -> Matrix:
    raw = c.FS_MATRIX()
    if not c.FPDFPageObj_GetMatrix(obj, raw):
        return _IDENTITY
    return (raw.a, raw.b, raw.c, raw.d, raw.e, raw.f)


def _objects(parent: object, outer: Matrix, content: PageContent, origin: Point, depth: int = 0) -> None:
    """Paths and images of a page (`depth` 0) or of a form XObject drawn on it, to page space."""
    count, get = (
        (c.FPDFPage_CountObjects, c.FPDFPage_GetObject)
        if depth == 0
        else (c.FPDFFormObj_CountObjects, c.FPDFFormObj_GetObject)
    )
    for index in range(count(parent)):
        obj = get(parent, index)
        kind = c.FPDFPageObj_GetType(obj)
        if kind == c.FPDF_PAGEOBJ_PATH:
            _path(obj, _times(_matrix(obj), outer), content, origin)
        elif kind == c.FPDF_PAGEOBJ_IMAGE:
            content.images += 1
        elif kind == c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
            _objects(obj, _times(_matrix(obj), outer), content, origin, depth + 1)


def _path(obj: c.FPDF_PAGEOBJECT, matrix: Matrix, content: PageContent, origin: Point) -> None:
    """Each subpath of a path as pdfminer.six paints it: a line, a rectangle, or another shape."""
    a, b, cc, d, e, f = matrix
    left, top = origin
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[list[Point]] = []
    closed: list[bool] = []
    for index in range(c.FPDFPath_CountSegments(obj)):
        segment = c.FPDFPath_GetPathSegment(obj, index)
        c.FPDFPathSegment_GetPoint(segment, x, y)
        point = (a * x.value + cc * y.value + e - left, top - (b * x.value + d * y.value + f))
        if c.FPDFPathSegment_GetType(segment) == c.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([point])
            closed.append(False)
        else:
            subpaths[-1].append(point)
        if c.FPDFPathSegment_GetClose(segment):
            closed[-1] = True
    for points, is_closed in zip(subpaths, closed, strict=True):
        if len(points) < 2:
            continue
        if is_closed and points[-1] != points[0]:
            points.append(points[0])
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        content.add_shape(min(xs), max(xs), min(ys), max(ys), rectangle=_rectangle(points))


def _rectangle(points: list[Point]) -> bool:
    """Four corners, closed, with sides along the axes (as PDF's `re` draws)."""
    if len(points) != 5 or not _same(points[0], points[4]):
        return False
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points[:4]
    return (_near(x0, x1) and _near(y1, y2) and _near(x2, x3) and _near(y3, y0)) or (
        _near(y0, y1) and _near(x1, x2) and _near(y2, y3) and _near(x3, x0)
    )


def _near(first: float, second: float) -> bool:
    return math.isclose(first, second, abs_tol=0.01)


def _same(first: Point, second: Point) -> bool:
    return _near(first[0], second[0]) and _near(first[1], second[1])
