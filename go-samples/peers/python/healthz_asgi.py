"""Minimal raw ASGI /healthz app (no framework), to be served by uvicorn:

    python -m uvicorn healthz_asgi:app --host 127.0.0.1 --port 8082 \
        --log-level warning --no-access-log

GET /healthz answers 200 "ok\\n" with an explicit Content-Length, so the
response is not chunked and the connection stays alive.
"""

BODY = b"ok\n"
NOT_FOUND = b"not found\n"


def _headers(body):
    return [
        (b"content-type", b"text/plain"),
        (b"content-length", str(len(body)).encode("ascii")),
    ]


OK_START = {"type": "http.response.start", "status": 200, "headers": _headers(BODY)}
OK_BODY = {"type": "http.response.body", "body": BODY}


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    if scope["method"] in ("GET", "HEAD") and scope["path"] == "/healthz":
        await send(OK_START)
        await send(OK_BODY)
        return
    await send({"type": "http.response.start", "status": 404, "headers": _headers(NOT_FOUND)})
    await send({"type": "http.response.body", "body": NOT_FOUND})
