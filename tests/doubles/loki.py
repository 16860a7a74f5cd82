#!/usr/bin/env python3
"""loki.py - a local double of Grafana Loki's HTTP API (python3 standard library only).

Grafana Loki is not packaged in Debian (Debian's `loki` is an unrelated genetics program), so
yaa's tests push to this double instead. It speaks the parts of Loki's wire format yaa uses:

  POST /loki/api/v1/push       JSON push body; 204 on success; 400 with a Loki-like message on
                               a malformed body (timestamps must be strings of nanoseconds,
                               every stream needs labels, values are [ts, line] pairs), 415 on
                               a content type other than application/json
  GET  /loki/api/v1/query_range
                               LogQL subset: a stream selector {a="b", c!="d", e=~"re", f!~"re"}
                               then any of |= "s", != "s", |~ "re", !~ "re", | json,
                               | field="v" (also != =~ !~) after | json; start/end (ns or RFC 3339),
                               limit, direction (backward default); answers resultType "streams"
  GET  /loki/api/v1/labels, /loki/api/v1/label/<name>/values
  GET  /ready                  "ready"

Test controls (not Loki): POST /test/faults {"fail": N, "status": 500} makes the next N pushes
answer that status; {"hang": seconds} makes pushes sleep first; GET /test/stats; POST /test/reset.

Usage: loki.py [--host 127.0.0.1] [--port 0]  -> prints "PORT <n>" on stdout once listening.
"""
import argparse
import datetime
import json
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


class Store:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.entries = []  # (ts_ns, labels dict, line)
        self.pushes = 0
        self.accepted = 0
        self.failed = 0
        self.rejected = 0
        self.fail_left = 0
        self.fail_status = 500
        self.hang = 0.0


STORE = Store()


class BadRequest(Exception):
    pass


def validate_push(body):
    """Returns [(ts, labels, line)] or raises BadRequest with a Loki-like message."""
    try:
        doc = json.loads(body)
    except ValueError as e:
        raise BadRequest("loghttp.PushRequest: invalid JSON: %s" % e)
    if not isinstance(doc, dict) or not isinstance(doc.get("streams"), list):
        raise BadRequest("loghttp.PushRequest.Streams: expected an array of streams")
    out = []
    for s in doc["streams"]:
        if not isinstance(s, dict):
            raise BadRequest("loghttp.PushRequest.Streams: stream must be an object")
        labels = s.get("stream")
        if not isinstance(labels, dict) or not labels:
            raise BadRequest("error parsing labels: at least one label pair is required per stream")
        for k, v in labels.items():
            if not LABEL_NAME.match(k) or not isinstance(v, str):
                raise BadRequest("error parsing labels %s: invalid label %r" % (json.dumps(labels), k))
        values = s.get("values")
        if not isinstance(values, list):
            raise BadRequest("loghttp.PushRequest.Streams: values must be an array")
        for v in values:
            if not isinstance(v, list) or len(v) not in (2, 3):
                raise BadRequest("loghttp.PushRequest.Streams: value must be [ts, line]")
            ts, line = v[0], v[1]
            if not isinstance(ts, str):
                raise BadRequest(
                    "loghttp.PushRequest.Streams: []*loghttp.Stream: unmarshalerDecoder: "
                    "Value looks like Number/Boolean/None, but can't find its end: ',' or '}' "
                    "symbol (timestamps must be strings)")
            if not ts.isdigit():
                raise BadRequest("loghttp.PushRequest.Streams: invalid timestamp %r" % ts)
            if not isinstance(line, str):
                raise BadRequest("loghttp.PushRequest.Streams: log line must be a string")
            out.append((int(ts), dict(labels), line))
    return out


# ---- LogQL subset ----------------------------------------------------------------------------

TOKEN = re.compile(r'\s*(\|=|!=|\|~|!~|=~|\||=|\{|\}|,|"(?:[^"\\]|\\.)*"|`[^`]*`|[a-zA-Z_][a-zA-Z0-9_]*)')


