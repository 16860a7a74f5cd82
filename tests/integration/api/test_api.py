"""test_api.py - black-box tests of every endpoint of docs/CONTRACT.md "HTTP API" against a real
`yaa serve`, on SQLite and (class ApiPostgres) on a real PostgreSQL from tests/lib/pg-start.

Run: python3 tests/integration/api/test_api.py [-k sqlite|ApiPostgres]
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from yaa_server import ADMIN_KEY, SRC, YaaServer, qs  # noqa: E402

API = "/api/v1"


def validate(schema, value, doc, where="$"):
    """A small JSON Schema check (type, enum, required, properties, items, allOf, $ref)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return validate(doc["components"]["schemas"][name], value, doc, where)
    for sub in schema.get("allOf", []):
        validate(sub, value, doc, where)
    types = schema.get("type")
    if types:
        types = types if isinstance(types, list) else [types]
        pytypes = {"string": str, "integer": int, "number": (int, float), "boolean": bool,
                   "object": dict, "array": list, "null": type(None)}
        ok = any(isinstance(value, pytypes[t]) and not (t in ("integer", "number") and
                                                        isinstance(value, bool))
                 for t in types)
        assert ok, "%s: %r is not %s" % (where, value, types)
    if "enum" in schema:
        assert value in schema["enum"], "%s: %r not in %s" % (where, value, schema["enum"])
    if isinstance(value, dict):
        for r in schema.get("required", []):
            assert r in value, "%s: missing %s" % (where, r)
        for k, sub in schema.get("properties", {}).items():
            if k in value:
                validate(sub, value[k], doc, where + "." + k)
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            validate(schema["items"], v, doc, "%s[%d]" % (where, i))


def locs(resp):
    return [tuple(e["loc"]) for e in resp.json()["detail"]]


