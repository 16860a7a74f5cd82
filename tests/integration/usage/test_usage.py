#!/usr/bin/env python3
"""Cost and usage end to end (issue 8): a real `yaa serve` (one in-process worker; SQLite, then
PostgreSQL) runs whole pipelines against the local OpenAI and Anthropic doubles, which answer
every request with known token counts (OpenAI 1000 + 200, Anthropic 3000 + 1500). Checked to the
cent against the built-in prices (gpt-4o $2.50/$10, claude-sonnet-4 $3/$15 per 1M tokens):

- every usage_events row (one per paid call the doubles saw, cost-0 rows for local engines);
- GET /usage (totals, pagination, from/to), GET /usage/summary for every group_by,
  RunDetail.cost_usd, dashboard estimated_cost_usd, the /metrics counters, `yaa usage`;
- a re-delivered (retried) finished run pays nothing twice, and `yaa run` killed in the middle
  of a paid call resumes without paying or counting the finished stages again;
- budgets: a per-run budget stops the run at the next stage boundary (failed, naming the
  budget); a spent monthly budget refuses new runs (API 402, `yaa run` exit 1) and the
  channel view shows spend and budget.
"""
import datetime
import json
import os
import re
import subprocess
import sys
import time
import unittest
import urllib.request

SRC = os.environ.get("YAA_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BUILD = os.environ.get("YAA_BUILD_DIR", os.path.join(SRC, "build"))
os.environ.setdefault("YAA_BIN", os.path.join(BUILD, "yaa"))
sys.path.insert(0, os.path.join(SRC, "tests", "integration", "api"))
from yaa_server import YaaServer, qs  # noqa: E402

OA_USAGE = (1000, 200)
AN_USAGE = (3000, 1500)
OA_COST = (OA_USAGE[0] * 2.50 + OA_USAGE[1] * 10.00) / 1e6   # gpt-4o: 0.0045
AN_COST = (AN_USAGE[0] * 3.00 + AN_USAGE[1] * 15.00) / 1e6   # claude-sonnet-4: 0.0315
CHANNEL = "home_cooking_en"
GROUPS = ("run", "day", "agent", "provider", "model", "channel")


def close(a, b):
    return abs(a - b) < 1e-9 and round(a, 2) == round(b, 2)


class Double:
    def __init__(self, script, usage):
        self.proc = subprocess.Popen([sys.executable, os.path.join(SRC, "tests", "doubles", script)],
                                     stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline().split()[1])
        self.call("/_control", {"usage": list(usage)})

    def call(self, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), data=data,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def chat_requests(self):
        reqs = self.call("/_requests")["requests"]
        bad = [r["violations"] for r in reqs if r.get("violations")]
        assert not bad, "requests the double refused: %s" % bad
        return [r for r in reqs if r["path"] in ("/v1/chat/completions", "/v1/messages")]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def capped(channels, name, budget_yaml):
    src = os.path.join(channels, CHANNEL)
    dst = os.path.join(channels, name)
    subprocess.run(["cp", "-r", src, dst], check=True)
    path = os.path.join(dst, "config.yaml")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"(?ms)^budget:\n(  .*\n?)*", "", text) + "\nbudget:\n" + budget_yaml
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class UsageEndToEnd(unittest.TestCase):
    backend = "sqlite"

    @classmethod
    def setUpClass(cls):
        cls.oa = Double("openai_double.py", OA_USAGE)
        cls.an = Double("anthropic_double.py", AN_USAGE)
        cls.srv = YaaServer(cls.backend, workers=1, env={
            "LLM_PROVIDER": "",
            "OPENAI_API_KEY": "sk-test",
            "ANTHROPIC_API_KEY": "sk-ant-test",
            "OPENAI_BASE_URL": "http://127.0.0.1:%d/v1" % cls.oa.port,
            "ANTHROPIC_BASE_URL": "http://127.0.0.1:%d" % cls.an.port,
            "YAA_MEDIA_PRESET": "ultrafast",
        })
        capped(cls.srv.channels, "capped_run", "  per_run_usd: 0.001\n")
        capped(cls.srv.channels, "capped_month", "  monthly_usd: 0.01\n")
        capped(cls.srv.channels, "capped_month_run", "  monthly_usd: 0.004\n")

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        cls.oa.stop()
        cls.an.stop()

    # ---- helpers ----
    def api(self, path, status=200):
        r = self.srv.get("/api/v1" + path)
        self.assertEqual(r.status, status, r.body)
        return r.json()

    def start(self, channel, topic):
        r = self.srv.post("/api/v1/pipeline/run", {"channel_id": channel, "topic": topic,
                                                   "dry_run": True})
        self.assertEqual(r.status, 202, r.body)
        return r.json()["run_id"]

    def wait(self, run_id, timeout=600):
        deadline = time.time() + timeout
        while time.time() < deadline:
            d = self.api("/pipeline/runs/" + run_id)
            if d["status"] in ("completed", "failed", "cancelled"):
                return d
            time.sleep(1)
        self.fail("run %s did not finish; log tail:\n%s" % (run_id, self.srv.logs()[-3000:]))

    def rows(self, run_id):
        cols = ("id", "run_id", "agent", "provider", "model", "kind", "prompt_tokens",
                "completion_tokens", "total_tokens", "units", "cost_usd", "created_at")
        out = []
        for r in self.srv.sql("SELECT %s FROM usage_events WHERE run_id = ? ORDER BY id"
                              % ", ".join(cols), (run_id,)):
            d = dict(zip(cols, r))  # psql answers text: the same types on both backends
            for c in ("prompt_tokens", "completion_tokens", "total_tokens"):
                d[c] = int(d[c])
            for c in ("units", "cost_usd"):
                d[c] = float(d[c])
            out.append(d)
        return out

    def metric(self, text, name, **labels):
        total = 0.0
        for line in text.splitlines():
            if not line.startswith(name + "{"):
                continue
            lab = dict(re.findall(r'(\w+)="([^"]*)"', line[len(name):line.rindex("}")]))
            if all(lab.get(k) == v for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def yaa(self, *args):
        return subprocess.run([os.environ["YAA_BIN"], *args], env=self.srv.env, cwd=self.srv.dir,
                              capture_output=True, text=True, timeout=120)

    # ---- 1. a whole run, every figure ----
    def test_1_full_run(self):
        run_id = self.start(CHANNEL, "Weeknight pasta under 20 minutes")
        d = self.wait(run_id)
        self.assertEqual(d["status"], "completed", d.get("errors"))
        video = os.path.join(self.srv.output, run_id, "video.mp4")
        self.assertTrue(os.path.getsize(video) > 0, "the run rendered its video")
        oa_calls, an_calls = len(self.oa.chat_requests()), len(self.an.chat_requests())
        sys.stderr.write("full run: %d OpenAI calls, %d Anthropic calls\n" % (oa_calls, an_calls))
        self.assertGreater(oa_calls, 0)
        self.assertGreater(an_calls, 0)

        rows = self.rows(run_id)
        sys.stderr.write("usage rows: %s\n" % sorted({(r["agent"], r["provider"], r["kind"])
                                                       for r in rows}))
        paid = [r for r in rows if r["provider"] in ("openai", "anthropic") and r["kind"] == "chat"]
        self.assertEqual(len([r for r in paid if r["provider"] == "openai"]), oa_calls)
        self.assertEqual(len([r for r in paid if r["provider"] == "anthropic"]), an_calls)
        for r in rows:
            if r in paid:
                want = OA_USAGE if r["provider"] == "openai" else AN_USAGE
                cost = OA_COST if r["provider"] == "openai" else AN_COST
                self.assertEqual((r["prompt_tokens"], r["completion_tokens"]), want, r)
                self.assertEqual(r["total_tokens"], sum(want), r)
                self.assertTrue(close(r["cost_usd"], cost), r)
                self.assertTrue(r["model"].startswith("gpt-4o" if r["provider"] == "openai"
                                                      else "claude-sonnet-4"), r)
            else:  # local engines and the hash embedder: recorded, free
                self.assertEqual(r["cost_usd"], 0, r)
        agents = {r["agent"]: r["provider"] for r in paid}
        self.assertEqual(agents.get("script_writer"), "anthropic", agents)
        self.assertEqual(agents.get("brand_researcher"), "openai", agents)
        self.assertEqual(agents.get("seo_optimizer"), "openai", agents)
        expected = oa_calls * OA_COST + an_calls * AN_COST
        self.assertTrue(close(sum(r["cost_usd"] for r in rows), expected))

        # GET /usage: totals over every row, pages, the time filter.
        u = self.api("/usage" + qs(run_id=run_id, limit=2, offset=1))
        self.assertEqual(u["total"], len(rows))
        self.assertEqual(len(u["events"]), min(2, len(rows) - 1))
        self.assertEqual((u["limit"], u["offset"]), (2, 1))
        self.assertEqual(u["totals"]["events"], len(rows))
        self.assertTrue(close(u["totals"]["cost_usd"], expected))
        self.assertEqual(u["totals"]["prompt_tokens"], sum(r["prompt_tokens"] for r in rows))
        self.assertEqual(self.api("/usage/events" + qs(run_id=run_id))["totals"], u["totals"])
        later = self.api("/usage" + qs(run_id=run_id, **{"from": "2999-01-01T00:00:00Z"}))
        self.assertEqual((later["total"], later["totals"]["events"]), (0, 0))
        self.assertEqual(self.api("/usage" + qs(run_id=run_id, to="2999-01-01T00:00:00Z"))
                         ["totals"]["events"], len(rows))

        # GET /usage/summary: every grouping equals the sums of the rows.
        for by in GROUPS:
            key = {"run": lambda r: r["run_id"], "day": lambda r: r["created_at"][:10],
                   "agent": lambda r: r["agent"], "provider": lambda r: r["provider"],
                   "model": lambda r: r["model"], "channel": lambda r: CHANNEL}[by]
            want = {}
            for r in rows:
                g = want.setdefault(key(r), [0, 0, 0, 0.0, 0])
                for i, c in enumerate(("prompt_tokens", "completion_tokens", "total_tokens",
                                       "cost_usd")):
                    g[i] += r[c]
                g[4] += 1
            s = self.api("/usage/summary" + qs(run_id=run_id, group_by=by))
            got = {g["key"]: g for g in s["groups"]}
            self.assertEqual(set(got), set(want), by)
            for k, w in want.items():
                g = got[k]
                self.assertEqual([g["prompt_tokens"], g["completion_tokens"], g["total_tokens"],
                                  g["events"]], [w[0], w[1], w[2], w[4]], (by, k))
                self.assertTrue(close(g["cost_usd"], w[3]), (by, k, g))
            self.assertTrue(close(s["totals"]["cost_usd"], expected), by)
            self.assertEqual(s["totals"]["events"], len(rows))
            # `yaa usage --json` answers the API's shape and figures.
            p = self.yaa("usage", "--run", run_id, "--group-by", by, "--json")
            self.assertEqual(p.returncode, 0, p.stderr)
            cli = json.loads(p.stdout)
            self.assertEqual(cli["totals"]["events"], s["totals"]["events"])
            self.assertEqual([g["key"] for g in cli["groups"]], [g["key"] for g in s["groups"]])
            self.assertTrue(close(cli["totals"]["cost_usd"], expected))
        default = self.api("/usage/summary" + qs(run_id=run_id))
        self.assertEqual(default["group_by"], "day")
        self.assertEqual(self.srv.get("/api/v1/usage/summary?group_by=week").status, 422)
        sys.stderr.write(self.yaa("usage", "--run", run_id, "--group-by", "agent").stdout)
        table = self.yaa("usage", "--group-by", "provider")
        self.assertEqual(table.returncode, 0, table.stderr)
        lines = table.stdout.splitlines()
        self.assertTrue(lines[0].startswith("PROVIDER"), table.stdout)
        self.assertTrue(lines[-1].startswith("TOTAL"), table.stdout)
        self.assertIn("%.4f" % expected, lines[-1])
        self.assertEqual(len({len(l) for l in lines}), 1, "columns are aligned:\n" + table.stdout)

        prices = json.loads(self.yaa("usage", "--prices", "--json").stdout)
        gpt = [m for m in prices["models"] if (m["provider"], m["model"]) == ("openai", "gpt-4o")]
        self.assertEqual((gpt[0]["input_per_m"], gpt[0]["output_per_m"]), (2.5, 10.0))
        self.assertEqual(self.yaa("usage", "--group-by", "week").returncode, 2)

        # The run's cost, the dashboard, the metrics.
        self.assertTrue(close(d["cost_usd"], expected), d["cost_usd"])
        dash = self.api("/dashboard/summary")
        self.assertTrue(close(dash["estimated_cost_usd"], expected), dash)
        m = self.srv.get("/metrics").body.decode()
        self.assertTrue(close(self.metric(m, "yaa_llm_cost_usd_total", provider="openai"),
                              oa_calls * OA_COST))
        self.assertTrue(close(self.metric(m, "yaa_llm_cost_usd_total", provider="anthropic"),
                              an_calls * AN_COST))
        self.assertTrue(close(self.metric(m, "yaa_llm_cost_usd_total"), expected))
        for prov, calls, (pt, ct) in (("openai", oa_calls, OA_USAGE),
                                      ("anthropic", an_calls, AN_USAGE)):
            self.assertEqual(self.metric(m, "yaa_llm_tokens_total", provider=prov, kind="prompt"),
                             calls * pt, prov)
            self.assertEqual(self.metric(m, "yaa_llm_tokens_total", provider=prov,
                                         kind="completion"), calls * ct, prov)
            self.assertEqual(self.metric(m, "yaa_llm_requests_total", provider=prov,
                                         outcome="ok"), calls, prov)
        type(self).full = (run_id, rows, oa_calls, an_calls, expected)

        # ---- 2. the same run delivered again: nothing is paid or counted twice ----
        r = self.srv.post("/api/v1/pipeline/runs/%s/retry" % run_id, {})
        self.assertEqual(r.status, 202, r.body)
        d2 = self.wait(run_id)
        self.assertEqual(d2["status"], "completed", d2.get("errors"))
        self.assertEqual(len(self.oa.chat_requests()), oa_calls)
        self.assertEqual(len(self.an.chat_requests()), an_calls)
        self.assertEqual(self.rows(run_id), rows)
        self.assertTrue(close(d2["cost_usd"], expected))
        m2 = self.srv.get("/metrics").body.decode()
        self.assertTrue(close(self.metric(m2, "yaa_llm_cost_usd_total"), expected))

    # ---- 3. a per-run budget stops the run at the next stage boundary ----
    def test_2_per_run_budget_stops(self):
        an_before = len(self.an.chat_requests())
        run_id = self.start("capped_run", "Budget soup")
        d = self.wait(run_id, timeout=300)
        self.assertEqual(d["status"], "failed")
        msg = " ".join(d["errors"])
        self.assertIn("per-run budget", msg)
        self.assertIn("budget.per_run_usd", msg)
        stages = {s["stage"]: s["status"] for s in d["stages"]}
        self.assertEqual(stages["brand_researcher"], "done", stages)
        self.assertNotIn(stages["seo_optimizer"], ("done", "running"), stages)
        self.assertEqual(len(self.an.chat_requests()), an_before, "the script writer never ran")
        spent = sum(r["cost_usd"] for r in self.rows(run_id))
        self.assertGreaterEqual(spent, 0.001)
        self.assertTrue(close(d["cost_usd"], spent))
        ch = self.api("/channels/capped_run")
        self.assertEqual(ch["budget"], {"monthly_usd": None, "per_run_usd": 0.001})
        self.assertTrue(close(ch["spend_month_usd"], spent))

    # ---- 4. a spent monthly budget refuses new runs: 402, exit 1 ----
    def test_3_monthly_budget_refuses(self):
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        rid = "0b0b0b0b-0000-4000-8000-000000000001"
        self.srv.sql("INSERT INTO pipeline_runs (id, channel_id, topic, brand_name, dry_run, "
                     "status, errors_json, created_at, updated_at) VALUES (?, 'capped_month', "
                     "'earlier', '', 1, 'completed', '[]', ?, ?)", (rid, now, now))
        self.srv.sql("INSERT INTO usage_events (id, run_id, agent, provider, model, kind, "
                     "prompt_tokens, completion_tokens, total_tokens, units, cost_usd, created_at) "
                     "VALUES ('budget-ev-1', ?, 'script_writer', 'anthropic', "
                     "'claude-sonnet-4-20250514', 'chat', 1000, 1000, 2000, 0, 0.018, ?)",
                     (rid, now))
        ch = self.api("/channels/capped_month")
        self.assertEqual(ch["budget"], {"monthly_usd": 0.01, "per_run_usd": None})
        self.assertTrue(close(ch["spend_month_usd"], 0.018))
        listed = {c["channel_id"]: c for c in self.api("/channels")["channels"]}
        self.assertTrue(close(listed["capped_month"]["spend_month_usd"], 0.018))
        self.assertIn("budget", listed[CHANNEL])
        r = self.srv.post("/api/v1/pipeline/run", {"channel_id": "capped_month", "topic": "more"})
        self.assertEqual(r.status, 402, r.body)
        self.assertIn("monthly budget", r.json()["detail"])
        self.assertIn("budget.monthly_usd", r.json()["detail"])
        p = self.yaa("run", "--channel", "capped_month", "--topic", "more", "--dry-run")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("monthly budget", p.stderr)
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM pipeline_runs WHERE channel_id = "
                                      "'capped_month'")[0][0], 1 if self.backend == "sqlite" else "1",
                         "no run was created")
        # The channel grouping sees both channels' spend.
        s = self.api("/usage/summary" + qs(group_by="channel"))
        keys = {g["key"]: g["cost_usd"] for g in s["groups"]}
        self.assertTrue(close(keys["capped_month"], 0.018))
        if hasattr(type(self), "full"):
            self.assertTrue(close(keys[CHANNEL], type(self).full[4]))

    # ---- 5. a run that crosses the monthly budget stops at the next stage boundary ----
    def test_4_monthly_budget_stops(self):
        run_id = self.start("capped_month_run", "Budget bread")  # nothing spent yet: allowed
        d = self.wait(run_id, timeout=300)
        self.assertEqual(d["status"], "failed")
        msg = " ".join(d["errors"])
        self.assertIn("monthly budget", msg)
        self.assertIn("budget.monthly_usd", msg)
        stages = {s["stage"]: s["status"] for s in d["stages"]}
        self.assertEqual(stages["brand_researcher"], "done", stages)
        self.assertNotIn(stages["script_writer"], ("done", "running"), stages)
        r = self.srv.post("/api/v1/pipeline/run", {"channel_id": "capped_month_run",
                                                   "topic": "again"})
        self.assertEqual(r.status, 402, r.body)

    # ---- 6. `yaa run` killed in the middle of a paid stage, then run again ----
    def test_5_killed_run_resumes_without_double_count(self):
        oa0, an0 = len(self.oa.chat_requests()), len(self.an.chat_requests())
        self.an.call("/_control", {"script": ["slow:20"]})  # the script writer's call hangs
        args = [os.environ["YAA_BIN"], "run", "--channel", CHANNEL, "--topic", "Killed stew",
                "--dry-run", "--short"]
        proc = subprocess.Popen(args, env=self.srv.env, cwd=self.srv.dir,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while time.time() < deadline and len(self.an.chat_requests()) == an0:
            time.sleep(0.1)
        proc.kill()
        proc.wait()
        self.assertEqual(len(self.an.chat_requests()), an0 + 1, "killed during the script call")
        run_id = self.srv.sql("SELECT id FROM pipeline_runs WHERE topic = 'Killed stew'")[0][0]
        before = self.rows(run_id)
        self.assertEqual({r["agent"] for r in before if r["cost_usd"] > 0}, {"brand_researcher"})

        p = self.yaa("run", "--channel", CHANNEL, "--topic", "Killed stew", "--dry-run", "--short")
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        self.assertIn("resuming run " + run_id, p.stderr)
        after = self.rows(run_id)
        self.assertEqual([r for r in after if r["agent"] == "brand_researcher"],
                         [r for r in before if r["agent"] == "brand_researcher"])
        oa_calls = len(self.oa.chat_requests()) - oa0
        an_answered = len(self.an.chat_requests()) - an0 - 1  # the killed call got no answer
        paid = [r for r in after if r["cost_usd"] > 0]
        self.assertEqual(len([r for r in paid if r["provider"] == "openai"]), oa_calls)
        self.assertEqual(len([r for r in paid if r["provider"] == "anthropic"]), an_answered)
        expected = oa_calls * OA_COST + an_answered * AN_COST
        self.assertTrue(close(sum(r["cost_usd"] for r in after), expected))
        self.assertTrue(close(self.api("/pipeline/runs/" + run_id)["cost_usd"], expected))
        cli = json.loads(self.yaa("usage", "--run", run_id, "--json").stdout)
        self.assertTrue(close(cli["totals"]["cost_usd"], expected))
        self.assertEqual(cli["totals"]["events"], len(after))


class UsageEndToEndPostgres(UsageEndToEnd):
    """The same runs and figures with DATABASE_URL on a throwaway PostgreSQL."""
    backend = "postgres"


if __name__ == "__main__":
    unittest.main(verbosity=2)