def tokenize(q):
    pos, toks = 0, []
    q = q.strip()
    while pos < len(q):
        m = TOKEN.match(q, pos)
        if not m:
            raise BadRequest("parse error at position %d: syntax error" % pos)
        toks.append(m.group(1))
        pos = m.end()
        while pos < len(q) and q[pos].isspace():
            pos += 1
    return toks


def unquote(t):
    if t.startswith("`"):
        return t[1:-1]
    if t.startswith('"'):
        return json.loads(t)
    raise BadRequest("parse error: expected a string, got %r" % t)


def matcher(op, value):
    if op == "=":
        return lambda x: x == value
    if op == "!=":
        return lambda x: x != value
    rx = re.compile(value)
    if op == "=~":
        return lambda x: rx.fullmatch(x) is not None
    return lambda x: rx.fullmatch(x) is None


def parse_logql(q):
    toks = tokenize(q)
    i = 0
    if not toks or toks[0] != "{":
        raise BadRequest("parse error: queries must start with a stream selector")
    i = 1
    selector = []
    while toks[i] != "}":
        name, op, val = toks[i], toks[i + 1], unquote(toks[i + 2])
        if op not in ("=", "!=", "=~", "!~"):
            raise BadRequest("parse error: bad matcher operator %r" % op)
        selector.append((name, matcher(op, val)))
        i += 3
        if toks[i] == ",":
            i += 1
    i += 1
    if not selector:
        raise BadRequest("parse error: queries require at least one matcher")
    stages = []
    while i < len(toks):
        t = toks[i]
        if t in ("|=", "!=", "|~", "!~"):
            s = unquote(toks[i + 1])
            if t == "|=":
                stages.append(("line", lambda e, s=s: s in e["line"]))
            elif t == "!=":
                stages.append(("line", lambda e, s=s: s not in e["line"]))
            else:
                rx = re.compile(s)
                keep = t == "|~"
                stages.append(("line", lambda e, rx=rx, keep=keep: (rx.search(e["line"]) is not None) == keep))
            i += 2
        elif t == "|" and i + 1 < len(toks) and toks[i + 1] == "json":
            stages.append(("json", None))
            i += 2
        elif t == "|":
            name, op, val = toks[i + 1], toks[i + 2], unquote(toks[i + 3])
            m = matcher(op, val)
            stages.append(("label", lambda e, name=name, m=m: m(e["labels"].get(name, ""))))
            i += 4
        else:
            raise BadRequest("parse error: unexpected %r" % t)
    return selector, stages


def flatten_leaf(k, x, out):
    k = re.sub(r"[^a-zA-Z0-9_]", "_", k)
    if x is None:
        out[k] = ""
    elif isinstance(x, bool):
        out[k] = "true" if x else "false"
    elif isinstance(x, (int, float, str)):
        out[k] = str(x)
    else:
        out[k] = json.dumps(x)


def run_query(q, start, end, limit, direction):
    selector, stages = parse_logql(q)
    with STORE.lock:
        entries = list(STORE.entries)
    matched = []
    for ts, labels, line in entries:
        if ts < start or ts >= end:
            continue
        if not all(name in labels and m(labels[name]) or (name not in labels and m(""))
                   for name, m in selector):
            continue
        e = {"line": line, "labels": dict(labels)}
        ok = True
        for kind, fn in stages:
            if kind == "json":
                try:
                    doc = json.loads(line)
                except ValueError:
                    e["labels"]["__error__"] = "JSONParserErr"
                    continue
                extracted = {}
                if isinstance(doc, dict):
                    for k, x in doc.items():
                        if isinstance(x, dict):
                            for k2, x2 in x.items():
                                flatten_leaf(k + "_" + k2, x2, extracted)
                        else:
                            flatten_leaf(k, x, extracted)
                for k, x in extracted.items():
                    # like Loki: a field named like a stream label becomes <name>_extracted
                    e["labels"][k + "_extracted" if k in labels else k] = x
            elif not fn(e):
                ok = False
                break
        if ok:
            matched.append((ts, e))
    matched.sort(key=lambda p: p[0], reverse=(direction != "forward"))
    matched = matched[:limit]
    streams = {}
    for ts, e in matched:
        key = tuple(sorted(e["labels"].items()))
        streams.setdefault(key, []).append([str(ts), e["line"]])
    return [{"stream": dict(k), "values": v} for k, v in streams.items()]


