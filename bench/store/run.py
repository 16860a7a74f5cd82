#!/usr/bin/env python3
"""bench/store/run.py - what the S3 artifact store costs (figures in docs/benchmarks/store.md).

Starts s3rver (the npm package of tests/integration/store, `npm ci` there if needed) on a free
loopback port, then:

1. throughput: build/bench_store uploads and downloads files of 64 KiB, 1 MiB, 8 MiB, 64 MiB
   and 96 MiB (multipart: 6 parts of 16 MiB) through yaa's S3 client (5 times each, median), beside plain `curl` (libcurl's
   SigV4, UNSIGNED-PAYLOAD, no hashing, no temporary file) moving the same files to the same
   server;
2. per-stage overhead: one `yaa run` (offline, dry run, ultrafast) with ARTIFACT_STORE=s3,
   reading the "stored stage files" / "fetched run files" log lines against each stage's
   duration, then the same run resumed at media_editor from an empty OUTPUT_DIR (what a
   worker on another host pays to fetch the earlier stages' files).

Usage: python3 bench/store/run.py [--reps N] [--skip-run]
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("YAA_BUILD_DIR", os.path.join(SRC, "build"))
NODE_DIR = os.path.join(SRC, "tests", "integration", "store")
BUCKET = "bench"

sys.path.insert(0, os.path.join(SRC, "tests", "integration", "lib"))
from stack import free_port  # noqa: E402  (the integration tests' one copy)


def start_s3rver(root):
    exe = os.path.join(NODE_DIR, "node_modules", ".bin", "s3rver")
    if not os.path.exists(exe):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)
    port = free_port()
    p = subprocess.Popen([exe, "-d", os.path.join(root, "s3"), "-a", "127.0.0.1", "-p",
                          str(port), "--configure-bucket", BUCKET, "--silent"])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return p, "http://127.0.0.1:%d" % port
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("s3rver did not start")


def curl_times(endpoint, path, reps):
    key = "%s/curl/%s" % (BUCKET, os.path.basename(path))
    base = ["curl", "-s", "-f", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", "S3RVER:S3RVER",
            "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", "-w", "%{time_total}"]
    put, get = [], []
    for _ in range(reps):
        out = subprocess.run(base + ["-o", "/dev/null", "-T", path, endpoint + "/" + key],
                             capture_output=True, text=True, check=True)
        put.append(float(out.stdout))
        out = subprocess.run(base + ["-o", path + ".curl", endpoint + "/" + key],
                             capture_output=True, text=True, check=True)
        get.append(float(out.stdout))
    os.unlink(path + ".curl")
    put.sort()
    get.sort()
    return put[reps // 2], get[reps // 2]


def throughput(endpoint, root, reps):
    sizes = [("64KiB.bin", 64 << 10), ("1MiB.bin", 1 << 20), ("8MiB.bin", 8 << 20),
             ("64MiB.bin", 64 << 20), ("96MiB.bin", 96 << 20)]
    files = []
    for name, n in sizes:
        p = os.path.join(root, name)
        with open(p, "wb") as f:
            f.write(os.urandom(n))
        files.append(p)
    env = dict(os.environ, AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER")
    out = subprocess.run([os.path.join(BUILD, "bench_store"), endpoint, BUCKET] + files +
                         ["-n", str(reps)], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    yaa = {}
    for line in out.stdout.splitlines()[1:]:
        f = line.split()
        yaa[f[0]] = (float(f[2]) / 1000, float(f[4]) / 1000)
    print("| file | yaa upload | curl upload | yaa download | curl download |")
    print("| --- | --- | --- | --- | --- |")
    for p in files:
        name = os.path.basename(p)
        mb = os.path.getsize(p) / 1e6
        cp, cg = curl_times(endpoint, p, reps)
        yp, yg = yaa[name]
        print("| %s | %.1f ms (%.0f MB/s) | %.1f ms (%.0f MB/s) | %.1f ms (%.0f MB/s) | "
              "%.1f ms (%.0f MB/s) |" % (name, yp * 1000, mb / yp, cp * 1000, mb / cp,
                                          yg * 1000, mb / yg, cg * 1000, mb / cg))


def log_lines(text):
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                yield json.loads(line)
            except ValueError:
                pass


def stage_overhead(endpoint, root):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YAA_", "S3_", "AWS_"))}
    env.update({
        "DATABASE_URL": "sqlite:///" + os.path.join(root, "yaa.db"),
        "ARTIFACT_STORE": "s3://%s/run" % BUCKET, "S3_ENDPOINT_URL": endpoint,
        "S3_FORCE_PATH_STYLE": "true", "AWS_ACCESS_KEY_ID": "S3RVER",
        "AWS_SECRET_ACCESS_KEY": "S3RVER", "CHANNELS_DIR": os.path.join(SRC, "channels"),
        "PROMPTS_DIR": os.path.join(SRC, "prompts"),
        "YAA_MIGRATIONS_DIR": os.path.join(SRC, "migrations"), "LLM_PROVIDER": "offline",
        "LOG_FORMAT": "json", "YAA_MEDIA_PRESET": "ultrafast", "YAA_MEDIA_FPS": "10",
        "OUTPUT_DIR": os.path.join(root, "out-a")})
    yaa = os.path.join(BUILD, "yaa")
    first = subprocess.run([yaa, "run", "--channel", "home_cooking_en", "--topic",
                            "Sheet-pan dinners", "--dry-run", "--json"], env=env, cwd=root,
                           capture_output=True, text=True, timeout=1800)
    if first.returncode != 0:
        raise RuntimeError(first.stderr[-2000:])
    rid = json.loads(first.stdout)["run_id"]
    # Another host resumes it at media_editor with nothing local: forget the last two
    # checkpoints, as if the first worker had died during the render.
    import sqlite3
    db = sqlite3.connect(os.path.join(root, "yaa.db"))
    db.execute("DELETE FROM run_stages WHERE run_id = ? AND stage IN ('media_editor', "
               "'publisher')", (rid,))
    db.execute("UPDATE pipeline_runs SET status = 'pending' WHERE id = ?", (rid,))
    db.commit()
    db.close()
    env["OUTPUT_DIR"] = os.path.join(root, "out-b")
    second = subprocess.run([yaa, "run", "--channel", "home_cooking_en", "--topic",
                             "Sheet-pan dinners", "--dry-run", "--json"], env=env, cwd=root,
                            capture_output=True, text=True, timeout=1800)
    print()
    print("| stage | stage time | files stored | store time | share |")
    print("| --- | --- | --- | --- | --- |")
    stored, took = {}, {}
    for e in log_lines(first.stderr + first.stdout):
        if e.get("msg") == "stored stage files":
            stored[e["stage"]] = (e["files"], e["bytes"], e["duration_ms"])
        if e.get("msg") == "stage finished":
            took[e["stage"]] = e["duration_ms"]
    for st in ("brand_researcher", "script_writer", "seo_optimizer", "media_generator",
               "media_editor", "publisher"):
        f, b, ms = stored.get(st, (0, 0, 0.0))
        t = took.get(st, 0.0)
        print("| %s | %.0f ms | %d (%.2f MB) | %.1f ms | %.1f %% |" %
              (st, t, f, b / 1e6, ms, 100.0 * ms / t if t else 0))
    for e in log_lines(second.stderr + second.stdout):
        if e.get("msg") == "fetched run files from the store":
            print("\nresume on an empty host before media_editor: fetched %d files (%.2f MB) in "
                  "%.1f ms" % (e["files"], e["bytes"] / 1e6, e["duration_ms"]))
    if second.returncode != 0:
        print("(resume run failed: %s)" % second.stderr[-500:])


def main():
    reps = 5
    if "--reps" in sys.argv:
        reps = int(sys.argv[sys.argv.index("--reps") + 1])
    root = tempfile.mkdtemp(prefix="yaa-bench-store-")
    proc, endpoint = start_s3rver(root)
    try:
        print("load average before: %s" % open("/proc/loadavg").read().split()[:3])
        throughput(endpoint, root, reps)
        if "--skip-run" not in sys.argv:
            stage_overhead(endpoint, root)
        print("load average after: %s" % open("/proc/loadavg").read().split()[:3])
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
