"""source document content

Revision ID: 0007_json_content
Revises: 0006_cells
Create Date: 2026-12-01 21:11:26.354532

A JSON report's canonical bytes are kept in its source row from now on; those stored before stay
in the file store. A downgrade writes the rows' bytes out to the file store first.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_json_content"
down_revision: str | None = "0006_cells"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("source_document", sa.Column("content", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    from app.services import files

    kept = op.get_bind().execute(
        sa.text("SELECT sha256, content FROM source_document WHERE content IS NOT NULL")
    )
    for digest, content in kept:
        files.keep(bytes(content), digest)
    op.drop_column("source_document", "content")  # in place: SQLite 3.35 drops a column itself
