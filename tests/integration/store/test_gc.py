#!/usr/bin/env python3
"""test_gc.py - `yaa artifacts gc` past one page of expired runs (the command fetches 500 at a
time), on the file store and on the s3 store (tests/doubles/s3_double.py), with and without
--dry-run.

A backlog of 520 expired runs (plus runs that must stay: too recent, still running) is
written straight into a SQLite database made by `yaa db upgrade`; gc must count every one of
them on a dry run and delete every one of them on a real one, in one call.
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from stack import BIN, SRC, stack_env  # noqa: E402

EXPIRED = 520
OLD = "2020-01-01T00:00:00.000000Z"
NEW = "2999-01-01T00:00:00.000000Z"


class Gc(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="yaa-gc-")
        self.out = os.path.join(self.dir, "output")
        os.makedirs(self.out)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("YAA_", "S3_", "AWS_", "ARTIFACT_", "CHANNELS_"))}
        self.env.update(stack_env(DATABASE_URL="sqlite:///" + os.path.join(self.dir, "yaa.db"),
                                  OUTPUT_DIR=self.out))
        self.yaa("db", "upgrade")
        self.db = sqlite3.connect(os.path.join(self.dir, "yaa.db"))
        self.expired, self.kept = [], []
        # Half of them share one updated_at: the page boundary falls inside a tie.
        for i in range(EXPIRED):
            at = OLD if i % 2 else "2020-01-02T00:00:%02d.000000Z" % (i % 60)
            self.expired.append(self.new_run(["completed", "failed", "cancelled"][i % 3], at))
        self.kept.append(self.new_run("completed", NEW))
        self.kept.append(self.new_run("running", OLD))
        self.db.commit()
        self.s3 = None

    def tearDown(self):
        self.db.close()
        if self.s3:
            self.s3.terminate()
            self.s3.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def new_run(self, status, at):
        rid = str(uuid.uuid4())
        self.db.execute("INSERT INTO pipeline_runs (id, channel_id, topic, status, created_at, "
                        "updated_at) VALUES (?, 'c', 't', ?, ?, ?)", (rid, status, at, at))
        os.makedirs(os.path.join(self.out, rid, "images"))
        for name in ("video.mp4", "images/01.png"):
            with open(os.path.join(self.out, rid, name), "wb") as f:
                f.write(b"x" * 100)
        return rid

    def yaa(self, *args):
        r = subprocess.run([BIN] + list(args), env=self.env, cwd=self.dir,
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, "yaa %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r.stdout

    def folders(self, ids):
        return [i for i in ids if os.path.isdir(os.path.join(self.out, i))]

    def test_file_store(self):
        out = self.yaa("artifacts", "gc", "--days", "30", "--dry-run")
        self.assertIn("would delete (dry run) %d runs" % EXPIRED, out)
        self.assertIn("%d files" % (2 * EXPIRED), out)
        self.assertEqual(len(self.folders(self.expired)), EXPIRED)
        out = self.yaa("artifacts", "gc", "--days", "30")
        self.assertIn("deleted %d runs" % EXPIRED, out)
        self.assertEqual(self.folders(self.expired), [])
        self.assertEqual(self.folders(self.kept), self.kept)
        out = self.yaa("artifacts", "gc", "--days", "30")
        self.assertIn("deleted 0 runs", out)

    def test_s3_store(self):
        self.s3 = subprocess.Popen([sys.executable, os.path.join(SRC, "tests", "doubles",
                                                                 "s3_double.py")],
                                   stdout=subprocess.PIPE, text=True)
        port = int(self.s3.stdout.readline().split()[1])
        self.env.update({"ARTIFACT_STORE": "s3://artifacts/gc",
                         "S3_ENDPOINT_URL": "http://127.0.0.1:%d" % port,
                         "S3_FORCE_PATH_STYLE": "true",
                         "AWS_ACCESS_KEY_ID": "AKTEST", "AWS_SECRET_ACCESS_KEY": "secret-test"})
        for rid in self.expired + self.kept:
            self.db.execute("INSERT INTO run_artifacts (run_id, name, stage, attempt, object_key, "
                            "size, sha256, created_at) VALUES (?, 'video.mp4', 'media_editor', 1, "
                            "?, 100, 'x', ?)", (rid, "runs/%s/media_editor.1/video.mp4" % rid, OLD))
        self.db.commit()
        out = self.yaa("artifacts", "gc", "--days", "30", "--dry-run")
        self.assertIn("would delete (dry run) %d runs" % EXPIRED, out)
        count = "SELECT COUNT(DISTINCT run_id) FROM run_artifacts"
        self.assertEqual(self.db.execute(count).fetchone()[0], EXPIRED + 2)
        out = self.yaa("artifacts", "gc", "--days", "30")
        self.assertIn("deleted %d runs" % EXPIRED, out)
        left = [r[0] for r in self.db.execute("SELECT DISTINCT run_id FROM run_artifacts")]
        self.assertEqual(sorted(left), sorted(self.kept))


if __name__ == "__main__":
    unittest.main(verbosity=2)