class ApiBase:
    backend = "sqlite"
    srv = None

    @classmethod
    def setUpClass(cls):
        cls.srv = YaaServer(cls.backend)
        s = cls.srv
        r = s.post(API + "/admin/api-keys", {"name": "reader", "scopes": ["read"]})
        assert r.status == 201, r.body
        cls.read_key = r.json()["api_key"]
        cls.read_key_id = r.json()["key_id"]
        cls.write_key = s.post(API + "/admin/api-keys",
                               {"name": "writer", "scopes": ["read", "write"]}).json()["api_key"]

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        assert rc == 0, "yaa serve did not stop cleanly on SIGTERM: %r" % (rc,)

    def start_run(self, topic="a topic", channel="demo", **kw):
        body = {"channel_id": channel, "topic": topic}
        body.update(kw)
        r = self.srv.post(API + "/pipeline/run", body, key=self.write_key)
        self.assertEqual(r.status, 202, r.body)
        return r.json()["run_id"]

    # ---------------------------------------------------------------- service
    def test_health(self):
        r = self.srv.get(API + "/health", key=None)
        self.assertEqual(r.status, 200)
        j = r.json()
        self.assertEqual(j["status"], "ok")
        self.assertEqual(j["database"], "ok")
        self.assertEqual(j["queue"], "ok")
        self.assertEqual(j["disk"], "ok")
        self.assertNotIn("disk_free_mb", j)  # figures only for an admin key
        self.assertGreater(self.srv.get(API + "/health").json()["disk_free_mb"], 0)
        self.assertTrue(j["version"])
        self.assertTrue(r.header("X-Request-ID"))
        self.assertIsNotNone(r.header("X-RateLimit-Limit"))
        self.assertIsNotNone(r.header("X-RateLimit-Remaining"))
        self.assertEqual(self.srv.get("/health", key=None).status, 200)

    def test_request_id_echoed(self):
        r = self.srv.get(API + "/health", key=None, headers={"X-Request-ID": "abc-123"})
        self.assertEqual(r.header("X-Request-ID"), "abc-123")
        r = self.srv.get(API + "/health", key=None, headers={"X-Request-ID": "bad\"id"})
        self.assertNotEqual(r.header("X-Request-ID"), "bad\"id")

    def test_404_405_json(self):
        r = self.srv.get(API + "/nope")
        self.assertEqual(r.status, 404)
        self.assertIn("detail", r.json())
        r = self.srv.request("DELETE", API + "/pipeline/runs")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header("Allow"), "GET")
        self.assertIn("detail", r.json())

    def test_trailing_slash(self):
        self.assertEqual(self.srv.get(API + "/channels/", key=self.read_key).status, 200)
        self.assertEqual(self.srv.get(API + "/pipeline/runs/", key=self.read_key).status, 200)

    def test_413(self):
        r = self.srv.post(API + "/pipeline/run", raw=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                          key=self.write_key, headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 413)
        self.assertIn("detail", r.json())

    def test_openapi_matches_routes(self):
        r = self.srv.get("/openapi.json", key=None)
        self.assertEqual(r.status, 200)
        doc = r.json()
        self.assertEqual(doc["openapi"], "3.1.0")
        ops = {(m.upper(), p) for p, item in doc["paths"].items() for m in item}
        contract = {
            ("GET", API + "/health"), ("POST", API + "/pipeline/run"),
            ("GET", API + "/pipeline/runs"), ("GET", API + "/pipeline/runs/{run_id}"),
            ("GET", API + "/pipeline/runs/{run_id}/events"),
            ("POST", API + "/pipeline/runs/{run_id}/cancel"),
            ("POST", API + "/pipeline/runs/{run_id}/retry"),
            ("GET", API + "/pipeline/runs/{run_id}/artifacts/{name}"),
            ("GET", API + "/status/{run_id}"), ("GET", API + "/dashboard/summary"),
            ("GET", API + "/channels"), ("GET", API + "/channels/{channel_id}"),
            ("POST", API + "/channels"), ("PATCH", API + "/channels/{channel_id}"),
            ("DELETE", API + "/channels/{channel_id}"), ("POST", API + "/admin/api-keys"),
            ("GET", API + "/admin/api-keys"), ("DELETE", API + "/admin/api-keys/{key_id}"),
            ("GET", API + "/admin/audit-logs"), ("GET", API + "/usage"),
            ("GET", API + "/usage/events"), ("GET", API + "/usage/summary"),
            ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/metrics")}
        self.assertEqual(contract - ops, set(), "contract routes missing from the document")
        # The stage list the dashboard reads: the registry's names in pipeline order, the same
        # list the retry body validates against and a run's detail reports.
        stages = ["brand_researcher", "script_writer", "seo_optimizer", "media_generator",
                  "media_editor", "publisher"]
        schemas = doc["components"]["schemas"]
        self.assertEqual(schemas["StageName"]["enum"], stages)
        self.assertEqual(schemas["Stage"]["properties"]["stage"]["$ref"],
                         "#/components/schemas/StageName")
        # Every documented operation is routed: never a 404/405 for the template itself.
        for method, path in sorted(ops):
            concrete = path.replace("{run_id}", str(uuid.uuid4())).replace(
                "{channel_id}", "zz-none").replace("{key_id}", "none").replace(
                "{name}", "script.md").replace("{dir}", "images")
            if concrete.endswith("/events"):
                continue
            r = self.srv.request(method, concrete, key=ADMIN_KEY,
                                 raw=b"{}" if method in ("POST", "PATCH") else None)
            self.assertNotEqual(r.status, 405, (method, path))
            if "{" not in path:
                self.assertNotEqual(r.status, 404, (method, path, r.body))
        for p in doc["paths"].values():
            for op in p.values():
                if op.get("x-scope"):
                    self.assertIn("401", op["responses"])
        r = self.srv.get("/docs", key=None)
        self.assertEqual(r.status, 200)
        self.assertIn(b"openapi.json", r.body)

    def test_responses_match_openapi_schemas(self):
        s = self.srv
        doc = s.get("/openapi.json", key=None).json()

        def check(method, template, resp):
            op = doc["paths"][template][method.lower()]
            ok = [c for c in op["responses"] if c.startswith("2")][0]
            self.assertEqual(str(resp.status), ok, (method, template, resp.body))
            schema = op["responses"][ok]["content"]["application/json"]["schema"]
            validate(schema, resp.json(), doc, method + " " + template)

        rid = self.start_run("schema")
        s.sql("INSERT INTO usage_events (id, run_id, agent, provider, model, kind, "
              "prompt_tokens, completion_tokens, total_tokens, units, cost_usd, created_at) "
              "VALUES (?, ?, 'script_writer', 'offline', 'offline', 'chat', 1, 1, 2, 0, 0, "
              "'2026-01-01T00:00:00.000000Z')", (str(uuid.uuid4()), rid))
        check("GET", API + "/health", s.get(API + "/health", key=None))
        check("GET", API + "/pipeline/runs", s.get(API + "/pipeline/runs"))
        check("GET", API + "/pipeline/runs/{run_id}", s.get(API + "/pipeline/runs/" + rid))
        check("GET", API + "/status/{run_id}", s.get(API + "/status/" + rid))
        check("GET", API + "/dashboard/summary", s.get(API + "/dashboard/summary"))
        check("GET", API + "/channels", s.get(API + "/channels"))
        check("GET", API + "/channels/{channel_id}", s.get(API + "/channels/demo"))
        check("GET", API + "/admin/api-keys", s.get(API + "/admin/api-keys"))
        check("GET", API + "/admin/audit-logs", s.get(API + "/admin/audit-logs"))
        check("GET", API + "/usage", s.get(API + "/usage"))
        check("GET", API + "/usage/events", s.get(API + "/usage/events"))
        check("GET", API + "/usage/summary", s.get(API + "/usage/summary?group_by=channel"))
        k = s.post(API + "/admin/api-keys", {"name": "schema"})
        check("POST", API + "/admin/api-keys", k)
        check("DELETE", API + "/admin/api-keys/{key_id}",
              s.request("DELETE", API + "/admin/api-keys/" + k.json()["key_id"]))
        check("POST", API + "/pipeline/run",
              s.post(API + "/pipeline/run", {"channel_id": "demo", "topic": "t"}))
        check("POST", API + "/pipeline/runs/{run_id}/cancel",
              s.post(API + "/pipeline/runs/%s/cancel" % rid))
        check("POST", API + "/pipeline/runs/{run_id}/retry",
              s.post(API + "/pipeline/runs/%s/retry" % rid))
        cid = "schema_" + self.backend
        check("POST", API + "/channels", s.post(API + "/channels", {"channel_id": cid,
                                                                   "name": "S"}))
        check("PATCH", API + "/channels/{channel_id}",
              s.request("PATCH", API + "/channels/" + cid, body={"description": "d"}))
        check("DELETE", API + "/channels/{channel_id}",
              s.request("DELETE", API + "/channels/" + cid))
        for bad in (s.get(API + "/pipeline/runs?limit=0"), s.get(API + "/nope")):
            validate({"$ref": "#/components/schemas/" + ("ValidationError" if bad.status == 422
                                                         else "Error")}, bad.json(), doc)

    # ---------------------------------------------------------------- auth
    def test_auth_401(self):
        r = self.srv.get(API + "/pipeline/runs", key=None)
        self.assertEqual(r.status, 401)
        self.assertIn("detail", r.json())
        r = self.srv.get(API + "/pipeline/runs", key="yaa_unknown")
        self.assertEqual(r.status, 401)

    def test_scopes_403(self):
        s = self.srv
        # read key: GET ok, write + admin forbidden
        self.assertEqual(s.get(API + "/pipeline/runs", key=self.read_key).status, 200)
        self.assertEqual(s.post(API + "/pipeline/run", {"channel_id": "demo", "topic": "x"},
                                key=self.read_key).status, 403)
        rid = str(uuid.uuid4())
        self.assertEqual(s.post(API + "/pipeline/runs/%s/cancel" % rid,
                                key=self.read_key).status, 403)
        self.assertEqual(s.post(API + "/pipeline/runs/%s/retry" % rid,
                                key=self.read_key).status, 403)
        # write key: admin forbidden
        self.assertEqual(s.get(API + "/admin/api-keys", key=self.write_key).status, 403)
        self.assertEqual(s.get(API + "/admin/audit-logs", key=self.write_key).status, 403)
        self.assertEqual(s.post(API + "/channels", {"channel_id": "x", "name": "x"},
                                key=self.write_key).status, 403)
        self.assertEqual(s.request("PATCH", API + "/channels/demo", body={"name": "x"},
                                   key=self.write_key).status, 403)
        self.assertEqual(s.request("DELETE", API + "/channels/demo",
                                   key=self.write_key).status, 403)
        self.assertEqual(s.post(API + "/admin/api-keys", {"name": "x"},
                                key=self.read_key).status, 403)
        # a bad key wins over a bad body: 401 before 422
        self.assertEqual(s.post(API + "/pipeline/run", {"topic": 1}, key="nope").status, 401)

    def test_revoked_and_expired_401(self):
        s = self.srv
        k = s.post(API + "/admin/api-keys", {"name": "temp", "scopes": ["read"],
                                             "expires_days": 1}).json()
        self.assertIsNotNone(k["expires_at"])
        self.assertEqual(s.get(API + "/pipeline/runs", key=k["api_key"]).status, 200)
        s.sql("UPDATE api_keys SET expires_at = ? WHERE id = ?",
              ("2020-01-01T00:00:00.000000Z", k["key_id"]))
        r = s.get(API + "/pipeline/runs", key=k["api_key"])
        self.assertEqual(r.status, 401)
        self.assertIn("expired", r.json()["detail"])
        k2 = s.post(API + "/admin/api-keys", {"name": "temp2", "scopes": ["read"]}).json()
        self.assertEqual(s.request("DELETE", API + "/admin/api-keys/" + k2["key_id"]).status,
                         200)
        r = s.get(API + "/pipeline/runs", key=k2["api_key"])
        self.assertEqual(r.status, 401)
        self.assertIn("revoked", r.json()["detail"])

    def test_read_cache_sees_other_processes(self):
        """Keys and list pages kept between requests (docs/API.md "Performance") are dropped
        as soon as anything writes: another process's revocation refuses the very next
        request, and a run inserted behind the server's back is in the next list."""
        s = self.srv
        k = s.post(API + "/admin/api-keys", {"name": "cached", "scopes": ["read"]}).json()
        for _ in range(3):
            first = s.get(API + "/pipeline/runs" + qs(limit=5), key=k["api_key"])
            self.assertEqual(first.status, 200)
        before = first.json()
        rid = str(uuid.uuid4())
        s.sql("INSERT INTO pipeline_runs (id, channel_id, topic, brand_name, dry_run, status, "
              "errors_json, created_at, updated_at) VALUES (?, 'demo', 'behind its back', '', "
              "0, 'pending', '[]', '2999-01-01T00:00:00.000000Z', '2999-01-01T00:00:00.000000Z')",
              (rid,))
        after = s.get(API + "/pipeline/runs" + qs(limit=5), key=k["api_key"]).json()
        self.assertEqual(after["total"], before["total"] + 1)
        self.assertEqual(after["runs"][0]["run_id"], rid)
        s.sql("UPDATE api_keys SET is_active = 0 WHERE id = ?", (k["key_id"],))
        r = s.get(API + "/pipeline/runs" + qs(limit=5), key=k["api_key"])
        self.assertEqual(r.status, 401)
        self.assertIn("revoked", r.json()["detail"])
        s.sql("DELETE FROM pipeline_runs WHERE id = ?", (rid,))

    def test_last_used_updated(self):
        s = self.srv
        k = s.post(API + "/admin/api-keys", {"name": "lu", "scopes": ["read"]}).json()
        s.get(API + "/pipeline/runs", key=k["api_key"])
        deadline = time.time() + 10
        while time.time() < deadline:
            keys = s.get(API + "/admin/api-keys").json()["keys"]
            mine = [x for x in keys if x["key_id"] == k["key_id"]][0]
            if mine["last_used_at"]:
                break
            time.sleep(0.2)
        self.assertTrue(mine["last_used_at"])

    # ---------------------------------------------------------------- keys
    def test_keys(self):
        s = self.srv
        r = s.post(API + "/admin/api-keys", {"name": "ci", "scopes": ["write", "read"]})
        self.assertEqual(r.status, 201)
        j = r.json()
        for f in ("api_key", "key_id", "name", "scopes", "created_at", "expires_at"):
            self.assertIn(f, j)
        self.assertRegex(j["api_key"], r"^yaa_[A-Za-z0-9_-]{43}$")
        self.assertEqual(j["scopes"], ["read", "write"])
        self.assertEqual(s.post(API + "/admin/api-keys", {"name": "d"}).json()["scopes"],
                         ["read", "write"])
        lst = s.get(API + "/admin/api-keys").json()
        self.assertEqual(lst["total"], len(lst["keys"]))
        one = [k for k in lst["keys"] if k["key_id"] == j["key_id"]][0]
        self.assertEqual(set(one), {"key_id", "name", "prefix", "scopes", "is_active",
                                    "created_at", "expires_at", "last_used_at"})
        # the prefix shows which key is which; the key itself is never listed again
        self.assertEqual(one["prefix"], j["api_key"][:12])
        self.assertEqual(j["key"], j["api_key"])
        self.assertEqual(lst["api_keys"], lst["keys"])
        self.assertNotIn(j["api_key"], json.dumps(lst))
        self.assertNotIn('"api_key"', json.dumps(lst))
        self.assertEqual(s.request("DELETE", API + "/admin/api-keys/none").status, 404)
        # a key cannot revoke itself
        admin2 = s.post(API + "/admin/api-keys", {"name": "adm", "scopes": ["admin"]}).json()
        r = s.request("DELETE", API + "/admin/api-keys/" + admin2["key_id"],
                      key=admin2["api_key"])
        self.assertEqual(r.status, 400)

    def test_keys_422(self):
        s = self.srv
        cases = [({}, ("body", "name")), ({"name": ""}, ("body", "name")),
                 ({"name": "x" * 201}, ("body", "name")),
                 ({"name": "x", "scopes": ["root"]}, ("body", "scopes")),
                 ({"name": "x", "scopes": []}, ("body", "scopes")),
                 ({"name": "x", "scopes": "read"}, ("body", "scopes")),
                 ({"name": "x", "expires_days": 0}, ("body", "expires_days")),
                 ({"name": "x", "expires_days": 366}, ("body", "expires_days")),
                 ({"name": "x", "expires_days": "7"}, ("body", "expires_days"))]
        for body, loc in cases:
            r = s.post(API + "/admin/api-keys", body)
            self.assertEqual(r.status, 422, body)
            self.assertIn(loc, locs(r), body)
            for e in r.json()["detail"]:
                self.assertEqual(set(e), {"loc", "msg", "type"})

    # ---------------------------------------------------------------- runs
    def test_run_start(self):
        s = self.srv
        r = s.post(API + "/pipeline/run", {"channel_id": "demo", "topic": "Hello",
                                           "dry_run": True, "brand_name": "B"},
                   key=self.write_key)
        self.assertEqual(r.status, 202)
        j = r.json()
        self.assertEqual(j["status"], "pending")
        self.assertEqual(j["channel_id"], "demo")
        self.assertEqual(j["topic"], "Hello")
        uuid.UUID(j["run_id"])
        d = s.get(API + "/pipeline/runs/" + j["run_id"], key=self.read_key).json()
        self.assertTrue(d["dry_run"])
        self.assertEqual(d["brand_name"], "B")
        # the job is queued with the run id
        rows = s.sql("SELECT status FROM jobs WHERE id = ?", (j["run_id"],))
        self.assertEqual(len(rows), 1)
        r = s.post(API + "/pipeline/run", {"channel_id": "ghost", "topic": "x"},
                   key=self.write_key)
        self.assertEqual(r.status, 404)

    def test_run_start_idempotency_key(self):
        s = self.srv
        body = {"channel_id": "demo", "topic": "Idem %s" % uuid.uuid4().hex, "dry_run": True}
        k = {"Idempotency-Key": "idem-" + uuid.uuid4().hex}
        r1 = s.post(API + "/pipeline/run", body, key=self.write_key, headers=k)
        self.assertEqual(r1.status, 202, r1.body)
        r2 = s.post(API + "/pipeline/run", body, key=self.write_key, headers=k)
        self.assertEqual(r2.status, 202)
        self.assertEqual(r2.json()["run_id"], r1.json()["run_id"])  # the same run, once
        self.assertEqual(r2.header("Idempotent-Replayed"), "true")
        n = s.sql("SELECT COUNT(*) FROM pipeline_runs WHERE topic = ?", (body["topic"],))
        self.assertEqual(int(n[0][0]), 1)
        other = dict(body, topic=body["topic"] + " changed")
        r3 = s.post(API + "/pipeline/run", other, key=self.write_key, headers=k)
        self.assertEqual(r3.status, 422)
        self.assertIn("different request body", r3.json()["detail"])
        r4 = s.post(API + "/pipeline/run", body, key=self.write_key,
                    headers={"Idempotency-Key": "bad key with spaces"})
        self.assertEqual(r4.status, 422)
        # without the header, two POSTs are two runs (as before)
        r5 = s.post(API + "/pipeline/run", body, key=self.write_key)
        self.assertNotEqual(r5.json()["run_id"], r1.json()["run_id"])
        # the batch endpoint honours it too
        bk = {"Idempotency-Key": "batch-" + uuid.uuid4().hex}
        bb = {"channel_id": "demo", "dry_run": True, "topics": [{"topic": "b1"}, {"topic": "b2"}]}
        b1 = s.post(API + "/pipeline/batch", bb, key=self.write_key, headers=bk)
        self.assertEqual(b1.status, 202, b1.body)
        b2 = s.post(API + "/pipeline/batch", bb, key=self.write_key, headers=bk)
        self.assertEqual(b2.json()["batch_id"], b1.json()["batch_id"])

    def test_run_start_422(self):
        s = self.srv
        cases = [({"topic": "x"}, ("body", "channel_id")),
                 ({"channel_id": "demo"}, ("body", "topic")),
                 ({"channel_id": 5, "topic": "x"}, ("body", "channel_id")),
                 ({"channel_id": "demo", "topic": ""}, ("body", "topic")),
                 ({"channel_id": "demo", "topic": "x", "dry_run": "yes"}, ("body", "dry_run")),
                 ({"channel_id": "demo", "topic": "x", "brand_name": 1}, ("body", "brand_name"))]
        for body, loc in cases:
            r = s.post(API + "/pipeline/run", body, key=self.write_key)
            self.assertEqual(r.status, 422, body)
            self.assertIn(loc, locs(r))
        r = s.post(API + "/pipeline/run", raw=b"{nope", key=self.write_key)
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json()["detail"][0]["type"], "json_invalid")
        r = s.post(API + "/pipeline/run", raw=b"[]", key=self.write_key)
        self.assertEqual(r.status, 422)
        r = s.post(API + "/pipeline/run", {}, key=self.write_key)
        self.assertEqual(len(r.json()["detail"]), 2)  # one entry per bad field

    def test_runs_list_pagination_filters(self):
        s = self.srv
        ch = "demo"
        ids = [self.start_run("page %d" % i) for i in range(3)]
        r = s.get(API + "/pipeline/runs" + qs(limit=2), key=self.read_key).json()
        self.assertEqual(r["limit"], 2)
        self.assertEqual(r["offset"], 0)
        self.assertEqual(len(r["runs"]), 2)
        self.assertGreaterEqual(r["total"], 3)
        self.assertEqual(r["runs"][0]["run_id"], ids[-1])  # newest first
        self.assertEqual(set(r["runs"][0]), {"run_id", "channel_id", "topic", "status",
                                             "dry_run", "created_at", "completed_at",
                                             "batch_id", "publish_at"})
        r2 = s.get(API + "/pipeline/runs" + qs(limit=2, offset=1), key=self.read_key).json()
        self.assertEqual(r2["runs"][0]["run_id"], r["runs"][1]["run_id"])
        s.post(API + "/pipeline/runs/%s/cancel" % ids[0], key=self.write_key)
        c = s.get(API + "/pipeline/runs" + qs(status="cancelled", channel_id=ch),
                  key=self.read_key).json()
        self.assertIn(ids[0], [x["run_id"] for x in c["runs"]])
        self.assertTrue(all(x["status"] == "cancelled" for x in c["runs"]))
        none = s.get(API + "/pipeline/runs" + qs(channel_id="nobody"), key=self.read_key)
        self.assertEqual(none.json()["total"], 0)
        for bad in (qs(limit=0), qs(limit=101), qs(limit="x"), qs(offset=-1),
                    qs(status="weird")):
            r = s.get(API + "/pipeline/runs" + bad, key=self.read_key)
            self.assertEqual(r.status, 422, bad)
            self.assertEqual(locs(r)[0][0], "query")

    def test_run_detail_status_cost(self):
        s = self.srv
        rid = self.start_run("detail")
        s.sql("INSERT INTO usage_events (id, run_id, agent, provider, model, kind, "
              "prompt_tokens, completion_tokens, total_tokens, units, cost_usd, created_at) "
              "VALUES (?, ?, 'script_writer', 'openai', 'gpt-4o', 'chat', 10, 5, 15, 0, 0.25, "
              "'2026-01-01T00:00:00.000000Z')", (str(uuid.uuid4()), rid))
        s.sql("INSERT INTO usage_events (id, run_id, agent, provider, model, kind, "
              "prompt_tokens, completion_tokens, total_tokens, units, cost_usd, created_at) "
              "VALUES (?, ?, 'seo_optimizer', 'openai', 'gpt-4o', 'chat', 1, 1, 2, 0, 0.5, "
              "'2026-01-02T00:00:00.000000Z')", (str(uuid.uuid4()), rid))
        d = s.get(API + "/pipeline/runs/" + rid, key=self.read_key)
        self.assertEqual(d.status, 200)
        d = d.json()
        for f in ("run_id", "channel_id", "topic", "status", "dry_run", "created_at",
                  "completed_at", "brand_name", "current_agent", "updated_at", "result",
                  "errors", "stages", "cost_usd"):
            self.assertIn(f, d)
        self.assertAlmostEqual(d["cost_usd"], 0.75)
        self.assertEqual([x["stage"] for x in d["stages"]],
                         ["brand_researcher", "script_writer", "seo_optimizer",
                          "media_generator", "media_editor", "publisher"])
        self.assertEqual(set(d["stages"][0]), {"stage", "status", "started_at", "finished_at",
                                               "error"})
        st = s.get(API + "/status/" + rid, key=self.read_key).json()
        self.assertEqual(set(st), {"run_id", "status", "current_agent", "errors", "result"})
        self.assertEqual(s.get(API + "/pipeline/runs/" + str(uuid.uuid4()),
                               key=self.read_key).status, 404)
        self.assertEqual(s.get(API + "/pipeline/runs/not-a-uuid", key=self.read_key).status,
                         404)
        self.assertEqual(s.get(API + "/status/" + str(uuid.uuid4()), key=self.read_key).status,
                         404)
        # usage filtered by run
        u = s.get(API + "/usage" + qs(run_id=rid), key=self.read_key).json()
        self.assertEqual(u["total"], 2)
        self.assertEqual(u["totals"]["total_tokens"], 17)
        self.assertAlmostEqual(u["totals"]["cost_usd"], 0.75)
        self.assertEqual(set(u), {"totals", "events", "total", "limit", "offset"})
        self.assertEqual(set(u["totals"]), {"prompt_tokens", "completion_tokens",
                                            "total_tokens", "cost_usd", "events"})
        ue = s.get(API + "/usage/events" + qs(run_id=rid, agent="seo_optimizer"),
                   key=self.read_key).json()
        self.assertEqual(ue["total"], 1)
        win = s.get(API + "/usage" + qs(run_id=rid, **{"from": "2026-01-02", "to": "2026-01-03"}),
                    key=self.read_key).json()
        self.assertEqual(win["total"], 1)
        page = s.get(API + "/usage" + qs(run_id=rid, limit=1, offset=1), key=self.read_key)
        self.assertEqual(len(page.json()["events"]), 1)
        sm = s.get(API + "/usage/summary" + qs(run_id=rid, group_by="agent"),
                   key=self.read_key).json()
        self.assertEqual(sorted(g["key"] for g in sm["groups"]),
                         ["script_writer", "seo_optimizer"])
        for bad in (qs(group_by="color"), qs(limit=0), qs(**{"from": "yesterday"})):
            path = "/usage/summary" if "group_by" in bad else "/usage"
            self.assertEqual(s.get(API + path + bad, key=self.read_key).status, 422, bad)

    def test_cancel_retry(self):
        s = self.srv
        rid = self.start_run("cancel me")
        r = s.post(API + "/pipeline/runs/%s/retry" % rid, key=self.write_key)
        self.assertEqual(r.status, 409)  # still pending
        r = s.post(API + "/pipeline/runs/%s/cancel" % rid, key=self.write_key)
        self.assertEqual(r.status, 202)
        self.assertEqual(s.get(API + "/status/" + rid, key=self.read_key).json()["status"],
                         "cancelled")
        self.assertEqual(s.sql("SELECT status FROM jobs WHERE id = ?", (rid,))[0][0],
                         "cancelled")
        r = s.post(API + "/pipeline/runs/%s/cancel" % rid, key=self.write_key)
        self.assertEqual(r.status, 409)
        r = s.post(API + "/pipeline/runs/%s/retry" % rid, {"from_stage": "nope"},
                   key=self.write_key)
        self.assertEqual(r.status, 422)
        r = s.post(API + "/pipeline/runs/%s/retry" % rid, {"from_stage": "seo_optimizer"},
                   key=self.write_key)
        self.assertEqual(r.status, 202)
        self.assertEqual(s.get(API + "/status/" + rid, key=self.read_key).json()["status"],
                         "pending")
        job = s.sql("SELECT status, payload_json FROM jobs WHERE id = ?", (rid,))[0]
        self.assertEqual(job[0], "queued")
        self.assertEqual(json.loads(job[1])["from_stage"], "seo_optimizer")
        r = s.post(API + "/pipeline/runs/%s/cancel" % uuid.uuid4(), key=self.write_key)
        self.assertEqual(r.status, 404)
        r = s.post(API + "/pipeline/runs/%s/retry" % uuid.uuid4(), key=self.write_key)
        self.assertEqual(r.status, 404)

    def test_retry_stuck_run_keeps_from_stage(self):
        """A run left pending with no job (the queue lost it) past the reconcile grace period:
        retry queues it again, from the stage it names."""
        s = self.srv
        rid = self.start_run("stuck")
        s.sql("DELETE FROM jobs WHERE id = ?", (rid,))
        s.sql("UPDATE pipeline_runs SET updated_at = ? WHERE id = ?",
              ("2020-01-01T00:00:00Z", rid))
        r = s.post(API + "/pipeline/runs/%s/retry" % rid, {"from_stage": "seo_optimizer"},
                   key=self.write_key)
        self.assertEqual(r.status, 202, r.body)
        self.assertEqual(r.json()["from_stage"], "seo_optimizer")
        job = s.sql("SELECT status, payload_json FROM jobs WHERE id = ?", (rid,))[0]
        self.assertEqual(job[0], "queued")
        self.assertEqual(json.loads(job[1])["from_stage"], "seo_optimizer")
        r = s.post(API + "/pipeline/runs/%s/cancel" % rid, key=self.write_key)
        self.assertEqual(r.status, 202)

    def test_artifacts_and_range(self):
        s = self.srv
        rid = self.start_run("artifacts")
        d = os.path.join(s.output, rid)
        os.makedirs(os.path.join(d, "images"))
        video = bytes(range(256)) * 40
        with open(os.path.join(d, "video.mp4"), "wb") as f:
            f.write(video)
        with open(os.path.join(d, "script.md"), "w") as f:
            f.write("# Script\n")
        with open(os.path.join(d, "images", "01.png"), "wb") as f:
            f.write(b"\x89PNG....")
        base = API + "/pipeline/runs/%s/artifacts/" % rid
        r = s.get(base + "video.mp4", key=self.read_key)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, video)
        self.assertEqual(r.header("Content-Type"), "video/mp4")
        self.assertEqual(r.header("Accept-Ranges"), "bytes")
        r = s.get(base + "video.mp4", key=self.read_key, headers={"Range": "bytes=10-19"})
        self.assertEqual(r.status, 206)
        self.assertEqual(r.body, video[10:20])
        self.assertEqual(r.header("Content-Range"), "bytes 10-19/%d" % len(video))
        r = s.get(base + "video.mp4", key=self.read_key, headers={"Range": "bytes=-5"})
        self.assertEqual((r.status, r.body), (206, video[-5:]))
        r = s.get(base + "video.mp4", key=self.read_key, headers={"Range": "bytes=100000-"})
        self.assertEqual(r.status, 416)
        r = s.get(base + "script.md", key=self.read_key)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/markdown"))
        self.assertEqual(s.get(base + "images/01.png", key=self.read_key).status, 200)
        for bad in ("thumbnail.png", "passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e",
                    "images/..%2F..%2Fx.png", "images/1.png.bak", "../script.md"):
            r = s.get(base + bad, key=self.read_key)
            self.assertEqual(r.status, 404, bad)
        self.assertEqual(s.get(API + "/pipeline/runs/%s/artifacts/video.mp4" % uuid.uuid4(),
                               key=self.read_key).status, 404)

    def test_events_sse(self):
        s = self.srv
        rid = self.start_run("sse")
        s.post(API + "/pipeline/runs/%s/cancel" % rid, key=self.write_key)
        r = s.get(API + "/pipeline/runs/%s/events" % rid, key=self.read_key, timeout=20)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/event-stream"))
        events = [b.split("\n") for b in r.body.decode().split("\n\n") if b.strip()]
        names = [l[7:] for ev in events for l in ev if l.startswith("event: ")]
        self.assertEqual(names[-1], "done")
        data = [json.loads(l[6:]) for ev in events for l in ev if l.startswith("data: ")]
        self.assertEqual(data[-1]["status"], "cancelled")
        self.assertEqual(s.get(API + "/pipeline/runs/%s/events" % uuid.uuid4(),
                               key=self.read_key).status, 404)

    def test_dashboard(self):
        s = self.srv
        self.start_run("dash")
        d = s.get(API + "/dashboard/summary" + qs(limit=2), key=self.read_key)
        self.assertEqual(d.status, 200)
        d = d.json()
        self.assertEqual(set(d), {"total_runs", "active_runs", "success_runs", "failed_runs",
                                  "avg_duration_sec", "estimated_cost_usd", "recent_runs",
                                  "awaiting_review"})
        self.assertLessEqual(len(d["recent_runs"]), 2)
        self.assertGreaterEqual(d["total_runs"], 1)
        self.assertEqual(s.get(API + "/dashboard/summary" + qs(limit="x"),
                               key=self.read_key).status, 422)

    # ---------------------------------------------------------------- channels
    def test_channels(self):
        s = self.srv
        r = s.get(API + "/channels", key=self.read_key)
        self.assertEqual(r.status, 200)
        self.assertIn("demo", [c["channel_id"] for c in r.json()["channels"]])
        self.assertEqual(r.json()["total"], len(r.json()["channels"]))
        c = s.get(API + "/channels/demo", key=self.read_key).json()
        for f in ("channel_id", "name", "category", "has_brand_guide"):
            self.assertIn(f, c)
        self.assertEqual(s.get(API + "/channels/ghost", key=self.read_key).status, 404)
        cid = "new_%s" % self.backend
        r = s.post(API + "/channels", {"channel_id": cid, "name": "New One",
                                       "category": "food", "description": "d"})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json()["channel_id"], cid)
        self.assertTrue(os.path.isfile(os.path.join(s.channels, cid, "config.yaml")))
        # the channels table follows the files (synced at start, and on every change)
        self.assertEqual(s.sql("SELECT name FROM channels WHERE id = ?", ("demo",))[0][0], "Demo")
        self.assertEqual(s.sql("SELECT name FROM channels WHERE id = ?", (cid,))[0][0], "New One")
        self.assertEqual(s.post(API + "/channels", {"channel_id": cid, "name": "x"}).status,
                         409)
        r = s.request("PATCH", API + "/channels/" + cid, body={"name": "Renamed"})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["name"], "Renamed")
        self.assertEqual(s.request("PATCH", API + "/channels/ghost",
                                   body={"name": "x"}).status, 404)
        r = s.request("DELETE", API + "/channels/" + cid)
        self.assertEqual(r.status, 200)
        self.assertIn("detail", r.json())
        self.assertFalse(os.path.exists(os.path.join(s.channels, cid)))
        self.assertTrue(os.path.isdir(os.path.join(s.channels, ".deleted")))
        self.assertTrue(s.sql("SELECT deleted_at FROM channels WHERE id = ?", (cid,))[0][0])
        self.assertEqual(s.request("DELETE", API + "/channels/" + cid).status, 404)

    def test_template_reserved(self):
        """The template new channels are copied from cannot be changed or removed through
        the API (403), whichever route is used, and no refusal names a server path."""
        s = self.srv
        tpl = os.path.join(s.channels, "_template", "config.yaml")
        with open(tpl, "rb") as f:
            before = f.read()
        for method, path, body, raw in (
                ("DELETE", "/channels/_template", None, None),
                ("PATCH", "/channels/_template", {"name": "x"}, None),
                ("PUT", "/channels/_template/files/config.yaml", None, b"channel:\n  name: x\n"),
                ("PUT", "/channels/_template/files/knowledge/notes.md", None, b"# notes\n"),
                ("POST", "/channels/_template/youtube/connect", None, None),
                ("GET", "/channels/_template/youtube", None, None),
                ("DELETE", "/channels/_template/youtube", None, None),
                ("POST", "/channels/_x/youtube/connect", None, None)):
            r = s.request(method, API + path, body=body, raw=raw)
            self.assertEqual(r.status, 403, (method, path, r.body))
            self.assertIn("reserved", r.json()["detail"])
            self.assertNotIn(s.dir.encode(), r.body)
        with open(tpl, "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertFalse(os.path.exists(os.path.join(s.channels, "_template", "knowledge",
                                                     "notes.md")))
        # a refused YAML edit names the file relative to the channels folder, not the server path
        r = s.request("PUT", API + "/channels/demo/files/config.yaml",
                      raw=b"channel:\n  name: [unclosed\n")
        self.assertEqual(r.status, 422, r.body)
        self.assertNotIn(s.dir.encode(), r.body)
        self.assertIn("config.yaml", r.json()["detail"])

    def test_channels_422(self):
        s = self.srv
        cases = [({"name": "x"}, ("body", "channel_id")),
                 ({"channel_id": "bad id!", "name": "x"}, ("body", "channel_id")),
                 ({"channel_id": "x" * 101, "name": "x"}, ("body", "channel_id")),
                 ({"channel_id": "ok"}, ("body", "name")),
                 ({"channel_id": "ok", "name": ""}, ("body", "name")),
                 ({"channel_id": "ok", "name": "n" * 201}, ("body", "name")),
                 ({"channel_id": "ok", "name": "n", "category": "c" * 51}, ("body", "category")),
                 ({"channel_id": "ok", "name": "n", "description": "d" * 501},
                  ("body", "description"))]
        for body, loc in cases:
            r = s.post(API + "/channels", body)
            self.assertEqual(r.status, 422, body)
            self.assertIn(loc, locs(r), body)
        r = s.request("PATCH", API + "/channels/demo", body={"name": ""})
        self.assertEqual(r.status, 422)

    # ---------------------------------------------------------------- audit
    def test_audit_logs(self):
        s = self.srv
        marker = "/api/v1/status/" + str(uuid.uuid4())
        s.get(marker, key=self.read_key)
        deadline = time.time() + 10
        logs = []
        while time.time() < deadline:
            logs = s.get(API + "/admin/audit-logs" + qs(path=marker)).json()["logs"]
            if logs:
                break
            time.sleep(0.2)
        self.assertEqual(len(logs), 1)
        e = logs[0]
        for f in ("id", "timestamp", "method", "path", "status_code", "api_key_id",
                  "ip_address", "duration_ms"):
            self.assertIn(f, e)
        self.assertEqual((e["method"], e["path"], e["status_code"]), ("GET", marker, 404))
        self.assertEqual(e["api_key_id"], self.read_key_id)
        self.assertEqual(e["ip_address"], "127.0.0.1")
        f = s.get(API + "/admin/audit-logs" + qs(api_key_id=self.read_key_id, method="GET",
                                                 status_code=404)).json()
        self.assertGreaterEqual(f["total"], 1)
        self.assertTrue(all(x["api_key_id"] == self.read_key_id and x["status_code"] == 404
                            for x in f["logs"]))
        p = s.get(API + "/admin/audit-logs" + qs(limit=1, offset=0)).json()
        self.assertEqual((len(p["logs"]), p["limit"], p["offset"]), (1, 1, 0))
        fut = s.get(API + "/admin/audit-logs" + qs(since="2999-01-01T00:00:00Z")).json()
        self.assertEqual(fut["total"], 0)
        for bad in (qs(limit=0), qs(status_code="x"), qs(since="nope")):
            self.assertEqual(s.get(API + "/admin/audit-logs" + bad).status, 422, bad)
        # health checks are not audited
        s.get(API + "/health", key=None)
        time.sleep(0.5)
        h = s.get(API + "/admin/audit-logs" + qs(path=API + "/health")).json()
        self.assertEqual(h["total"], 0)

    # ---------------------------------------------------------------- cors, static
    def test_cors(self):
        s = self.srv
        r = s.request("OPTIONS", API + "/pipeline/run", key=None,
                      headers={"Origin": "http://dash.example",
                               "Access-Control-Request-Method": "POST"})
        self.assertEqual(r.status, 204)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "http://dash.example")
        self.assertIn("X-API-Key", r.header("Access-Control-Allow-Headers"))
        r = s.get(API + "/health", key=None, headers={"Origin": "http://dash.example"})
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "http://dash.example")
        r = s.get(API + "/health", key=None, headers={"Origin": "http://evil.example"})
        self.assertIsNone(r.header("Access-Control-Allow-Origin"))

    def test_static(self):
        s = self.srv
        r = s.get("/", key=None)
        self.assertEqual(r.status, 200)
        self.assertIn(b"<div id=app>", r.body)
        self.assertEqual(r.header("Cache-Control"), "no-cache")
        r = s.get("/assets/index-abc123.js", key=None)
        self.assertEqual(r.status, 200)
        self.assertIn("immutable", r.header("Cache-Control"))
        self.assertTrue(r.header("Content-Type").startswith("text/javascript"))
        r = s.get("/runs/123", key=None)  # SPA fallback
        self.assertEqual(r.status, 200)
        self.assertIn(b"<div id=app>", r.body)
        self.assertEqual(s.get("/assets/missing-1.js", key=None).status, 404)
        self.assertEqual(s.get("/..%2F..%2Fetc%2Fpasswd", key=None).body.find(b"root:"), -1)
        self.assertEqual(s.get(API + "/unknown", key=None).status, 404)  # API is not SPA


