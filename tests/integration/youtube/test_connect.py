#!/usr/bin/env python3
"""Connecting a channel to its own YouTube account, end to end against the double of Google's
consent screen, token endpoint and channels.list (tests/doubles/youtube_double.py):

- `yaa channels connect-youtube` prints a consent link; a "browser" follows it, the double
  redirects to yaa's loopback listener, yaa exchanges the code (PKCE), checks ownership and
  stores the refresh token sealed (the table never holds it in clear; the key file is 0600);
- a refused consent and an account that does not own the channel store nothing and say why;
- the dashboard's flow through `yaa serve`: POST .../youtube/connect (admin only), the
  public callback with the one-use state, GET .../youtube, DELETE .../youtube; no reply ever
  carries the token.
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("YAA_SOURCE_DIR") or os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "integration", "api"))
from yaa_server import YaaServer  # noqa: E402

BIN = os.environ.get("YAA_BIN") or os.path.join(SRC, "build", "yaa")
OWNED = "UCabcdefghijklmnopqrstuv"


class Double:
    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-u", os.path.join(SRC, "tests", "doubles", "youtube_double.py")],
            stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        self.base = "http://127.0.0.1:%d" % int(line.split()[1])

    def control(self, **kw):
        req = urllib.request.Request(self.base + "/_control", data=json.dumps(kw).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=5).read()

    def requests(self):
        return json.loads(urllib.request.urlopen(self.base + "/_requests", timeout=5).read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.proc.stdout.close()


def browse(url):
    """A browser: follows the consent screen's redirect; returns (status, body)."""
    try:
        r = urllib.request.urlopen(url, timeout=10)
        return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def youtube_env(d, tmp):
    return {"YOUTUBE_CLIENT_ID": "cid.apps.googleusercontent.com",
            "YOUTUBE_CLIENT_SECRET": "cs-test",
            "YOUTUBE_TOKEN_URL": d.base + "/token",
            "YOUTUBE_AUTH_URL": d.base + "/o/oauth2/v2/auth",
            "YOUTUBE_API_BASE_URL": d.base,
            "SECRET_KEY_FILE": os.path.join(tmp, "data", "secret.key")}


