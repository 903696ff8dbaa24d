"""Helpers for the tests of people: accounts made in the test's session, signing in by the form."""

from __future__ import annotations

from conftest import form_token
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.services import users

PASSWORD = "correct horse battery"


def make_user(
    session: Session, name: str, role: str, region: str | None = None, organs: list[str] | None = None
) -> None:
    users.create_user(
        session=session, username=name, role=role, region=region, organs=organs, password=PASSWORD
    )
    session.commit()


def sign_in(client: TestClient, name: str, password: str = PASSWORD, target: str = "/reports"):
    token = form_token(client, "/login")
    return client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": token, "next": target},
        follow_redirects=False,
    )


def csrf_header(client: TestClient) -> dict[str, str]:
    """What a script using a person's session sends with a write to the API."""
    return {"X-CSRF-Token": form_token(client, "/reports")}
