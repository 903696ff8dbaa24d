"""The `nianbao` command: serve the API, run batch workers, manage API keys and people, apply migrations."""

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


def _worker(args: argparse.Namespace) -> int:
    import signal
    import threading

    from app.db import get_engine
    from app.services import jobs, telemetry

    settings = get_settings()
    telemetry.configure_logging(json_logs=settings.log_json, level=settings.log_level)
    if args.migrate:
        migrate()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    engine = get_engine()
    threads = [
        threading.Thread(
            target=jobs.work,
            kwargs={"engine": engine, "stop": stop, "until_idle": args.until_idle},
            name=f"batch-worker-{n}",
        )
        for n in range(args.threads)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return 0


def _keys(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.db import get_engine
    from app.services import access, audit

    with Session(get_engine()) as session:
        if args.keys_command == "create":
            scopes = [s.strip() for s in args.scopes.split(",") if s.strip()]
            try:
                new = access.create_key(
                    session=session, name=args.name, scopes=scopes, signing=args.app, region=args.region
                )
            except ValueError as error:
                print(error, file=sys.stderr)
                return 2
            audit.record(
                session=session,
                actor="cli",
                action="key.create",
                target=f"{new.key.id}:{new.key.name}",
                detail={"scopes": new.key.scopes, "region": new.key.region_code},
            )
            session.commit()
            print(f"id:      {new.key.id}")
            print(f"name:    {new.key.name}")
            print(f"scopes:  {','.join(new.key.scopes)}")
            print(f"region:  {new.key.region_code or 'national'}")
            if args.app:
                print(f"appKey:  {new.key.prefix}")
                print(f"secret:  {new.key.signing_secret}")
            else:
                print(f"token:   {new.token}")
            print("Keep it now: it is shown only once.", file=sys.stderr)
        elif args.keys_command == "list":
            for key in access.list_keys(session=session):
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                kind = "appKey" if key.signing_secret else "token"
                region = key.region_code or "national"
                print(
                    f"{key.id}\t{key.prefix}\t{kind}\t{','.join(key.scopes)}\t{region}\t{state}\t{key.name}"
                )
        else:
            revoked = access.revoke_key(session=session, key_id=args.id)
            if revoked is not None:
                audit.record(
                    session=session, actor="cli", action="key.revoke", target=f"{revoked.id}:{revoked.name}"
                )
            session.commit()
            if revoked is None:
                print(f"no key with id {args.id}", file=sys.stderr)
                return 1
            print(f"revoked {revoked.id} ({revoked.name})")
    return 0


def _users(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.db import get_engine
    from app.errors import ProblemError
    from app.services import audit, users

    with Session(get_engine()) as session:
        if args.users_command == "list":
            for user in users.list_users(session=session):
                state = "disabled" if user.disabled_at else "active"
                region = user.region_code or "national"
                print(f"{user.id}\t{user.username}\t{user.role}\t{region}\t{state}\t{'、'.join(user.organs)}")
            return 0
        password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
        try:
            new = users.create_user(
                session=session,
                username=args.name,
                role=args.role,
                region=args.region,
                organs=args.organ,
                password=password,
            )
        except ProblemError as problem:
            print(problem.detail, file=sys.stderr)
            return 2
        audit.record(
            session=session,
            actor="cli",
            action="user.create",
            target=new.user.username,
            detail={"role": new.user.role, "region": new.user.region_code},
        )
        session.commit()
        print(f"id:        {new.user.id}")
        print(f"username:  {new.user.username}")
        print(f"role:      {new.user.role}")
        print(f"region:    {new.user.region_code or 'national'}")
        if new.password is not None:
            print(f"password:  {new.password}")
            print(
                "A one-time password: it is shown once and must be changed at the first sign-in.",
                file=sys.stderr,
            )
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

    worker = commands.add_parser("worker", help="claim and process batch jobs from the database")
    worker.add_argument("--threads", type=int, default=1)
    worker.add_argument("--until-idle", action="store_true", help="exit when no job is left")
    worker.add_argument("--migrate", action="store_true", help="apply migrations first")
    worker.set_defaults(run=_worker)

    keys = commands.add_parser("keys", help="create, list and revoke API keys")
    keys.set_defaults(run=_keys)
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser("create", help="a new key; its token is printed once")
    create.add_argument("--name", required=True)
    create.add_argument("--scopes", default="submit,read", help="comma-separated: submit, read, admin")
    create.add_argument("--app", action="store_true", help="an appKey with a signing secret (HMAC)")
    create.add_argument("--region", help="only reports under this region code (none: national)")
    key_commands.add_parser("list", help="every key, active or revoked")
    revoke = key_commands.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("id", type=int)

    people = commands.add_parser("users", help="create and list the people who sign in to the pages")
    people.set_defaults(run=_users)
    user_commands = people.add_subparsers(dest="users_command", required=True)
    new_user = user_commands.add_parser("create", help="a new account; a one-time password is printed")
    new_user.add_argument("name")
    new_user.add_argument("--role", required=True, choices=["clerk", "supervisor", "admin"])
    new_user.add_argument("--region", help="a supervisor's (or clerk's) region code; none: national")
    new_user.add_argument("--organ", action="append", default=[], help="a clerk's body (repeat for more)")
    new_user.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    user_commands.add_parser("list", help="every account")

    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", default="openapi/openapi.json")
    openapi.set_defaults(run=_openapi)

    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
