"""abuse.py - one hostile address against a real `yaa serve` while another address checks it.

From 127.0.0.1 (the attacker), at the same time:
  - SLOW connections that send a request head one header line every 2 s (slowloris),
    re-opened as the server closes them;
  - SSE event streams held open on a pending run;
  - FLOOD requests with random (invalid) API keys, on kept-alive connections.
From 127.0.0.2 (another client), CLIENTS kept-alive connections ask GET /api/v1/health in a
loop for the whole time (a separate process, so the attacker's work does not slow the
measuring one).

Asserted: every /health from the other address answers 200 (no failure, no time-out); every
SSE stream that was admitted is a 200 text/event-stream; the flood gets only 401 and 429,
at most AUTH_FAILURES_PER_MINUTE (+ refill) 401s; it adds at most a few audit rows whose
request_count add up to the flood; the server's thread count does not grow with the streams.
Printed (for docs/RELIABILITY.md, never asserted): p50/p99/max of /health, server RSS and
threads. Counts come from the command line or the environment (CI uses small ones):

  python3 tests/chaos/abuse.py [--slow 2000] [--sse 200] [--flood 3000] [--seconds 20]
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration", "api"))
from yaa_server import ADMIN_KEY, YaaServer  # noqa: E402

API = "/api/v1"
ATTACKER = "127.0.0.1"
OTHER = "127.0.0.2"

PROBE = r'''
import http.client, json, sys, threading, time
port, seconds, clients = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
lat, fails = [], []
lock = threading.Lock()
def run():
    conn = None
    end = time.time() + seconds
    while time.time() < end:
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5,
                                                  source_address=("127.0.0.2", 0))
            t = time.perf_counter()
            conn.request("GET", "/api/v1/health")
            r = conn.getresponse()
            r.read()
            d = time.perf_counter() - t
            with lock:
                (lat.append(d) if r.status == 200 else fails.append("status %d" % r.status))
            if r.getheader("Connection", "").lower() == "close":
                conn.close(); conn = None
        except Exception as e:  # a failure is what the test is about
            with lock:
                fails.append(repr(e))
            if conn: conn.close()
            conn = None
        time.sleep(0.01)
ts = [threading.Thread(target=run) for _ in range(clients)]
[t.start() for t in ts]
[t.join() for t in ts]
print(json.dumps({"lat": lat, "fails": fails[:20], "nfails": len(fails)}))
'''


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "Threads"):
                out[k] = int(v.split()[0])
    return out


def connect(port, nonblock=True):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((ATTACKER, 0))
    if nonblock:
        s.setblocking(False)
        try:
            s.connect((ATTACKER, port))
        except BlockingIOError:
            pass
    else:
        s.settimeout(5)
        s.connect((ATTACKER, port))
    return s


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def read_head(s, timeout=5):
    s.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def flood_turn(port, socks, status, sent, total):
    """One request with a random key on each flood connection; returns the new sent count."""
    for i, fs in enumerate(socks):
        if sent >= total:
            break
        try:
            fs.sendall(("GET %s/pipeline/runs HTTP/1.1\r\nHost: x\r\nX-API-Key: yaa_%s"
                        "\r\n\r\n" % (API, uuid.uuid4().hex)).encode())
            head = read_head(fs)
            if not head:
                # the server closed this kept-alive connection before the request reached it
                # (its idle deadline); like any HTTP client, send it again on a new one
                raise OSError("connection closed by the server")
            n = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    n = int(line.split(b":")[1])
            body = head.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in head else b""
            while len(body) < n:
                body += fs.recv(n - len(body))
            code = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.") else 0
            status[code] = status.get(code, 0) + 1
            sent += 1
        except OSError:
            fs.close()
            socks[i] = connect(port, nonblock=False)
    return sent


def main():
    ap = argparse.ArgumentParser()
    env = os.environ
    ap.add_argument("--slow", type=int, default=int(env.get("ABUSE_SLOW", 2000)))
    ap.add_argument("--sse", type=int, default=int(env.get("ABUSE_SSE", 200)))
    ap.add_argument("--flood", type=int, default=int(env.get("ABUSE_FLOOD", 3000)))
    ap.add_argument("--seconds", type=float, default=float(env.get("ABUSE_SECONDS", 20)))
    ap.add_argument("--clients", type=int, default=4)
    a = ap.parse_args()
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    per_ip = max(256, a.sse + 64)
    srv = YaaServer("sqlite", workers=0, env={
        "API_MAX_CONNECTIONS_PER_IP": str(per_ip),
        "API_MAX_CONNECTIONS": "4096",
        "SSE_MAX_STREAMS_PER_KEY": str(a.sse + 10),
        "RATE_LIMIT_PER_MINUTE": "1000000",
        "AUTH_FAILURES_PER_MINUTE": "20",
    })
    ok = True
    try:
        r = srv.post(API + "/pipeline/run", {"channel_id": "demo", "topic": "abuse"})
        assert r.status == 202, r.body
        run_id = r.json()["run_id"]
        # libmicrohttpd's pool threads can still be starting after /health first answers (on
        # a loaded machine for a second or more): the baseline is the settled count
        before, settle_end = proc_status(srv.proc.pid), time.time() + 10
        while time.time() < settle_end:
            time.sleep(0.5)
            now = proc_status(srv.proc.pid)
            if now["Threads"] == before["Threads"]:
                break
            before = now
        refused_rows = "SELECT COUNT(*) FROM audit_logs WHERE status_code IN (401, 429)"
        audit_before = int(srv.sql(refused_rows)[0][0])

        # SSE streams first (they need their slots), each read up to its head
        streams, sse_status = [], {}
        for _ in range(a.sse):
            try:
                s = connect(srv.port, nonblock=False)
                s.sendall(("GET %s/pipeline/runs/%s/events HTTP/1.1\r\nHost: x\r\n"
                           "X-API-Key: %s\r\n\r\n" % (API, run_id, ADMIN_KEY)).encode())
                head = read_head(s)
                code = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.") else 0
                sse_status[code] = sse_status.get(code, 0) + 1
                if code == 200 and b"text/event-stream" in head:
                    streams.append(s)
                else:
                    s.close()
            except OSError as e:
                sse_status[repr(e)] = sse_status.get(repr(e), 0) + 1
        with_streams = proc_status(srv.proc.pid)

        probe = subprocess.Popen([sys.executable, "-c", PROBE, str(srv.port), str(a.seconds),
                                  str(a.clients)], stdout=subprocess.PIPE, text=True)
        slow, opened_slow, closed_slow, started = [], 0, 0, set()
        flood_socks = [connect(srv.port, nonblock=False) for _ in range(2)]
        flood_status, flood_sent = {}, 0
        t_flood0 = time.time()
        end = t_flood0 + a.seconds
        next_line = time.time()
        while time.time() < end:
            # keep up to --slow slow heads open (the server refuses or closes most of them)
            while len(slow) < a.slow and opened_slow < a.slow * 20:
                try:
                    s = connect(srv.port)
                except OSError:
                    break
                slow.append(s)
                opened_slow += 1
            if time.time() >= next_line:
                next_line = time.time() + 2
                alive = []
                for s in slow:
                    try:
                        first = id(s) not in started
                        s.send(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n" if first
                               else b"X-Slow: 1\r\n")
                        started.add(id(s))
                        alive.append(s)
                    except (BlockingIOError, InterruptedError):
                        alive.append(s)
                    except OSError:
                        s.close()
                        closed_slow += 1
                slow = alive
            flood_sent = flood_turn(srv.port, flood_socks, flood_status, flood_sent, a.flood)
            if flood_sent >= a.flood:
                time.sleep(0.05)
        # a loaded machine may not have sent it all in time: the rest now (still counted)
        while flood_sent < a.flood:
            flood_sent = flood_turn(srv.port, flood_socks, flood_status, flood_sent, a.flood)
        flood_sec = time.time() - t_flood0
        held_slow = len(slow)
        during = proc_status(srv.proc.pid)
        out, _ = probe.communicate(timeout=a.seconds + 60)
        res = json.loads(out)
        lat = res["lat"]
        for s in slow + streams + flood_socks:
            s.close()

        # the flood's audit rows: counted per address and 10 s window
        deadline = time.time() + 25
        counted = 0
        while time.time() < deadline:
            rows = srv.sql("SELECT request_count FROM audit_logs WHERE status_code IN (401, 429)")
            counted = sum(int(r[0]) for r in rows)
            if counted >= flood_sent:
                break
            time.sleep(0.5)
        audit_rows = int(srv.sql(refused_rows)[0][0]) - audit_before

        report = {
            "slow": {"wanted": a.slow, "opened": opened_slow, "open_client_side_at_end": held_slow,
                     "closed_by_server": closed_slow},
            "sse": {"wanted": a.sse, "status": {str(k): v for k, v in sse_status.items()}},
            "flood": {"sent": flood_sent, "status": {str(k): v for k, v in flood_status.items()},
                      "audit_rows_added": audit_rows, "audit_requests_counted": counted},
            "health_other_address": {"requests": len(lat), "failures": res["nfails"],
                                     "p50_ms": round(pct(lat, 50) * 1000, 2),
                                     "p99_ms": round(pct(lat, 99) * 1000, 2),
                                     "max_ms": round(max(lat) * 1000 if lat else 0, 2)},
            "server": {"threads_before": before["Threads"],
                       "threads_with_streams": with_streams["Threads"],
                       "threads_during": during["Threads"],
                       "rss_mb_before": round(before["VmRSS"] / 1024, 1),
                       "rss_mb_with_streams": round(with_streams["VmRSS"] / 1024, 1),
                       "rss_mb_during": round(during["VmRSS"] / 1024, 1)},
        }
        print(json.dumps(report, indent=2))
        checks = [
            (res["nfails"] == 0, "health from the other address failed: %r" % res["fails"]),
            (len(lat) > 0, "no health answer from the other address"),
            (sse_status.get(200, 0) == a.sse, "SSE streams not all admitted: %r" % sse_status),
            (set(flood_status) <= {401, 429}, "flood answers: %r" % flood_status),
            (flood_status.get(401, 0) <= 20 + 1 + int(flood_sec / 3),  # 20/min refill
             "too many 401s (per-address cap not applied): %r" % flood_status),
            (flood_sent == a.flood, "flood incomplete: %d of %d" % (flood_sent, a.flood)),
            (audit_rows <= 12, "the flood added %d audit rows" % audit_rows),
            (counted >= flood_sent, "audit counts %d of %d refused requests" % (counted,
                                                                                 flood_sent)),
            # streams cost no thread each: the count stays within the server's fixed threads
            # (a few start lazily, e.g. the stream hub, on a loaded machine), far below one per
            # stream, and does not grow further under the flood
            (with_streams["Threads"] <= before["Threads"] + 8 and
             with_streams["Threads"] - before["Threads"] < max(3, a.sse // 4) and
             during["Threads"] <= with_streams["Threads"] + 2,
             "threads grew with the streams: %d -> %d -> %d" % (
                 before["Threads"], with_streams["Threads"], during["Threads"])),
        ]
        for good, msg in checks:
            if not good:
                ok = False
                print("FAIL: " + msg)
    finally:
        rc = srv.stop()
        if rc != 0:
            ok = False
            print("FAIL: yaa serve did not stop cleanly: %r" % (rc,))
    print("abuse: %d passed, %d failed" % ((1, 0) if ok else (0, 1)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
