"""test_store_e2e.py - yaa on hosts that share no disk (python3 stdlib only).

One `yaa serve --workers 0` and `yaa worker` processes, each in a directory of its own with
its own OUTPUT_DIR and (for the workers) no channels folder at all, sharing only a real
PostgreSQL (tests/lib/pg-start), a real redis-server and an S3 server (s3rver, the npm
package of this folder's package.json, installed with `npm ci`), ARTIFACT_STORE=s3://...,
CHANNELS_STORE=db:

- the channels are imported into the database (`yaa channels import`), with a music file
  larger than the inline limit, which goes to the artifact store;
- a run created through the API; its worker is killed (SIGKILL) while media_editor renders;
  a worker started in a new empty directory resumes it at media_editor (earlier stages keep
  attempt 1) and completes it, fetching the earlier stages' files from S3;
- the API serves video.mp4 from the store with Range requests (206, Content-Range, bytes
  equal to the object) and the worker's scratch folder is gone after the run;
- a channel file edited through the API (PUT brand_guide.yaml) is what the next run uses on
  a worker that had cached the previous revision;
- `yaa artifacts gc` deletes the run's objects once it is older than the retention;
- s3rver runs with an access key id and a secret that differ (s3rver_keys.js): no log of
  any yaa process, no output of a CLI command and no API reply contains the secret.

Run: python3 tests/integration/store/test_store_e2e.py
"""
import hashlib
import http.client
import json
import math
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import unittest
import urllib.parse
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from stack import (API, BIN, SRC, Postgres, Procs, Redis, call, free_port,  # noqa: E402
                   stack_env, wait_for)

BUCKET = "yaa-e2e"
# Distinct values, neither a substring of the other, so a leak of the secret is told apart
# from the key id that legitimately appears in presigned URLs.
ACCESS_KEY = "AKIAE2ETESTKEYID0001"
SECRET_KEY = "e2eSecret/Never+Logged9Q7xZ"


def s3rver_bin():
    exe = os.path.join(HERE, "node_modules", ".bin", "s3rver")
    if not os.path.exists(exe):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True,
                       stdout=subprocess.DEVNULL, timeout=600)
    return exe


class S3rver:
    def __init__(self, root):
        self.dir = os.path.join(root, "s3")
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = open(os.path.join(root, "s3rver.log"), "w+")
        s3rver_bin()  # installed
        env = dict(os.environ, S3RVER_ACCESS_KEY=ACCESS_KEY, S3RVER_SECRET_KEY=SECRET_KEY)
        self.proc = subprocess.Popen(
            ["node", os.path.join(HERE, "s3rver_keys.js"), "-d", self.dir, "-a", "127.0.0.1",
             "-p", str(self.port), "--configure-bucket", BUCKET], stdout=self.log,
            stderr=subprocess.STDOUT, env=env)
        wait_for(self.up, 60, "s3rver")

    def up(self):
        if self.proc.poll() is not None:
            raise RuntimeError("s3rver exited")
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            c.request("GET", "/")
            c.getresponse().read()
            return True
        except OSError:
            return False

    def keys(self, prefix):
        """Object keys stored under prefix (s3rver keeps each object as <key>._S3rver_object)."""
        base = os.path.join(self.dir, BUCKET)
        out = []
        for d, _, files in os.walk(base):
            for f in files:
                if f.endswith("._S3rver_object"):
                    k = os.path.relpath(os.path.join(d, f), base)[: -len("._S3rver_object")]
                    if k.startswith(prefix):
                        out.append(k)
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.log.close()


