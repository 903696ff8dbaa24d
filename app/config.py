"""All settings in one place; the defaults serve a newcomer on one machine."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIANBAO_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite:///./data/nianbao.db", validation_alias=AliasChoices("DATABASE_URL", "NIANBAO_DATABASE_URL")
    )
    file_store: Path = Path("./data/files")
    max_upload_bytes: int = 20 * 1024 * 1024
    max_json_bytes: int = 2 * 1024 * 1024
    max_json_depth: int = 32
    max_bulk_reports: int = 1000
    page_size_max: int = 200
    max_pdf_pages: int = 200
    extraction_timeout_seconds: float = 60
    extraction_memory_mb: int = 1536
    extraction_concurrency: int = 2
    extraction_queue_wait_seconds: float = 10
    extraction_retry_after_seconds: int = 10
    # scans read by OCR (the optional `ocr` extra)
    ocr_dpi: int = 200
    ocr_max_pages: int = 20  # more pages than this in a scan: 413
    ocr_page_seconds: float = 120.0  # per page: wall time in the worker, and CPU time
    ocr_max_image_side: int = 3000  # photographs are scaled down to this many pixels
    ocr_min_confidence: float = 0.75  # below it a figure needs the relations' confirmation
    ocr_threads: int = 2
    ocr_memory_mb: int = 4096  # address space an OCR child may map (onnxruntime reserves much)


@cache
def get_settings() -> Settings:
    return Settings()
