#!/usr/bin/env python3
"""test_docs_examples.py - every docs page's examples, run as written where they can run offline.

Issue #12: the docs tell the truth. The README quick start is test_first_use.py; this runs
- the curl lines of the ```sh blocks of docs/API.md, docs/USAGE.md and docs/WORKFLOW.md against
  a real `yaa serve` (tests/integration/api/yaa_server.py) with K and B set as the pages say:
  each exits 0, answers no 5xx, and a JSON reply parses;
- the `yaa ...` / `./build/yaa ...` lines of docs/CHANNELS.md, docs/QUEUES.md, docs/USAGE.md,
  docs/RAG.md, docs/WORKFLOW.md and docs/PUBLISHING.md against a temp SQLite database and a
  copy of channels/: each exits 0, or the status its page documents.
Placeholders: $RUN is the page's own run (API.md's POST, WORKFLOW.md's RUN=$(...)); API.md's
review lines and WORKFLOW.md's `yaa review` lines act on runs made with `yaa run --review`
(script gate; video gate for the metadata edit); $KEY_ID is the key API.md creates.
A line that cannot run offline is in SKIP with the reason; a new example is run by default.
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
from yaa_server import ADMIN_KEY, BIN, SRC, YaaServer  # noqa: E402

# (page, a piece of the command line) -> why it is not run here
SKIP = {
    ("API.md", "xdg-open"): "opens a browser",
    ("API.md", "yaa serve"): "starts a server: this test starts its own (yaa_server.py)",
    ("API.md", "/youtube/connect"): "needs YOUTUBE_CLIENT_ID and Google (PUBLISHING.md)",
    ("API.md", "runs/$RUN/events"): "a server-sent event stream that stays open while the run is live",
    ("QUEUES.md", "make redis-"): "starts Redis; tests/integration/queue covers the redis queue",
    ("QUEUES.md", "yaa serve"): "a long-running server (the API lines run against one)",
    ("QUEUES.md", "yaa worker"): "a long-running worker",
    ("RAG.md", "make rag-"): "make targets (rag-bench is a benchmark); the yaa lines run",
    ("RAG.md", "scripts/rag-compare"): "the RAG on/off comparison runs whole pipelines (minutes)",
    ("RAG.md", "EMBEDDING_PROVIDER=openai"): "a hosted/Ollama embedder; tests/integration/rag "
                                              "covers it against the OpenAI-wire double",
    ("PUBLISHING.md", "channels connect-youtube"): "needs Google's consent screen in a browser",
}
# lines whose documented exit status is not 0
EXIT = {
    ("CHANNELS.md", "channels validate bad_colour unknown_key"): 1,  # "exit 1 if there is any"
    # the run waits at a gate, it is no dead letter: "no dead job ..." (test_queue covers a real one)
    ("QUEUES.md", "yaa queue dead requeue"): 1,
}
API_PAGES = ("API.md", "USAGE.md", "WORKFLOW.md")
CLI_PAGES = ("CHANNELS.md", "QUEUES.md", "USAGE.md", "RAG.md", "WORKFLOW.md", "PUBLISHING.md")


def blocks(page, langs=("sh",)):
    """The fenced blocks of docs/PAGE in one of langs ("" = no language), as text."""
    with open(os.path.join(SRC, "docs", page), encoding="utf-8") as f:
        text = f.read()
    return [(m.group(1), m.group(2)) for m in re.finditer(r"(?ms)^```(\w*)\n(.*?)^```", text)
            if m.group(1) in langs]


def commands(block):
    """The block's shell commands: comment lines dropped, continued lines (a trailing \\ or an
    open quote) joined."""
    out, cur = [], ""
    for line in block.splitlines():
        if not cur and (not line.strip() or line.lstrip().startswith("#")):
            continue
        cur = cur + "\n" + line if cur else line
        if cur.endswith("\\"):
            continue
        try:
            shlex.split(cur, comments=True)
        except ValueError:  # an open quote: the command goes on
            continue
        out.append(cur.replace("\\\n", " "))
        cur = ""
    return out


def documented_output(block, line):
    """For a `$ command` line of a plain block, the lines it shows as the command's output;
    the first (a table's header) only when the output comes from another setup (a comment
    on the command line says so)."""
    if not line.startswith("$ "):
        return []
    lines = [l.rstrip() for l in block.split(line, 1)[1].strip("\n").splitlines()]
    return lines[:1] if "  #" in line else lines


def skipped(page, line):
    return next((why for (p, piece), why in SKIP.items() if p == page and piece in line), None)


class DocsExamples(unittest.TestCase):
    def setUp(self):
        self.ran, self.skips = [], []

    def tearDown(self):
        sys.stderr.write("%s: ran %d documented lines, skipped %d:\n%s\n" % (
            self.id(), len(self.ran), len(self.skips),
            "\n".join("  %s: %s (%s)" % s for s in self.skips)))

    # ---- API pages: curl against a real server ----
    def test_api_curl_examples(self):
        srv = YaaServer(env={"LOG_LEVEL": "error"})
        work = tempfile.mkdtemp(prefix="yaa-docs-api-")
        try:
            self.curl_pages(srv, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
            self.assertEqual(srv.stop(), 0)

    def curl_pages(self, srv, work):
        base = "http://127.0.0.1:%d" % srv.port
        env = dict(srv.env, K="X-API-Key: " + ADMIN_KEY, B=base + "/api/v1", YAA_KEY=ADMIN_KEY)
        env["PATH"] = os.path.dirname(BIN) + os.pathsep + env.get("PATH", "")
        # the files the PUT examples upload
        with open(os.path.join(work, "notes.md"), "w") as f:
            f.write("# Notes\n\nWater the tomatoes in the morning.\n")
        shutil.copy(os.path.join(SRC, "channels", "home_cooking_en", "brand_guide.yaml"), work)
        # a run waiting at the script gate, made as WORKFLOW.md says, for the review lines
        out = self.run_line("WORKFLOW.md", "yaa run --channel tech_review_ko --topic "
                            "'무선 이어폰 고르는 법' --dry-run --review script", env, work)
        env["GATED"] = re.search(r"run_id: (\S+)", out).group(1)
        for page in API_PAGES:
            lines = [l for _, block in blocks(page) for l in commands(block)]
            # deleting the example channel goes last: the page's later lines still use it
            last = [l for l in lines if re.search(r"-X DELETE \$B/channels/\w+ ", l)]
            for line in [l for l in lines if l not in last] + last:
                if page != "API.md" and not re.match(r"(RUN=\$\()?curl ", line):
                    continue  # the page's yaa lines: test_cli_examples
                why = skipped(page, line)
                if why:
                    self.skips.append((page, line.split("\n")[0], why))
                    continue
                line = line.replace("http://127.0.0.1:8000", base)
                if re.match(r"(K|B)=", line):
                    continue  # set above, as the page says, for this server
                if line.startswith("yaa ") and page == "API.md":  # yaa keys create
                    self.run_line(page, line, env, work)
                elif line.startswith("curl ") or line.startswith("RUN=$(curl "):
                    self.curl(page, line, env, work)

    def curl(self, page, line, env, work):
        if line.startswith("RUN="):  # RUN=$(curl ... | jq -r .run_id): keep what it sets
            p = subprocess.run(["bash", "-c", "set -o pipefail; " + line + '; echo "$RUN"'],
                               cwd=work, env=env, capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 0, "%s: %s\n%s" % (page, line, p.stderr))
            env["RUN"] = p.stdout.strip().splitlines()[-1]
            self.assertRegex(env["RUN"], r"^\S+$", line)
            self.ran.append(line)
            return
        if "$RUN" in line:
            self.assertIn("RUN", env, "%s: no run made before %s" % (page, line))
        if page == "API.md":  # the review lines of API.md act on the run at the gate
            line = re.sub(r"/runs/\$RUN/(script|metadata|approve|reject)\b", r"/runs/$GATED/\1",
                          line)
        cmd, _, pipe = line.partition(" | ")
        cmd = cmd.split("  #")[0].rstrip()
        p = subprocess.run(["bash", "-c", cmd + " -D hdr.txt -w '\\n%{http_code}'"], cwd=work,
                           env=env, capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 0, "%s: %s\n%s" % (page, line, p.stderr))
        body, _, status = p.stdout.rpartition(b"\n")
        status = int(status)
        self.assertTrue(100 <= status < 500, "%s: %s -> %d %s" % (page, line, status, body[:500]))
        if "/runs/$GATED/script" in cmd or "/runs/$GATED/approve" in cmd:
            # at the script gate these work as documented (GET's reply PUT back unchanged)
            self.assertIn(status, (200, 202), "%s: %s -> %d %s" % (page, line, status, body))
        self.assertNotIn(status, (401, 403), "%s: %s -> %d: K is an admin key" % (page, line, status))
        if os.environ.get("YAA_DOCS_VERBOSE"):
            sys.stderr.write("%d %s\n" % (status, cmd))
        with open(os.path.join(work, "hdr.txt"), encoding="latin-1") as f:
            ctype = re.search(r"(?im)^content-type: *(\S+)", f.read())
        if ctype and "json" in ctype.group(1) and body and " -o " not in cmd:
            reply = json.loads(body.decode("utf-8"))
            if status < 300 and isinstance(reply, dict):  # what later lines refer to
                if "run_id" in reply and "RUN" not in env:
                    env["RUN"] = reply["run_id"]
                if "key_id" in reply and "KEY_ID" not in env:
                    env["KEY_ID"] = reply["key_id"]
                if "/script" in cmd and "-X" not in cmd:
                    with open(os.path.join(work, "script.json"), "wb") as f:
                        f.write(body)
        if pipe:  # | jq ...: the documented filter works on the reply
            q = subprocess.run(["bash", "-c", "set -o pipefail; " + line], cwd=work, env=env,
                               capture_output=True, timeout=30)
            self.assertEqual(q.returncode, 0, "%s: %s\n%s" % (page, line, q.stderr))
        self.ran.append(line)

    # ---- CLI pages: yaa against a temp database ----
    def run_line(self, page, line, env, cwd, want=0, stderr=True):
        p = subprocess.run(["bash", "-c", "set -o pipefail; " + line], cwd=cwd, env=env,
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, want, "%s: %s\n%s%s" % (page, line, p.stdout[-2000:],
                                                              p.stderr[-2000:]))
        self.ran.append(line)
        return p.stdout + p.stderr if stderr else p.stdout

    def test_cli_examples(self):
        d = tempfile.mkdtemp(prefix="yaa-docs-cli-")
        try:
            self.cli_pages(d)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def cli_pages(self, d):
        shutil.copytree(os.path.join(SRC, "channels"), os.path.join(d, "channels"))
        os.makedirs(os.path.join(d, "tests"))
        os.symlink(os.path.join(SRC, "tests", "data"), os.path.join(d, "tests", "data"))
        for name in ("prompts", "migrations", "pricing"):
            if os.path.exists(os.path.join(SRC, name)):
                os.symlink(os.path.join(SRC, name), os.path.join(d, name))
        os.makedirs(os.path.join(d, "build"))
        os.symlink(BIN, os.path.join(d, "build", "yaa"))  # the pages say ./build/yaa or yaa
        env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
        env["PATH"] = os.path.join(d, "build") + os.pathsep + env["PATH"]
        env.update({"DATABASE_URL": "sqlite:///" + os.path.join(d, "yaa.db"), "QUEUE_URL": "db",
                    "LLM_PROVIDER": "offline", "LOG_LEVEL": "warn",
                    "YAA_MEDIA_PRESET": "ultrafast", "YAA_MEDIA_FPS": "5"})
        self.run_line("README.md", "yaa db upgrade", env, d)
        # a run waiting at the video gate, for the RUN / RUN_ID placeholders
        out = self.run_line("WORKFLOW.md", "yaa run --channel home_cooking_en --topic "
                            "'Weeknight pasta' --dry-run --review video", env, d)
        env["RUN"] = re.search(r"run_id: (\S+)", out).group(1)
        # and one at the script gate for the script edit and the reject (approve takes RUN on)
        out = self.run_line("WORKFLOW.md", "yaa run --channel home_cooking_en --topic "
                            "'Lentil soup' --dry-run --review script", env, d)
        env["RUN2"] = re.search(r"run_id: (\S+)", out).group(1)
        shown = json.loads(self.run_line("WORKFLOW.md", 'yaa review show "$RUN2" --json', env, d,
                                         stderr=False))
        script = shown["script.json"]
        script["title"] = "Lentil soup, edited"
        with open(os.path.join(d, "edited-script.json"), "w") as f:
            json.dump(script, f)
        with open(os.path.join(d, "topics.txt"), "w") as f:
            f.write("# this week\nSheet-pan salmon\n\nLentil soup\n")
        for page in CLI_PAGES:
            for lang, block in blocks(page, ("sh", "")):
                for name, text in re.findall(r"(?ms)^cat > (\S+) <<'EOF'\n(.*?)^EOF$", block):
                    with open(os.path.join(d, name), "w") as f:
                        f.write(text)  # the file the page writes before its example
                for line in commands(block):
                    shown = documented_output(block, line)
                    line = line.split("  #")[0].strip()
                    documented = line.startswith("$ ")
                    line = line[2:] if documented else line
                    if not re.match(r"^([A-Z_]+=\S* )*(\./build/)?yaa |^make |^scripts/", line):
                        continue
                    if not documented and (lang == "" or re.search(r"\S {3,}\S", line)):
                        continue  # a synopsis or a usage table, not an example
                    why = skipped(page, line)
                    if why:
                        self.skips.append((page, line, why))
                        continue
                    if line.startswith("make ") or line.startswith("scripts/"):
                        self.skips.append((page, line, "not a yaa line"))
                        continue
                    line = re.sub(r" \[[^\]]*\]", "", line)  # optional parts left out
                    gate = "$RUN2" if re.search(r"--script |review reject ", line) else "$RUN"
                    line = line.replace("RUN_ID", gate)
                    want = next((s for (p, piece), s in EXIT.items()
                                 if p == page and piece in line), 0)
                    out = self.run_line(page, line, env, d, want)
                    for doc_line in shown:  # the output the page shows, where it is not
                        self.assertIn(doc_line, [l.rstrip() for l in out.splitlines()],
                                      "%s: %s prints\n%s" % (page, line, out))  # illustrative


if __name__ == "__main__":
    unittest.main()