def write_wav(path, seconds):
    """A quiet 440 Hz tone, 44.1 kHz stereo (about 176 kB a second)."""
    with wave.open(path, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(44100)
        frames = bytearray()
        for i in range(int(44100 * seconds)):
            v = int(800 * math.sin(2 * math.pi * 440 * i / 44100))
            frames += struct.pack("<hh", v, v)
        w.writeframes(bytes(frames))


def request(port, method, path, body=None, headers=None, raw=False):
    """(status, headers with lower-case names, body) of one API call; no reply ever carries
    the S3 secret (headers or body)."""
    r = call(port, method, path, body, timeout=60, headers=headers, raw=raw)
    hdrs = dict((k.lower(), v) for k, v in r.headers)
    data = r.body if isinstance(r.body, bytes) else str(r.body).encode()
    for v in list(hdrs.values()) + [data]:
        v = v if isinstance(v, bytes) else str(v).encode()
        assert SECRET_KEY.encode() not in v and urllib.parse.quote(SECRET_KEY, safe="").encode() \
            not in v, "the S3 secret is in a reply of %s %s" % (method, path)
    return r.status, hdrs, r.body


class Cluster(Procs):
    def __init__(self):
        super().__init__("yaa-store-e2e-")
        self.pg = self.service(Postgres)
        self.redis = self.service(lambda: Redis(self.dir))
        self.s3 = self.service(lambda: S3rver(self.dir))
        self.db_url = self.pg.url
        # What every host shares: the database, the queue, the bucket. Nothing else.
        self.shared = stack_env(**{
            "DATABASE_URL": self.db_url,
            "QUEUE_URL": self.redis.url,
            "ARTIFACT_STORE": "s3://%s/e2e" % BUCKET,
            "S3_ENDPOINT_URL": self.s3.url,
            "S3_FORCE_PATH_STYLE": "true",
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "CHANNELS_STORE": "db",
            "YAA_MEDIA_FPS": "10",
        })
        self.api_dir = self.host("api")
        channels = os.path.join(self.api_dir, "channels")
        shutil.copytree(os.path.join(SRC, "channels", "_template"),
                        os.path.join(channels, "_template"))
        shutil.copytree(os.path.join(SRC, "channels", "home_cooking_en"),
                        os.path.join(channels, "kitchen"))
        write_wav(os.path.join(channels, "kitchen", "bgm.wav"), 8)  # ~1.4 MB: artifact store
        self.api = None
        self.cli_outputs = []  # (command, what it printed) of every `yaa` CLI call

    def host(self, name):
        d = os.path.join(self.dir, name)
        os.makedirs(os.path.join(d, "output"))
        return d

    def env(self, host_dir):
        e = {k: v for k, v in os.environ.items()
             if not k.startswith(("YAA_", "S3_", "AWS_", "ARTIFACT_", "CHANNELS_"))}
        e.update(self.shared)
        e["OUTPUT_DIR"] = os.path.join(host_dir, "output")
        e["CHANNELS_DIR"] = os.path.join(host_dir, "channels")  # workers: never created
        return e

    def yaa(self, host_dir, *args):
        r = subprocess.run([BIN] + list(args), env=self.env(host_dir), cwd=host_dir,
                           capture_output=True, text=True, timeout=300)
        self.cli_outputs.append(("yaa " + " ".join(args), r.stdout + r.stderr))
        return r

    def start_api(self, name="api", extra=None):
        host = self.api_dir if name == "api" else self.host(name)
        saved = dict(self.shared)
        self.shared.update(extra or {})
        env = self.env(host)
        self.shared = saved
        p = self.serve(name, env, host)
        if name == "api":
            self.api = p
        return p

    def start_worker(self, name):
        d = self.host(name)
        return self.worker(name, self.env(d), d)

    def sql(self, q):
        return self.pg.sql(q)

    def stages(self, rid):
        return self.pg.stage_rows(rid)

    def status(self, rid):
        r = self.sql("SELECT status FROM pipeline_runs WHERE id = '%s'" % rid)
        return r[0][0] if r else None


class NoSharedDisk(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.c = Cluster()
        try:
            r = cls.c.yaa(cls.c.api_dir, "db", "upgrade")
            assert r.returncode == 0, r.stderr
            r = cls.c.yaa(cls.c.api_dir, "channels", "import")
            assert r.returncode == 0, r.stdout + r.stderr
            cls.c.start_api()
        except BaseException:
            cls.c.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.c.stop()

    def start_run(self, topic):
        st, _, body = request(self.c.api.port, "POST", API + "/pipeline/run",
                              {"channel_id": "kitchen", "topic": topic, "dry_run": True})
        self.assertEqual(st, 202, body)
        return json.loads(body)["run_id"]

    def artifact(self, rid, name, headers=None):
        return request(self.c.api.port, "GET", API + "/pipeline/runs/%s/artifacts/%s" %
                       (rid, name), headers=headers)

    def test_1_killed_worker_resumes_elsewhere_and_video_streams(self):
        c = self.c
        # the channel is in the database, its music in the bucket
        self.assertTrue(c.sql("SELECT revision FROM channel_revisions WHERE channel_id = "
                              "'kitchen'"))
        big = c.sql("SELECT object_key FROM channel_files WHERE channel_id = 'kitchen' AND "
                    "path = 'bgm.wav'")
        self.assertTrue(big and big[0][0].startswith("channels/kitchen/"), big)
        self.assertTrue(c.s3.keys("e2e/channels/kitchen/"))

        a = c.start_worker("worker-a")
        rid = self.start_run("Sheet-pan dinners for busy weeknights")
        wait_for(lambda: c.stages(rid).get("media_editor", ("", 0))[0] == "running", 600,
                 "media_editor to start on worker-a")
        time.sleep(2)  # inside the render
        a.send_signal(signal.SIGKILL)
        a.wait()
        before = c.stages(rid)
        self.assertEqual(before["media_generator"], ("done", 1))

        b = c.start_worker("worker-b")  # a new, empty directory
        wait_for(lambda: c.status(rid) in ("completed", "failed"), 900, "the run to finish")
        self.assertEqual(c.status(rid), "completed", c.logs(b)[-3000:])
        st = c.stages(rid)
        for s in ("brand_researcher", "script_writer", "seo_optimizer", "media_generator"):
            self.assertEqual(st[s], ("done", 1), "%s was run again: %s" % (s, st))
        self.assertEqual(st["media_editor"], ("done", 2))
        self.assertEqual(st["publisher"][0], "done")
        logs_b = c.logs(b)
        self.assertIn("fetched run files from the store", logs_b)
        self.assertIn("stored stage files", logs_b)

        # no host read channel files from its own disk; the scratch folder is gone
        for w in (a, b):
            self.assertFalse(os.path.exists(os.path.join(w.dir, "channels")), w.name)
        self.assertFalse(os.path.exists(os.path.join(b.dir, "output", rid)))

        # the API host never saw the run's files: it serves them from the store
        row = c.sql("SELECT object_key, size, sha256 FROM run_artifacts WHERE run_id = '%s' "
                    "AND name = 'video.mp4'" % rid)[0]
        key, size, sha = row[0], int(row[1]), row[2]
        self.assertTrue(key.startswith("runs/%s/media_editor.2." % rid), key)
        self.assertIn("e2e/" + key, c.s3.keys("e2e/runs/%s/" % rid))
        st_, h, whole = self.artifact(rid, "video.mp4")
        self.assertEqual(st_, 200)
        self.assertEqual(h.get("content-type"), "video/mp4")
        self.assertEqual(h.get("accept-ranges"), "bytes")
        self.assertEqual(len(whole), size)
        self.assertEqual(hashlib.sha256(whole).hexdigest(), sha)
        st_, h, part = self.artifact(rid, "video.mp4", {"Range": "bytes=100-1099"})
        self.assertEqual(st_, 206)
        self.assertEqual(h.get("content-range"), "bytes 100-1099/%d" % size)
        self.assertEqual(part, whole[100:1100])
        st_, h, tail = self.artifact(rid, "video.mp4", {"Range": "bytes=-500"})
        self.assertEqual((st_, tail), (206, whole[-500:]))
        st_, h, _ = self.artifact(rid, "video.mp4", {"Range": "bytes=%d-" % (size + 10)})
        self.assertEqual(st_, 416)
        st_, _, png = self.artifact(rid, "images/01.png")
        self.assertEqual((st_, png[:4]), (200, b"\x89PNG"))
        self.assertEqual(self.artifact(rid, "images/99.png")[0], 404)

        # a second API instance (its own empty directory) redirecting to presigned URLs
        api2 = c.start_api("api-presigned", {"ARTIFACT_REDIRECT": "presigned"})
        st_, h, _ = request(api2.port, "GET", API + "/pipeline/runs/%s/artifacts/video.mp4" % rid)
        self.assertEqual(st_, 302)
        loc = h["location"]
        self.assertIn("X-Amz-Signature=", loc)
        self.assertIn("X-Amz-Expires=300", loc)
        self.assertIn("X-Amz-Credential=" + ACCESS_KEY, loc)
        u = urllib.parse.urlsplit(loc)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        conn.request("GET", u.path + "?" + u.query, headers={"Range": "bytes=0-99"})
        r = conn.getresponse()
        self.assertEqual((r.status, r.read()), (206, whole[:100]))
        conn.close()
        api2.send_signal(signal.SIGTERM)
        api2.wait(timeout=60)
        NoSharedDisk.first_run = rid

    def test_2_channel_edit_reaches_the_next_run_on_another_worker(self):
        c = self.c
        workers = [p for p in c.procs if p.name.startswith("worker") and p.poll() is None]
        if not workers:
            workers = [c.start_worker("worker-c")]
        st, _, guide = request(c.api.port, "GET", API + "/channels/kitchen/files/brand_guide.yaml")
        self.assertEqual(st, 200)
        old = b"Dinner on the table in 30 minutes, no fancy kit required"
        self.assertIn(old, guide)
        new = b"Zebra quantum suppers for night owls"
        st, _, body = request(c.api.port, "PUT", API + "/channels/kitchen/files/brand_guide.yaml",
                              guide.replace(old, new), {"Content-Type": "application/yaml"},
                              raw=True)
        self.assertEqual(st, 200, body)
        # a broken file is refused and changes nothing
        st, _, body = request(c.api.port, "PUT", API + "/channels/kitchen/files/brand_guide.yaml",
                              b"brand: [unclosed\n", raw=True)
        self.assertEqual(st, 422, body)
        revs = json.loads(request(c.api.port, "GET", API + "/channels/kitchen/revisions")[2])
        self.assertEqual(revs["revisions"][0]["note"], "file edited through the API")

        rid = self.start_run("One-pot pasta with pantry staples")
        wait_for(lambda: c.sql("SELECT 1 FROM run_artifacts WHERE run_id = '%s' AND name = "
                               "'metadata.json'" % rid), 600, "metadata.json of the second run")
        st, _, meta = self.artifact(rid, "metadata.json")
        self.assertEqual(st, 200)
        self.assertIn(new.decode(), meta.decode("utf-8"))
        self.assertNotIn(old.decode(), meta.decode("utf-8"))
        claimed = [p.name for p in workers if rid in c.logs(p)]
        self.assertTrue(claimed, "no worker ran the second run")
        # cancel: the rest of this run proves nothing new
        request(c.api.port, "POST", API + "/pipeline/runs/%s/cancel" % rid, {})
        wait_for(lambda: c.status(rid) in ("cancelled", "completed", "failed"), 300,
                 "the second run to stop")
        for p in workers:
            self.assertFalse(os.path.exists(os.path.join(p.dir, "channels")), p.name)

    def test_3_gc_deletes_old_runs_objects(self):
        c = self.c
        rid = getattr(NoSharedDisk, "first_run", None)
        if not rid:
            self.skipTest("needs the first run")
        self.assertTrue(c.s3.keys("e2e/runs/%s/" % rid))
        c.sql("UPDATE pipeline_runs SET updated_at = '2020-01-01T00:00:00.000000Z' WHERE id = "
              "'%s'" % rid)
        r = c.yaa(c.api_dir, "artifacts", "gc", "--dry-run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("would delete", r.stdout)
        self.assertTrue(c.s3.keys("e2e/runs/%s/" % rid))
        r = c.yaa(c.api_dir, "artifacts", "gc")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(c.s3.keys("e2e/runs/%s/" % rid), [])
        self.assertEqual(c.sql("SELECT name FROM run_artifacts WHERE run_id = '%s'" % rid), [])
        self.assertEqual(self.artifact(rid, "video.mp4")[0], 404)
        self.assertTrue(c.s3.keys("e2e/channels/kitchen/"))  # channel media are not run files

    def test_9_secret_in_no_log_and_no_reply(self):
        """Every yaa process of the test (API hosts, workers, including the killed one, and
        each CLI command) ran with the S3 secret: none of them wrote it anywhere. API replies
        are checked as they arrive (request())."""
        c = self.c
        logs = [(p.name, c.logs(p)) for p in c.procs] + c.cli_outputs
        self.assertGreaterEqual(len([n for n, _ in logs if n.startswith("worker")]), 2)
        self.assertTrue(any(n == "api" for n, _ in logs))
        for name, text in logs:
            self.assertTrue(text or name.startswith("yaa "), name)
            self.assertNotIn(SECRET_KEY, text, name)
            self.assertNotIn(urllib.parse.quote(SECRET_KEY, safe=""), text, name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