class ApiSqlite(ApiBase, unittest.TestCase):
    backend = "sqlite"

    def test_nul_or_non_utf8_path_is_400(self):
        # a decoded NUL once ended the path: /runs/%00 answered with the runs list
        for path in (API + "/pipeline/runs/%00", API + "/pipeline/runs%00",
                     API + "/pipeline/runs/%00/artifacts/x", API + "/channels/%ff",
                     API + "/channels/%c3%28", "/%00", "/index.html%00.png"):
            r = self.srv.get(path, key=self.read_key)
            self.assertEqual(r.status, 400, path)
            self.assertIn("NUL", r.json()["detail"], path)
            self.assertNotIn(b"\"items\"", r.body, path)
        # a %00 in the query is not the path's business; a valid escaped path still routes
        self.assertEqual(self.srv.get(API + "/pipeline/runs?x=%00", key=self.read_key).status,
                         200)
        self.assertEqual(self.srv.get(API + "/pipeline/runs/%30", key=self.read_key).status,
                         404)


class ApiPostgres(ApiBase, unittest.TestCase):
    backend = "postgres"


class RateLimit(unittest.TestCase):
    def test_429(self):
        srv = YaaServer("sqlite", env={"RATE_LIMIT_PER_MINUTE": "3"})
        try:
            seen = []
            for _ in range(4):
                r = srv.get(API + "/pipeline/runs")
                seen.append(r)
            self.assertEqual([r.status for r in seen[:3]], [200, 200, 200])
            self.assertEqual([r.header("X-RateLimit-Remaining") for r in seen[:3]],
                             ["2", "1", "0"])
            r = seen[3]
            self.assertEqual(r.status, 429)
            self.assertEqual(r.header("X-RateLimit-Limit"), "3")
            self.assertEqual(r.header("X-RateLimit-Remaining"), "0")
            self.assertGreaterEqual(int(r.header("Retry-After")), 1)
            self.assertIn("detail", r.json())
            # another key (or IP) has its own bucket; health is never limited
            self.assertEqual(srv.get(API + "/pipeline/runs", key="yaa_other").status, 401)
            self.assertEqual(srv.get(API + "/health", key=None).status, 200)
        finally:
            self.assertEqual(srv.stop(), 0)


