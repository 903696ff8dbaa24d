"""Scanned reports: pages with no text layer (and JPEG/PNG photographs) read by OCR.

RapidOCR runs the PP-OCRv4 Chinese detection and recognition models that ship inside its wheel
(onnxruntime on the CPU; nothing is fetched at run time). Its boxes — text, quadrilateral,
confidence per character — become the same lines of positioned cells a PDF with a text layer
gives, so one layout parser reads both. Optional: `pip install .[ocr]`.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from app.config import get_settings
from app.errors import (
    IMAGE_TOO_LARGE,
    NO_TEXT_LAYER,
    OCR_TIMEOUT,
    TOO_MANY_PAGES,
    UNREADABLE_IMAGE,
    UNREADABLE_PDF,
    ProblemError,
)
from app.extract import ocr_marks
from app.extract.lines import Extracted, Line
from app.extract.ocr_lines import Box, lines_from_boxes, split_box

A4_WIDTH_PT = 595.28  # a photograph has no page size: its width is taken as an A4 page's

_CJK = re.compile(r"[\u4e00-\u9fff]")  # a report always has Chinese; noise in an image has none
_FIGURE_LIKE = re.compile(r"^[0-9OoDQCclI|SsB.,]+$")  # digits, and the letters OCR takes them for
_FIGURE = re.compile(r"^[-−－–—]?[0-9OoDQCclI|SsB.,，．]*[0-9][0-9OoDQCclI|SsB.,，．]*$")
RE_READ_SCALE = 2.0  # a doubtful figure is read again from its crop at this scale


@dataclass(frozen=True)
class Page:
    """A page image (grayscale, as a numpy array) and how many PDF points one pixel spans."""

    number: int
    image: Any
    points_per_pixel: float


def available() -> bool:
    """Whether the OCR packages are installed (they are in the default install)."""
    try:
        import numpy  # noqa: F401
        import pypdfium2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


HOW_TO_ENABLE = (
    "本服务未安装文字识别（OCR）组件，无法读取扫描件：请由管理员按默认方式重新安装（pip install nianbao），"
    "重启服务后重新上传"
)


def _require() -> None:
    if not available():
        raise NO_TEXT_LAYER(f"该文件没有文字层（扫描件或图片）；{HOW_TO_ENABLE}")


@cache
def _engine(threads: int) -> Any:
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR(
        use_cls=False,  # upright scans; the angle classifier costs time and flips digits
        intra_op_num_threads=threads,
        inter_op_num_threads=1,
        print_verbose=False,
    )
    _reuse_buffers(engine, threads)
    return engine


def _reuse_buffers(engine: Any, threads: int) -> None:
    """Rebuild the detection and recognition sessions with ONNX Runtime's CPU memory arena on.

    RapidOCR turns the arena off, so every page allocates the detector's large buffers afresh;
    reused, a page takes about 10% less time. Each session is rebuilt from the model RapidOCR
    chose. The OCR child keeps about 500 MB more meanwhile (within ocr_memory_mb), and retires
    after its file as before.
    """
    import onnxruntime

    for holder in (engine.text_det.infer, engine.text_rec.session):  # RapidOCR's OrtInferSession
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 4
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.enable_cpu_mem_arena = True
        holder.session = onnxruntime.InferenceSession(
            holder.session._model_path, sess_options=options, providers=["CPUExecutionProvider"]
        )


# ---- pages to images ---------------------------------------------------------------------------


def _too_many(pages: int, cap: int) -> ProblemError:
    return TOO_MANY_PAGES(
        f"扫描件共 {pages} 页，超过文字识别 {cap} 页的上限：请只上传年度报告本身，或上传带文字层的原件",
    )


def pdf_pages(data: bytes, pages: Sequence[int] | None = None) -> list[Page]:
    """Render PDF pages (0-based indices; all by default) at the configured resolution."""
    _require()
    import pypdfium2 as pdfium

    settings = get_settings()
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise UNREADABLE_PDF() from None
    try:
        wanted = list(range(len(document))) if pages is None else list(pages)
        if len(wanted) > settings.ocr_max_pages:
            raise _too_many(len(wanted), settings.ocr_max_pages)
        rendered = []
        for index in wanted:
            page = document[index]
            width_pt, height_pt = page.get_size()
            # A4 at 200 dpi is 2339 px high; an outsized page is rendered no larger than a photo
            scale = min(settings.ocr_dpi / 72, settings.ocr_max_image_side / max(width_pt, height_pt, 1))
            bitmap = page.render(scale=scale, grayscale=True)
            image = bitmap.to_numpy().copy()
            if image.ndim == 3:
                image = image[:, :, 0]
            rendered.append(Page(index + 1, image, width_pt / image.shape[1]))
        return rendered
    finally:
        document.close()


def image_page(data: bytes) -> Page:
    """A JPEG or PNG upload (a photographed or scanned page) as one page."""
    _require()
    import numpy as np
    from PIL import Image, ImageOps, UnidentifiedImageError

    settings = get_settings()
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > 60_000_000:
                raise IMAGE_TOO_LARGE()
            image = ImageOps.exif_transpose(opened).convert("L")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise UNREADABLE_IMAGE() from None
    longest = settings.ocr_max_image_side
    if max(image.size) > longest:
        image.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    return Page(1, np.asarray(image), A4_WIDTH_PT / image.width)


# ---- OCR ---------------------------------------------------------------------------------------


def recognise(image: Any) -> list[Box]:
    """Run the detector and recogniser over one page image.

    A 3×3 median filter first: scanner speckle otherwise hides a lone thin digit ("1", "4")
    from the detector, and a figure missed is a figure reported blank.
    """
    import cv2

    engine = _engine(get_settings().ocr_threads)
    # text_score 0: keep every reading however unsure, so a blurred figure comes out doubtful
    # (and is weighed by the review) instead of vanishing into a blank cell
    result, _ = engine(
        cv2.medianBlur(image, 3), use_cls=False, return_word_box=True, box_thresh=0.3, text_score=0.0
    )
    boxes = []
    for item in result or ():
        quad, text, score = item[0], item[1], float(item[2])
        word_boxes = item[3] if len(item) > 3 else []
        words = item[4] if len(item) > 4 else []
        scores = item[5] if len(item) > 5 else []
        chars = tuple(
            (word, tuple((float(x), float(y)) for x, y in wb), float(conf))
            for word, wb, conf in zip(words, word_boxes, scores, strict=False)
            if wb
        )
        confidence = min((c[2] for c in chars), default=score)
        text = text.strip()
        if text and (score >= 0.5 or _FIGURE_LIKE.match(text)):  # unsure words are noise; figures stay
            boxes.append(Box(text, tuple(tuple(map(float, p)) for p in quad), confidence, chars))  # type: ignore[arg-type]
    return boxes


def checked(boxes: list[Box], image: Any) -> list[Box]:
    """Figures whose marks (minus, points, separators) the ink confirms, and read confidently,
    stand; any other figure is read again from its crop at a higher scale. The second reading
    replaces the first when the ink confirms its marks (and it reads the same digits, where the
    first reading's marks were right); a figure left unconfirmed is doubtful (confidence 0), so
    only the relations can settle it — never a sign, point or separator altered."""
    threshold = get_settings().ocr_min_confidence
    result = []
    for box in boxes:
        text = box.text.strip()
        if not _FIGURE.match(text):
            result.append(box)
            continue
        marks_right = ocr_marks.agree(text, image, box.quad)
        if marks_right and box.confidence >= threshold:
            result.append(box)
            continue
        again, confidence = _read_again(image, box)
        if ocr_marks.agree(again, image, box.quad) and (again == text or not marks_right):
            if again == text:  # the same reading twice: as sure as the surer of the two
                result.append(replace(box, confidence=max(box.confidence, confidence)))
                continue
            if len(split_box(box, 0.0)) == 1 and _FIGURE.match(again):  # one cell: its new reading
                result.append(Box(again, box.quad, min(confidence, box.confidence), ()))
                continue
        result.append(replace(box, confidence=0.0))
    return result


def _read_again(image: Any, box: Box) -> tuple[str, float]:
    """The recogniser alone on the box (and the space left of it, where a sign may stand), scaled
    up: (text, confidence)."""
    import cv2

    xs, ys = [p[0] for p in box.quad], [p[1] for p in box.quad]
    height = max(ys) - min(ys)
    left = max(0, int(min(xs) - ocr_marks.LEFT_REACH * height / 3))
    crop = image[max(0, int(min(ys))) : int(max(ys)) + 1, left : int(max(xs)) + 1]
    if crop.size == 0:
        return "", 0.0
    crop = cv2.resize(crop, None, fx=RE_READ_SCALE, fy=RE_READ_SCALE, interpolation=cv2.INTER_CUBIC)
    result, _ = _engine(get_settings().ocr_threads)(crop, use_det=False, use_cls=False, use_rec=True)
    if not result:
        return "", 0.0
    text, score = result[0][0], float(result[0][1])
    return "".join(text.split()), score


def read_pages(pages: list[Page]) -> list[Line]:
    """OCR every page within its time limit; the lines of all pages in reading order."""
    from app.extract.worker import allow_ocr_memory, extend_deadline

    allow_ocr_memory()
    limit = get_settings().ocr_page_seconds
    lines: list[Line] = []
    for page in pages:
        late = f"第 {page.number} 页的文字识别超过 {limit:g} 秒的时限：请上传更清晰的扫描件或带文字层的原件"
        extend_deadline(limit, late)  # the bounded worker's clock: wall time for this page
        started = time.process_time()  # and this process's own CPU time, both threads counted
        boxes = checked(recognise(page.image), page.image)
        if time.process_time() - started > limit:
            raise OCR_TIMEOUT(late)
        lines += lines_from_boxes(boxes, page=page.number, points_per_pixel=page.points_per_pixel)
    if not any(_CJK.search(cell.text) for line in lines for cell in line.cells):
        raise NO_TEXT_LAYER(
            "这是扫描件（只有图片，没有文字层），文字识别（OCR）也未能从中读出中文："
            "请上传更清晰的扫描件，或由 Word/WPS 直接导出的 PDF、.docx 文件",
        )
    return lines


def read_pdf(data: bytes, pages: Sequence[int] | None = None) -> Extracted:
    """An image-only PDF (or the given 0-based pages of one) as lines of positioned cells."""
    rendered = pdf_pages(data, pages)
    return Extracted(read_pages(rendered), "application/pdf", pages=len(rendered), notes=["ocr"])


def read_image(data: bytes, media_type: str) -> Extracted:
    """A JPEG/PNG photograph of a report page as lines of positioned cells."""
    return Extracted(read_pages([image_page(data)]), media_type, pages=1, notes=["ocr"])
