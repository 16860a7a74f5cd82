#!/usr/bin/env python3
"""test_workflow.py - review gates, scheduling and batches over the API of a real `yaa serve`
(python3 stdlib only; docs/WORKFLOW.md).

WorkflowSqlite (SQLite, db queue, in-process workers, offline provider, local media):
- a run with "review": "video" stops at awaiting_review with no publish.json and the video
  made; a rejection with notes re-runs script_writer (attempt 2 in run_stages), keeps the
  notes in the run detail and in script.json (revision_notes), and stops at the gate again;
- a metadata edit (checked against YouTube's limits: 422 per bad field; `category` is an
  alias of category_id) and an approval lead to a completed upload to the YouTube double
  (tests/doubles/youtube_double.py) whose recorded requests carry the edited title,
  description, tags and category, status.publishAt with privacyStatus private, the chapters
  in the description matching the section starts measured in the video (measured.py), and a
  captions.insert of the run's SRT in the channel's language;
- a channel with publishing.review: video stops a run started without review at the video
  gate (review "none" in the request overrides it), and its publishing.playlist_id is in the
  dry run's publish.json and in the double's playlistItems.insert; `yaa review edit` changes
  the metadata there and the script at the script gate;
- /openapi.json lists the PATCH metadata body (tags, category);
- the script gate: GET/PUT the script (a bad one is 422), approve from there;
- a read key gets 403 on every review endpoint and on the batch; decisions on a run that is
  not waiting answer 409;
- a batch of two topics creates two runs with one batch_id, listed together; a bad item is a
  422 naming topics.N.field; `yaa run --topics FILE` and `yaa review` on the same database.

WorkflowLlm (the Anthropic double as the model): a rejection's notes are in the script
writer's next prompt.

BatchPostgres: a batch refused midway by the database leaves no run and no job.

GateAcrossWorkers (PostgreSQL with Redis Streams, and with the db queue): `yaa serve
--workers 0` and a `yaa worker`; a run waits at the script gate, its worker is stopped, the
run is rejected with notes through the other API (another worker re-runs script_writer with
them and stops at the gate again), then approved, and that worker finishes it.

Run: python3 tests/integration/workflow/test_workflow.py [Class ...]
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "api"))
sys.path.insert(0, os.path.join(HERE, "..", "queue"))
sys.path.insert(0, os.path.join(HERE, "..", "youtube"))
sys.path.insert(0, os.path.join(HERE, "..", "usage"))
from yaa_server import ADMIN_KEY, BIN, YaaServer, qs  # noqa: E402
import measured  # noqa: E402
import test_distributed as dist  # noqa: E402
import test_usage  # noqa: E402
from test_connect import Double, youtube_env  # noqa: E402

API = "/api/v1"
MEDIA = {"YAA_MEDIA_PRESET": "ultrafast", "YAA_MEDIA_FPS": "10"}
PLAYLIST = "PLweeknight0123456789abcdefABCDEF"


def wait_status(get, run_id, want, timeout=600):
    """Polls the run until its status is one of want (a tuple); returns the detail."""
    deadline = time.time() + timeout
    d = None
    while time.time() < deadline:
        d = get(run_id)
        if d["status"] in want:
            return d
        if d["status"] in ("failed", "cancelled") and d["status"] not in want:
            raise AssertionError("run %s ended %s: %s" % (run_id, d["status"], d.get("errors")))
        time.sleep(0.5)
    raise AssertionError("run %s still %s after %ds" % (run_id, d and d["status"], timeout))


class YouTube(Double):
    """The double of Google's token endpoint and the YouTube Data API (uploads, captions,
    playlist items), with what it received."""

    def state(self):
        return json.loads(urllib.request.urlopen(self.base + "/_state", timeout=5).read())


class WorkflowSqlite(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Runs that are not dry runs upload to the YouTube double with the global credentials.
        cls.yt = YouTube()
        cls.tmp = tempfile.mkdtemp(prefix="yaa-workflow-")
        env = dict(MEDIA, YOUTUBE_REFRESH_TOKEN="rt-test", **youtube_env(cls.yt, cls.tmp))
        cls.s = YaaServer("sqlite", workers=2, env=env)
        # A channel whose config asks for the video gate and a playlist (publishing.*).
        reviewed = os.path.join(cls.s.channels, "reviewed_en")
        shutil.copytree(os.path.join(cls.s.channels, "home_cooking_en"), reviewed)
        with open(os.path.join(reviewed, "config.yaml"), "a", encoding="utf-8") as f:
            f.write("\npublishing:\n  review: video\n  playlist_id: \"%s\"\n" % PLAYLIST)
        r = cls.s.post(API + "/admin/api-keys", {"name": "reader", "scopes": ["read"]})
        cls.read_key = r.json()["api_key"]
        r = cls.s.post(API + "/admin/api-keys", {"name": "editor", "scopes": ["read", "write"]})
        cls.write_key = r.json()["api_key"]
        cls.write_key_id = r.json()["key_id"]

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()
        cls.yt.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def detail(self, run_id):
        r = self.s.get(API + "/pipeline/runs/" + run_id)
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def start(self, **body):
        b = {"channel_id": "home_cooking_en", "topic": "weeknight pasta", "dry_run": True}
        b.update(body)
        r = self.s.post(API + "/pipeline/run", b, key=self.write_key)
        self.assertEqual(r.status, 202, r.body)
        return r.json()["run_id"]

    def stage_attempts(self, run_id):
        rows = self.s.sql("SELECT stage, attempt, status FROM run_stages WHERE run_id = ?",
                          (run_id,))
        return {r[0]: (int(r[1]), r[2]) for r in rows}

    def out(self, run_id, name):
        return os.path.join(self.s.output, run_id, name)

    def test_video_gate_reject_edit_approve(self):
        rid = self.start(review="video", publish_at="2031-05-01T09:00:00+09:00", dry_run=False)
        d = wait_status(self.detail, rid, ("awaiting_review",))
        self.assertEqual(d["review"]["stage"], "video")
        self.assertEqual(d["review"]["mode"], "video")
        self.assertEqual(d["publish_at"], "2031-05-01T00:00:00Z")
        self.assertTrue(os.path.exists(self.out(rid, "video.mp4")))
        self.assertFalse(os.path.exists(self.out(rid, "publish.json")))
        self.assertNotIn("publisher", {k for k, v in self.stage_attempts(rid).items()
                                       if v[1] == "done"})
        # The metadata can be edited only at the video gate; the script only at the script gate.
        r = self.s.request("PUT", API + "/pipeline/runs/%s/script" % rid,
                           body={"title": "x", "sections": [{"heading": "h", "narration": "n"}]},
                           key=self.write_key)
        self.assertEqual(r.status, 409, r.body)

        # Reject with notes: script_writer runs again (attempt 2) and the run stops again.
        notes = "Open with the 15-minute version; mention the cost per serving."
        r = self.s.post(API + "/pipeline/runs/%s/reject" % rid,
                        {"notes": notes, "from_stage": "script_writer"}, key=self.write_key)
        self.assertEqual(r.status, 202, r.body)
        self.assertIn(r.json()["status"], ("pending", "running"))
        d = wait_status(self.detail, rid, ("awaiting_review",))
        att = self.stage_attempts(rid)
        self.assertEqual(att["script_writer"], (2, "done"))
        self.assertEqual(att["brand_researcher"][0], 1)
        self.assertEqual(att["media_editor"][0], 2)
        hist = d["review"]["history"]
        rej = [h for h in hist if h["action"] == "reject"]
        self.assertEqual(len(rej), 1)
        self.assertEqual(rej[0]["notes"], notes)
        self.assertEqual(rej[0]["from_stage"], "script_writer")
        self.assertEqual(rej[0]["key_id"], self.write_key_id)
        self.assertTrue(rej[0]["at"].endswith("Z"))
        with open(self.out(rid, "script.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)["revision_notes"], notes)
        self.assertFalse(os.path.exists(self.out(rid, "publish.json")))

        # Metadata edits are checked against YouTube's limits, one entry per bad field.
        r = self.s.request("PATCH", API + "/pipeline/runs/%s/metadata" % rid,
                           body={"title": "a <b>", "tags": ["long tag %d" % i for i in range(60)],
                                 "publish_at": "2020-01-01T00:00:00Z",
                                 "description": "é" * 2600, "thumbnail": "../x.png"},
                           key=self.write_key)
        self.assertEqual(r.status, 422, r.body)
        locs = {tuple(e["loc"]) for e in r.json()["detail"]}
        self.assertEqual(locs, {("body", "title"), ("body", "tags"), ("body", "publish_at"),
                                ("body", "description"), ("body", "thumbnail")})
        r = self.s.request("PATCH", API + "/pipeline/runs/%s/metadata" % rid,
                           body={"title": "T" * 101}, key=self.write_key)
        self.assertEqual(r.status, 422, r.body)
        for bad, loc in (({"tags": "pasta"}, "tags"), ({"tags": ["pasta", ""]}, "tags"),
                         ({"tags": ["pasta", 3]}, "tags"),
                         ({"category": "26", "category_id": "26"}, "category"),
                         ({"category": "cooking"}, "category")):
            r = self.s.request("PATCH", API + "/pipeline/runs/%s/metadata" % rid, body=bad,
                               key=self.write_key)
            self.assertEqual(r.status, 422, (bad, r.body))
            self.assertEqual([e["loc"] for e in r.json()["detail"]], [["body", loc]], bad)
        # "category" is another name for category_id
        r = self.s.request("PATCH", API + "/pipeline/runs/%s/metadata" % rid,
                           body={"category": "27"}, key=self.write_key)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["category_id"], "27")
        self.assertNotIn("category", r.json())
        title = "Pasta in 15 minutes: the weeknight version"
        description = "Dinner on the table in 15 minutes, and what it costs per serving."
        tags = ["pasta", "weeknight dinner"]

        def quality():
            with open(self.out(rid, "quality.json"), encoding="utf-8") as f:
                return json.load(f)
        before = quality()
        self.assertEqual(before["metadata"]["source"], "metadata.json")
        r = self.s.request("PATCH", API + "/pipeline/runs/%s/metadata" % rid,
                           body={"title": title, "publish_at": "2031-06-01T18:30:00Z",
                                 "tags": tags, "category_id": "26", "description": description,
                                 "thumbnail": "thumbnail.png"},
                           key=self.write_key)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["title"], title)
        self.assertEqual(r.json()["privacy"], "private")
        with open(self.out(rid, "metadata.json"), encoding="utf-8") as f:
            meta = json.load(f)
        self.assertEqual(meta["title"], title)
        # the PATCH refreshed quality.json's metadata part (the video's parts as measured)
        q = quality()
        self.assertEqual(q["metadata"]["title_chars"], len(title))
        self.assertEqual(q["metadata"]["description_bytes"], len(meta["description"].encode()))
        self.assertEqual(q["metadata"]["tags_chars"], len("pasta") + 1 + len("weeknight dinner") + 2)
        self.assertEqual(q["loudness"], before["loudness"])
        self.assertEqual(q["ok"], not q["failed"])
        r = self.s.get(API + "/pipeline/runs/%s/metadata" % rid, key=self.write_key)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["publish_at"], "2031-06-01T18:30:00Z")

        r = self.s.post(API + "/pipeline/runs/%s/approve" % rid, key=self.write_key)
        self.assertEqual(r.status, 202, r.body)
        d = wait_status(self.detail, rid, ("completed",))
        with open(self.out(rid, "publish.json"), encoding="utf-8") as f:
            pub = json.load(f)
        self.assertEqual(pub["publish_at"], "2031-06-01T18:30:00Z")
        self.assertFalse(pub["dry_run"])
        # the publisher's description (with the measured chapters) is what quality.json measures
        q = quality()
        up = pub["metadata"]
        self.assertEqual(q["metadata"]["source"], "publish.json")
        self.assertIn("0:00 ", up["description"])
        self.assertEqual(q["metadata"]["description_bytes"], len(up["description"].encode()))
        self.assertGreater(q["metadata"]["description_bytes"], len(meta["description"].encode()))
        self.assertEqual(q["metadata"]["chapters"], len(up["chapters"]))
        self.assertEqual(q["metadata"]["chapters"], len(pub["chapters"]))
        self.assertEqual(q["loudness"], before["loudness"])
        self.check_upload(rid, pub, title, description, tags)
        actions = [h["action"] for h in d["review"]["history"]]
        self.assertEqual(actions, ["reject", "edit_metadata", "edit_metadata", "approve"])
        self.assertEqual(d["review"]["history"][1]["fields"], ["category_id"])
        self.assertIsNone(d["review"]["stage"])
        self.assertEqual(self.stage_attempts(rid)["publisher"], (1, "done"))
        # Decisions on a run that is not waiting.
        r = self.s.post(API + "/pipeline/runs/%s/approve" % rid, key=self.write_key)
        self.assertEqual(r.status, 409, r.body)
        # Every review call was audited with its key.
        rows = self.s.sql("SELECT method, path, status_code, api_key_id FROM audit_logs "
                          "WHERE path LIKE ?", ("%" + rid + "/%",))
        deadline = time.time() + 10
        while len(rows) < 6 and time.time() < deadline:
            time.sleep(0.5)
            rows = self.s.sql("SELECT method, path, status_code, api_key_id FROM audit_logs "
                              "WHERE path LIKE ?", ("%" + rid + "/%",))
        self.assertTrue(any(r[0] == "POST" and r[1].endswith("/approve") and
                            r[3] == self.write_key_id for r in rows), rows)

    def check_upload(self, rid, pub, title, description, tags):
        """What the YouTube double received for the run's video: the reviewed metadata, the
        schedule, the captions in the channel's language and chapters that match the section
        starts measured in the rendered video."""
        st = self.yt.state()
        ups = [u for u in st["uploads"].values() if u.get("video_id") == pub["video_id"]]
        self.assertEqual(len(ups), 1, st["uploads"])
        up = ups[0]
        video = self.out(rid, "video.mp4")
        with open(video, "rb") as f:
            data = f.read()
        self.assertEqual(up["size"], len(data))
        self.assertEqual(up["sha256"], hashlib.sha256(data).hexdigest())
        snippet, status = up["metadata"]["snippet"], up["metadata"]["status"]
        self.assertEqual(snippet["title"], title)
        self.assertEqual(snippet["tags"], tags)
        self.assertEqual(snippet["categoryId"], "26")
        self.assertEqual(snippet["defaultLanguage"], "en")
        self.assertEqual(status["publishAt"], "2031-06-01T18:30:00Z")
        self.assertEqual(status["privacyStatus"], "private")
        self.assertEqual(pub["privacy"], "private")
        # The edited description, then the chapters of the measured timeline.
        desc = snippet["description"]
        self.assertTrue(desc.startswith(description), desc)
        with open(self.out(rid, "script.json"), encoding="utf-8") as f:
            headings = [x["heading"] for x in json.load(f)["sections"]]
        real = measured.section_starts(video, len(headings))
        chapters = measured.description_chapters(desc)
        self.assertEqual(measured.chapter_errors(chapters, headings, real,
                                                 measured.duration(video)), [], (chapters, real))
        self.assertEqual([[c["start_seconds"], c["title"]] for c in pub["chapters"]],
                         [list(c) for c in chapters])
        # captions.insert after the upload: the run's SRT in the channel's language.
        cap = st["captions"][pub["video_id"]]
        self.assertEqual(cap["language"], "en")
        with open(self.out(rid, "subtitles.srt"), "rb") as f:
            srt = f.read().decode("utf-8")
        self.assertEqual(cap["text"], srt)
        self.assertRegex(srt, r"^1\r?\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}")
        self.assertEqual(pub["captions_id"], cap["id"])
        self.assertIn(pub["video_id"], st["thumbnails"])
        # (the double refuses captions for a video it has not finished receiving)
        reqs = self.yt.requests()["requests"]
        self.assertEqual([r["violations"] for r in reqs if r["violations"]], [])

    def test_script_gate(self):
        rid = self.start(review="script", topic="one-pan chicken")
        d = wait_status(self.detail, rid, ("awaiting_review",))
        self.assertEqual(d["review"]["stage"], "script")
        self.assertEqual(d["current_agent"], "seo_optimizer")
        r = self.s.get(API + "/pipeline/runs/%s/script" % rid, key=self.write_key)
        self.assertEqual(r.status, 200, r.body)
        script = r.json()
        self.assertGreater(len(script["sections"]), 1)
        r = self.s.request("PATCH", API + "/pipeline/runs/%s/metadata" % rid,
                           body={"title": "x"}, key=self.write_key)
        self.assertEqual(r.status, 409, r.body)
        # A bad script is refused like a bad agent reply.
        r = self.s.request("PUT", API + "/pipeline/runs/%s/script" % rid,
                           body={"title": "t", "sections": [{"heading": "h", "narration": ""}]},
                           key=self.write_key)
        self.assertEqual(r.status, 422, r.body)
        r = self.s.request("PUT", API + "/pipeline/runs/%s/script" % rid,
                           body={"title": "t", "sections": [{"heading": 3, "narration": "x"}]},
                           key=self.write_key)
        self.assertEqual(r.status, 422, r.body)
        script["sections"] = script["sections"][:2]
        script["sections"][0]["narration"] = "Tonight: chicken, one pan, twenty minutes."
        script["title"] = "One-pan chicken, edited"
        r = self.s.request("PUT", API + "/pipeline/runs/%s/script" % rid, body=script,
                           key=self.write_key)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(len(r.json()["sections"]), 2)
        self.assertGreater(r.json()["sections"][0]["duration_seconds"], 0)
        with open(self.out(rid, "script.md"), encoding="utf-8") as f:
            self.assertIn("Tonight: chicken, one pan, twenty minutes.", f.read())
        r = self.s.post(API + "/pipeline/runs/%s/reject" % rid,
                        {"notes": "x", "from_stage": "media_editor"}, key=self.write_key)
        self.assertEqual(r.status, 422, r.body)
        # Cancel at the gate: final, nothing queued.
        r = self.s.post(API + "/pipeline/runs/%s/cancel" % rid, key=self.write_key)
        self.assertEqual(r.status, 202, r.body)
        self.assertEqual(self.detail(rid)["status"], "cancelled")

    def test_channel_default_gate_and_playlist(self):
        # publishing.review: video in the channel's config stops a run started without review
        rid = self.start(channel_id="reviewed_en", topic="channel default gate", dry_run=False)
        # review "none" in the request overrides the channel's default: no stop (a dry run)
        none = self.start(channel_id="reviewed_en", topic="no gate asked", review="none")
        d = wait_status(self.detail, rid, ("awaiting_review",))
        self.assertEqual(d["review"]["stage"], "video")
        self.assertFalse(os.path.exists(self.out(rid, "publish.json")))
        d = wait_status(self.detail, none, ("completed",))
        self.assertEqual(d["review"]["history"], [])
        self.assertEqual({a for a, _ in self.stage_attempts(none).values()}, {1})
        with open(self.out(none, "publish.json"), encoding="utf-8") as f:
            dry = json.load(f)
        self.assertTrue(dry["dry_run"])
        items = [x for x in dry["requests"] if "/playlistItems" in x["url"]]
        self.assertEqual(len(items), 1, dry["requests"])
        self.assertEqual(items[0]["body"]["snippet"]["playlistId"], PLAYLIST)
        # `yaa review edit` of the metadata at the video gate
        p = self.cli("review", "edit", rid, "--title", "Channel default, edited", "--tags",
                     "pasta, quick dinner ,", "--category", "27")
        self.assertIn("Channel default, edited", p.stdout)
        meta = self.s.get(API + "/pipeline/runs/%s/metadata" % rid, key=self.write_key).json()
        self.assertEqual((meta["title"], meta["tags"], meta["category_id"]),
                         ("Channel default, edited", ["pasta", "quick dinner"], "27"))
        p = self.cli("review", "edit", rid, "--title", "T" * 101, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("title", p.stderr)
        # approved: uploaded, then added to the channel's playlist with playlistItems.insert
        r = self.s.post(API + "/pipeline/runs/%s/approve" % rid, key=self.write_key)
        self.assertEqual(r.status, 202, r.body)
        wait_status(self.detail, rid, ("completed",))
        with open(self.out(rid, "publish.json"), encoding="utf-8") as f:
            pub = json.load(f)
        self.assertFalse(pub["dry_run"])
        st = self.yt.state()
        up = [u for u in st["uploads"].values() if u.get("video_id") == pub["video_id"]][0]
        self.assertEqual(up["metadata"]["snippet"]["title"], "Channel default, edited")
        self.assertEqual(up["metadata"]["snippet"]["categoryId"], "27")
        got = [x for x in st["playlist_items"] if x["videoId"] == pub["video_id"]]
        self.assertEqual(got, [{"id": pub["playlist_item_id"], "playlistId": PLAYLIST,
                                "videoId": pub["video_id"]}])
        self.assertIsNone(pub.get("playlist_error"))

    def test_openapi_metadata_body(self):
        r = self.s.get("/openapi.json", key=None)
        self.assertEqual(r.status, 200, r.body)
        op = r.json()["paths"]["/api/v1/pipeline/runs/{run_id}/metadata"]["patch"]
        props = op["requestBody"]["content"]["application/json"]["schema"]["properties"]
        self.assertEqual(set(props), {"title", "description", "tags", "category_id", "category",
                                      "privacy", "publish_at", "thumbnail"})
        self.assertEqual(props["tags"]["type"], "array")
        self.assertEqual(props["tags"]["items"]["type"], "string")
        self.assertEqual(props["tags"]["items"]["minLength"], 1)
        self.assertIn("500", props["tags"]["description"])
        self.assertIn("category_id", props["category"]["description"])

    def test_read_key_forbidden(self):
        rid = "00000000-0000-4000-8000-000000000000"
        calls = [("GET", "/pipeline/runs/%s/script" % rid, None),
                 ("GET", "/pipeline/runs/%s/metadata" % rid, None),
                 ("PUT", "/pipeline/runs/%s/script" % rid,
                  {"title": "t", "sections": [{"heading": "h", "narration": "n"}]}),
                 ("PATCH", "/pipeline/runs/%s/metadata" % rid, {"title": "t"}),
                 ("POST", "/pipeline/runs/%s/approve" % rid, None),
                 ("POST", "/pipeline/runs/%s/reject" % rid, {"notes": "n"}),
                 ("POST", "/pipeline/batch",
                  {"channel_id": "demo", "topics": [{"topic": "a"}]})]
        for method, path, body in calls:
            r = self.s.request(method, API + path, body=body, key=self.read_key)
            self.assertEqual(r.status, 403, (method, path, r.body))
            r = self.s.request(method, API + path, body=body, key=None)
            self.assertEqual(r.status, 401, (method, path, r.body))

    def test_batch(self):
        r = self.s.post(API + "/pipeline/batch",
                        {"channel_id": "home_cooking_en", "dry_run": True, "review": "script",
                         "topics": [{"topic": "  sheet-pan salmon "},
                                    {"topic": "lentil soup", "publish_at": "2031-01-02T08:00:00Z"}]},
                        key=self.write_key)
        self.assertEqual(r.status, 202, r.body)
        b = r.json()
        self.assertEqual(len(b["runs"]), 2)
        self.assertEqual({(x["status"], x["queued"]) for x in b["runs"]}, {("pending", True)})
        self.assertEqual(b["runs"][0]["topic"], "sheet-pan salmon")
        self.assertEqual(b["runs"][1]["publish_at"], "2031-01-02T08:00:00Z")
        ids = {x["run_id"] for x in b["runs"]}
        r = self.s.get(API + "/pipeline/runs" + qs(batch_id=b["batch_id"]), key=self.read_key)
        self.assertEqual(r.status, 200, r.body)
        listed = r.json()
        self.assertEqual(listed["total"], 2)
        self.assertEqual({x["run_id"] for x in listed["runs"]}, ids)
        self.assertTrue(all(x["batch_id"] == b["batch_id"] for x in listed["runs"]))
        d = self.detail(b["runs"][1]["run_id"])
        self.assertEqual(d["batch_id"], b["batch_id"])
        self.assertEqual(d["review"]["mode"], "script")
        for x in ids:
            self.s.post(API + "/pipeline/runs/%s/cancel" % x, key=self.write_key)
        # Bad items name their place; nothing is created.
        before = len(self.s.sql("SELECT id FROM pipeline_runs"))
        r = self.s.post(API + "/pipeline/batch",
                        {"channel_id": "home_cooking_en",
                         "topics": [{"topic": "ok"}, {"topic": "   "},
                                    {"topic": "x", "publish_at": "tomorrow"},
                                    {"topic": "y", "review": "always"}]},
                        key=self.write_key)
        self.assertEqual(r.status, 422, r.body)
        locs = [tuple(e["loc"]) for e in r.json()["detail"]]
        self.assertEqual(locs, [("body", "topics", 1, "topic"),
                                ("body", "topics", 2, "publish_at"),
                                ("body", "topics", 3, "review")])
        r = self.s.post(API + "/pipeline/batch", {"channel_id": "home_cooking_en", "topics": []},
                        key=self.write_key)
        self.assertEqual(r.status, 422, r.body)
        r = self.s.post(API + "/pipeline/batch",
                        {"channel_id": "nope", "topics": [{"topic": "a"}]}, key=self.write_key)
        self.assertEqual(r.status, 404, r.body)
        self.assertEqual(len(self.s.sql("SELECT id FROM pipeline_runs")), before)

    def test_summary_counts_waiting(self):
        rid = self.start(review="script", topic="counted while waiting")
        wait_status(self.detail, rid, ("awaiting_review",))
        r = self.s.get(API + "/dashboard/summary", key=self.read_key)
        self.assertGreaterEqual(r.json()["awaiting_review"], 1)
        r = self.s.get(API + "/pipeline/runs" + qs(status="awaiting_review"), key=self.read_key)
        self.assertIn(rid, [x["run_id"] for x in r.json()["runs"]])
        self.s.post(API + "/pipeline/runs/%s/cancel" % rid, key=self.write_key)

    def cli(self, *args, check=True):
        p = subprocess.run([BIN, *args], env=self.s.env, cwd=self.s.dir, capture_output=True,
                           text=True, timeout=120)
        if check and p.returncode != 0:
            self.fail("yaa %s: %d\n%s\n%s" % (" ".join(args), p.returncode, p.stdout, p.stderr))
        return p

    def test_cli_topics_and_review(self):
        topics = os.path.join(self.s.dir, "topics.csv")
        with open(topics, "w", encoding="utf-8") as f:
            f.write("topic,publish_at\n\"Risotto, without stirring\",2031-03-01T10:00:00Z\n"
                    "Crispy tofu,\n")
        p = self.cli("run", "--channel", "home_cooking_en", "--topics", topics, "--dry-run",
                     "--review", "script", "--json")
        out = json.loads(p.stdout)
        self.assertEqual([r["topic"] for r in out["runs"]],
                         ["Risotto, without stirring", "Crispy tofu"])
        self.assertEqual(out["runs"][0]["publish_at"], "2031-03-01T10:00:00Z")
        rid = out["runs"][0]["run_id"]
        wait_status(self.detail, rid, ("awaiting_review",))
        p = self.cli("review", "list", "--json")
        self.assertIn(rid, [r["run_id"] for r in json.loads(p.stdout)["runs"]])
        p = self.cli("review", "show", rid)
        self.assertIn("script", p.stdout)
        p = self.cli("review", "reject", rid, "--notes", "Shorter intro", "--from-stage",
                     "script_writer")
        d = wait_status(self.detail, rid, ("awaiting_review",))
        self.assertEqual(self.stage_attempts(rid)["script_writer"][0], 2)
        self.assertEqual(d["review"]["history"][-1]["key_id"].split(":")[0], "cli")
        # `yaa review edit --script`: the stored script, script.md and the history change
        r = self.s.get(API + "/pipeline/runs/%s/script" % rid, key=self.write_key)
        script = r.json()
        script["title"] = "Risotto, edited at the terminal"
        script["sections"][0]["narration"] = "No stirring tonight: the oven does the work."
        edited = os.path.join(self.s.dir, "edited.json")
        with open(edited, "w", encoding="utf-8") as f:
            json.dump(script, f)
        p = self.cli("review", "edit", rid, "--script", edited)
        self.assertIn("replaced", p.stdout)
        got = self.s.get(API + "/pipeline/runs/%s/script" % rid, key=self.write_key).json()
        self.assertEqual(got["title"], "Risotto, edited at the terminal")
        self.assertEqual(got["sections"][0]["narration"],
                         "No stirring tonight: the oven does the work.")
        with open(self.out(rid, "script.md"), encoding="utf-8") as f:
            self.assertIn("No stirring tonight: the oven does the work.", f.read())
        last = self.detail(rid)["review"]["history"][-1]
        self.assertEqual(last["key_id"].split(":")[0], "cli")
        self.assertEqual(last["action"], "edit_script")
        # a metadata edit is refused at the script gate, with the reason
        p = self.cli("review", "edit", rid, "--title", "x", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("video gate", p.stderr)
        p = self.cli("review", "approve", rid)
        d = wait_status(self.detail, rid, ("running", "awaiting_review", "completed"))
        self.s.post(API + "/pipeline/runs/%s/cancel" % rid, key=self.write_key)
        for r in out["runs"][1:]:
            self.s.post(API + "/pipeline/runs/%s/cancel" % r["run_id"], key=self.write_key)
        bad = os.path.join(self.s.dir, "bad.txt")
        with open(bad, "w", encoding="utf-8") as f:
            f.write("fine topic\n\x07bell\n")
        p = self.cli("run", "--channel", "home_cooking_en", "--topics", bad,
                     check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("line 2", p.stderr)


class WorkflowLlm(unittest.TestCase):
    """A rejection's notes reach the script writer's LLM prompt (prompts/script_writer.user.md
    {{revision}}), as recorded by the Anthropic double."""

    def test_notes_in_script_writer_prompt(self):
        llm = test_usage.Double("anthropic_double.py", (500, 300))
        s = YaaServer("sqlite", workers=1, env=dict(
            MEDIA, LLM_PROVIDER="anthropic", ANTHROPIC_API_KEY="sk-ant-test",
            ANTHROPIC_BASE_URL="http://127.0.0.1:%d" % llm.port))
        try:
            def detail(run_id):
                return s.get(API + "/pipeline/runs/" + run_id).json()

            def writer_prompts():
                out = []
                for r in llm.chat_requests():
                    for m in json.loads(r["body"])["messages"]:
                        c = m["content"]
                        text = c if isinstance(c, str) else " ".join(
                            p.get("text", "") for p in c)
                        if "Write a YouTube script" in text:
                            out.append(text)
                return out

            r = s.post(API + "/pipeline/run", {"channel_id": "home_cooking_en",
                                               "topic": "weeknight pasta", "dry_run": True,
                                               "review": "script"})
            self.assertEqual(r.status, 202, r.body)
            rid = r.json()["run_id"]
            wait_status(detail, rid, ("awaiting_review",))
            notes = "Open with the 15-minute version; say what one serving costs (about $2)."
            first = writer_prompts()
            self.assertEqual(len(first), 1, first)
            self.assertNotIn("reviewer rejected", first[0])
            r = s.post(API + "/pipeline/runs/%s/reject" % rid,
                       {"notes": notes, "from_stage": "script_writer"})
            self.assertEqual(r.status, 202, r.body)
            d = wait_status(detail, rid, ("awaiting_review",))
            self.assertEqual(d["review"]["history"][-1]["notes"], notes)
            prompts = writer_prompts()
            self.assertEqual(len(prompts), 2, prompts)
            self.assertIn("A reviewer rejected the previous version with these notes", prompts[1])
            self.assertIn(notes, prompts[1])
            s.post(API + "/pipeline/runs/%s/cancel" % rid)
        finally:
            s.stop()
            llm.stop()


class BatchPostgres(unittest.TestCase):
    """A batch is all or nothing on PostgreSQL too: runs and jobs (db queue) in one
    transaction; a run refused midway (a trigger) leaves none of the batch."""

    def test_batch_all_or_nothing(self):
        s = YaaServer("postgres", workers=0)
        try:
            def counts():
                return (int(s.sql("SELECT COUNT(*) FROM pipeline_runs")[0][0]),
                        int(s.sql("SELECT COUNT(*) FROM jobs")[0][0]))

            r = s.post(API + "/pipeline/batch", {"channel_id": "demo", "dry_run": True,
                                                 "topics": [{"topic": "one"}, {"topic": "two"},
                                                            {"topic": "three"}]})
            self.assertEqual(r.status, 202, r.body)
            self.assertEqual([x["queued"] for x in r.json()["runs"]], [True] * 3)
            self.assertEqual(counts(), (3, 3))
            s.sql("CREATE FUNCTION refuse_boom() RETURNS trigger AS $$ BEGIN IF NEW.topic = "
                  "'boom' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ "
                  "LANGUAGE plpgsql")
            s.sql("CREATE TRIGGER refuse_boom BEFORE INSERT ON pipeline_runs FOR EACH ROW "
                  "EXECUTE FUNCTION refuse_boom()")
            r = s.post(API + "/pipeline/batch", {"channel_id": "demo", "dry_run": True,
                                                 "topics": [{"topic": "a"}, {"topic": "boom"},
                                                            {"topic": "c"}]})
            self.assertEqual(r.status, 500, r.body)
            self.assertEqual(counts(), (3, 3))
        finally:
            s.stop()


class GateAcrossWorkers(unittest.TestCase):
    """A run waiting at a gate holds no worker: it survives the worker and is approved on
    another one."""

    def across(self, queue_url):
        st = dist.Stack(workers=1, queue_url=queue_url, env=MEDIA)
        try:
            port = st.apis[0].port

            def detail(run_id):
                return dist.call(port, "GET", API + "/pipeline/runs/" + run_id).json()

            r = dist.call(port, "POST", API + "/pipeline/run",
                          {"channel_id": "demo", "topic": "gates across workers",
                           "dry_run": True, "review": "script"})
            self.assertEqual(r.status, 202, r.body)
            rid = r.json()["run_id"]
            wait_status(detail, rid, ("awaiting_review",), timeout=300)
            first = st.workers[0]
            first.terminate()
            first.wait(timeout=30)
            second = st.start_worker()
            # Nothing is re-delivered while it waits: the run stays at the gate.
            time.sleep(4)
            self.assertEqual(detail(rid)["status"], "awaiting_review")
            # Rejected with notes on the other API: the new worker re-runs script_writer with
            # them and the run stops at the gate again.
            notes = "Say what the workers are doing in the first sentence."
            r = dist.call(st.apis[1].port, "POST", API + "/pipeline/runs/%s/reject" % rid,
                          {"notes": notes, "from_stage": "script_writer"})
            self.assertEqual(r.status, 202, r.body)
            d = wait_status(detail, rid, ("awaiting_review",), timeout=300)
            self.assertEqual(d["review"]["history"][-1]["notes"], notes)
            r = dist.call(port, "GET", API + "/pipeline/runs/%s/script" % rid)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.json()["revision_notes"], notes)
            r = dist.call(st.apis[1].port, "POST", API + "/pipeline/runs/%s/approve" % rid)
            self.assertEqual(r.status, 202, r.body)
            d = wait_status(detail, rid, ("completed",), timeout=600)
            self.assertEqual([h["action"] for h in d["review"]["history"]], ["reject", "approve"])
            self.assertIn(rid, st.logs(second))
            # script_writer ran twice (the rejection); every other stage once: the first
            # worker's checkpoints were kept.
            out = subprocess.run(["psql", st.db_url, "-At", "-c",
                                  "SELECT stage, attempt FROM run_stages WHERE run_id = '%s'"
                                  % rid], capture_output=True, text=True, check=True)
            attempts = dict(l.split("|") for l in out.stdout.split())
            self.assertEqual(len(attempts), 6, attempts)
            self.assertEqual(attempts.pop("script_writer"), "2")
            self.assertEqual(set(attempts.values()), {"1"}, attempts)
        finally:
            st.stop()

    def test_redis_streams(self):
        self.across(None)

    def test_db_queue(self):
        self.across("db")


if __name__ == "__main__":
    unittest.main(verbosity=2)
