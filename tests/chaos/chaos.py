"""chaos.py - workers killed (SIGKILL) at the worst moments, with real PostgreSQL and Redis.

Each round starts one run on a `yaa worker` and kills that worker:
  render  while its FFmpeg renders video.mp4 (at a random point of the render);
  upload  while the publisher uploads to the YouTube double (its replies slowed down);
  db      while the worker waits inside a database write (a test session holds a lock on
          run_stages, so the worker's next stage write blocks; it is killed blocked).
A second worker then finishes the run. Per round it checks:
  - the run completes; video.mp4 decodes with no error (`ffmpeg -v error -i video.mp4 -f null -`
    prints nothing); no temporary render or subtitle file is left in the run folder;
  - every FFmpeg the killed worker had is gone within 1 s of the kill;
  - no stage finished before the kill runs again (its attempt and finished_at are unchanged);
  - no usage row is counted twice (the rows of those stages are the same after the run).
Then "flush": runs are queued with no worker running, Redis is flushed (FLUSHALL: the jobs are
gone), a worker starts, and every run must complete without anyone touching them (the
reconciler queues them again).

  python3 tests/chaos/chaos.py [--rounds N] [--flush-runs K]     (CI: 1 and 2; make chaos: 20)
Prints "chaos: P passed, F failed" last.
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration", "api"))
from yaa_server import BIN, SRC, YaaServer, free_port  # noqa: E402

API = "/api/v1"
STAGES = ["brand_researcher", "script_writer", "seo_optimizer", "media_generator",
          "media_editor", "publisher"]


class Redis:
    def __init__(self):
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server not installed (scripts/install-deps)")
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if self.cli("PING") == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis did not start")

    def cli(self, *args):
        r = subprocess.run(["redis-cli", "-p", str(self.port)] + list(args),
                           capture_output=True, text=True)
        return r.stdout.strip()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class YouTube:
    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-u", os.path.join(SRC, "tests", "doubles", "youtube_double.py")],
            stdout=subprocess.PIPE, text=True)
        self.base = "http://127.0.0.1:%d" % int(self.proc.stdout.readline().split()[1])

    def call(self, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data,
                                     method="POST" if data is not None else "GET",
                                     headers={"Content-Type": "application/json"})
        return json.loads(urllib.request.urlopen(req, timeout=10).read() or b"null")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.proc.stdout.close()


def children(pid):
    """Pids whose parent is pid, with their command lines."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
            ppid = int(st[st.rindex(")") + 2:].split()[1])
            if ppid != pid:
                continue
            with open("/proc/%s/cmdline" % d, "rb") as f:
                out[int(d)] = f.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            pass
    return out


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        return st[st.rindex(")") + 2] not in "ZX"
    except OSError:
        return False