class ConnectCli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="yaa-connect-")
        self.d = Double()
        chans = os.path.join(self.tmp, "channels")
        shutil.copytree(os.path.join(SRC, "channels", "home_cooking_en"),
                        os.path.join(chans, "cooking"))
        cfg = os.path.join(chans, "cooking", "config.yaml")
        with open(cfg) as f:
            text = f.read()
        text = re.sub(r'youtube_channel_id:.*', 'youtube_channel_id: "%s"' % OWNED, text)
        with open(cfg, "w") as f:
            f.write(text)
        self.db = os.path.join(self.tmp, "yaa.db")
        self.env = dict(os.environ)
        self.env.update(youtube_env(self.d, self.tmp))
        self.env.update({"DATABASE_URL": "sqlite:///" + self.db, "CHANNELS_DIR": chans,
                         "YAA_MIGRATIONS_DIR": os.path.join(SRC, "migrations"),
                         "LOG_FORMAT": "text"})

    def tearDown(self):
        self.d.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def connect(self):
        p = subprocess.Popen([BIN, "channels", "connect-youtube", "cooking", "--timeout", "30"],
                             env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        url = None
        for line in p.stdout:
            m = re.search(r"(http://\S+/o/oauth2/v2/auth\?\S+)", line)
            if m:
                url = m.group(1)
            if line.startswith("Waiting"):
                break
        self.assertIsNotNone(url, "no consent link printed")
        status, body = browse(url)
        out, err = p.communicate(timeout=30)
        return p.returncode, out, err, status, body

    def rows(self):
        con = sqlite3.connect(self.db)
        try:
            return con.execute("SELECT channel_id, account_channel_id, sealed_token "
                               "FROM channel_credentials").fetchall()
        finally:
            con.close()

    def test_connect_stores_a_sealed_token(self):
        self.d.control(owned_channel=OWNED)
        rc, out, err, status, body = self.connect()
        self.assertEqual(rc, 0, err)
        self.assertEqual(status, 200)
        self.assertIn("Connected", body)
        self.assertIn("uploads to YouTube channel " + OWNED, out)
        rows = self.rows()
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][:2], ("cooking", OWNED))
        self.assertTrue(rows[0][2].startswith("v1:"))
        self.assertNotIn("rt-issued", rows[0][2])
        key = os.path.join(self.tmp, "data", "secret.key")
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)
        # the refresh token appears nowhere in yaa's output
        self.assertNotIn("rt-issued", out + err)
        st = subprocess.run([BIN, "channels", "youtube-status", "cooking", "--json"],
                            env=self.env, capture_output=True, text=True)
        self.assertEqual(json.loads(st.stdout)["account"], "channel")
        # the code exchange carried the PKCE verifier; the consent URL only the challenge
        reqs = [r for r in self.d.requests()["requests"] if r["path"] == "/token"]
        self.assertIn("code_verifier=", reqs[0]["body"])
        self.assertEqual(sum(len(r["violations"]) for r in self.d.requests()["requests"]), 0)
        dis = subprocess.run([BIN, "channels", "disconnect-youtube", "cooking"], env=self.env,
                             capture_output=True, text=True)
        self.assertEqual(dis.returncode, 0)
        self.assertEqual(self.rows(), [])

    def test_refused_consent(self):
        self.d.control(consent="deny")
        rc, out, err, status, body = self.connect()
        self.assertEqual(rc, 1)
        self.assertIn("consent was refused", err)
        self.assertEqual(self.rows(), [])

    def test_account_not_owner(self):
        self.d.control(owned_channel="UC" + "z" * 22)
        rc, out, err, status, body = self.connect()
        self.assertEqual(rc, 1)
        self.assertIn("UC" + "z" * 22, err)
        self.assertIn(OWNED, err)
        self.assertEqual(self.rows(), [])

    def test_bad_usage(self):
        r = subprocess.run([BIN, "channels", "connect-youtube"], env=self.env,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        r = subprocess.run([BIN, "channels", "connect-youtube", "cooking", "--timeout"],
                           env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--timeout", r.stderr)

    def test_template_refused(self):
        # the folder new channels are copied from never gets an account of its own
        for sub in ("connect-youtube", "disconnect-youtube", "youtube-status"):
            r = subprocess.run([BIN, "channels", sub, "_template"], env=self.env,
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 2, sub)
            self.assertIn("reserved", r.stderr)


class ConnectApi(unittest.TestCase):
    backend = "sqlite"

    def setUp(self):
        self.d = Double()
        self.d.control(owned_channel=OWNED)
        tmp = tempfile.mkdtemp(prefix="yaa-connect-api-")
        self.tmp = tmp
        self.srv = YaaServer(backend=self.backend, env=youtube_env(self.d, tmp))
        cfg = os.path.join(self.srv.channels, "home_cooking_en", "config.yaml")
        with open(cfg) as f:
            text = f.read()
        with open(cfg, "w") as f:
            f.write(re.sub(r'youtube_channel_id:.*', 'youtube_channel_id: "%s"' % OWNED, text))

    def tearDown(self):
        self.srv.stop()
        self.d.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_dashboard_flow(self):
        base = "/api/v1/channels/home_cooking_en/youtube"
        st = self.srv.get(base).json()
        self.assertEqual(st["account"], "none")
        self.assertTrue(st["can_connect"])
        # a read key may look but not connect
        key = self.srv.post("/api/v1/admin/api-keys", {"name": "ro", "scopes": ["read"]})
        ro = key.json().get("api_key") or key.json().get("key")
        self.assertEqual(self.srv.post(base + "/connect", key=ro).status, 403)
        r = self.srv.post(base + "/connect")
        self.assertEqual(r.status, 200, r.body)
        start = r.json()
        self.assertTrue(start["redirect_uri"].endswith("/api/v1/youtube/oauth/callback"))
        self.assertIn("code_challenge=", start["auth_url"])
        # the browser: consent, then back to yaa's public callback (no API key)
        status, body = browse(start["auth_url"])
        self.assertEqual(status, 200, body)
        self.assertIn("Connected", body)
        st = self.srv.get(base).json()
        self.assertEqual(st["account"], "channel")
        self.assertEqual(st["youtube_channel_id"], OWNED)
        row = self.srv.sql("SELECT sealed_token FROM channel_credentials")
        self.assertTrue(row[0][0].startswith("v1:"))
        # the state is used up: replaying the callback fails
        cb = [r for r in self.d.requests()["requests"] if r["path"].startswith("/o/oauth2")][0]
        state = re.search(r"state=([^&]+)", cb["path"]).group(1)
        replay = self.srv.get("/api/v1/youtube/oauth/callback?state=%s&code=x" % state, key=None)
        self.assertEqual(replay.status, 400)
        self.assertNotIn(b"rt-issued", replay.body)
        # no token anywhere in what the API said or logged
        self.assertNotIn("rt-issued", json.dumps(st))
        self.assertNotIn("rt-issued", self.srv.logs())
        self.assertEqual(self.srv.request("DELETE", base).status, 200)
        self.assertEqual(self.srv.request("DELETE", base).status, 404)
        self.assertEqual(self.srv.get(base).json()["account"], "none")

    def test_refused_consent_via_api(self):
        self.d.control(consent="deny")
        start = self.srv.post("/api/v1/channels/home_cooking_en/youtube/connect").json()
        status, body = browse(start["auth_url"])
        self.assertEqual(status, 400)
        self.assertIn("Access was not granted", body)
        self.assertEqual(int(self.srv.sql("SELECT COUNT(*) FROM channel_credentials")[0][0]), 0)

    def test_template_refused(self):
        """The template new channels are copied from is not a channel: its account routes answer
        403 like the other channel routes, and no consent flow is started for it."""
        base = "/api/v1/channels/_template/youtube"
        for method, path in (("POST", base + "/connect"), ("GET", base), ("DELETE", base)):
            r = self.srv.request(method, path)
            self.assertEqual(r.status, 403, (method, path, r.body))
            self.assertIn("reserved", r.json()["detail"])
            self.assertNotIn(self.srv.dir.encode(), r.body)
        self.assertEqual(int(self.srv.sql("SELECT COUNT(*) FROM oauth_states")[0][0]), 0)
        self.assertEqual([r for r in self.d.requests()["requests"]
                          if r["path"].startswith("/o/oauth2")], [])
        # the same shape as the channel routes' refusal
        ch = self.srv.request("DELETE", "/api/v1/channels/_template")
        self.assertEqual(ch.status, 403)
        self.assertEqual(set(ch.json()), {"detail"})
        self.assertEqual(self.srv.request("POST", base + "/connect").json(), ch.json())

    def test_unknown_channel(self):
        r = self.srv.post("/api/v1/channels/nope/youtube/connect")
        self.assertEqual(r.status, 404)


class ConnectApiPostgres(ConnectApi):
    """The same flows with the credentials and flow states in PostgreSQL."""
    backend = "postgres"


if __name__ == "__main__":
    unittest.main(verbosity=2)
