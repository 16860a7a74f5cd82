#!/usr/bin/env python3
"""test_api_artifacts.py - the API serving artifacts from the S3 store (yaa serve on SQLite,
tests/doubles/s3_double.py as the bucket, ARTIFACT_REDIRECT=stream).

- eight clients ask for the same video at once, before the API has a copy (what a video
  player and a preview do on a first play): every one gets the whole file, byte for byte,
  or the exact Range it asked for; the bucket sees one download (the others wait for it);
  no temporary file is left in the cache;
- the download cache (ARTIFACT_CACHE_MB=16, its least) holds files larger than itself: the file being
  sent is never trimmed, and the next download trims the least recently used one.
"""
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import unittest
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from stack import API, SRC, Procs, call, stack_env  # noqa: E402

SIZE = 17 * 1024 * 1024 + 321  # over ARTIFACT_CACHE_MB (16, its least) on its own


def blob(seed):
    return random.Random(seed).randbytes(SIZE)


class ApiArtifacts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = Procs("yaa-api-artifacts-")
        try:
            cls.start(cls.p)
        except BaseException:
            cls.p.stop()
            raise

    @classmethod
    def start(cls, p):
        s3 = subprocess.Popen([sys.executable, os.path.join(SRC, "tests", "doubles",
                                                            "s3_double.py")],
                              stdout=subprocess.PIPE, text=True)
        p.service(lambda: S3Proc(s3))
        cls.s3_port = int(s3.stdout.readline().split()[1])
        cls.out = os.path.join(p.dir, "output")
        db = os.path.join(p.dir, "yaa.db")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("YAA_", "S3_", "AWS_", "ARTIFACT_", "CHANNELS_"))}
        env.update(stack_env(DATABASE_URL="sqlite:///" + db, OUTPUT_DIR=cls.out,
                             CHANNELS_DIR=os.path.join(p.dir, "channels"),
                             ARTIFACT_STORE="s3://artifacts/api",
                             S3_ENDPOINT_URL="http://127.0.0.1:%d" % cls.s3_port,
                             S3_FORCE_PATH_STYLE="true", AWS_ACCESS_KEY_ID="AKTEST",
                             AWS_SECRET_ACCESS_KEY="secret-test", ARTIFACT_CACHE_MB="16"))
        os.makedirs(env["CHANNELS_DIR"])
        r = subprocess.run([os.environ.get("YAA_BIN") or os.path.join(SRC, "build", "yaa"),
                            "db", "upgrade"], env=env, cwd=p.dir, capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        cls.run_id = str(uuid.uuid4())
        cls.files = {"video.mp4": blob(1), "images/01.png": blob(2)}
        con = sqlite3.connect(db)
        at = "2026-12-06T00:00:00.000000Z"
        con.execute("INSERT INTO pipeline_runs (id, channel_id, topic, status, created_at, "
                    "updated_at) VALUES (?, 'c', 't', 'completed', ?, ?)", (cls.run_id, at, at))
        for name, data in cls.files.items():
            key = "runs/%s/media_editor.1.abcd1234/%s" % (cls.run_id, name)
            req = urllib.request.Request("http://127.0.0.1:%d/_object/api/%s" %
                                         (cls.s3_port, key), data=data, method="PUT")
            urllib.request.urlopen(req, timeout=30).read()
            con.execute("INSERT INTO run_artifacts (run_id, name, stage, attempt, object_key, "
                        "size, sha256, created_at) VALUES (?, ?, 'media_editor', 1, ?, ?, ?, ?)",
                        (cls.run_id, name, key, len(data), hashlib.sha256(data).hexdigest(),
                         at))
        con.commit()
        con.close()
        cls.api = p.serve("api", env, p.dir)

    @classmethod
    def tearDownClass(cls):
        cls.p.stop()

    def get(self, name, headers=None):
        r = call(self.api.port, "GET", API + "/pipeline/runs/%s/artifacts/%s" %
                 (self.run_id, name), timeout=60, headers=headers, raw=True)
        return r.status, r.body

    def cache(self):
        d = os.path.join(self.out, ".api-cache")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def test_1_concurrent_first_requests(self):
        want = self.files["video.mp4"]
        ranges = [None, None, None, None, "bytes=0-1", "bytes=1000-99999", "bytes=-700",
                  "bytes=%d-" % (SIZE - 10)]
        got = [None] * len(ranges)
        go = threading.Barrier(len(ranges))

        def one(i):
            go.wait()
            got[i] = self.get("video.mp4", {"Range": ranges[i]} if ranges[i] else None)
        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(ranges))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        for rng, (status, body) in zip(ranges, got):
            if rng is None:
                self.assertEqual(status, 200)
                self.assertEqual(len(body), SIZE)
                self.assertTrue(body == want, "a whole reply differs from the object")
                continue
            self.assertEqual(status, 206, rng)
            spec = rng[6:]
            if spec.startswith("-"):
                part = want[-int(spec[1:]):]
            else:
                a, b = spec.split("-")
                part = want[int(a):int(b) + 1] if b else want[int(a):]
            self.assertTrue(body == part, rng)
        sha = hashlib.sha256(want).hexdigest()
        self.assertEqual(self.cache(), [sha])  # one copy, no temporary file left
        # and one download from the bucket: the others waited for it
        with urllib.request.urlopen("http://127.0.0.1:%d/_requests" % self.s3_port,
                                    timeout=30) as r:
            reqs = json.loads(r.read())["requests"]
        gets = [q for q in reqs if q["method"] == "GET" and q["path"].endswith("/video.mp4")]
        self.assertEqual(len(gets), 1, [q["path"] for q in gets])

    def test_2_cache_smaller_than_a_file(self):
        video = hashlib.sha256(self.files["video.mp4"]).hexdigest()
        status, body = self.get("video.mp4")  # cached (or fetched again): whole
        self.assertEqual((status, len(body)), (200, SIZE))
        status, body = self.get("images/01.png")
        self.assertEqual(status, 200)
        self.assertTrue(body == self.files["images/01.png"])
        png = hashlib.sha256(self.files["images/01.png"]).hexdigest()
        self.assertEqual(self.cache(), [png])  # over the 16 MB cap: the older one went
        self.assertNotIn(video, self.cache())
        status, body = self.get("video.mp4")  # fetched again, whole
        self.assertEqual((status, len(body)), (200, SIZE))
        self.assertTrue(body == self.files["video.mp4"])


class S3Proc:
    def __init__(self, proc):
        self.proc = proc

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
