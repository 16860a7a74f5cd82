#!/usr/bin/env python3
"""Integration tests of yaa's monitoring (python3 stdlib only; run by CTest, label metrics).

- PromtoolMetrics: `promtool check metrics` on the real exposition after a workload.
- InfraFiles: `promtool check config` / `check rules` / `test rules` on infra/, the Grafana
  dashboard and provisioning files are well formed.
- MetricNames: every metric name used by the dashboard and the alert rules exists in yaa's
  exposition.
- PrometheusScrape: Debian's `prometheus` scrapes a process exposing yaa's metrics through
  yaa's listener; its HTTP API answers with the expected series and values.
- LokiRunLogs: a run's log lines pushed by yaa's Loki shipper are found with query_range by
  run id, with the dashboard's own logs-panel query (against tests/doubles/loki.py, since
  Grafana Loki is not in Debian).

- RealProcesses: the same against `yaa serve` (and `yaa worker --metrics-port`) once they are
  built: Prometheus scrapes them, and their logs reach Loki through LOKI_URL.

Environment: YAA_METRICS_DEMO (the metrics_demo binary), YAA_BIN (the yaa binary),
YAA_SOURCE_DIR.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import stack  # noqa: E402
from stack import SRC, free_port  # noqa: E402

DEMO = os.environ.get("YAA_METRICS_DEMO", "")
YAA = os.environ.get("YAA_BIN", "")
INFRA = os.path.join(SRC, "infra")
DASHBOARD = os.path.join(INFRA, "grafana", "dashboards", "yaa-overview.json")
ALERTS = os.path.join(INFRA, "prometheus", "alerts.yml")


def http_get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.headers, r.read().decode()


def wait_for(fn, timeout=60, step=0.5, what="condition"):
    """stack.wait_for, retrying while fn raises (a server not up yet)."""
    return stack.wait_for(fn, timeout, what, step=step, retry_on=(Exception,))


def exposition():
    out = subprocess.run([DEMO, "--dump"], check=True, capture_output=True, text=True)
    return out.stdout


def exposed_names(text):
    """Metric names a query may use: families plus histogram/summary suffixes."""
    names = set()
    for line in text.splitlines():
        m = re.match(r"# TYPE (\S+) (\S+)", line)
        if m:
            name, typ = m.groups()
            names.add(name)
            if typ == "histogram":
                names.update({name + "_bucket", name + "_sum", name + "_count"})
        elif line and not line.startswith("#"):
            names.add(re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0))
    return names


def read(path):
    with open(path) as f:
        return f.read()


def dashboard_exprs():
    d = json.loads(read(DASHBOARD))
    exprs = []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                exprs.append((p["title"], p.get("datasource", {}).get("type"), t["expr"]))
            walk(p.get("panels", []))
    walk(d["panels"])
    return d, exprs


def alert_exprs():
    """The expr of each rule in alerts.yml (a YAML subset: `expr: x` or `expr: |` blocks)."""
    exprs, lines = [], read(ALERTS).splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)expr:\s*(.*)$", lines[i])
        if m:
            indent, rest = len(m.group(1)), m.group(2)
            if rest.strip() == "|":
                block = []
                i += 1
                while i < len(lines) and (not lines[i].strip() or
                                          len(lines[i]) - len(lines[i].lstrip()) > indent):
                    block.append(lines[i].strip())
                    i += 1
                exprs.append(" ".join(block))
                continue
            exprs.append(rest)
        i += 1
    return exprs


PROMQL_WORDS = {"sum", "by", "rate", "increase", "histogram_quantile", "and", "or", "unless",
                "offset", "clamp_min", "max", "min", "avg", "delta", "deriv", "label_values",
                "without", "on", "ignoring", "count", "bool", "up"}


def metric_names_in(expr):
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)    # drop string literals
    expr = re.sub(r"\{[^}]*\}", "{}", expr)              # drop label matchers
    expr = re.sub(r"\$\{?\w+\}?", "", expr)              # grafana variables
    expr = re.sub(r"\[[^\]]*\]", "", expr)               # range selectors
    expr = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", expr)
    names = set(re.findall(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b", expr))
    return {n for n in names if n not in PROMQL_WORDS and not re.match(r"^\d", n)
            and (n.startswith("yaa_") or n.startswith("process_"))}


@unittest.skipUnless(DEMO and os.access(DEMO, os.X_OK), "YAA_METRICS_DEMO not built")
class PromtoolMetrics(unittest.TestCase):
    def test_promtool_check_metrics(self):
        text = exposition()
        r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, "promtool check metrics:\n%s%s" % (r.stdout, r.stderr))
        self.assertEqual((r.stdout + r.stderr).strip(), "")

    def test_histogram_invariants(self):
        """Buckets cumulative, +Inf last and equal to _count, for every histogram series."""
        text = exposition()
        series = {}
        for line in text.splitlines():
            m = re.match(r'^(\w+)_bucket\{(.*)le="([^"]+)"\} (\S+)$', line)
            if m:
                name, labels, le, v = m.groups()
                series.setdefault((name, labels.rstrip(",")), []).append((le, float(v)))
        self.assertTrue(series)
        for (name, labels), buckets in series.items():
            vals = [v for _, v in buckets]
            self.assertEqual(vals, sorted(vals), name)
            self.assertEqual(buckets[-1][0], "+Inf")
            les = [float(le) for le, _ in buckets[:-1]]
            self.assertEqual(les, sorted(les))
            count_line = "%s_count%s %s" % (name, "{%s}" % labels if labels else "",
                                            ("%d" % vals[-1]))
            self.assertIn(count_line + "\n", text)


class InfraFiles(unittest.TestCase):
    def promtool(self, *args):
        r = subprocess.run(["promtool"] + list(args), capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, "promtool %s:\n%s%s" % (" ".join(args), r.stdout,
                                                                 r.stderr))

    def test_prometheus_configs(self):
        self.promtool("check", "config", os.path.join(INFRA, "prometheus", "prometheus.yml"))
        self.promtool("check", "config", os.path.join(INFRA, "prometheus", "prometheus.local.yml"))

    def test_alert_rules(self):
        self.promtool("check", "rules", ALERTS)
        self.promtool("test", "rules", os.path.join(INFRA, "prometheus", "alerts_test.yml"))

    def test_dashboard_and_provisioning(self):
        d, exprs = dashboard_exprs()
        self.assertEqual(d["uid"], "yaa-overview")
        titles = " | ".join(t for t, _, _ in exprs).lower()
        for want in ("request rate", "latency p50 / p95 / p99", "5xx", "runs by status",
                     "pipeline duration", "stage duration", "queue depth", "tokens by model",
                     "cost by model", "logs of run"):
            self.assertIn(want, titles)
        variables = {v["name"] for v in d["templating"]["list"]}
        self.assertIn("run_id", variables)
        logs = [e for t, ds, e in exprs if ds == "loki"]
        self.assertEqual(len(logs), 1)
        self.assertIn("$run_id", logs[0])
        ids = [p["id"] for p in d["panels"]]
        self.assertEqual(len(ids), len(set(ids)))
        ds = read(os.path.join(INFRA, "grafana", "provisioning", "datasources",
                               "datasources.yml"))
        for uid in ("uid: prometheus", "uid: loki", "type: prometheus", "type: loki"):
            self.assertIn(uid, ds)
        dp = read(os.path.join(INFRA, "grafana", "provisioning", "dashboards",
                               "dashboards.yml"))
        self.assertIn("/var/lib/grafana/dashboards", dp)
        compose = read(os.path.join(INFRA, "docker-compose.monitoring.yml"))
        for svc in ("prometheus:", "grafana:", "loki:", "LOKI_URL"):
            self.assertIn(svc, compose)

    @unittest.skipUnless(shutil.which("docker") and subprocess.run(
        ["docker", "compose", "version"], capture_output=True).returncode == 0
        and os.path.exists(os.path.join(SRC, "docker-compose.yml")),
        "docker compose (the CLI plugin) or docker-compose.yml not available")
    def test_compose_config(self):
        r = subprocess.run(["docker", "compose", "-f", "docker-compose.yml", "-f",
                            "infra/docker-compose.monitoring.yml", "config", "-q"], cwd=SRC,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)


@unittest.skipUnless(DEMO and os.access(DEMO, os.X_OK), "YAA_METRICS_DEMO not built")
class MetricNames(unittest.TestCase):
    def test_dashboard_and_alert_metrics_exist(self):
        have = exposed_names(exposition())
        _, exprs = dashboard_exprs()
        used = {}
        for title, ds, e in exprs:
            if ds == "prometheus":
                for n in metric_names_in(e):
                    used.setdefault(n, []).append("dashboard: " + title)
        for e in alert_exprs():
            for n in metric_names_in(e):
                used.setdefault(n, []).append("alerts.yml")
        self.assertGreater(len(used), 10, used)
        missing = {n: where for n, where in used.items() if n not in have}
        self.assertEqual(missing, {}, "metrics used but not exposed by yaa")
        # and the contract's metrics are all there
        for n in ("yaa_http_requests_total", "yaa_http_request_duration_seconds",
                  "yaa_pipeline_runs_total", "yaa_pipeline_duration_seconds",
                  "yaa_stage_duration_seconds", "yaa_queue_depth", "yaa_llm_tokens_total",
                  "yaa_llm_cost_usd_total", "yaa_llm_requests_total",
                  "process_cpu_seconds_total", "process_resident_memory_bytes",
                  "process_open_fds", "process_start_time_seconds"):
            self.assertIn(n, have)


class Proc:
    """A child process that is always stopped."""

    def __init__(self, args, **kw):
        self.p = subprocess.Popen(args, **kw)

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        if self.p.stdout:
            self.p.stdout.close()


@unittest.skipUnless(DEMO and os.access(DEMO, os.X_OK) and shutil.which("prometheus"),
                     "prometheus or YAA_METRICS_DEMO missing")
class PrometheusScrape(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="yaa-prom-")
        self.procs = []

    def tearDown(self):
        for p in reversed(self.procs):
            p.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_demo(self):
        p = Proc([DEMO, "--port", "0"], stdout=subprocess.PIPE, text=True)
        self.procs.append(p)
        line = p.p.stdout.readline()
        self.assertTrue(line.startswith("PORT "), line)
        return int(line.split()[1])

    def query(self, port, q):
        url = "http://127.0.0.1:%d/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": q}))
        _, _, body = http_get(url)
        doc = json.loads(body)
        self.assertEqual(doc["status"], "success")
        return doc["data"]["result"]

    def test_scrape_and_query(self):
        target = self.start_demo()
        _, headers, body = http_get("http://127.0.0.1:%d/metrics" % target)
        self.assertEqual(headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
        prom_port = free_port()
        cfg = os.path.join(self.tmp, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "rule_files:\n  - %s\n"
                    "scrape_configs:\n  - job_name: yaa-worker\n    static_configs:\n"
                    "      - targets: ['127.0.0.1:%d']\n" % (ALERTS, target))
        prom = Proc(["prometheus", "--config.file=" + cfg,
                     "--storage.tsdb.path=" + os.path.join(self.tmp, "data"),
                     "--web.listen-address=127.0.0.1:%d" % prom_port],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(prom)
        wait_for(lambda: http_get("http://127.0.0.1:%d/-/ready" % prom_port)[0] == 200,
                 what="prometheus ready")
        res = wait_for(lambda: self.query(prom_port, 'yaa_http_requests_total{path="/api/v1/pipeline/runs"}'),
                       what="the request series")
        self.assertEqual(len(res), 1)
        m = res[0]["metric"]
        self.assertEqual((m["job"], m["method"], m["status"]), ("yaa-worker", "GET", "200"))
        self.assertEqual(res[0]["value"][1], "3")

        def one(q):
            r = self.query(prom_port, q)
            self.assertEqual(len(r), 1, (q, r))
            return float(r[0]["value"][1])
        self.assertEqual(one('up{job="yaa-worker"}'), 1)
        self.assertEqual(one('yaa_pipeline_runs_total{status="failed"}'), 1)
        self.assertEqual(one('yaa_pipeline_runs_total{status="completed"}'), 1)
        self.assertEqual(one('yaa_pipeline_runs_total{status="pending"}'), 2)
        self.assertEqual(one('sum(yaa_http_requests_total{status=~"5.."})'), 1)
        self.assertEqual(one('yaa_queue_depth{queue="pipeline"}'), 3)
        self.assertEqual(one('yaa_stage_duration_seconds_count{stage="publisher"}'), 1)
        self.assertEqual(one('yaa_pipeline_duration_seconds_bucket{channel_id="tech_kr",le="120"}'), 1)
        self.assertEqual(one('yaa_pipeline_duration_seconds_bucket{channel_id="tech_kr",le="60"}'), 0)
        self.assertEqual(one('yaa_llm_tokens_total{model="gpt-4o",kind="prompt"}'), 500)
        self.assertAlmostEqual(one('sum(yaa_llm_cost_usd_total)'), 0.01135, places=9)
        self.assertEqual(one('yaa_llm_requests_total{model="gpt-4o",outcome="error"}'), 1)
        self.assertGreater(one('process_resident_memory_bytes{job="yaa-worker"}'), 0)
        self.assertGreater(one('process_start_time_seconds{job="yaa-worker"}'), 1.7e9)
        # histogram_quantile works over the scraped buckets (all GETs took 20 ms)
        q = one('histogram_quantile(0.5, sum by (le) (yaa_http_request_duration_seconds_bucket{method="GET",path="/api/v1/pipeline/runs"}))')
        self.assertTrue(0.01 < q <= 0.025, q)
        # the alert rules load and evaluate against real data
        _, _, body = http_get("http://127.0.0.1:%d/api/v1/rules" % prom_port)
        groups = json.loads(body)["data"]["groups"]
        self.assertGreaterEqual(sum(len(g["rules"]) for g in groups), 10)
        for g in groups:
            for r in g["rules"]:
                self.assertNotEqual(r.get("health"), "err", r)


@unittest.skipUnless(DEMO and os.access(DEMO, os.X_OK), "YAA_METRICS_DEMO not built")
class LokiRunLogs(unittest.TestCase):
    def setUp(self):
        self.loki = Proc([sys.executable, os.path.join(SRC, "tests", "doubles", "loki.py"),
                          "--port", "0"], stdout=subprocess.PIPE, text=True)
        line = self.loki.p.stdout.readline()
        self.assertTrue(line.startswith("PORT "), line)
        self.port = int(line.split()[1])

    def tearDown(self):
        self.loki.stop()

    def query_range(self, q):
        url = "http://127.0.0.1:%d/loki/api/v1/query_range?%s" % (
            self.port, urllib.parse.urlencode({"query": q, "limit": 1000,
                                               "direction": "forward"}))
        status, _, body = http_get(url)
        self.assertEqual(status, 200)
        doc = json.loads(body)
        self.assertEqual(doc["data"]["resultType"], "streams")
        return doc["data"]["result"]

    def ship(self, run_id):
        r = subprocess.run([DEMO, "--loki", "http://127.0.0.1:%d" % self.port, "--run-id", run_id],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_find_a_run_by_id(self):
        self.ship("11111111-aaaa-4bbb-8ccc-000000000001")
        self.ship("22222222-aaaa-4bbb-8ccc-000000000002")
        rid = "11111111-aaaa-4bbb-8ccc-000000000001"
        res = self.query_range('{app="yaa"} | json | run_id="%s"' % rid)
        lines = [json.loads(v[1]) for s in res for v in s["values"]]
        self.assertEqual([l["msg"] for l in lines],
                         ["run started", "stage started", "stage finished", "stage started",
                          "stage finished", "stage failed"])
        for l in lines:
            self.assertEqual(l["run_id"], rid)
            self.assertEqual(l["logger"], "pipeline")
        self.assertEqual(lines[-1]["stage"], "seo_optimizer")
        self.assertIn("provider error", lines[-1]["error"])
        for s in res:  # ids stay in the line, never in the stream labels pushed
            self.assertEqual(s["stream"]["app"], "yaa")
            self.assertEqual(s["stream"]["component"], "pipeline")
        _, _, body = http_get("http://127.0.0.1:%d/loki/api/v1/labels" % self.port)
        self.assertEqual(set(json.loads(body)["data"]), {"app", "component", "level"})
        # the dashboard's logs panel query, with its variables filled in
        _, exprs = dashboard_exprs()
        logs_q = [e for _, ds, e in exprs if ds == "loki"][0]
        q = (logs_q.replace("$run_id", rid).replace("$component", ".+")
             .replace("$level", ".+"))
        res = self.query_range(q)
        self.assertEqual(sum(len(s["values"]) for s in res), 6)
        errors = self.query_range('{app="yaa", level="error"} |= "%s"' % rid)
        self.assertEqual(sum(len(s["values"]) for s in errors), 1)


def yaa_has(command):
    if not (YAA and os.access(YAA, os.X_OK)):
        return False
    r = subprocess.run([YAA, command, "--help"], capture_output=True, text=True)
    return r.returncode == 0


def start_loki_double(tc):
    p = Proc([sys.executable, os.path.join(SRC, "tests", "doubles", "loki.py"), "--port", "0"],
             stdout=subprocess.PIPE, text=True)
    line = p.p.stdout.readline()
    tc.assertTrue(line.startswith("PORT "), line)
    return p, int(line.split()[1])


@unittest.skipUnless(shutil.which("prometheus") and yaa_has("serve"), "yaa serve not built")
class RealProcesses(unittest.TestCase):
    """Prometheus scrapes a real `yaa serve` (and `yaa worker` when it exists)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="yaa-real-")
        self.procs = []
        loki, self.loki_port = start_loki_double(self)
        self.procs.append(loki)
        self.env = dict(os.environ, DATABASE_URL="sqlite:///%s/yaa.db" % self.tmp,
                        QUEUE_URL="db", DISABLE_AUTH="true", LOG_LEVEL="info",
                        CHANNELS_DIR=os.path.join(SRC, "channels"),
                        OUTPUT_DIR=os.path.join(self.tmp, "output"),
                        LOKI_URL="http://127.0.0.1:%d" % self.loki_port)
        if yaa_has("db"):
            subprocess.run([YAA, "db", "upgrade"], env=self.env, cwd=self.tmp,
                           capture_output=True, timeout=120)

    def tearDown(self):
        for p in reversed(self.procs):
            p.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def query(self, port, q):
        url = "http://127.0.0.1:%d/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": q}))
        return json.loads(http_get(url)[2])["data"]["result"]

    @staticmethod
    def channel():
        names = sorted(n for n in os.listdir(os.path.join(SRC, "channels"))
                       if not n.startswith("_") and
                       os.path.isdir(os.path.join(SRC, "channels", n)))
        return names[0]

    def test_scrape_serve_and_worker(self):
        # An in-process worker and an LLM provider that refuses connections: a run fails fast
        # at its first stage, so the run, stage and log series all get real values.
        # One attempt: the failure is final at once, so the run counts as failed (a run the
        # queue will retry is not).
        self.env.update(LLM_PROVIDER="openai", OPENAI_API_KEY="sk-test-not-a-key",
                        OPENAI_BASE_URL="http://127.0.0.1:1/v1", YAA_QUEUE_MAX_ATTEMPTS="1")
        api_port = free_port()
        self.procs.append(Proc([YAA, "serve", "--host", "127.0.0.1", "--port", str(api_port),
                                "--workers", "1"], env=self.env, cwd=self.tmp,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        base = "http://127.0.0.1:%d" % api_port
        wait_for(lambda: http_get(base + "/health")[0] == 200, what="yaa serve /health")
        for _ in range(3):
            http_get(base + "/api/v1/pipeline/runs")
        req = urllib.request.Request(base + "/api/v1/pipeline/run", method="POST",
                                     headers={"Content-Type": "application/json"},
                                     data=json.dumps({"channel_id": self.channel(),
                                                      "topic": "metrics test",
                                                      "dry_run": True}).encode())
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertEqual(r.status, 202)
            run_id = json.loads(r.read())["run_id"]
        wait_for(lambda: json.loads(http_get(base + "/api/v1/pipeline/runs/" + run_id)[2])
                 ["status"] == "failed", timeout=120, what="the run to fail")
        jobs = "  - job_name: yaa-api\n    static_configs:\n      - targets: ['127.0.0.1:%d']\n" \
            % api_port
        worker_port = None
        if yaa_has("worker"):
            worker_port = free_port()
            self.procs.append(Proc([YAA, "worker", "--metrics-port", str(worker_port)],
                                   env=self.env, cwd=self.tmp, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL))
            wait_for(lambda: http_get("http://127.0.0.1:%d/metrics" % worker_port)[0] == 200,
                     what="yaa worker /metrics")
            jobs += ("  - job_name: yaa-worker\n    static_configs:\n"
                     "      - targets: ['127.0.0.1:%d']\n" % worker_port)
        text = http_get(base + "/metrics")[2]
        r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        prom_port = free_port()
        cfg = os.path.join(self.tmp, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\nscrape_configs:\n" + jobs)
        self.procs.append(Proc(["prometheus", "--config.file=" + cfg,
                                "--storage.tsdb.path=" + os.path.join(self.tmp, "prom"),
                                "--web.listen-address=127.0.0.1:%d" % prom_port],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for(lambda: http_get("http://127.0.0.1:%d/-/ready" % prom_port)[0] == 200,
                 what="prometheus ready")
        self.assertEqual(len(wait_for(lambda: self.query(prom_port, 'up{job="yaa-api"} == 1'),
                                      what="api up")), 1)

        def value(q):
            r = wait_for(lambda: self.query(prom_port, q), what=q)
            self.assertEqual(len(r), 1, (q, r))
            return float(r[0]["value"][1])
        self.assertEqual(value('yaa_build_info{job="yaa-api"}'), 1)
        self.assertGreater(value('process_start_time_seconds{job="yaa-api"}'), 1.7e9)
        self.assertEqual(value('yaa_http_requests_total{job="yaa-api",method="GET",'
                               'path="/api/v1/pipeline/runs",status="200"}'), 3)
        self.assertEqual(value('yaa_http_requests_total{job="yaa-api",method="POST",'
                               'path="/api/v1/pipeline/run",status="202"}'), 1)
        self.assertEqual(value('yaa_http_request_duration_seconds_count{job="yaa-api",'
                               'method="GET",path="/api/v1/pipeline/runs"}'), 3)
        self.assertEqual(value('yaa_pipeline_runs_total{job="yaa-api",status="pending"}'), 1)
        self.assertGreaterEqual(value('yaa_pipeline_runs_total{job="yaa-api",status="failed"}'), 1)
        self.assertEqual(value('yaa_pipeline_runs_total{job="yaa-api",status="completed"}'), 0)
        self.assertGreaterEqual(value('yaa_stage_duration_seconds_count{job="yaa-api",'
                                      'stage="brand_researcher"}'), 1)
        if worker_port:
            wait_for(lambda: self.query(prom_port, 'up{job="yaa-worker"} == 1'), what="worker up")
            self.assertEqual(value('yaa_build_info{job="yaa-worker"}'), 1)
        # the run's lines, from the API and the worker, found in Loki by run id; ids in the line
        url = "http://127.0.0.1:%d/loki/api/v1/query_range?%s" % (
            self.loki_port, urllib.parse.urlencode(
                {"query": '{app="yaa"} | json | run_id="%s"' % run_id, "limit": 1000,
                 "direction": "forward"}))

        def run_lines():
            res = json.loads(http_get(url)[2])["data"]["result"]
            lines = [json.loads(v[1]) for st in res for v in st["values"]]
            return lines if any(l.get("level") == "error" for l in lines) else None
        lines = wait_for(run_lines, what="the run's lines in loki")
        self.assertTrue(all(l["run_id"] == run_id for l in lines))
        components = {l["logger"] for l in lines}
        self.assertIn("pipeline", components)
        self.assertTrue(any(l["level"] == "error" and l.get("stage") and l.get("error")
                            for l in lines), lines)  # the failing stage, with its error
        _, _, body = http_get("http://127.0.0.1:%d/loki/api/v1/labels" % self.loki_port)
        self.assertEqual(set(json.loads(body)["data"]), {"app", "component", "level"})
        # secrets never in logs: no line of any component carries the API key
        leak = "http://127.0.0.1:%d/loki/api/v1/query_range?%s" % (
            self.loki_port, urllib.parse.urlencode({"query": '{app="yaa"} |= "sk-test-not-a-key"'}))
        self.assertEqual(json.loads(http_get(leak)[2])["data"]["result"], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
