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
    max_bulk_bytes: int = 32 * 1024 * 1024  # a batch of reports in one JSON array
    page_size_max: int = 200
    max_pdf_pages: int = 200
    # PDFs are read by PDFium; pdfminer.six is the reference reader (and reads what PDFium cannot)
    pdf_reader: str = Field("pdfium", pattern="^(pdfium|pdfminer)$")
    extraction_timeout_seconds: float = 60
    extraction_memory_mb: int = 1536
    extraction_concurrency: int = 2
    extraction_queue_wait_seconds: float = 10
    extraction_retry_after_seconds: int = 10
    # Threads that run the request handlers (and every database call) of one API process; the
    # PostgreSQL pool holds a connection for each of them and for each batch worker thread.
    request_threads: int = 40
    # POST requests (submissions) one API process takes at once, running or waiting for a thread;
    # one more is answered 503 `busy` with Retry-After at once (its body is dropped, not kept).
    max_pending_submissions: int = 256
    sqlite_busy_seconds: float = 60  # a writer's wait for SQLite's write lock (held by one writer)
    busy_retry_after_seconds: int = 10  # Retry-After of 503 `busy`: too many submissions, database locked
    # scans read by OCR (the optional `ocr` extra)
    ocr_dpi: int = 200
    ocr_max_pages: int = 20  # more pages than this in a scan: 413
    ocr_page_seconds: float = 120.0  # per page: wall time in the worker, and CPU time
    ocr_max_image_side: int = 3000  # photographs are scaled down to this many pixels
    ocr_min_confidence: float = 0.75  # below it a figure needs the relations' confirmation
    ocr_threads: int = 2
    ocr_memory_mb: int = 4096  # address space an OCR child may map (onnxruntime reserves much)

    # Access (see docs/production.md): "auto" enforces keys once one exists, or for any caller
    # not on this machine; "on" always enforces them. Anonymous reads only when opened here.
    auth: str = Field("auto", pattern="^(auto|on)$")
    anonymous_read: bool = False
    # /docs, /redoc and /openapi.json answer anyone (they describe the API, hold no data); false
    # puts them behind a `read` key like every other route. /static (CSS, JS) is always public.
    public_docs: bool = True
    signature_window_seconds: int = 300
    # People who sign in to the pages: the key that signs their session cookie (set the same one
    # on every API process; without it one is kept in session_secret_file), and how long it lasts.
    session_secret: str = ""
    session_secret_file: Path = Path("./data/session-secret")
    session_max_age_seconds: int = 8 * 3600
    # argon2id's cost for passwords (the library's defaults); a hash made at another cost is
    # made again at this one at its next sign-in
    password_time_cost: int = Field(3, ge=1)
    password_memory_kib: int = Field(64 * 1024, ge=8 * 1024)
    password_parallelism: int = Field(4, ge=1)
    max_request_bytes: int = 110 * 1024 * 1024  # any request, before a route reads it
    # Batches: a ZIP or many files, processed by workers that claim jobs in the database.
    max_batch_files: int = 500
    max_batch_bytes: int = 100 * 1024 * 1024
    worker_threads: int = 1  # batch workers inside each API process; 0 leaves it to `nianbao worker`
    # A worker renews its job's lease every third of it while it reads; a worker that died
    # stops renewing, and its job is taken up again once the lease runs out.
    job_lease_seconds: int = 30
    job_max_attempts: int = 3
    idempotency_ttl_hours: int = 24
    log_json: bool = True
    log_level: str = "INFO"


@cache
def get_settings() -> Settings:
    return Settings()  # type: ignore[call-arg]  # filled from the environment
