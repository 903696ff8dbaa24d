FROM python:3.11-slim

WORKDIR /srv/nianbao
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1

# OpenCV (used by OCR, which reads scans in every install) needs these libraries at run time.
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
# Editable, so the top-level alembic.ini and migrations/ are found beside the code.
RUN pip install --no-cache-dir -e .

# DATABASE_URL=postgresql://user@host/db in production; the SQLite default lives in /srv/nianbao/data.
VOLUME ["/srv/nianbao/data"]
EXPOSE 8000
CMD ["nianbao", "serve", "--host", "0.0.0.0", "--port", "8000"]
