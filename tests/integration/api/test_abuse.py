"""test_abuse.py - hostile traffic against a real `yaa serve`: malformed requests, oversized
bodies, slow clients holding connections, path traversal, pathological JSON. Afterwards the
server still answers /health and every run created before is intact (no data lost).
"""
import os
import socket
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from yaa_server import ADMIN_KEY, YaaServer  # noqa: E402
from stack import wait_for  # noqa: E402

API = "/api/v1"


def raw(port, data, timeout=5, read=True):
    """Sends bytes, returns what the server answered (b"" if it just closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        if not read:
            return b""
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out and len(out) > 64 * 1024:
                break
        return out
    finally:
        s.close()


def status_of(resp):
    if not resp.startswith(b"HTTP/1."):
        return None
    return int(resp.split(b" ", 2)[1])


class Abuse(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = YaaServer("sqlite")
        cls.runs = []
        for i in range(5):
            r = cls.srv.post(API + "/pipeline/run", {"channel_id": "demo", "topic": "t%d" % i})
            assert r.status == 202
            cls.runs.append(r.json()["run_id"])
        with open(os.path.join(cls.srv.dir, "secret.txt"), "w") as f:
            f.write("TOPSECRET")

    @classmethod
    def tearDownClass(cls):
        assert cls.srv.stop() == 0

    def assert_alive(self, source=None):
        """source: ask from another client address (the hostile one may be at its cap)."""
        r = self.srv.get(API + "/health", key=None, source=source)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        self.assertEqual(r.header("X-Frame-Options"), "DENY")
        self.assertEqual(r.header("Referrer-Policy"), "no-referrer")
        lst = self.srv.get(API + "/pipeline/runs?limit=100", source=source).json()
        have = {x["run_id"] for x in lst["runs"]}
        for rid in self.runs:
            self.assertIn(rid, have)

    def test_malformed(self):
        p = self.srv.port
        for data in (b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"\x00\xff\xfe\r\n\r\n",
                     b"GET / HTTP/9.9\r\n\r\n", b"GET /api/v1/health\r\n\r\n",
                     b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
                     b"POST /api/v1/pipeline/run HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: -5\r\n\r\n",
                     b"POST /api/v1/pipeline/run HTTP/1.1\r\nHost: x\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
                     b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                     b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 200000 + b"\r\n\r\n"):
            resp = raw(p, data)
            st = status_of(resp)
            self.assertTrue(st is None or 400 <= st < 600, (data[:40], resp[:80]))
        self.assert_alive()

    def test_oversized_bodies(self):
        p = self.srv.port
        resp = raw(p, b"POST /api/v1/pipeline/run HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n{")
        self.assertEqual(status_of(resp), 413)
        chunk = b"x" * 65536
        body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(40)) + b"0\r\n\r\n"
        resp = raw(p, b"POST /api/v1/pipeline/run HTTP/1.1\r\nHost: x\r\n"
                      b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + body)
        self.assertEqual(status_of(resp), 413)
        # an endless chunked body is cut off (closed, or answered 413), not buffered
        sock = socket.create_connection(("127.0.0.1", p), timeout=10)
        sock.sendall(b"POST /api/v1/pipeline/run HTTP/1.1\r\nHost: x\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        cut = False
        try:
            for _ in range(400):  # up to 25 MiB
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except (BrokenPipeError, ConnectionResetError):
            cut = True
        finally:
            sock.close()
        self.assertTrue(cut)
        self.assert_alive()

    def test_slow_clients(self):
        p = self.srv.port
        socks = []
        for i in range(60):
            s = socket.create_connection(("127.0.0.1", p), timeout=5)
            s.sendall(b"POST /api/v1/pipeline/run HTTP/1.1\r\nHost: x\r\nContent-Length: 100"
                      b"\r\n\r\n{\"channel")
            socks.append(s)
        # half-sent headers too
        for i in range(20):
            s = socket.create_connection(("127.0.0.1", p), timeout=5)
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHo")
            socks.append(s)
        try:
            for _ in range(5):  # the slow ones are at their address's cap: another client
                self.assert_alive(source="127.0.0.2")
        finally:
            for s in socks:
                s.close()
        # the address's slots are free once the server has seen the hang-ups (a moment: until
        # then a new connection from it is refused at accept by the per-address cap)
        wait_for(lambda: self.srv.get(API + "/health", key=None).status == 200, 10,
                 "the slow clients' slots to be freed", step=0.2, retry_on=(OSError,))
        self.assert_alive()

    def test_invalid_key_flood(self):
        """Random keys from one address: a few 401s, then 429 without a database lookup; the
        audit log gains a few counted rows, not one per request; a good key from the same
        address still works and another address is not affected."""
        before = int(self.srv.sql("SELECT COUNT(*) FROM audit_logs")[0][0])
        statuses = {}
        for i in range(300):
            r = self.srv.get(API + "/pipeline/runs", key="yaa_" + uuid.uuid4().hex)
            statuses[r.status] = statuses.get(r.status, 0) + 1
            if i == 299:
                self.assertIsNotNone(r.header("Retry-After"))
                self.assertIn("failed authentications", r.json()["detail"])
        self.assertEqual(set(statuses), {401, 429}, statuses)
        self.assertLessEqual(statuses[401], 25)
        r = self.srv.get(API + "/pipeline/runs", key="yaa_" + "B" * 43, source="127.0.0.2")
        self.assertEqual(r.status, 401)  # another address has its own budget
        self.assert_alive()  # the good key from the flooding address
        deadline = time.time() + 25  # counted rows are written when their 10 s window ends
        rows = []
        while time.time() < deadline:
            rows = self.srv.sql("SELECT status_code, ip_address, request_count FROM audit_logs "
                                "WHERE status_code IN (401, 429) ORDER BY id")
            if sum(int(r[2]) for r in rows) >= 301:
                break
            time.sleep(0.5)
        self.assertGreaterEqual(sum(int(r[2]) for r in rows), 301, rows)
        after = int(self.srv.sql("SELECT COUNT(*) FROM audit_logs")[0][0])
        self.assertLessEqual(after - before, 12, rows)

    def test_symlink_escapes(self):
        """Symbolic links inside OUTPUT_DIR or CHANNELS_DIR that lead out of them are refused."""
        s = self.srv
        outside = os.path.join(s.dir, "outside")
        os.makedirs(os.path.join(outside, "images"), exist_ok=True)
        for name in ("script.md", "images/01.png"):
            with open(os.path.join(outside, name), "w") as f:
                f.write("TOPSECRET")
        with open(os.path.join(outside, "config.yaml"), "w") as f:
            f.write("channel:\n  name: \"Evil\"\n  category: \"tech\"\n")
        run_dir = os.path.join(s.output, self.runs[0])
        os.makedirs(run_dir, exist_ok=True)
        os.symlink(os.path.join(outside, "images"), os.path.join(run_dir, "images"))
        os.symlink(outside, os.path.join(s.output, self.runs[1]))
        os.symlink(outside, os.path.join(s.channels, "evil"))
        for path in ("/pipeline/runs/%s/artifacts/images/01.png" % self.runs[0],
                     "/pipeline/runs/%s/artifacts/script.md" % self.runs[1],
                     "/channels/evil"):
            r = s.get(API + path)
            self.assertEqual(r.status, 404, path)
            self.assertNotIn(b"TOPSECRET", r.body)
            self.assertIn("detail", r.json())
        ids = [c["channel_id"] for c in s.get(API + "/channels").json()["channels"]]
        self.assertNotIn("evil", ids)
        r = s.post(API + "/pipeline/run", {"channel_id": "evil", "topic": "x"})
        self.assertEqual(r.status, 404)
        # a linked folder inside a real channel: the file routes neither read nor write
        # through it (O_NOFOLLOW alone guards only the last path component)
        with open(os.path.join(outside, "notes.md"), "w") as f:
            f.write("TOPSECRET")
        knowledge = os.path.join(s.channels, "demo", "knowledge")
        os.symlink(outside, knowledge)
        try:
            base = API + "/channels/demo/files/knowledge/"
            r = s.get(base + "notes.md")
            self.assertEqual(r.status, 404)
            self.assertNotIn(b"TOPSECRET", r.body)
            self.assertIn("detail", r.json())
            for name in ("notes.md", "planted.md"):
                r = s.request("PUT", base + name, raw=b"overwritten")
                self.assertEqual(r.status, 403, (name, r.body))
                self.assertNotIn(s.dir.encode(), r.body)
            with open(os.path.join(outside, "notes.md")) as f:
                self.assertEqual(f.read(), "TOPSECRET")
            self.assertFalse(os.path.exists(os.path.join(outside, "planted.md")))
        finally:
            os.unlink(knowledge)
        os.unlink(os.path.join(s.channels, "evil"))
        os.unlink(os.path.join(s.output, self.runs[1]))
        os.unlink(os.path.join(run_dir, "images"))

    def test_traversal(self):
        s = self.srv
        base = API + "/pipeline/runs/%s/artifacts/" % self.runs[0]
        for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
                     "/assets/../../secret.txt", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                     "/....//....//etc/passwd", "/.env", "/%00", "//etc/passwd",
                     base + "..%2f..%2fsecret.txt", base + "%2e%2e", base + "../../secret.txt",
                     base + "images/..%2f..%2f..%2fsecret.txt",
                     API + "/channels/..%2f..%2fsecret.txt"):
            r = s.get(path)
            self.assertNotIn(b"TOPSECRET", r.body, path)
            self.assertNotIn(b"root:x:", r.body, path)
            self.assertIn(r.status, (200, 400, 404), path)
            if r.status == 200:  # only ever the SPA's index.html
                self.assertIn(b"<div id=app>", r.body, path)
        self.assert_alive()

    def test_pathological_json(self):
        s = self.srv
        for body in (b"[" * 100000, b"{\"a\":" * 50000, b"\"\xff\xfe\"",
                     b"{\"channel_id\":\"demo\",\"topic\":\"\xc3\x28\"}",
                     b"{\"channel_id\":\"demo\",\"topic\":\"x\",\"dry_run\":1e99999}",
                     b"{\"channel_id\":\"demo\",\"channel_id\":\"demo\",\"topic\":\"x\"}",
                     b"{\"channel_id\":\"demo\",\"topic\":\"\\u0000\"}", b"\x00" * 1000):
            r = s.post(API + "/pipeline/run", raw=body, headers={"Content-Type": "application/json"})
            self.assertIn(r.status, (202, 404, 422), body[:30])
        r = s.get(API + "/pipeline/runs?limit=" + "9" * 400)
        self.assertEqual(r.status, 422)
        r = s.get(API + "/pipeline/runs/" + str(uuid.uuid4()) + "/" + "x" * 5000)
        self.assertEqual(r.status, 404)
        self.assert_alive()


def closed_after(sock, trickle, limit):
    """Sends trickle one byte every 0.2 s until the server closes the connection; returns the
    seconds it took (None if still open after limit seconds)."""
    t0 = time.time()
    sock.settimeout(0.2)
    i = 0
    while time.time() - t0 < limit:
        try:
            sock.sendall(trickle[i % len(trickle):i % len(trickle) + 1])
            i += 1
            if sock.recv(4096) == b"":
                return time.time() - t0
        except socket.timeout:
            continue
        except (BrokenPipeError, ConnectionResetError):
            return time.time() - t0
    return None


class Deadlines(unittest.TestCase):
    """A client sending its request head or body slowly is cut off at API_HEADER_TIMEOUT_SEC /
    API_BODY_TIMEOUT_SEC (2 s here), however often it sends a byte; the per-address cap is
    set high so that only the deadline can close it."""

    @classmethod
    def setUpClass(cls):
        cls.srv = YaaServer("sqlite", env={"API_HEADER_TIMEOUT_SEC": "2",
                                           "API_BODY_TIMEOUT_SEC": "2",
                                           "API_MAX_CONNECTIONS_PER_IP": "1000"})

    @classmethod
    def tearDownClass(cls):
        assert cls.srv.stop() == 0

    def test_slow_header_closed(self):
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=5)
        try:
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            took = closed_after(s, b"abcdefgh", 8)
        finally:
            s.close()
        self.assertIsNotNone(took, "a slow request head was never cut off")
        self.assertGreaterEqual(took, 1.0)  # the deadline closed it, not a refusal at once
        self.assertEqual(self.srv.get(API + "/health", key=None).status, 200)

    def test_slow_body_closed(self):
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=5)
        try:
            s.sendall(b"POST /api/v1/pipeline/run HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
            took = closed_after(s, b"        ", 8)
        finally:
            s.close()
        self.assertIsNotNone(took, "a slow request body was never cut off")
        self.assertGreaterEqual(took, 1.0)
        self.assertEqual(self.srv.get(API + "/health", key=None).status, 200)


class ReservedShare(unittest.TestCase):
    """Past the ordinary share of API_MAX_CONNECTIONS (all but 1/16; 15 of 16 here) other
    routes get a JSON 503 with the common headers while /health is still answered."""

    def test_health_kept_when_busy(self):
        srv = YaaServer("sqlite", env={"API_MAX_CONNECTIONS": "16",
                                       "API_MAX_CONNECTIONS_PER_IP": "1000"})
        held = []
        try:
            for _ in range(15):  # the ordinary share, held with a request head half sent
                c = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
                c.sendall(b"GET /api/v1/health HTTP/1.1\r\nHo")
                held.append(c)
            time.sleep(0.3)  # let the server count them
            r = srv.get(API + "/pipeline/runs")
            self.assertEqual(r.status, 503, r.body)
            self.assertIn("busy", r.json()["detail"])
            self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
            self.assertEqual(r.header("X-Frame-Options"), "DENY")
            self.assertEqual(r.header("Referrer-Policy"), "no-referrer")
            self.assertTrue(r.header("X-Request-ID"))
            self.assertEqual(r.header("Retry-After"), "1")
            r = srv.get(API + "/health", key=None)
            self.assertEqual(r.status, 200, r.body)
            for c in held:
                c.close()
            held = []
            deadline = time.time() + 10  # the ordinary share is free again once they close
            status = None
            while time.time() < deadline and status != 200:
                status = srv.get(API + "/pipeline/runs").status
                time.sleep(0.1)
            self.assertEqual(status, 200)
        finally:
            for c in held:
                c.close()
            self.assertEqual(srv.stop(), 0)


class EventStreamSlots(unittest.TestCase):
    """Event streams are capped in all and per key; a client that hangs up frees its slot at
    once (not at the next keep-alive, 15 s later)."""

    def test_hang_up_frees_slot(self):
        srv = YaaServer("sqlite", env={"SSE_MAX_STREAMS": "2"})
        try:
            r = srv.post(API + "/pipeline/run", {"channel_id": "demo", "topic": "sse"})
            run = r.json()["run_id"]

            def open_stream():
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
                s.sendall(("GET %s/pipeline/runs/%s/events HTTP/1.1\r\nHost: x\r\n"
                           "X-API-Key: %s\r\n\r\n" % (API, run, ADMIN_KEY)).encode())
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    head += chunk
                return s, status_of(head)

            a, sa = open_stream()
            b, sb = open_stream()
            c, sc = open_stream()
            self.assertEqual((sa, sb, sc), (200, 200, 503))
            c.close()
            a.close()
            t0 = time.time()
            got = None
            while time.time() - t0 < 3:
                d, got = open_stream()
                d.close()
                if got == 200:
                    break
                time.sleep(0.1)
            self.assertEqual(got, 200)
            self.assertLess(time.time() - t0, 2.0)  # freed within a hub tick or so
            b.close()
        finally:
            self.assertEqual(srv.stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
