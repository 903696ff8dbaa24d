"""The platform envelope: /gov/v1/… answers what /api/v1/… answers, as HTTP 200 with
{code, msg, data} — code "0" on success, else the problem's stable code.

Nothing is written twice: requests are routed to the /api/v1 handlers and the answer is wrapped,
and the OpenAPI paths are derived from the /api/v1 ones.
"""

from __future__ import annotations

import copy
import json

from starlette.types import Message, Receive, Scope, Send

from app.asgi import Answer, Middleware

API = "/api/v1/"
GOV = "/gov/v1/"
OK_MESSAGE = "成功"


def wrap(status: int, media_type: str, body: bytes) -> dict:
    """The envelope of one answer."""
    decoded = json.loads(body) if body and "json" in media_type else None
    if status < 400:
        return {"code": "0", "msg": OK_MESSAGE, "data": decoded}
    problem = decoded if isinstance(decoded, dict) else {}
    data = {"status": status, "errors": problem["errors"]} if problem.get("errors") else {"status": status}
    return {
        "code": problem.get("code", "http_error"),
        "msg": problem.get("detail", "请求无法处理"),
        "data": data,
    }


class GovEnvelope(Middleware):
    def handles(self, scope: Scope) -> bool:
        return scope["type"] == "http" and scope["path"].startswith(GOV)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        # In place, so the outer middleware sees the route; raw_path keeps what the caller sent.
        scope["nianbao.original_path"] = scope["path"]
        scope["path"] = API + scope["path"][len(GOV) :]
        answer = Answer()

        async def capture(message: Message) -> None:
            answer.keep(message)
            if message["type"] == "http.response.start" or message.get("more_body"):
                return
            headers = [
                (k, v) for k, v in answer.headers if k.lower() not in (b"content-type", b"content-length")
            ]
            media_type, body, status = answer.media_type(), answer.body, answer.start["status"]
            if "json" in media_type or status >= 400:
                body = json.dumps(wrap(status, media_type, body), ensure_ascii=False).encode()
                media_type = "application/json"
            headers += [(b"content-type", media_type.encode()), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


def _envelope_schema(data_schema: dict | None) -> dict:
    return {
        "type": "object",
        "required": ["code", "msg", "data"],
        "properties": {
            "code": {"type": "string", "description": '"0" 表示成功，否则为稳定的错误代码'},
            "msg": {"type": "string"},
            "data": {"anyOf": [data_schema, {"type": "object"}, {"type": "null"}]} if data_schema else {},
        },
    }


def add_to_openapi(schema: dict) -> None:
    """Add /gov/v1 twins of every /api/v1 path: one 200 answer carrying the envelope."""
    for path, operations in list(schema["paths"].items()):
        if not path.startswith(API):
            continue
        twin: dict = {}
        for method, operation in operations.items():
            op = copy.deepcopy(operation)
            op_id = op["operationId"]
            op["operationId"] = "gov" + op_id[:1].upper() + op_id[1:]
            op["tags"] = ["platform envelope"]
            op["summary"] = f"{op.get('summary', '')}（平台信封：HTTP 200 + {{code, msg, data}}）".strip()
            success: dict = next(
                (r for status, r in sorted(operation["responses"].items()) if status.startswith("2")), {}
            )
            content = success.get("content", {})
            data_schema = content.get("application/json", {}).get("schema")
            files = {media: c for media, c in content.items() if "json" not in media}
            op["responses"] = {
                "200": {
                    "description": (
                        "文件照原样返回；出错时为信封，code 为错误代码"
                        if files
                        else '成功时 code 为 "0"，data 为 /api/v1 的应答；出错时 code 为错误代码'
                    ),
                    "content": {**files, "application/json": {"schema": _envelope_schema(data_schema)}},
                }
            }
            twin[method] = op
        schema["paths"][GOV + path[len(API) :]] = twin
