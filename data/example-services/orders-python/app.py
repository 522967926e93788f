"""Orders API: the team's current service in the worked example (Python standard library only).

GET  /healthz                 -> {"status":"ok"}
GET  /quote?sku=A1&qty=3      -> price of a quantity, with volume discount and tax
POST /orders  {"customer": "c1", "items": [{"sku": "A1", "qty": 2}, ...]}
                              -> 201 {"order_id": N, "lines": [...], "total_cents": ...}

Money is integer cents; discounts and tax round down, the same in the Go rewrite.
"""

import argparse
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CATALOGUE = {"A1": 1299, "B2": 450, "C3": 8900, "D4": 35}  # unit prices in cents
TAX_PCT = 8
MAX_QTY = 10_000
_order_ids = itertools.count(1)
_order_lock = threading.Lock()


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def discount_pct(qty: int) -> int:
    if qty >= 100:
        return 12
    if qty >= 50:
        return 10
    if qty >= 10:
        return 5
    return 0


def quote(sku: str, qty: int) -> dict:
    if sku not in CATALOGUE:
        raise BadRequest(404, f"unknown sku {sku!r}")
    if not 1 <= qty <= MAX_QTY:
        raise BadRequest(400, f"qty must be 1..{MAX_QTY}")
    unit = CATALOGUE[sku]
    subtotal = unit * qty
    pct = discount_pct(qty)
    discount = subtotal * pct // 100
    tax = (subtotal - discount) * TAX_PCT // 100
    return {"sku": sku, "qty": qty, "unit_cents": unit, "discount_pct": pct, "subtotal_cents": subtotal,
            "discount_cents": discount, "tax_cents": tax, "total_cents": subtotal - discount + tax}


def place_order(body: dict) -> dict:
    customer = body.get("customer")
    items = body.get("items")
    if not isinstance(customer, str) or not customer:
        raise BadRequest(400, "customer must be a non-empty string")
    if not isinstance(items, list) or not items or len(items) > 100:
        raise BadRequest(400, "items must be a list of 1..100 entries")
    lines = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("sku"), str) or type(item.get("qty")) is not int:
            raise BadRequest(400, "each item needs a string sku and an integer qty")
        lines.append(quote(item["sku"], item["qty"]))
    with _order_lock:
        order_id = next(_order_ids)
    return {"order_id": order_id, "customer": customer, "lines": lines,
            "total_cents": sum(line["total_cents"] for line in lines)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the Go rewrite
    disable_nagle_algorithm = True  # headers and body are two writes: without this each response waits ~40 ms

    def _send(self, status: int, payload: dict) -> None:
        body = json.dumps(payload, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        try:
            if url.path == "/healthz":
                return self._send(200, {"status": "ok"})
            if url.path == "/quote":
                q = parse_qs(url.query)
                try:
                    qty = int(q.get("qty", ["1"])[0])
                except ValueError:
                    raise BadRequest(400, "qty must be an integer") from None
                return self._send(200, quote(q.get("sku", [""])[0], qty))
            self._send(404, {"error": "not found"})
        except BadRequest as exc:
            self._send(exc.status, {"error": str(exc)})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if urlsplit(self.path).path != "/orders":
            return self._send(404, {"error": "not found"})
        try:
            try:
                body = json.loads(raw)
            except ValueError:
                raise BadRequest(400, "body must be JSON") from None
            if not isinstance(body, dict):
                raise BadRequest(400, "body must be a JSON object")
            self._send(201, place_order(body))
        except BadRequest as exc:
            self._send(exc.status, {"error": str(exc)})

    def log_message(self, *args) -> None:  # no access log under load
        pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print(f"orders (python) listening on {args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
