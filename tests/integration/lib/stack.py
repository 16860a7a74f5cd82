"""stack.py - what the integration tests start yaa's stack with (python3 stdlib only).

One copy of the helpers that the API, distributed-queue and no-shared-disk tests share: the
source and binary paths, a free loopback port, polling against a deadline, one API call, a
throwaway PostgreSQL (tests/lib/pg-start and pg-stop), a redis-server on a free port, and a
group of yaa processes (one log file each) stopped together with the servers they use.

Import it from a test folder under tests/integration/ with
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
    import stack
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SRC = os.environ.get("YAA_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
BIN = os.environ.get("YAA_BIN") or os.path.join(SRC, "build", "yaa")
ADMIN_KEY = "yaa_" + "A" * 43
API = "/api/v1"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, timeout, what, step=0.3, retry_on=()):
    """pred()'s first true value, asked every step seconds; AssertionError naming what once
    timeout seconds pass. An exception of a retry_on class counts as "not yet" (the last one
    is named in the error)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            v = pred()
            if v:
                return v
        except retry_on as e:
            last = e
        time.sleep(step)
    raise AssertionError("timed out waiting for %s%s" %
                         (what, " (last error: %s)" % last if last else ""))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


def call(port, method, path, body=None, timeout=10, headers=None, raw=False, key=ADMIN_KEY,
         source=None):
    """One request to yaa on 127.0.0.1:port with key (the admin key unless given; None: no key);
    body is JSON unless raw (bytes as they are). source: the client address ("127.0.0.2": a
    client other than the default one)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    h = dict(headers or {})
    if key:
        h["X-API-Key"] = key
    data = body
    if body is not None and not raw:
        data = json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    try:
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        return Response(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


def psql(url, q):
    """The rows of one SQL statement run with psql on url, each a tuple of strings."""
    out = subprocess.run(["psql", url, "-At", "-F", "\t", "-c", q],
                         capture_output=True, text=True, check=True)
    return [tuple(l.split("\t")) for l in out.stdout.splitlines() if l]


def stack_env(**extra):
    """The environment a test's yaa processes share: the admin key, no rate limit to speak of,
    the source tree's migrations and prompts, the offline model, info logs, retries at once,
    a 3 s lease and the fastest encoder preset; then extra."""
    env = {
        "ADMIN_API_KEY": ADMIN_KEY,
        "RATE_LIMIT_PER_MINUTE": "100000",
        "YAA_MIGRATIONS_DIR": os.path.join(SRC, "migrations"),
        "PROMPTS_DIR": os.path.join(SRC, "prompts"),
        "LLM_PROVIDER": "offline",
        "LOG_LEVEL": "info",
        "YAA_QUEUE_BACKOFF_SEC": "0",
        "YAA_QUEUE_LEASE_SEC": "3",
        "YAA_MEDIA_PRESET": "ultrafast",
    }
    env.update(extra)
    return env


class Postgres:
    """A throwaway PostgreSQL server (tests/lib/pg-start); url, dir; stop() removes it."""

    def __init__(self):
        out = subprocess.run([os.path.join(SRC, "tests", "lib", "pg-start")],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError("pg-start failed: " + out.stderr)
        vals = dict(l.split("=", 1) for l in out.stdout.split())
        self.url = vals["PGTEST_URL"].strip("'\"")
        self.dir = vals["PGTEST_DIR"].strip("'\"")

    def sql(self, q):
        return psql(self.url, q)

    def stage_rows(self, run_id):
        """{stage: (status, attempt)} of a run's checkpoints."""
        return {r[0]: (r[1], int(r[2])) for r in self.sql(
            "SELECT stage, status, attempt FROM run_stages WHERE run_id = '%s'" % run_id)}

    def stop(self):
        if self.dir:
            subprocess.run([os.path.join(SRC, "tests", "lib", "pg-stop"), self.dir],
                           capture_output=True)
        self.dir = None


class Redis:
    """redis-server on a free loopback port, data in root/redis with the AOF on (fsync always),
    so stop() then start() is a restart that keeps every write."""

    def __init__(self, root):
        self.dir = os.path.join(root, "redis")
        os.makedirs(self.dir)
        self.port = free_port()
        self.url = "redis://127.0.0.1:%d/0" % self.port
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
             "--appendonly", "yes", "--appendfsync", "always", "--save", "",
             "--protected-mode", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.up, 20, "redis-server")

    def up(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.proc = None


class Procs:
    """yaa processes and the servers they use, in one temp dir: spawn() starts `yaa ARGS`
    logging to <dir>/<name>.log; stop() sends SIGTERM to each process (SIGKILL after 60 s),
    then stops the servers added with service(), newest first, and removes the dir (kept
    with YAA_KEEP_TEST_DIR=1)."""

    def __init__(self, prefix):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.procs = []
        self.services = []

    def service(self, start):
        """Calls start() and keeps what it returns for stop(); on failure stops all."""
        try:
            s = start()
        except BaseException:
            self.stop()
            raise
        self.services.append(s)
        return s

    def spawn(self, args, name, env, cwd):
        log = open(os.path.join(self.dir, name + ".log"), "w+")
        p = subprocess.Popen([BIN] + args, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        p.log, p.name, p.dir = log, name, cwd
        self.procs.append(p)
        return p

    def serve(self, name, env, cwd):
        """`yaa serve --workers 0` on a free port (p.port), once /health answers 200."""
        port = free_port()
        p = self.spawn(["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "0"],
                       name, env, cwd)
        p.port = port

        def up():
            if p.poll() is not None:
                raise RuntimeError("yaa serve exited: " + self.logs(p))
            try:
                return call(port, "GET", API + "/health").status == 200
            except OSError:
                return False
        wait_for(up, 60, "yaa serve /health")
        return p

    def worker(self, name, env, cwd):
        """`yaa worker --concurrency 1`, once it says it started."""
        p = self.spawn(["worker", "--concurrency", "1", "--metrics-port", "0"], name, env, cwd)
        wait_for(lambda: "worker started" in self.logs(p) or p.poll() is not None, 30,
                 "yaa worker")
        self.assert_alive(p)
        return p

    def assert_alive(self, p):
        if p.poll() is not None:
            raise RuntimeError("%s exited: %s" % (p.name, self.logs(p)))

    def logs(self, p):
        p.log.flush()
        with open(p.log.name) as f:
            return f.read()

    def events(self, p):
        """The JSON log records of a process."""
        out = []
        for line in self.logs(p).splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            p.log.close()
        self.procs = []
        for s in reversed(self.services):
            s.stop()
        self.services = []
        if os.environ.get("YAA_KEEP_TEST_DIR"):
            print("kept", self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
