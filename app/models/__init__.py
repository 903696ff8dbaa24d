"""The stored tables (each module registers its own on one metadata) and the API models."""

# Importing any model registers every table, so the metadata is whole wherever it is read.
from app.models import access, bodies, jobs, people, tables  # noqa: F401