class RateLimitOff(unittest.TestCase):
    def test_zero_turns_limiting_off(self):
        srv = YaaServer("sqlite", env={"RATE_LIMIT_PER_MINUTE": "0"})
        try:
            statuses = {srv.get(API + "/pipeline/runs").status for _ in range(80)}
            self.assertEqual(statuses, {200})
        finally:
            self.assertEqual(srv.stop(), 0)


class NoDashboard(unittest.TestCase):
    """Without a dashboard build, GET / says how to get one; other unknown paths stay 404."""

    def test_dashboard_not_built(self):
        srv = YaaServer("sqlite", env={"YAA_WEB_DIR": "/nonexistent/web/dist"})
        try:
            r = srv.get("/", key=None)
            self.assertEqual(r.status, 404)
            self.assertIn("make web", r.json()["detail"])
            self.assertIn("/nonexistent/web/dist", r.json()["detail"])
            r = srv.get("/runs/abc", key=None)
            self.assertEqual((r.status, r.json()["detail"]), (404, "Not Found"))
            self.assertEqual(srv.get(API + "/health", key=None).status, 200)
        finally:
            self.assertEqual(srv.stop(), 0)


class DatabaseDown(unittest.TestCase):
    """/health names the failing part with 503 when PostgreSQL goes away. Probes without a key
    answer from the last check (HEALTH_CACHE_MS, long here so the order below is certain); a
    probe with the admin key checks afresh, and the probes after it see what it found."""

    def test_health_503(self):
        srv = YaaServer("postgres", env={"HEALTH_CACHE_MS": "60000"})
        try:
            self.assertEqual(srv.get(API + "/health", key=None).status, 200)
            pg_dir, srv.pg_dir = srv.pg_dir, None
            subprocess.run([os.path.join(SRC, "tests", "lib", "pg-stop"), pg_dir],
                           capture_output=True)
            # a public probe inside the cache time: the last check, no round trip
            self.assertEqual(srv.get(API + "/health", key=None, timeout=30).status, 200)
            r = srv.get(API + "/health", timeout=30)  # the admin key: a new check, what failed
            self.assertEqual(r.status, 503)
            self.assertIn("database", r.json()["detail"])
            r = srv.get(API + "/health", key=None, timeout=30)
            self.assertEqual(r.status, 503)
            j = r.json()
            self.assertEqual(j["database"], "degraded")
            self.assertEqual(j["status"], "degraded")
            # the public answer names the part, never the server, port, user or error text
            self.assertNotIn("detail", j)
            self.assertNotIn(b"127.0.0.1", r.body)
            self.assertNotIn(b"postgres", r.body.lower())
            r = srv.get(API + "/pipeline/runs", timeout=30)
            self.assertEqual(r.status, 503)  # auth cannot look the key up
            self.assertIn("detail", r.json())
        finally:
            self.assertEqual(srv.stop(), 0)


