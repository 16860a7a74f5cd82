"""test_distributed.py - several `yaa serve --workers 0` and `yaa worker` processes sharing a
real PostgreSQL (tests/lib/pg-start) and a real redis-server (started here on a free loopback
port, AOF on), QUEUE_URL=redis://... (python3 stdlib only).

- a worker killed with SIGKILL during a run: another worker completes it after the visibility
  timeout (YAA_QUEUE_LEASE_SEC=3), finished stages are not run again (run_stages.attempt),
  usage rows are not doubled;
- cancel through one API process reaches the job running on a worker;
- a job that keeps failing (its channel does not exist) ends in the dead letters after
  max_attempts; `yaa queue dead requeue` puts it back;
- Redis restarted while jobs are in flight: no job lost;
- SIGTERM to a worker: the job is given back (no extra attempt), finished stages kept;
- QUEUE_URL=db on the shared PostgreSQL with a separate `yaa worker`; the per-job timeout
  (YAA_JOB_TIMEOUT_SEC) interrupting a run, failing it to the dead letters;
- REDIS_URL: the API rate limit holds across two API processes, local fallback without Redis.

Run: python3 tests/integration/queue/test_distributed.py
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "api"))
from stack import API, BIN, Postgres, Procs, Redis, call, stack_env, wait_for  # noqa: E402
from yaa_server import YaaServer  # noqa: E402

FINAL = ("completed", "failed", "cancelled")


class Stack(Procs):
    """PostgreSQL + Redis + 2 API processes + N worker processes, one temp dir."""

    def __init__(self, workers=2, queue_url=None, env=None):
        super().__init__("yaa-queue-it-")
        self.pg = self.service(Postgres)
        self.redis = self.service(lambda: Redis(self.dir))
        self.db_url = self.pg.url
        channels = os.path.join(self.dir, "channels")
        os.makedirs(os.path.join(channels, "demo"))
        with open(os.path.join(channels, "demo", "config.yaml"), "w") as f:
            f.write("channel:\n  name: \"Demo\"\n  category: \"tech\"\n  language: \"en\"\n")
        os.makedirs(os.path.join(self.dir, "output"))
        self.env = dict(os.environ)
        self.env.update(stack_env(DATABASE_URL=self.db_url,
                                  QUEUE_URL=queue_url or self.redis.url, CHANNELS_DIR=channels,
                                  OUTPUT_DIR=os.path.join(self.dir, "output")))
        self.env.update(env or {})
        try:
            self.apis = [self.start_api(), self.start_api()]
            self.workers = [self.start_worker() for _ in range(workers)]
        except BaseException:
            self.stop()
            raise

    def start_api(self):
        return self.serve("api%d" % len(self.procs), self.env, self.dir)

    def start_worker(self):
        return self.worker("worker%d" % len(self.procs), self.env, self.dir)

    def claims(self, run_id, procs=None):
        """(worker process, attempt) of every 'job claimed' line for run_id."""
        out = []
        for p in procs or self.workers:
            for e in self.events(p):
                if e.get("msg") == "job claimed" and e.get("run_id") == run_id:
                    out.append((p, e.get("attempt")))
        return out

    def sql(self, q):
        return self.pg.sql(q)

    def yaa(self, *args):
        return subprocess.run([BIN] + list(args), env=self.env, cwd=self.dir,
                              capture_output=True, text=True, timeout=60)

    def queue_stats(self):
        r = self.yaa("queue", "stats")
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    def dead_letters(self, limit=None):
        """`yaa queue dead list` (at most limit jobs)."""
        r = self.yaa("queue", "dead", "list", *(["--limit", str(limit)] if limit else []))
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)["dead"]

    def run(self, api, run_id):
        return call(api.port, "GET", API + "/pipeline/runs/" + run_id).json()

    def finished(self, api, run_id):
        """The run once it has ended (completed, failed or cancelled), else None."""
        d = self.run(api, run_id)
        return d if d["status"] in FINAL else None

    def stage_running(self, api, run_id, stage):
        """Whether the run's stage is running, as the API process shows it."""
        st = {x["stage"]: x["status"] for x in self.run(api, run_id).get("stages", [])}
        return st.get(stage) == "running"

    def ghost_run(self):
        """A run whose channel does not exist, queued through the retry endpoint."""
        rid = str(uuid.uuid4())
        self.sql("INSERT INTO pipeline_runs (id, channel_id, topic, status, created_at, "
                 "updated_at) VALUES ('%s', 'ghost', 'Nothing', 'failed', "
                 "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')" % rid)
        r = call(self.apis[0].port, "POST", API + "/pipeline/runs/%s/retry" % rid, {})
        assert r.status == 202, r.body
        return rid