def parse_time(s, default):
    if s is None or s == "":
        return default
    if s.isdigit():
        n = int(s)
        return n if n > 10**12 else n * 10**9
    try:
        return int(float(s) * 1e9)
    except ValueError:
        pass
    dt = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return int(dt.timestamp() * 1e9)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def send(self, status, body=b"", ctype="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        if body:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        u = urlparse(self.path)
        qs = {k: v[-1] for k, v in parse_qs(u.query).items()}
        if u.path == "/ready":
            return self.send(200, "ready\n", "text/plain")
        if u.path == "/test/stats":
            with STORE.lock:
                return self.send(200, {"pushes": STORE.pushes, "accepted": STORE.accepted,
                                       "failed": STORE.failed, "rejected": STORE.rejected,
                                       "lines": len(STORE.entries)})
        if u.path == "/loki/api/v1/query_range":
            now = time.time_ns()
            try:
                end = parse_time(qs.get("end"), now)
                start = parse_time(qs.get("start"), end - 3600 * 10**9)
                limit = int(qs.get("limit", "100"))
                result = run_query(qs.get("query", ""), start, end, limit,
                                   qs.get("direction", "backward"))
            except (BadRequest, ValueError, IndexError, re.error) as e:
                return self.send(400, str(e) + "\n", "text/plain")
            return self.send(200, {"status": "success",
                                   "data": {"resultType": "streams", "result": result,
                                            "stats": {}}})
        if u.path == "/loki/api/v1/labels":
            with STORE.lock:
                names = sorted({k for _, l, _ in STORE.entries for k in l})
            return self.send(200, {"status": "success", "data": names})
        m = re.match(r"^/loki/api/v1/label/([^/]+)/values$", u.path)
        if m:
            with STORE.lock:
                vals = sorted({l[m.group(1)] for _, l, _ in STORE.entries if m.group(1) in l})
            return self.send(200, {"status": "success", "data": vals})
        return self.send(404, "404 page not found\n", "text/plain")

    def do_POST(self):
        u = urlparse(self.path)
        body = self.read_body()
        if u.path == "/test/faults":
            cfg = json.loads(body or b"{}")
            with STORE.lock:
                STORE.fail_left = int(cfg.get("fail", 0))
                STORE.fail_status = int(cfg.get("status", 500))
                STORE.hang = float(cfg.get("hang", 0))
            return self.send(204)
        if u.path == "/test/reset":
            with STORE.lock:
                STORE.reset()
            return self.send(204)
        if u.path != "/loki/api/v1/push":
            return self.send(404, "404 page not found\n", "text/plain")
        with STORE.lock:
            STORE.pushes += 1
            hang = STORE.hang
            fail = STORE.fail_left > 0
            if fail:
                STORE.fail_left -= 1
                STORE.failed += 1
                status = STORE.fail_status
        if hang:
            time.sleep(hang)
        if fail:
            return self.send(status, "injected failure\n", "text/plain")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype != "application/json":
            with STORE.lock:
                STORE.rejected += 1
            return self.send(415, "unsupported content type %r (the double speaks JSON only)\n"
                             % ctype, "text/plain")
        try:
            entries = validate_push(body)
        except BadRequest as e:
            with STORE.lock:
                STORE.rejected += 1
            return self.send(400, str(e) + "\n", "text/plain")
        with STORE.lock:
            STORE.entries.extend(entries)
            STORE.accepted += 1
        return self.send(204)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=3100)
    args = ap.parse_args()
    srv = ThreadingHTTPServer((args.host, args.port), Handler)
    srv.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=srv.shutdown).start())
    print("PORT %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    srv.server_close()


if __name__ == "__main__":
    sys.exit(main())
