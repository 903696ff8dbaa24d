"""The `nianbao` command: serve the API, apply migrations."""

from __future__ import annotations

import argparse
import sys

from alembic import command

from app.config import get_settings
from app.services.health import alembic_config


def migrate() -> None:
    command.upgrade(alembic_config(get_settings().database_url), "head")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    migrate()
    uvicorn.run("app.main:app", host=args.host, port=args.port, workers=args.workers)
    return 0


def _migrate(_: argparse.Namespace) -> int:
    migrate()
    return 0


def _check(args: argparse.Namespace) -> int:
    from app import check

    return check.main(args.files, as_json=args.json)


def _openapi(args: argparse.Namespace) -> int:
    import json

    from app.main import create_app

    text = json.dumps(create_app().openapi(), ensure_ascii=False, indent=2) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nianbao", description="政府信息公开工作年度报告服务")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="apply migrations, then serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=_serve)

    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=_migrate)

    check = commands.add_parser("check", help="read report files and print their figures and findings")
    check.add_argument("files", nargs="+")
    check.add_argument("--json", action="store_true", help="print the report as the API returns it")
    check.set_defaults(run=_check)

    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", default="openapi/openapi.json")
    openapi.set_defaults(run=_openapi)

    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
