"""double_base.py - shared machinery of yaa's test doubles of hosted APIs (python3 stdlib only).

Every double binds 127.0.0.1 on port 0 and prints "PORT <n>" on its first stdout line. Tests
steer it through control endpoints:

  POST /_control   {"script": ["429:1", "ok", ...]}  modes used by the next requests in order
                   (when the script is empty the double answers "ok"); other keys are kept in
                   self.server.control for the double's own use
  GET  /_requests  every request seen: {"method","path","headers","body","violations"}
  GET  /_state     the double's own state (e.g. the bytes a YouTube upload received)
  POST /_reset     forget requests, script and state

Modes every double understands (a double adds its own, e.g. "invalid_then_valid"):
  ok              the double's normal answer
  429:N           429 with Retry-After: N (seconds);  429date:N  the same as an HTTP-date
  500 / 502 / 503 an error status with a JSON error body
  slow:S          sleep S seconds, then answer normally (for client timeouts)
  disconnect      close the connection without answering
  truncated       announce the full Content-Length, send half the body, close
  badjson         200 with a body that is not complete JSON (consistent Content-Length)

Requests whose shape is wrong (missing header, bad JSON field) are answered 400 with the
problem, and the problem is recorded in "violations" so a test can assert there are none.
"""

import email.utils
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class DoubleServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler):
        super().__init__(("127.0.0.1", 0), handler)
        self.lock = threading.Lock()
        self.script = []
        self.requests = []
        self.control = {}
        self.state = {}

    def next_mode(self):
        with self.lock:
            return self.script.pop(0) if self.script else "ok"


class ShapeError(Exception):
    pass


class DoubleHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "yaa-double/1"

    def log_message(self, fmt, *args):  # quiet
        pass

    # ---- helpers for subclasses -------------------------------------------------------
    def require(self, cond, msg):
        if not cond:
            raise ShapeError(msg)

    def header(self, name):
        return self.headers.get(name)

    def json_body(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except Exception as e:  # noqa: BLE001
            raise ShapeError("body is not JSON: %s" % e)

    def send_json(self, status, obj, extra=None):
        self.send_bytes(status, json.dumps(obj).encode(), "application/json", extra)

    def send_bytes(self, status, data, ctype="application/json", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    # ---- to override -------------------------------------------------------------------
    def check_shape(self):
        """Raise ShapeError when the request is not what the real API accepts."""

    def answer(self, mode):
        """Send the double's answer for mode (ok and the double's own modes)."""
        self.send_json(200, {"ok": True, "path": self.path, "method": self.command,
                             "body_len": len(self.body)})

    def error_body(self, status):
        return {"error": {"message": "double error %d" % status, "type": "server_error"}}

    # ---- dispatch ----------------------------------------------------------------------
    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _handle(self):
        self.body = self._read_body()
        srv = self.server
        if self.path == "/_control" and self.command == "POST":
            ctl = json.loads(self.body or b"{}")
            with srv.lock:
                if "script" in ctl:
                    srv.script = list(ctl.pop("script"))
                srv.control.update(ctl)
            return self.send_json(200, {"ok": True})
        if self.path == "/_requests":
            with srv.lock:
                return self.send_json(200, {"requests": srv.requests})
        if self.path == "/_state":
            with srv.lock:
                return self.send_json(200, srv.state)
        if self.path == "/_reset":
            with srv.lock:
                srv.script, srv.requests, srv.control, srv.state = [], [], {}, {}
            return self.send_json(200, {"ok": True})

        rec = {"method": self.command, "path": self.path,
               "headers": {k.lower(): v for k, v in self.headers.items()},
               "body": self.body.decode("utf-8", "replace") if len(self.body) < 65536
               else "<%d bytes>" % len(self.body),
               "body_len": len(self.body), "violations": []}
        with srv.lock:
            srv.requests.append(rec)
        try:
            self.check_shape()
        except ShapeError as e:
            rec["violations"].append(str(e))
            return self.send_json(400, {"error": {"message": "double: " + str(e),
                                                  "type": "invalid_request_error"}})
        mode = srv.next_mode()
        rec["mode"] = mode
        self.mode = mode
        if mode.startswith("429"):
            secs = int(mode.split(":")[1]) if ":" in mode else 1
            ra = (email.utils.formatdate(time.time() + secs, usegmt=True)
                  if mode.startswith("429date") else str(secs))
            return self.send_json(429, {"error": {"message": "rate limited",
                                                  "type": "rate_limit_error"}},
                                  {"Retry-After": ra})
        if mode in ("500", "502", "503"):
            return self.send_json(int(mode), self.error_body(int(mode)))
        if mode.startswith("slow:"):
            time.sleep(float(mode.split(":")[1]))
            self.mode = "ok"
            try:
                return self.answer("ok")
            except (BrokenPipeError, ConnectionResetError):
                return None
        if mode == "disconnect":
            self.close_connection = True
            return None
        if mode == "truncated":
            data = json.dumps({"truncated": True, "pad": "x" * 200}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return None
        if mode == "badjson":
            return self.send_bytes(200, b'{"id": "x", "choices": [{"mess')
        return self.answer(mode)

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_DELETE(self):
        self._handle()


def serve(handler_cls):
    srv = DoubleServer(handler_cls)
    print("PORT %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    serve(DoubleHandler)