class Chaos:
    def __init__(self, args):
        self.args = args
        self.redis = Redis()
        self.yt = YouTube()
        self.srv = YaaServer("postgres", workers=0, env={
            "QUEUE_URL": "redis://127.0.0.1:%d/0" % self.redis.port,
            "YAA_QUEUE_LEASE_SEC": "4",
            "YAA_RECONCILE_GRACE_SEC": "6",
            "YAA_MEDIA_PRESET": "ultrafast",
            "YAA_MEDIA_FPS": "10",
            "YOUTUBE_CLIENT_ID": "chaos",
            "YOUTUBE_CLIENT_SECRET": "cs-test",
            "YOUTUBE_REFRESH_TOKEN": "rt-test",
            "YOUTUBE_TOKEN_URL": self.yt.base + "/token",
            "YOUTUBE_API_BASE_URL": self.yt.base,
            "LOG_LEVEL": "warn",
        })
        self.workers = []
        self.failures = []
        self.passed = 0
        self.figures = {"rounds": {}, "ffmpeg_gone_ms": []}

    # ---- processes ----
    def worker(self):
        log = open(os.path.join(self.srv.dir, "worker-%d.log" % len(self.workers)), "w")
        p = subprocess.Popen([BIN, "worker", "--concurrency", "1", "--metrics-port", "0"],
                             env=self.srv.env, cwd=self.srv.dir, stdout=log,
                             stderr=subprocess.STDOUT)
        self.workers.append(p)
        return p

    def stop_worker(self, p):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def sql(self, q, params=()):
        return self.srv.sql(q, params)

    def stages(self, run):
        rows = self.sql("SELECT stage, status, attempt, COALESCE(finished_at, '') FROM "
                        "run_stages WHERE run_id = ?", (run,))
        return {r[0]: (r[1], int(r[2]), r[3]) for r in rows}

    def usage(self, run):
        rows = self.sql("SELECT agent, COUNT(*) FROM usage_events WHERE run_id = ? "
                        "GROUP BY agent", (run,))
        return {r[0]: int(r[1]) for r in rows}

    def status(self, run):
        rows = self.sql("SELECT status FROM pipeline_runs WHERE id = ?", (run,))
        return rows[0][0] if rows else None

    def start_run(self, topic):
        r = self.srv.post(API + "/pipeline/run", {"channel_id": "demo", "topic": topic,
                                                   "dry_run": False})
        assert r.status == 202, r.body
        return r.json()["run_id"]

    def wait(self, cond, timeout, what):
        end = time.time() + timeout
        while time.time() < end:
            v = cond()
            if v:
                return v
            time.sleep(0.05)
        raise TimeoutError(what)

    # ---- checks ----
    def check(self, ok, msg):
        if not ok:
            self.failures.append(msg)
        return ok

    def check_finished(self, run, done_before, usage_before, label, timeout=300):
        st = self.wait(lambda: self.status(run) in ("completed", "failed", "cancelled")
                       and self.status(run), timeout, "%s: run %s did not finish" % (label, run))
        good = self.check(st == "completed", "%s: run %s ended %s" % (label, run, st))
        out_dir = os.path.join(self.srv.output, run)
        video = os.path.join(out_dir, "video.mp4")
        if os.path.exists(video):
            r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", video, "-f", "null",
                                "-"], capture_output=True, text=True)
            good &= self.check(r.returncode == 0 and not r.stdout.strip() and not
                               r.stderr.strip(), "%s: video.mp4 does not decode cleanly: %s"
                               % (label, (r.stderr or r.stdout)[:300]))
        else:
            good &= self.check(False, "%s: run %s has no video.mp4" % (label, run))
        left = [f for f in os.listdir(out_dir) if ".part" in f or f.startswith(".yaa-subs-")]
        good &= self.check(not left, "%s: temporary files left: %r" % (label, left))
        now = self.stages(run)
        for s, before in done_before.items():
            good &= self.check(now.get(s) == before, "%s: stage %s finished before the kill "
                               "ran again: %r -> %r" % (label, s, before, now.get(s)))
        usage = self.usage(run)
        for s in done_before:
            good &= self.check(usage.get(s, 0) == usage_before.get(s, 0),
                               "%s: usage rows of %s changed: %r -> %r" %
                               (label, s, usage_before.get(s, 0), usage.get(s, 0)))
        return good

    def kill(self, w, label):
        """SIGKILLs worker w; returns ms until its FFmpeg children are gone (0 if none)."""
        kids = [p for p, c in children(w.pid).items() if "ffmpeg" in c]
        w.send_signal(signal.SIGKILL)
        t0 = time.time()
        w.wait()
        while any(alive(p) for p in kids) and time.time() - t0 < 5:
            time.sleep(0.005)
        gone_ms = (time.time() - t0) * 1000
        survivors = [p for p in kids if alive(p)]
        self.check(not survivors and gone_ms <= 1000,
                   "%s: ffmpeg %r outlived its worker (%.0f ms)" % (label, survivors, gone_ms))
        if kids:
            self.figures["ffmpeg_gone_ms"].append(round(gone_ms, 1))
        return gone_ms

    # ---- rounds ----
    def round_render(self, i):
        run = self.start_run("chaos render %d" % i)
        w = self.worker()
        self.wait(lambda: any(".part" in c for c in children(w.pid).values()), 240,
                  "render %d: no render started" % i)
        time.sleep(random.uniform(0.1, 1.5))
        done, usage = self.snapshot(run)
        self.kill(w, "render %d" % i)
        return run, done, usage

    def round_upload(self, i):
        run = self.start_run("chaos upload %d" % i)
        # every YouTube reply takes 0.7 s: the upload is long enough to be killed in
        self.yt.call("/_control", {"script": ["slow:0.7"] * 12})
        w = self.worker()
        self.wait(lambda: any("/upload/youtube/v3/videos" in r["path"]
                              for r in self.yt.call("/_requests")["requests"]), 300,
                  "upload %d: no upload started" % i)
        time.sleep(random.uniform(0.0, 0.8))
        done, usage = self.snapshot(run)
        self.kill(w, "upload %d" % i)
        self.yt.call("/_control", {"script": []})
        return run, done, usage

    def snapshot(self, run):
        st = self.stages(run)
        done = {s: v for s, v in st.items() if v[0] == "done"}
        return done, self.usage(run)

    def run_round(self, kind, i):
        label = "%s %d" % (kind, i)
        t0 = time.time()
        try:
            if kind == "db":
                # what was done just before the lock (the lock blocks reads of run_stages)
                run, done, usage = self.round_db_prepared(i)
            else:
                run, done, usage = getattr(self, "round_" + kind)(i)
            w2 = self.worker()
            ok = self.check_finished(run, done, usage, label)
            self.stop_worker(w2)
        except TimeoutError as e:
            ok = self.check(False, str(e))
        for w in self.workers:
            if w.poll() is None:
                self.stop_worker(w)
        self.figures["rounds"].setdefault(kind, {"completed": 0, "rounds": 0, "seconds": []})
        f = self.figures["rounds"][kind]
        f["rounds"] += 1
        f["completed"] += 1 if ok else 0
        f["seconds"].append(round(time.time() - t0, 1))
        if ok:
            self.passed += 1
        print("%-10s %s (%.1f s)" % (label, "ok" if ok else "FAILED", time.time() - t0),
              flush=True)

    def round_db_prepared(self, i):
        run = self.start_run("chaos db %d" % i)
        w = self.worker()
        self.wait(lambda: self.stages(run).get("script_writer", ("",))[0] == "done", 240,
                  "db %d: script_writer did not finish" % i)
        done, usage = self.snapshot(run)
        self.last_done = done
        lock = subprocess.Popen(["psql", self.srv.db_url, "-q", "-c",
                                 "BEGIN; LOCK TABLE run_stages IN ACCESS EXCLUSIVE MODE; "
                                 "SELECT pg_sleep(60); COMMIT;"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.wait(lambda: int(self.sql(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "
                "query ILIKE '%run_stages%' AND query NOT ILIKE '%pg_stat_activity%'")[0][0])
                > 0, 90, "db %d: the worker never blocked on a database write" % i)
            # stages done between the snapshot and the lock are done too (a read of
            # run_stages would block now): take them from the run's current_agent
            agent = self.sql("SELECT current_agent FROM pipeline_runs WHERE id = ?", (run,))
            cur = agent[0][0] if agent else ""
            if cur in STAGES:
                for s in STAGES[:STAGES.index(cur)]:
                    done.setdefault(s, None)
            self.kill(w, "db %d" % i)
        finally:
            lock.kill()
            lock.wait()
            self.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query "
                     "ILIKE '%pg_sleep(60)%' AND query NOT ILIKE '%pg_terminate%'")
        # fill in the stages that finished between the snapshot and the lock
        now = self.stages(run)
        for s in list(done):
            if done[s] is None:
                done[s] = now.get(s)
        return run, done, usage

    def flush_round(self, k):
        t0 = time.time()
        runs = [self.start_run("chaos flush %d" % j) for j in range(k)]
        self.redis.cli("FLUSHALL")
        w = self.worker()
        ok = True
        deadline = time.time() + 300 * k  # one worker takes them in any order
        for run in runs:
            try:
                ok &= self.check_finished(run, {}, {}, "flush",
                                          timeout=max(1, deadline - time.time()))
            except TimeoutError as e:
                ok = self.check(False, str(e))
        self.stop_worker(w)
        self.figures["flush"] = {"runs": k, "completed": sum(
            1 for r in runs if self.status(r) == "completed"), "seconds": round(
                time.time() - t0, 1)}
        if ok:
            self.passed += 1
        print("flush      %s (%d runs, %.1f s)" % ("ok" if ok else "FAILED", k,
                                                   time.time() - t0), flush=True)

    def close(self):
        for w in self.workers:
            if w.poll() is None:
                w.kill()
                w.wait()
        self.srv.stop()
        self.yt.stop()
        self.redis.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("CHAOS_ROUNDS", 1)))
    ap.add_argument("--flush-runs", type=int, default=int(os.environ.get("CHAOS_FLUSH_RUNS", 2)))
    ap.add_argument("--kinds", default="render,upload,db")
    a = ap.parse_args()
    c = Chaos(a)
    try:
        for i in range(1, a.rounds + 1):
            for kind in a.kinds.split(","):
                c.run_round(kind, i)
        if a.flush_runs > 0:
            c.flush_round(a.flush_runs)
    finally:
        c.close()
    print(json.dumps(c.figures))
    for f in c.failures:
        print("FAIL: " + f)
    total = a.rounds * len(a.kinds.split(",")) + (1 if a.flush_runs > 0 else 0)
    print("chaos: %d passed, %d failed" % (c.passed, total - c.passed))
    return 0 if c.passed == total and not c.failures else 1


if __name__ == "__main__":
    sys.exit(main())