class Distributed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Stack(workers=2)

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def stage_rows(self, rid):
        return self.s.pg.stage_rows(rid)

    def test_1_worker_killed_mid_run(self):
        s = self.s
        r = call(s.apis[0].port, "POST", API + "/pipeline/run",
                 {"channel_id": "demo", "topic": "Queue test", "dry_run": True})
        self.assertEqual(r.status, 202, r.body)
        rid = r.json()["run_id"]

        # the other API process sees the same run
        wait_for(lambda: s.stage_running(s.apis[1], rid, "media_editor"), 180,
                 "the run to reach media_editor")
        claims = s.claims(rid)
        self.assertEqual(len(claims), 1, claims)
        victim = claims[0][0]
        before = self.stage_rows(rid)
        usage_before = sorted(s.sql("SELECT id FROM usage_events WHERE run_id = '%s'" % rid))
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        s.workers.remove(victim)
        s.workers.append(s.start_worker())  # keep two workers for the other tests

        status = wait_for(lambda: s.finished(s.apis[0], rid), 300,
                          "the run to finish on another worker")["status"]
        self.assertEqual(status, "completed", [s.logs(p)[-2000:] for p in s.workers])
        after = self.stage_rows(rid)
        self.assertEqual({k: v[0] for k, v in after.items()},
                         {k: "done" for k in after}, after)
        for stage, (st, attempt) in before.items():
            if st == "done":  # finished before the kill: not run again
                self.assertEqual(after[stage][1], attempt, (stage, before, after))
        self.assertGreaterEqual(after["media_editor"][1], 2, after)  # interrupted, run again
        usage_after = sorted(s.sql("SELECT id FROM usage_events WHERE run_id = '%s'" % rid))
        self.assertEqual(usage_after, usage_before)  # the resumed stages bill nothing new
        rows = s.sql("SELECT COUNT(*), COUNT(DISTINCT agent || provider || model || kind || "
                     "prompt_tokens) FROM usage_events WHERE run_id = '%s'" % rid)
        claims = s.claims(rid, s.workers)
        self.assertTrue(claims and claims[-1][1] >= 2, claims)  # re-delivered, attempt 2
        self.assertGreater(int(rows[0][0]), 0)
        wait_for(lambda: s.queue_stats()["running"] == 0, 30, "no job running")

    def test_2_cancel_reaches_running_job(self):
        s = self.s
        r = call(s.apis[0].port, "POST", API + "/pipeline/run",
                 {"channel_id": "demo", "topic": "Cancel me", "dry_run": True})
        self.assertEqual(r.status, 202, r.body)
        rid = r.json()["run_id"]
        wait_for(lambda: s.claims(rid), 60, "a worker to claim the run")
        r = call(s.apis[1].port, "POST", API + "/pipeline/runs/%s/cancel" % rid)
        self.assertEqual(r.status, 202, r.body)

        def cancelled_on_worker():
            return any(e.get("msg") == "job cancelled" and e.get("run_id") == rid
                       for p in s.workers for e in s.events(p))
        wait_for(cancelled_on_worker, 120, "the worker to stop the cancelled run")
        self.assertEqual(s.run(s.apis[0], rid)["status"], "cancelled")
        stages = self.stage_rows(rid)
        self.assertNotEqual(stages.get("publisher", ("pending", 0))[0], "done", stages)
        wait_for(lambda: s.queue_stats()["running"] == 0, 30, "no job running")

    def test_3_dead_letter_and_requeue(self):
        s = self.s
        rid = s.ghost_run()

        def dead():
            return [d for d in s.dead_letters() if d["run_id"] == rid]
        d = wait_for(dead, 120, "the failing job in the dead letters")[0]
        self.assertEqual(d["attempts"], 3)
        self.assertTrue(d["last_error"])
        self.assertEqual(len(s.claims(rid)), 3)
        r = s.yaa("queue", "dead", "requeue", d["id"])
        self.assertEqual(r.returncode, 0, r.stderr)
        # back in the stream with its attempts reset: three more deliveries, dead again
        wait_for(lambda: len(s.claims(rid)) >= 6, 60, "the requeued job to be retried")
        self.assertEqual(sorted(a for _, a in s.claims(rid)), [1, 1, 2, 2, 3, 3])
        wait_for(dead, 120, "the requeued job to die again")
        r = s.yaa("queue", "dead", "requeue", "no-such-job")
        self.assertEqual(r.returncode, 1)

    def test_4_redis_restart_mid_load(self):
        s = self.s
        rids = [s.ghost_run() for _ in range(12)]
        s.redis.stop()
        time.sleep(1)
        s.redis.start()
        more = [s.ghost_run() for _ in range(4)]

        def all_dead():
            try:
                ids = {d["run_id"] for d in s.dead_letters(1000)}
            except AssertionError:  # Redis still coming back
                return False
            return all(x in ids for x in rids + more)
        wait_for(all_dead, 240, "every job to reach the dead letters")
        st = s.queue_stats()
        self.assertEqual((st["queued"], st["running"], st["delayed"]), (0, 0, 0), st)
        for p in s.workers + s.apis:
            s.assert_alive(p)
        for x in rids + more:
            self.assertGreaterEqual(len(s.claims(x)), 3, x)

    def test_5_sigterm_gives_back_the_job(self):
        s = self.s
        r = call(s.apis[1].port, "POST", API + "/pipeline/run",
                 {"channel_id": "demo", "topic": "Graceful stop", "dry_run": True})
        self.assertEqual(r.status, 202, r.body)
        rid = r.json()["run_id"]

        wait_for(lambda: s.stage_running(s.apis[0], rid, "media_editor"), 180,
                 "the run to reach media_editor")
        holder = s.claims(rid)[0][0]
        before = self.stage_rows(rid)
        holder.send_signal(signal.SIGTERM)  # finishes the stage, checkpoints, gives the job back
        self.assertEqual(holder.wait(timeout=300), 0, s.logs(holder)[-2000:])
        s.workers.remove(holder)
        self.assertIn("job interrupted by shutdown", s.logs(holder))
        s.workers.append(s.start_worker())

        d = wait_for(lambda: s.finished(s.apis[1], rid), 300, "the run to finish")
        self.assertEqual(d["status"], "completed")
        stages = self.stage_rows(rid)
        self.assertEqual({v[0] for v in stages.values()}, {"done"}, stages)
        for stage, (st, attempt) in before.items():
            if st == "done":  # finished before the stop: not run again
                self.assertEqual(stages[stage][1], attempt, (stage, before, stages))
        # the stage in progress was either finished by the stopping worker or interrupted at a
        # checkpoint and run once more by the next one
        self.assertIn(stages["media_editor"][1], (1, 2), stages)
        self.assertEqual(stages["publisher"][1], 1, stages)
        claims = [a for _, a in s.claims(rid, s.workers)]
        self.assertEqual(claims, [1])  # given back: the new delivery is not another attempt