class OfflineRun(unittest.TestCase):
    """A whole offline run executed by an in-process worker, followed over SSE."""

    def test_sse_whole_run_and_video_range(self):
        srv = YaaServer("sqlite", workers=1)
        try:
            r = srv.post(API + "/pipeline/run", {"channel_id": "home_cooking_en",
                                                 "topic": "Crispy rice in ten minutes",
                                                 "dry_run": True})
            self.assertEqual(r.status, 202, r.body)
            rid = r.json()["run_id"]
            r = srv.get(API + "/pipeline/runs/%s/events" % rid, timeout=1200)
            self.assertEqual(r.status, 200)
            events = []
            for block in r.body.decode().split("\n\n"):
                name = [l[7:] for l in block.split("\n") if l.startswith("event: ")]
                data = [l[6:] for l in block.split("\n") if l.startswith("data: ")]
                if name:
                    events.append((name[0], json.loads(data[0])))
            names = [e[0] for e in events]
            self.assertEqual(names[-1], "done", names)
            self.assertEqual(events[-1][1]["status"], "completed", srv.logs()[-3000:])
            self.assertIn("log", names)
            order = ["brand_researcher", "script_writer", "seo_optimizer", "media_generator",
                     "media_editor", "publisher"]
            stages = [(d["stage"], d["status"]) for n, d in events if n == "stage"]
            done = [s for s, st in stages if st == "done"]
            self.assertEqual(done, order)  # every stage finished, in pipeline order
            idx = [order.index(s) for s, _ in stages]
            self.assertEqual(idx, sorted(idx))  # stage events never go backwards
            base = API + "/pipeline/runs/%s/artifacts/" % rid
            full = srv.get(base + "video.mp4")
            self.assertEqual(full.status, 200)
            self.assertEqual(full.header("Content-Type"), "video/mp4")
            part = srv.get(base + "video.mp4", headers={"Range": "bytes=0-1023"})
            self.assertEqual(part.status, 206)
            self.assertEqual(part.body, full.body[:1024])
            self.assertEqual(part.header("Content-Range"), "bytes 0-1023/%d" % len(full.body))
            self.assertEqual(srv.get(base + "thumbnail.png").header("Content-Type"), "image/png")
            d = srv.get(API + "/pipeline/runs/" + rid).json()
            self.assertEqual([s["status"] for s in d["stages"]], ["done"] * 6)
            self.assertEqual(srv.get(API + "/dashboard/summary").json()["success_runs"], 1)
            r = srv.post(API + "/pipeline/runs/%s/cancel" % rid)
            self.assertEqual(r.status, 409)
        finally:
            self.assertEqual(srv.stop(), 0)


class Shutdown(unittest.TestCase):
    def test_sigterm_finishes_in_flight(self):
        srv = YaaServer("sqlite", workers=2)
        # a slow client holds a connection open; SIGTERM still stops the server promptly
        sock = socket.create_connection(("127.0.0.1", srv.port))
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        t = time.time()
        rc = srv.stop(signal.SIGTERM, timeout=30)
        sock.close()
        self.assertEqual(rc, 0)
        self.assertLess(time.time() - t, 30)


if __name__ == "__main__":
    unittest.main(verbosity=2)
