"""Minimal /healthz server on the standard library's ThreadingHTTPServer.

Usage: python healthz_threading.py [--host 127.0.0.1] [--port 8081]

GET /healthz answers 200 "ok\\n" over HTTP/1.1 keep-alive. Once listening it
prints "READY http://host:port" to stdout. SIGTERM or SIGINT shut it down
cleanly with exit status 0.
"""

import argparse
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = b"ok\n"


class HealthHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; requires Content-Length
    # Headers and body go out in two writes. With Nagle's algorithm on, the
    # body waits for the client's (delayed) ACK of the headers: ~40 ms per
    # request on Linux. TCP_NODELAY, as Go, Node and uvicorn set by default.
    disable_nagle_algorithm = True

    def do_GET(self):
        if self.path != "/healthz":
            self._send(404, b"not found\n")
            return
        self._send(200, BODY)

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - signature is inherited
        pass  # no per-request logging: it would dominate the measurement


class HealthServer(ThreadingHTTPServer):
    daemon_threads = True  # don't wait for keep-alive connections on exit

    def handle_error(self, request, client_address):
        # A load generator closing connections mid-request is routine.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _exit_on_signal(signum, frame):
    # Raised in the main thread, inside serve_forever(); main() then closes
    # the listening socket and returns 0.
    raise SystemExit(0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args(argv)

    server = HealthServer((args.host, args.port), HealthHandler)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGINT, _exit_on_signal)

    host, port = server.server_address[:2]
    if ":" in host:
        host = f"[{host}]"
    print(f"READY http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
