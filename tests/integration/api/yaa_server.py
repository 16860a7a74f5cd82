"""yaa_server.py - starts a real `yaa serve` for black-box tests (python3 stdlib only).

YaaServer(backend="sqlite"|"postgres", **env) prepares a temp dir (channels with one channel
"demo", output dir, dashboard dir), starts the binary on a free loopback port, waits for
/health and offers request helpers. PostgreSQL comes from tests/lib/pg-start (one throwaway
server per YaaServer); `sql()` runs a statement on whichever database is in use.
"""
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from stack import ADMIN_KEY, BIN, SRC, Postgres, Response, call, free_port, psql  # noqa: E402,F401


class YaaServer:
    def __init__(self, backend="sqlite", workers=0, env=None):
        self.backend = backend
        self.dir = tempfile.mkdtemp(prefix="yaa-api-test-")
        self.pg_dir = None
        self.port = free_port()
        self.channels = os.path.join(self.dir, "channels")
        self.output = os.path.join(self.dir, "output")
        self.web = os.path.join(self.dir, "web")
        os.makedirs(self.output)
        os.makedirs(os.path.join(self.web, "assets"))
        with open(os.path.join(self.web, "index.html"), "w") as f:
            f.write("<!doctype html><title>yaa</title><div id=app></div>")
        with open(os.path.join(self.web, "assets", "index-abc123.js"), "w") as f:
            f.write("console.log('yaa');")
        tpl = os.path.join(SRC, "channels", "_template")
        os.makedirs(self.channels)
        if os.path.isdir(tpl):
            shutil.copytree(tpl, os.path.join(self.channels, "_template"))
        else:
            os.makedirs(os.path.join(self.channels, "_template"))
            with open(os.path.join(self.channels, "_template", "config.yaml"), "w") as f:
                f.write("channel:\n  name: \"\"\n  category: \"general\"\n")
        for real in ("tech_review_ko", "home_cooking_en"):
            if os.path.isdir(os.path.join(SRC, "channels", real)):
                shutil.copytree(os.path.join(SRC, "channels", real),
                                os.path.join(self.channels, real))
        os.makedirs(os.path.join(self.channels, "demo"))
        with open(os.path.join(self.channels, "demo", "config.yaml"), "w") as f:
            f.write("channel:\n  name: \"Demo\"\n  category: \"tech\"\n  language: \"en\"\n")
        if backend == "postgres":
            pg = Postgres()
            self.db_url, self.pg_dir = pg.url, pg.dir
        else:
            self.db_path = os.path.join(self.dir, "yaa.db")
            self.db_url = "sqlite:///" + self.db_path
        self.env = dict(os.environ)
        self.env.update({
            "DATABASE_URL": self.db_url,
            "QUEUE_URL": "db",
            "ADMIN_API_KEY": ADMIN_KEY,
            "RATE_LIMIT_PER_MINUTE": "100000",
            "CHANNELS_DIR": self.channels,
            "OUTPUT_DIR": self.output,
            "YAA_WEB_DIR": self.web,
            "YAA_MIGRATIONS_DIR": os.path.join(SRC, "migrations"),
            "PROMPTS_DIR": os.path.join(SRC, "prompts"),
            "LLM_PROVIDER": "offline",
            "CORS_ORIGINS": "http://dash.example",
            "LOG_LEVEL": "warn",
            "YAA_QUEUE_BACKOFF_SEC": "0",
        })
        self.env.update(env or {})
        self.log = open(os.path.join(self.dir, "serve.log"), "w+")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers",
             str(workers)], env=self.env, cwd=self.dir, stdout=self.log,
            stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError("yaa serve exited: " + self.log.read())
            try:
                if self.get("/api/v1/health").status in (200, 503):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("yaa serve did not answer /health")

    # ---- HTTP ----
    def request(self, method, path, body=None, key=ADMIN_KEY, headers=None, raw=None,
                timeout=10, source=None):
        """source: the client address ("127.0.0.2": another client than the default one);
        raw: bytes sent as they are when there is no (JSON) body."""
        return call(self.port, method, path, raw if body is None else body, timeout=timeout,
                    headers=headers, raw=body is None, key=key, source=source)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    # ---- database ----
    def sql(self, stmt, params=()):
        """Runs one statement with ? placeholders; returns the rows."""
        if self.backend == "postgres":
            q = stmt
            for p in params:
                lit = "NULL" if p is None else (
                    str(p) if isinstance(p, (int, float)) else
                    "'" + str(p).replace("'", "''") + "'")
                q = q.replace("?", lit, 1)
            return psql(self.db_url, q)
        con = sqlite3.connect(self.db_path, timeout=10)
        try:
            cur = con.execute(stmt, params)
            rows = cur.fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def stop(self, sig=signal.SIGTERM, timeout=20):
        rc = None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                rc = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                rc = "killed"
        else:
            rc = self.proc.returncode
        if rc != 0:  # keep the evidence: the tail of the server's log goes to stderr
            self.log.flush()
            self.log.seek(0)
            sys.stderr.write("--- yaa serve exited %r; log tail:\n%s\n" % (rc, self.log.read()[-6000:]))
        self.log.close()
        if self.pg_dir:
            subprocess.run([os.path.join(SRC, "tests", "lib", "pg-stop"), self.pg_dir],
                           capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)
        return rc

    def logs(self):
        self.log.flush()
        with open(os.path.join(self.dir, "serve.log")) as f:
            return f.read()


def qs(**kw):
    return "?" + urllib.parse.urlencode({k: v for k, v in kw.items() if v is not None})
