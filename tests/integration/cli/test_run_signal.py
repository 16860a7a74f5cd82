#!/usr/bin/env python3
"""test_run_signal.py - `yaa run` stopped by SIGTERM or SIGINT while FFmpeg works.

The offline example channel on a throwaway SQLite database; once `yaa run` has an FFmpeg
child, the signal goes to `yaa run` alone (as `kill PID` or a service manager would send it,
not to the whole process group as a terminal's Ctrl-C does). Then: `yaa run` exits non-zero
within seconds, no FFmpeg it started is left running, the run is not left `running` (it is
`failed`, saying it was interrupted and how to resume), and no partial or half-written
video.mp4 (nor a `.part` render) stays in its folder.
"""
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
import unittest

SRC = os.environ.get("YAA_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
BIN = os.environ.get("YAA_BIN") or os.path.join(SRC, "build", "yaa")


def children(pid):
    """{pid: comm} of the live (not zombie) processes whose parent is pid."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            out[int(d)] = comm
    return out


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"


class RunSignal(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="yaa-run-signal-")
        self.out = os.path.join(self.dir, "output")
        self.db = os.path.join(self.dir, "yaa.db")
        self.env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
        self.env.update({
            "DATABASE_URL": "sqlite:///" + self.db,
            "QUEUE_URL": "db",
            "CHANNELS_DIR": os.path.join(SRC, "channels"),
            "OUTPUT_DIR": self.out,
            "YAA_MIGRATIONS_DIR": os.path.join(SRC, "migrations"),
            "PROMPTS_DIR": os.path.join(SRC, "prompts"),
            "LLM_PROVIDER": "offline",
            "LOG_LEVEL": "warn",
        })
        subprocess.run([BIN, "db", "upgrade"], env=self.env, cwd=self.dir, check=True,
                       capture_output=True, timeout=120)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def stop_during_media(self, sig):
        log = open(os.path.join(self.dir, "run-%d.log" % sig), "w+")
        p = subprocess.Popen([BIN, "run", "--channel", "home_cooking_en", "--topic",
                              "stopped by signal %d" % sig, "--dry-run", "--new"],
                             env=self.env, cwd=self.dir, stdout=log, stderr=subprocess.STDOUT)
        seen = {}
        try:
            deadline = time.time() + 45
            while time.time() < deadline and p.poll() is None:
                seen.update({k: v for k, v in children(p.pid).items() if v == "ffmpeg"})
                if seen:
                    break
                time.sleep(0.05)
            self.assertTrue(seen, "yaa run started no FFmpeg within 45 s (exit %r)" % p.poll())
            time.sleep(0.3)  # inside the FFmpeg work, not at its very first instant
            p.send_signal(sig)
            rc = p.wait(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        log.seek(0)
        text = log.read()
        log.close()
        self.assertNotEqual(rc, 0, text)
        self.assertEqual(rc, 128 + sig, text)
        self.assertIn("interrupted by signal %d" % sig, text)
        deadline = time.time() + 2  # killed with the run: gone within a second or two
        while time.time() < deadline and any(alive(pid) for pid in seen):
            time.sleep(0.05)
        self.assertFalse([pid for pid in seen if alive(pid)], "FFmpeg outlived `yaa run`")
        con = sqlite3.connect(self.db)
        try:
            rows = con.execute("SELECT id, status, errors_json FROM pipeline_runs").fetchall()
        finally:
            con.close()
        self.assertEqual(len(rows), 1)
        run_id, status, error = rows[0]
        self.assertEqual(status, "failed")
        self.assertIn("interrupted", error or "")
        run_dir = os.path.join(self.out, run_id)
        left = os.listdir(run_dir) if os.path.isdir(run_dir) else []
        self.assertNotIn("video.mp4", left)
        self.assertFalse([n for n in left if ".part" in n], left)

    def test_sigterm(self):
        self.stop_during_media(signal.SIGTERM)

    def test_sigint(self):
        self.stop_during_media(signal.SIGINT)


if __name__ == "__main__":
    unittest.main(verbosity=2)