class DbQueueAcrossProcesses(unittest.TestCase):
    """QUEUE_URL=db on the shared PostgreSQL: the same `yaa worker` works with the db backend."""

    def test_dead_letter_and_requeue(self):
        s = Stack(workers=1, queue_url="db")
        try:
            rid = s.ghost_run()

            def dead():
                return [d for d in s.dead_letters() if d["run_id"] == rid]
            d = wait_for(dead, 120, "the failing job in the dead letters")[0]
            self.assertEqual(d["attempts"], 3)
            self.assertEqual(s.queue_stats()["backend"], "db")
            r = s.yaa("queue", "dead", "requeue", d["id"])
            self.assertEqual(r.returncode, 0, r.stderr)
            wait_for(lambda: len(s.claims(rid)) >= 4, 60, "the requeued job to be claimed")
        finally:
            s.stop()

    def test_job_timeout(self):
        s = Stack(workers=1, queue_url="db", env={"YAA_JOB_TIMEOUT_SEC": "2"})
        try:
            r = call(s.apis[0].port, "POST", API + "/pipeline/run",
                     {"channel_id": "demo", "topic": "Too slow", "dry_run": True})
            self.assertEqual(r.status, 202, r.body)
            rid = r.json()["run_id"]

            d = wait_for(lambda: s.finished(s.apis[1], rid), 300, "the run to finish")
            # each attempt is interrupted inside the render, failed, retried; then dead
            self.assertEqual(d["status"], "failed")
            self.assertTrue(any("timed out" in e for e in d["errors"]), d["errors"])
            self.assertEqual(sorted(a for _, a in s.claims(rid)), [1, 2, 3])
            stages = s.pg.stage_rows(rid)
            # the stages an attempt finished before the timeout are not redone by the retries;
            # the stage the timeout interrupts (the render on an idle machine, an earlier media
            # stage on a loaded one) is tried once per delivery
            order = ("brand_researcher", "script_writer", "seo_optimizer", "media_generator",
                     "media_editor", "publisher")
            cut = next(st for st in order if stages.get(st, ("pending", 0))[0] != "done")
            for st in order[:order.index(cut)]:
                # done once and kept: a stage a timeout cut before may have needed a second
                # delivery (a loaded machine), never the third, which the cut stage took
                self.assertEqual(stages[st][0], "done", stages)
                self.assertLess(stages[st][1], 3, stages)
            # the cut stage is tried at most once per delivery; a delivery the 2 s timeout
            # stops before it reaches that stage (a loaded machine) does not count it
            self.assertIn(stages[cut][1], (1, 2, 3), stages)
            dead = [x for x in s.dead_letters() if x["run_id"] == rid]
            self.assertIn("timed out", dead[0]["last_error"])
        finally:
            s.stop()


