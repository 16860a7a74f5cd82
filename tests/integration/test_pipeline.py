#!/usr/bin/env python3
"""End-to-end pipeline tests: `yaa run` on the offline provider and local media engines.

- a whole run produces a playable video (one H.264 and one AAC stream, duration within
  0.5 s of the narration), monotonic subtitles covering the narration and a 1280x720
  thumbnail; the chapters of the uploaded description match the section starts measured in
  the video's sound (measured.py), not yaa's own bookkeeping;
- killing `yaa run` in the middle of a stage and running it again resumes from the
  checkpoint: finished stages keep attempt 1 and their usage rows are not doubled;
- with Pexels (a local double serving real files, and a real `yaa serve` for the video gate)
  the Short shows footage; metadata.json carries the credits and the description composed with
  them (what quality.json measures and GET .../metadata shows), also after the SEO stage runs
  again and after a reviewer's PATCH that dropped the lines; the uploaded description is the
  text, the measured chapters, then each author once, also when the publisher runs again; the
  SEO stage's checkpoint is left as that stage (or the reviewer) wrote it.
"""
import json
import os
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

SRC = os.environ.get("YAA_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD = os.environ.get("YAA_BUILD_DIR", os.path.join(SRC, "build"))
YAA = os.path.join(BUILD, "yaa")
sys.path.insert(0, os.path.join(SRC, "tests", "integration", "workflow"))
import measured  # noqa: E402

CHANNEL = "tech_review_ko"
TOPIC = "2026년 가성비 무선 이어폰 비교"


def srt_cues(path):
    with open(path, encoding="utf-8") as f:
        text = f.read().strip()
    cues = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.strip().splitlines()
        m = re.match(r"(\d+):(\d+):(\d+),(\d+) --> (\d+):(\d+):(\d+),(\d+)", lines[1])
        a = [int(x) for x in m.groups()]
        start = a[0] * 3600 + a[1] * 60 + a[2] + a[3] / 1000
        end = a[4] * 3600 + a[5] * 60 + a[6] + a[7] / 1000
        cues.append((start, end, "\n".join(lines[2:])))
    return cues


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


def wav_duration(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                          "default=nw=1:nk=1", path], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


class PipelineTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="yaa-pipeline-")
        self.env = dict(os.environ)
        for k in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "LLM_PROVIDER", "YOUTUBE_REFRESH_TOKEN"):
            self.env.pop(k, None)
        self.db = os.path.join(self.tmp, "yaa.db")
        self.env.update({
            "DATABASE_URL": "sqlite:///" + self.db,
            "OUTPUT_DIR": os.path.join(self.tmp, "output"),
            "CHANNELS_DIR": os.path.join(SRC, "channels"),
            "PROMPTS_DIR": os.path.join(SRC, "prompts"),
            "YAA_MIGRATIONS_DIR": os.path.join(SRC, "migrations"),
            "YAA_MEDIA_PRESET": "ultrafast",
            "YAA_MEDIA_FPS": "10",  # the checks are about streams, timing and files, not motion
            "LOG_LEVEL": "warning",
        })

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_yaa(self, *args, check=True):
        p = subprocess.run([YAA, *args], env=self.env, cwd=self.tmp, capture_output=True, text=True, timeout=900)
        if check and p.returncode != 0:
            self.fail("yaa %s exited %d\nstdout:%s\nstderr:%s" % (" ".join(args), p.returncode, p.stdout, p.stderr[-4000:]))
        return p

    def query(self, sql, *params):
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def test_full_offline_run(self):
        p = self.run_yaa("run", "--channel", CHANNEL, "--topic", TOPIC, "--dry-run", "--json")
        result = json.loads(p.stdout)
        run_id = result["run_id"]
        self.assertEqual(result["status"], "completed")
        out = os.path.join(self.env["OUTPUT_DIR"], run_id)
        self.assertEqual(result["artifacts"]["video.mp4"], os.path.join(out, "video.mp4"))
        for name in ("research.json", "script.json", "script.md", "metadata.json", "subtitles.srt",
                     "thumbnail.png", "video.mp4", "publish.json", "words.json", "captions.ass",
                     "quality.json"):
            self.assertTrue(os.path.getsize(os.path.join(out, name)) > 0, name)

        probe = json.loads(subprocess.run(
            ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json",
             os.path.join(out, "video.mp4")], capture_output=True, text=True, check=True).stdout)
        codecs = [s["codec_name"] for s in probe["streams"] if s["codec_type"] in ("video", "audio")]
        self.assertEqual(sorted(codecs), ["aac", "h264"])
        video = [s for s in probe["streams"] if s["codec_type"] == "video"][0]
        self.assertEqual((video["width"], video["height"]), (1920, 1080))
        duration = float(probe["format"]["duration"])
        audio_dir = os.path.join(out, "audio")
        narration = sum(wav_duration(os.path.join(audio_dir, f)) for f in sorted(os.listdir(audio_dir))
                        if re.fullmatch(r"\d+\.wav", f))  # the sections, not audio/mix.wav
        self.assertLess(abs(duration - narration), 0.5, "video %.2fs vs narration %.2fs" % (duration, narration))

        cues = srt_cues(os.path.join(out, "subtitles.srt"))
        self.assertGreater(len(cues), 3)
        for (s1, e1, _), (s2, _e2, _) in zip(cues, cues[1:]):
            self.assertLessEqual(s1, e1)
            self.assertLessEqual(e1, s2 + 1e-3)
        self.assertLess(cues[0][0], 0.5)
        self.assertLess(abs(cues[-1][1] - narration), 0.5)
        self.assertEqual(png_size(os.path.join(out, "thumbnail.png")), (1280, 720))

        # YouTube loudness, measured by quality.json and by a separate ebur128 pass
        with open(os.path.join(out, "quality.json"), encoding="utf-8") as f:
            quality = json.load(f)
        r128 = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i",
                               os.path.join(out, "video.mp4"), "-af", "ebur128=peak=true",
                               "-f", "null", "-"], capture_output=True, text=True).stderr
        summary = r128[r128.rindex("Summary:"):]
        lufs = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
        peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
        self.assertLessEqual(abs(lufs + 14), 1.0, summary)
        self.assertLessEqual(peak, -1.0, summary)
        self.assertLessEqual(abs(quality["loudness"]["integrated_lufs"] - lufs), 1.0)
        self.assertGreaterEqual(quality["captions"]["coverage"], 0.95)
        with open(os.path.join(out, "words.json"), encoding="utf-8") as f:
            words = json.load(f)["words"]
        self.assertGreater(len(words), 20)
        for w in words:  # each word inside a cue that shows it
            mid = (w["start"] + w["end"]) / 2
            cue = [c for c in cues if c[0] <= mid < c[1]]
            self.assertTrue(cue and w["text"] in cue[0][2].replace("\n", " "), w)

        with open(os.path.join(out, "script.json"), encoding="utf-8") as f:
            script = json.load(f)
        self.assertEqual(script["language"], "ko")
        self.assertRegex(script["sections"][0]["narration"], "[가-힣]")
        with open(os.path.join(out, "publish.json"), encoding="utf-8") as f:
            publish = json.load(f)
        self.assertTrue(publish["dry_run"])
        start = publish["requests"][1]
        self.assertEqual(start["body"]["status"]["privacyStatus"], "private")
        self.assertTrue(start["body"]["status"]["containsSyntheticMedia"])
        # upload 1600 + thumbnails.set 50 + captions.insert 400 (the SRT in the channel's language)
        self.assertEqual(publish["quota_units"], 2050)
        caption = [r for r in publish["requests"] if "/captions?" in r["url"]][0]
        self.assertEqual(caption["body"]["snippet"]["language"], "ko")
        # The chapters in the uploaded description against the section starts measured in the
        # rendered video (the silent joins between the sections' recordings): 0:00 first, each
        # >= 10 s, none past the end, each within measured.TOLERANCE of its own section's start.
        # The same check refuses chapters laid out from the script's estimated durations.
        video_path = os.path.join(out, "video.mp4")
        headings = [sec["heading"] for sec in script["sections"]]
        real = measured.section_starts(video_path, len(headings))
        desc = start["body"]["snippet"]["description"]
        chapters = measured.description_chapters(desc)
        self.assertEqual(measured.chapter_errors(chapters, headings, real, duration), [],
                         (chapters, real))
        self.assertEqual([[c["start_seconds"], c["title"]] for c in publish["chapters"]],
                         [list(c) for c in chapters])
        self.assertGreater(len(chapters), 3)
        self.assertNotEqual(measured.chapter_errors(measured.estimated_chapters(script), headings,
                                                    real, duration), [])

        stages = self.query("SELECT stage, status, attempt FROM run_stages WHERE run_id = ?", run_id)
        self.assertEqual(len(stages), 6)
        result = json.loads(self.query("SELECT result_json FROM pipeline_runs WHERE id = ?", run_id)[0][0])
        self.assertEqual(result["images"][0], "images/01.png")
        self.assertEqual(len(result["images"]), len(script["sections"]))
        self.assertTrue(all(s[1] == "done" and s[2] == 1 for s in stages), stages)
        usage = self.query("SELECT agent, provider, kind, cost_usd FROM usage_events WHERE run_id = ?", run_id)
        agents = {u[0] for u in usage}
        self.assertTrue({"brand_researcher", "script_writer", "seo_optimizer", "media_generator"} <= agents, usage)
        self.assertTrue(all(u[3] == 0 for u in usage))
        self.assertIn("offline", {u[1] for u in usage})

    def test_killed_run_resumes_from_checkpoint(self):
        args = [YAA, "run", "--channel", CHANNEL, "--topic", TOPIC + " (resume)", "--dry-run", "--short"]
        proc = subprocess.Popen(args, env=self.env, cwd=self.tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 300
        killed_in = None
        while time.time() < deadline and proc.poll() is None:
            try:
                rows = self.query("SELECT stage FROM run_stages WHERE status = 'running' AND stage IN ('media_generator', 'media_editor')")
            except sqlite3.OperationalError:
                rows = []
            if rows:
                killed_in = rows[0][0]
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.05)
        proc.wait()
        self.assertIsNotNone(killed_in, "the run ended before a media stage could be interrupted")
        run_id = self.query("SELECT id FROM pipeline_runs")[0][0]
        before = self.query("SELECT agent, COUNT(*) FROM usage_events WHERE run_id = ? AND agent IN "
                            "('brand_researcher', 'script_writer', 'seo_optimizer') GROUP BY agent", run_id)

        p = self.run_yaa("run", "--channel", CHANNEL, "--topic", TOPIC + " (resume)", "--dry-run", "--short")
        self.assertIn("resuming run " + run_id, p.stderr)
        attempts = dict(self.query("SELECT stage, attempt FROM run_stages WHERE run_id = ?", run_id))
        for stage in ("brand_researcher", "script_writer", "seo_optimizer"):
            self.assertEqual(attempts[stage], 1, stage)
        self.assertEqual(attempts[killed_in], 2)
        self.assertEqual(self.query("SELECT status FROM pipeline_runs WHERE id = ?", run_id)[0][0], "completed")
        after = self.query("SELECT agent, COUNT(*) FROM usage_events WHERE run_id = ? AND agent IN "
                           "('brand_researcher', 'script_writer', 'seo_optimizer') GROUP BY agent", run_id)
        self.assertEqual(before, after)
        self.assertEqual(len(self.query("SELECT id FROM pipeline_runs")), 1)

    def test_stock_footage_credited_in_description(self):
        files = os.path.join(self.tmp, "stock-files")
        os.makedirs(files)
        for args in (["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25:duration=4", "-c:v",
                      "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                      os.path.join(files, "clip.mp4")],
                     ["-f", "lavfi", "-i", "smptebars=size=1200x900", "-frames:v", "1",
                      os.path.join(files, "photo.jpg")]):
            subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)
        px = subprocess.Popen([sys.executable, os.path.join(SRC, "tests", "doubles", "pexels_double.py")],
                              stdout=subprocess.PIPE, text=True)
        self.addCleanup(lambda: (px.kill(), px.wait(), px.stdout.close()))
        base = "http://127.0.0.1:%d" % int(px.stdout.readline().split()[1])
        req = urllib.request.Request(base + "/_control", json.dumps({"files_dir": files}).encode(),
                                     {"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=10).close()
        # a real `yaa serve` (one worker) so the video gate's GET/PATCH are the API's own
        sys.path.insert(0, os.path.join(SRC, "tests", "integration", "api"))
        from yaa_server import YaaServer
        srv = YaaServer("sqlite", workers=1, env={
            "PEXELS_API_KEY": "double-key", "PEXELS_BASE_URL": base,
            "STOCK_CACHE_DIR": os.path.join(self.tmp, "stock"),
            "YAA_MEDIA_PRESET": "ultrafast", "YAA_MEDIA_FPS": "10"})
        self.addCleanup(srv.stop)
        api = "/api/v1/pipeline/runs/"
        r = srv.post("/api/v1/pipeline/run", {"channel_id": "home_cooking_en", "dry_run": True,
                                              "short": True, "review": "video",
                                              "topic": "Weeknight pasta in fifteen minutes"})
        self.assertEqual(r.status, 202, r.body)
        run_id = r.json()["run_id"]
        out = os.path.join(srv.output, run_id)

        def wait(want):
            deadline = time.time() + 900
            while time.time() < deadline:
                st = srv.get(api + run_id).json()["status"]
                if st == want:
                    return
                self.assertNotIn(st, ("failed", "cancelled"), srv.logs()[-3000:])
                time.sleep(0.5)
            self.fail("run %s never reached %s" % (run_id, want))

        def load(name):
            with open(os.path.join(out, name), encoding="utf-8") as f:
                return json.load(f)

        def seo_checkpoint():
            return json.loads(srv.sql("SELECT output_json FROM run_stages WHERE run_id = ? AND "
                                      "stage = 'seo_optimizer'", (run_id,))[0][0])

        def credited_once(desc, credits):
            self.assertEqual(desc.count("Footage and photos:"), 1, desc)
            for c in credits:
                self.assertEqual(desc.count(c["url"]), 1, desc)
                self.assertEqual(desc.count("- %s on Pexels: %s\n" % (c["author"], c["url"]))
                                 + desc.endswith("- %s on Pexels: %s" % (c["author"], c["url"])),
                                 1, desc)
            self.assertLessEqual(len(desc.encode()), 5000)

        def check_metadata(text, measured=True):
            """metadata.json: the SEO text (or the reviewer's), then the credits of media.json."""
            media, meta = load("media.json"), load("metadata.json")
            credits = media["credits"]
            self.assertEqual([(c["author"], c["url"], c["source"], c["id"]) for c in meta["credits"]],
                             [(c["author"], c["url"], c["source"], c["id"]) for c in credits])
            self.assertTrue(all(c["id"] and c["line"] in meta["description"]
                                for c in meta["credits"]), meta["credits"])
            self.assertTrue(meta["description"].startswith(text.rstrip() + "\n\nFootage and photos:\n"),
                            meta["description"])
            credited_once(meta["description"], credits)
            # the quality report (made by media_editor) measures that description, the one to
            # be uploaded; a reviewer's later edit is checked against the limits by the PATCH
            if measured:
                self.assertEqual(load("quality.json")["metadata"]["description_bytes"],
                                 len(meta["description"].encode()))
            # the review screen reads the same through the API
            g = srv.get(api + run_id + "/metadata").json()
            self.assertEqual((g["description"], g["credits"]), (meta["description"], meta["credits"]))
            # the SEO stage's checkpoint stays its own: no credits written into it
            self.assertNotIn("credits", seo_checkpoint())
            return meta, credits

        wait("awaiting_review")
        media = load("media.json")
        footage = [s for s in media["sections"] if s["source"] == "pexels"]
        self.assertGreater(len(footage), len(media["sections"]) / 2, media["sections"])
        credits = media["credits"]
        self.assertTrue(credits and all(c["source"] == "pexels" for c in credits), credits)
        check_metadata(seo_checkpoint()["description"])

        # the SEO stage again (a rejection from there): it writes metadata.json without the
        # credits, media_generator after it writes them again, each once
        r = srv.post(api + run_id + "/reject", {"notes": "sharper title", "from_stage": "seo_optimizer"})
        self.assertEqual(r.status, 202, r.body)
        wait("awaiting_review")
        att = dict(srv.sql("SELECT stage, attempt FROM run_stages WHERE run_id = ?", (run_id,)))
        self.assertEqual((att["seo_optimizer"], att["media_generator"]), (2, 2))
        check_metadata(seo_checkpoint()["description"])

        # a reviewer's edit that drops the credit lines: they are kept, once, after the text
        mine = "Dinner in fifteen minutes, no shortcuts."
        r = srv.request("PATCH", api + run_id + "/metadata", body={"description": mine})
        self.assertEqual(r.status, 200, r.body)
        meta, credits = check_metadata(mine, measured=False)
        self.assertEqual((r.json()["description"], r.json()["credits"]),
                         (meta["description"], meta["credits"]))
        # an edit that keeps the composed text as it was changes nothing
        r = srv.request("PATCH", api + run_id + "/metadata", body={"description": meta["description"]})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(load("metadata.json"), meta)
        # a text that leaves no room for the credit lines is refused, naming the field
        r = srv.request("PATCH", api + run_id + "/metadata", body={"description": "x" * 4990})
        self.assertEqual(r.status, 422, r.body)
        self.assertEqual(r.json()["detail"][0]["loc"], ["body", "description"])
        self.assertIn("credit", r.json()["detail"][0]["msg"])
        self.assertEqual(load("metadata.json"), meta)
        self.assertEqual(seo_checkpoint()["description"], meta["description"])  # the last edit

        r = srv.post(api + run_id + "/approve")
        self.assertEqual(r.status, 202, r.body)
        wait("completed")

        def description():
            return load("publish.json")["requests"][1]["body"]["snippet"]["description"]

        desc = description()
        credited_once(desc, credits)
        # text, the measured chapters, then the credits
        self.assertTrue(desc.startswith(mine + "\n\n0:00 "), desc)
        self.assertLess(desc.index("0:00 "), desc.index("Footage and photos:"))
        self.assertEqual(load("metadata.json"), meta)
        # the publisher again (a retried stage): the same description, each credit once, and
        # metadata.json as it was
        p = subprocess.run([YAA, "run", "--run", run_id, "--from-stage", "publisher", "--json"],
                           env=srv.env, cwd=self.tmp, capture_output=True, text=True, timeout=900)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        self.assertEqual(description(), desc)
        self.assertEqual(load("metadata.json"), meta)
        # the Short's topic banner is one of the stills the quality report checks
        media = load("media.json")
        banner = [s for s in media["stills"] if s["source"] == "banner"]
        self.assertEqual(len(banner), 1, media["stills"])
        self.assertFalse(banner[0]["text_overflow"])
        self.assertEqual(load("quality.json")["pictures"]["text_overflows"],
                         sum(1 for s in media["sections"] + media["stills"] if s["text_overflow"]))

    def test_bad_input_is_a_clear_error(self):
        p = self.run_yaa("run", "--channel", "../etc", "--topic", "x", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("channel id", p.stderr)
        p = self.run_yaa("run", "--channel", "no_such_channel", "--topic", "x", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no_such_channel", p.stderr)
        self.assertEqual(p.stderr.count("no_such_channel"), 1, p.stderr)  # named once
        p = self.run_yaa("run", "--channel", CHANNEL, check=False)
        self.assertEqual(p.returncode, 2)
        p = self.run_yaa("run", "--channel", CHANNEL, "--topic", "x", "--from-stage", "nope", check=False)
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
