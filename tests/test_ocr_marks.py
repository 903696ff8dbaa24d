"""A scanned figure's minus sign, decimal point and thousands separators are read or the figure
is doubtful: the ink is counted against the reading, and a doubtful figure read again."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from app.config import get_settings
from app.extract import ocr, ocr_marks
from app.extract.ocr_lines import Box

pytestmark = pytest.mark.ocr

SIZE = 40  # pixels: a 10.5 pt figure scanned at 270 dpi


def _cell(text: str, *, before: str = "", seed: int = 1) -> tuple[np.ndarray, dict[str, tuple]]:
    """A ruled table cell holding `text` (and a label cell before it), speckled as a scan; the
    quadrilateral of every part of `text` a detector might box."""
    font = ImageFont.load_default(size=SIZE)
    image = Image.new("L", (560, 90), 250)
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 10, 540, 80), outline=40, width=2)
    draw.line((200, 10, 200, 80), fill=40, width=2)
    if before:
        draw.text((40, 22), before, font=font, fill=30)
    draw.text((240, 22), text, font=font, fill=30)
    quads = {}
    for start in range(len(text)):
        part = text[start:]
        x0, y0, x1, y1 = draw.textbbox((240 + draw.textlength(text[:start], font=font), 22), part, font=font)
        quads[part] = ((x0 - 3, y0 - 6), (x1 + 3, y0 - 6), (x1 + 3, y1 + 6), (x0 - 3, y1 + 6))
    pixels = np.asarray(image, dtype=np.float32) + np.random.default_rng(seed).normal(0, 12, (90, 560))
    return np.clip(pixels, 0, 255).astype(np.uint8), quads


@pytest.mark.parametrize(
    ("printed", "boxed", "marks"),
    [
        ("-27", "27", ocr_marks.Marks(1, 0)),  # the detector left the minus out of its box
        ("-27", "-27", ocr_marks.Marks(1, 0)),
        ("5321.48", "5321.48", ocr_marks.Marks(0, 1)),
        ("12,345.6", "12,345.6", ocr_marks.Marks(0, 2)),
        ("2310", "2310", ocr_marks.Marks(0, 0)),
        ("9", "9", ocr_marks.Marks(0, 0)),
    ],
)
def test_the_ink_shows_the_marks_that_are_printed(printed, boxed, marks):
    image, quads = _cell(printed, before="一、其他")
    assert ocr_marks.in_ink(image, quads[boxed]) == marks
    assert ocr_marks.agree(printed, image, quads[boxed])


@pytest.mark.parametrize(("printed", "lost"), [("-27", "27"), ("5321.48", "532148"), ("12,345", "12345")])
def test_a_reading_that_lost_a_mark_disagrees_with_the_ink(printed, lost):
    image, quads = _cell(printed)
    assert not ocr_marks.agree(lost, image, quads[printed])


@pytest.mark.parametrize(
    ("printed", "read"), [("-27", "27"), ("-4", "4"), ("5321.48", "532148"), ("3,120", "3120")]
)
def test_a_figure_read_without_its_mark_is_read_again_or_left_doubtful(printed, read):
    image, quads = _cell(printed)
    quad = quads[read] if read in quads else quads[printed]
    (box,) = ocr.checked([Box(read, quad, 0.99)], image)
    threshold = get_settings().ocr_min_confidence
    assert box.text == printed or box.confidence < threshold  # never the figure altered
    assert (box.text, box.confidence >= threshold) != (read, True)


def test_a_figure_read_right_stands():
    image, quads = _cell("-27")
    (box,) = ocr.checked([Box("-27", quads["-27"], 0.97)], image)
    assert (box.text, box.confidence) == ("-27", 0.97)