class SharedRateLimit(unittest.TestCase):
    """REDIS_URL: two API processes draw on one bucket per key; without Redis, local buckets."""

    def test_limit_holds_across_processes(self):
        root = tempfile.mkdtemp(prefix="yaa-rl-it-")
        redis = Redis(root)
        env = {"RATE_LIMIT_PER_MINUTE": "4", "REDIS_URL": redis.url, "LOG_LEVEL": "info"}
        a = b = None
        try:
            a = YaaServer("sqlite", env=env)
            # API instances share one database (the bucket is the key's id, as stored there)
            b = YaaServer("sqlite", env=dict(env, DATABASE_URL=a.db_url))
            seen = [a.get(API + "/pipeline/runs"), a.get(API + "/pipeline/runs"),
                    b.get(API + "/pipeline/runs"), b.get(API + "/pipeline/runs")]
            self.assertEqual([r.status for r in seen], [200] * 4)
            self.assertEqual([r.header("X-RateLimit-Remaining") for r in seen],
                             ["3", "2", "1", "0"])
            r = a.get(API + "/pipeline/runs")  # the fifth across both processes
            self.assertEqual(r.status, 429)
            self.assertGreaterEqual(int(r.header("Retry-After")), 1)
            redis.stop()  # Redis gone: each process limits on its own again
            self.assertEqual(b.get(API + "/pipeline/runs").status, 200)
            self.assertIn("shared rate limit unavailable", b.logs())
        finally:
            for srv in (a, b):
                if srv:
                    srv.stop()
            redis.stop()
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
