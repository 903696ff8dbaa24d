"""Scan fixtures: a text-layer PDF rendered to page images the way a scanner would leave them
(slightly turned, speckled, JPEG-compressed, optionally out of focus) and wrapped as an
image-only PDF. Deterministic: the same arguments give the same bytes."""

from __future__ import annotations

import io
from pathlib import Path

SCANS = Path(__file__).parent / "data" / "scans"
ORIGINALS = {"beitun_2024": SCANS / "beitun_2024.pdf", "varied_2023": SCANS / "varied_2023.pdf"}


def scan_images(
    pdf: bytes,
    *,
    dpi: int = 200,
    angle: float = 0.6,
    noise: float = 14.0,
    blur: float = 0.0,
    pages: list[int] | None = None,
    seed: int = 1,
) -> list:
    """Page images (Pillow, grayscale) of a PDF as a scanner would give them."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(seed)
    document = pdfium.PdfDocument(pdf)
    images = []
    for index in pages if pages is not None else range(len(document)):
        image = document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
        if blur:
            image = image.filter(ImageFilter.GaussianBlur(blur))
        pixels = np.asarray(image, dtype=np.float32) + rng.normal(0, noise, (image.height, image.width))
        images.append(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)))
    document.close()
    return images


def image_pdf(images: list, dpi: int = 200) -> bytes:
    """Wrap page images as a PDF with no text layer (JPEG inside, as scanners write)."""
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:], quality=80)
    return out.getvalue()


def scanned_pdf(name: str, **options) -> bytes:
    """The image-only scan of one of the text-layer originals under tests/data/scans."""
    dpi = options.get("dpi", 200)
    return image_pdf(scan_images(ORIGINALS[name].read_bytes(), **options), dpi=dpi)


def signed_2019() -> tuple[dict, bytes]:
    """A 2019-format report whose 本年增/减 are mostly negative and whose 采购总金额 (万元) has
    decimals, as a text-layer PDF (python-docx, then LibreOffice): the original of a scan."""
    import copy

    from fixtures import documents, reports

    report = copy.deepcopy(reports.REPORT_2019)
    report["organ"] = "第九师额敏县"
    changes = {"licensing": -4, "other_management_services": -13, "penalty": -1, "coercion": -27, "fees": -2}
    for row, change in changes.items():
        report["table2"][row]["change"] = change
    report["table2"]["centralized_procurement"] = {"items": 64, "amount": "5321.48"}
    docx = documents._report_docx(report)
    return report, documents._cached(docx, ".pdf", lambda: documents._soffice_pdf(docx))
