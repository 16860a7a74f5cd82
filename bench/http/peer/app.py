"""app.py - the FastAPI + SQLite peer of yaa's `GET /api/v1/pipeline/runs` for bench/http.

The same endpoint, written the way a small production FastAPI service would be: the API key's
SHA-256 looked up in yaa's own `api_keys` table (active, not expired, holding the "read"
scope), COUNT(*) for the total, the newest-first page (created_at DESC, id DESC, LIMIT/OFFSET),
and the same JSON shape as yaa's RunSummary list (docs/API.md). It opens the very SQLite file
yaa serves (WAL mode), one connection per thread, read-only.

Run: YAA_PEER_DB=/path/yaa.db python3 -m uvicorn app:app --workers 2 --app-dir bench/http/peer
"""
import datetime
import hashlib
import json
import os
import sqlite3
import threading

from fastapi import FastAPI, Header, HTTPException, Query

DB_PATH = os.environ.get("YAA_PEER_DB", "yaa.db")
app = FastAPI(title="yaa bench peer")
_local = threading.local()


def conn() -> sqlite3.Connection:
    c = getattr(_local, "c", None)
    if c is None:
        c = sqlite3.connect("file:%s?mode=ro" % DB_PATH, uri=True, timeout=5,
                            check_same_thread=False)
        c.execute("PRAGMA busy_timeout=5000")
        _local.c = c
    return c


def public_time(stored):
    """yaa's stored timestamps (RFC 3339 with microseconds) as the API shows them (seconds, Z)."""
    if not stored:
        return None
    try:
        t = datetime.datetime.strptime(stored[:19], "%Y-%m-%dT%H:%M:%S")
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return stored


def authorise(key):
    if not key:
        raise HTTPException(401, "Missing API key (send it in the X-API-Key header)")
    h = hashlib.sha256(key.encode()).hexdigest()
    row = conn().execute("SELECT id, scopes_json, is_active, expires_at FROM api_keys "
                         "WHERE key_hash = ?", (h,)).fetchone()
    if row is None:
        raise HTTPException(401, "Invalid API key")
    _, scopes, active, expires = row
    if not active:
        raise HTTPException(401, "API key has been revoked")
    now = datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S")
    if expires and expires[:19] <= now:
        raise HTTPException(401, "API key has expired")
    if "read" not in json.loads(scopes or "[]"):
        raise HTTPException(403, "API key lacks the 'read' scope")


@app.get("/api/v1/pipeline/runs")
def list_runs(limit: int = Query(20, ge=1, le=1000), offset: int = Query(0, ge=0),
              x_api_key: str = Header(None)):
    authorise(x_api_key)
    c = conn()
    total = c.execute("SELECT COUNT(*) FROM pipeline_runs").fetchone()[0]
    rows = c.execute("SELECT id, channel_id, topic, status, dry_run, created_at, completed_at, "
                     "batch_id, options_json FROM pipeline_runs "
                     "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                     (limit, offset)).fetchall()
    runs = []
    for r in rows:
        opts = {}
        if r[8]:
            try:
                opts = json.loads(r[8])
            except ValueError:
                opts = {}
        runs.append({"run_id": r[0], "channel_id": r[1], "topic": r[2], "status": r[3],
                     "dry_run": bool(r[4]), "created_at": public_time(r[5]),
                     "completed_at": public_time(r[6]), "batch_id": r[7],
                     "publish_at": opts.get("publish_at") if isinstance(opts, dict) else None})
    return {"runs": runs, "total": total, "limit": limit, "offset": offset}
