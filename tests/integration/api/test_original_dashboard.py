"""test_original_dashboard.py - the original project's Next.js dashboard against yaa, unchanged.

Replays every call that dashboard makes (packages/frontend: lib/api.ts and its pages), from
its browser origin http://localhost:3000, against a `yaa serve` started with no yaa
configuration at all: an empty environment in a fresh working directory holding only
channels/, prompts/ and migrations/ (the defaults), migrated with `yaa db upgrade` and given an
admin key with `yaa keys create`, the way the README tells an operator to. Each call goes through the browser's CORS
algorithm - a preflight with the headers the dashboard sends (Content-Type, X-API-Key), then
the request with its Origin - and every field the dashboard reads is checked, including a
finished run's result.script, result.video_url (fetched) and result.images.

Differences yaa keeps on purpose (202 for an accepted run, the richer /health) are listed in
docs/API.md; this test accepts them and checks nothing else differs.
"""
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from yaa_server import BIN, SRC, free_port  # noqa: E402

ORIGIN = "http://localhost:3000"
API = "/api/v1"
# What lib/api.ts sends with every request.
SENT_HEADERS = ("content-type", "x-api-key")


class Dashboard:
    """A browser tab on http://localhost:3000 running the original dashboard."""

    def __init__(self, port, key):
        self.port = port
        self.key = key

    def _raw(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def preflight(self, method, path):
        """The browser's OPTIONS: the request may only go ahead if this allows it."""
        status, h, _ = self._raw("OPTIONS", path, headers={
            "Origin": ORIGIN, "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": ",".join(SENT_HEADERS)})
        assert 200 <= status < 300, "preflight %s %s: %d" % (method, path, status)
        assert h.get("access-control-allow-origin") in (ORIGIN, "*"), (path, h)
        methods = [m.strip().upper() for m in h.get("access-control-allow-methods", "").split(",")]
        assert method in methods, (method, methods)
        allowed = [x.strip().lower() for x in h.get("access-control-allow-headers", "").split(",")]
        for want in SENT_HEADERS:
            assert want in allowed, (want, allowed)

    def call(self, method, path, body=None):
        """fetch() as lib/api.ts does it; returns (status, parsed JSON or None)."""
        self.preflight(method, path)  # X-API-Key makes every call a non-simple request
        data = json.dumps(body).encode() if body is not None else None
        status, h, raw = self._raw(method, path, data, {
            "Origin": ORIGIN, "Content-Type": "application/json", "X-API-Key": self.key})
        # Without this header the browser hides the response from the page.
        assert h.get("access-control-allow-origin") in (ORIGIN, "*"), (method, path, h)
        return status, (json.loads(raw) if raw and "json" in h.get("content-type", "") else None)

    def fetch_bytes(self, url):
        m = re.match(r"^http://([^/]+)(/.*)$", url)
        assert m, url
        status, h, raw = self._raw("GET", m.group(2), headers={"Origin": ORIGIN,
                                                               "X-API-Key": self.key})
        return status, h, raw


def expect_fields(test, obj, fields, where):
    for f in fields:
        test.assertIn(f, obj, "%s lacks %s: %s" % (where, f, json.dumps(obj)[:400]))


class OriginalDashboard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="yaa-original-dashboard-")
        for name in ("channels",):
            shutil.copytree(os.path.join(SRC, name), os.path.join(cls.dir, name))
        for name in ("prompts", "migrations"):
            os.symlink(os.path.join(SRC, name), os.path.join(cls.dir, name))
        # No yaa configuration: only what any process has.
        cls.env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
        out = subprocess.run([BIN, "db", "upgrade"], cwd=cls.dir, env=cls.env,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        out = subprocess.run([BIN, "keys", "create", "--name", "dashboard", "--scopes",
                              "read,write,admin"], cwd=cls.dir, env=cls.env, capture_output=True,
                             text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        cls.key = re.search(r"api_key:\s+(yaa_\S+)", out.stdout).group(1)
        cls.port = free_port()
        cls.log = open(os.path.join(cls.dir, "serve.log"), "w+")
        cls.proc = subprocess.Popen([BIN, "serve", "--host", "127.0.0.1", "--port",
                                     str(cls.port), "--workers", "1"], cwd=cls.dir, env=cls.env,
                                    stdout=cls.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", cls.port, timeout=2)
                conn.request("GET", API + "/health")
                if conn.getresponse().status in (200, 503):
                    break
            except OSError:
                time.sleep(0.1)
        cls.tab = Dashboard(cls.port, cls.key)

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        try:
            rc = cls.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            cls.proc.kill()
            rc = cls.proc.wait()
        if rc != 0:
            cls.log.seek(0)
            sys.stderr.write("--- yaa serve exited %r:\n%s\n" % (rc, cls.log.read()[-4000:]))
        cls.log.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_1_dashboard_before_any_run(self):
        st, j = self.tab.call("GET", API + "/dashboard/summary?limit=5")
        self.assertEqual(st, 200)
        expect_fields(self, j, ("total_runs", "active_runs", "success_runs", "failed_runs",
                                "avg_duration_sec", "estimated_cost_usd", "recent_runs"),
                      "summary")
        self.assertIsNone(j["avg_duration_sec"])  # null, not 0, until a run completes
        self.assertEqual(j["recent_runs"], [])

    def test_2_channels(self):
        st, j = self.tab.call("GET", API + "/channels/")
        self.assertEqual(st, 200)
        self.assertEqual(j["total"], len(j["channels"]))
        self.assertGreater(j["total"], 0)
        for c in j["channels"]:
            expect_fields(self, c, ("channel_id", "name", "category", "has_brand_guide"), "channel")
        # create, read, update, update with nothing, delete: as the settings pages do
        st, c = self.tab.call("POST", API + "/channels/", {"channel_id": "dash_made",
                                                          "name": "Made by the dashboard",
                                                          "category": "food"})
        self.assertEqual(st, 201, c)
        expect_fields(self, c, ("channel_id", "name", "category", "has_brand_guide"), "created")
        self.assertEqual((c["channel_id"], c["name"], c["category"]),
                         ("dash_made", "Made by the dashboard", "food"))
        st, c = self.tab.call("GET", API + "/channels/dash_made")
        self.assertEqual((st, c["name"]), (200, "Made by the dashboard"))
        st, c = self.tab.call("PATCH", API + "/channels/dash_made", {"name": "Renamed",
                                                                    "category": "cooking"})
        self.assertEqual((st, c["name"], c["category"]), (200, "Renamed", "cooking"))
        st, c = self.tab.call("PATCH", API + "/channels/dash_made", {})
        self.assertEqual(st, 400, c)
        self.assertIn("detail", c)
        st, c = self.tab.call("DELETE", API + "/channels/dash_made")
        self.assertEqual(st, 200, c)
        st, _ = self.tab.call("GET", API + "/channels/dash_made")
        self.assertEqual(st, 404)

    def test_3_run_to_completion(self):
        st, j = self.tab.call("POST", API + "/pipeline/run", {
            "channel_id": "home_cooking_en", "topic": "Crispy rice in ten minutes",
            "brand_name": "", "dry_run": True})
        self.assertIn(st, (200, 202), j)  # yaa answers 202 (docs/API.md); fetch() treats both as ok
        expect_fields(self, j, ("run_id", "status", "channel_id", "topic"), "started")
        self.assertEqual(j["status"], "pending")
        rid = j["run_id"]
        deadline = time.time() + 1200
        d = None
        while time.time() < deadline:  # the run page polls until completed or failed
            st, d = self.tab.call("GET", API + "/pipeline/runs/" + rid)
            self.assertEqual(st, 200)
            if d["status"] in ("completed", "failed"):
                break
            time.sleep(2)
        expect_fields(self, d, ("run_id", "channel_id", "topic", "brand_name", "status",
                                "current_agent", "dry_run", "created_at", "updated_at",
                                "completed_at", "result", "errors"), "run detail")
        self.assertEqual(d["status"], "completed", d["errors"])
        res = d["result"]
        self.assertIsInstance(res.get("script"), str)
        self.assertIn("Crispy rice", res["script"])  # the script's text, not a file name
        self.assertIsInstance(res.get("images"), list)
        self.assertGreater(len(res["images"]), 0)
        st, h, body = self.tab.fetch_bytes(res["video_url"])
        self.assertEqual(st, 200)
        self.assertEqual(h.get("content-type"), "video/mp4")
        self.assertGreater(len(body), 10000)
        st, j = self.tab.call("GET", API + "/pipeline/runs?limit=20&offset=0")
        self.assertEqual(st, 200)
        self.assertIn(rid, [r["run_id"] for r in j["runs"]])
        st, j = self.tab.call("GET", API + "/dashboard/summary?limit=5")
        self.assertEqual((j["success_runs"], j["recent_runs"][0]["run_id"]), (1, rid))
        self.assertIsInstance(j["avg_duration_sec"], float)

    def test_4_api_keys(self):
        st, j = self.tab.call("GET", API + "/admin/api-keys")
        self.assertEqual(st, 200)
        self.assertGreaterEqual(len(j["api_keys"]), 1)
        for k in j["api_keys"]:
            expect_fields(self, k, ("key_id", "name", "prefix", "scopes", "created_at",
                                    "expires_at"), "api key")
        mine = [k for k in j["api_keys"] if k["name"] == "dashboard"][0]
        self.assertEqual(mine["prefix"], self.key[:12])
        st, made = self.tab.call("POST", API + "/admin/api-keys", {"name": "from the dashboard",
                                                                  "scopes": ["read"]})
        self.assertEqual(st, 201, made)
        self.assertRegex(made["key"], r"^yaa_[A-Za-z0-9_-]{43}$")
        st, j = self.tab.call("GET", API + "/admin/api-keys")
        listed = [k for k in j["api_keys"] if k["key_id"] == made["key_id"]][0]
        self.assertEqual(listed["prefix"], made["key"][:12])
        st, j = self.tab.call("DELETE", API + "/admin/api-keys/" + made["key_id"])
        self.assertEqual(st, 200, j)
        st, j = self.tab.call("DELETE", API + "/admin/api-keys/" + made["key_id"])
        self.assertEqual(st, 400, j)  # already revoked, as the original answered

    def test_5_audit_and_docs(self):
        st, j = self.tab.call("GET", API + "/admin/audit-logs")
        self.assertEqual((st, j["limit"], j["offset"]), (200, 100, 0))
        for path in ("/redoc", "/docs", "/openapi.json"):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            conn.request("GET", path)
            self.assertEqual(conn.getresponse().status, 200, path)
            conn.close()

    def test_6_other_origins_stay_out(self):
        status, h, _ = self.tab._raw("OPTIONS", API + "/channels/", headers={
            "Origin": "http://evil.example", "Access-Control-Request-Method": "GET"})
        self.assertNotIn("access-control-allow-origin", h)


if __name__ == "__main__":
    unittest.main(verbosity=2)
