#!/usr/bin/env python3
"""test_first_use.py - the README's first hour, run as written where it can run offline.

- README "Everyday use": `yaa db upgrade`, `yaa channels list`, `yaa keys create ...`, and
  `yaa run ... --dry-run` on a terminal (under `script`, a real pty): progress and readable
  warnings, no JSON log record; then `--from-stage publisher` reuses that finished run
  (same run id, video.mp4 not rendered again) and `yaa run --run ID --from-stage publisher`
  does too.
- README "A local LLM (Ollama)": the four lines as written, with the OpenAI-wire double
  standing in for Ollama at OPENAI_BASE_URL: the agents send LLM_MODEL, the run completes,
  the missing price is a readable warning on the terminal; a model the server does not have
  (its 404) names LLM_MODEL.
- Every command's --help has a line for each flag its source accepts; a flag without its
  value says so; a blank topic is refused; `yaa channels new` asks for --language and writes
  it into the template's empty language fields.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

SRC = os.environ.get("YAA_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BIN = os.environ.get("YAA_BIN") or os.path.join(SRC, "build", "yaa")
JSON_RECORD = re.compile(r'^\{"ts":', re.M)


def readme_block(heading):
    """The first ```sh block after a README heading, as its command lines."""
    with open(os.path.join(SRC, "README.md"), encoding="utf-8") as f:
        text = f.read()
    at = text.index(heading)
    block = text[text.index("```sh", at) + 5:text.index("```", text.index("```sh", at) + 5)]
    return [l.split("  #")[0].strip() for l in block.strip().splitlines() if l.strip()]


class FirstUse(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="yaa-first-use-")
        shutil.copytree(os.path.join(SRC, "channels"), os.path.join(self.dir, "channels"))
        for name in ("prompts", "migrations"):
            os.symlink(os.path.join(SRC, name), os.path.join(self.dir, name))
        os.makedirs(os.path.join(self.dir, "build"))
        os.symlink(BIN, os.path.join(self.dir, "build", "yaa"))  # the README says ./build/yaa
        self.env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
        # Rendering speed only: the checks are about what is printed and which run is reused.
        self.env.update({"YAA_MEDIA_PRESET": "ultrafast", "YAA_MEDIA_FPS": "5"})

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def sh(self, line, env=None, tty=False, timeout=900):
        """Runs one documented command line in the working directory (on a pty with tty)."""
        e = dict(self.env, **(env or {}))
        cmd = ["script", "-qec", line, "/dev/null"] if tty else ["bash", "-c", line]
        p = subprocess.run(cmd, cwd=self.dir, env=e, capture_output=True, text=True,
                           timeout=timeout)
        return p.returncode, p.stdout + p.stderr

    def test_everyday_use_on_a_terminal(self):
        lines = readme_block("## Everyday use")
        run_line = [l for l in lines if " run " in l][0]
        run_id = None
        for line in lines:
            if " serve" in line:
                continue  # a server: the API tests cover it
            if "<run_id>" in line:  # the placeholder is the run the block just made
                line = line.replace("<run_id>", run_id)
            rc, got = self.sh(line, tty=True)
            self.assertEqual(rc, 0, "%s\n%s" % (line, got[-3000:]))
            self.assertIsNone(JSON_RECORD.search(got), "JSON log record on a terminal:\n" + got)
            if line == run_line:
                out = got
                run_id = re.search(r"run_id: (\S+)", out).group(1)
        self.assertIn("brand-template script", out)  # the offline composer says what it writes
        video = glob.glob(os.path.join(self.dir, "output", run_id, "video.mp4"))[0]
        mtime = os.stat(video).st_mtime_ns
        # --from-stage on the finished topic: the same run, only the publisher again
        rc, out = self.sh(run_line + " --from-stage publisher", tty=True)
        self.assertEqual(rc, 0, out)
        self.assertEqual(re.search(r"run_id: (\S+)", out).group(1), run_id)
        self.assertIn("again from publisher", out)
        self.assertNotIn("media_editor     started", out)
        self.assertEqual(os.stat(video).st_mtime_ns, mtime)
        rc, out = self.sh("./build/yaa run --run %s --from-stage publisher" % run_id)
        self.assertEqual(rc, 0, out)
        self.assertEqual(re.search(r"run_id: (\S+)", out).group(1), run_id)
        self.assertEqual(os.stat(video).st_mtime_ns, mtime)
        # off a terminal (a pipe), the records are JSON again; LOG_FORMAT=json on a pty too
        rc, out = self.sh("./build/yaa run --run %s --from-stage publisher 2>&1 | cat" % run_id,
                          env={"LOG_LEVEL": "info"})
        self.assertIsNotNone(JSON_RECORD.search(out), out)

    def test_ollama_example(self):
        double = subprocess.Popen([sys.executable, os.path.join(SRC, "tests", "doubles",
                                                                "openai_double.py")],
                                  stdout=subprocess.PIPE, text=True)
        try:
            port = int(double.stdout.readline().split()[1])
            base = "http://127.0.0.1:%d" % port
            subprocess.run(["curl", "-s", "-X", "POST", base + "/_control", "-d",
                            '{"expect_key": ""}'], check=True, capture_output=True)
            lines = readme_block("### A local LLM (Ollama)")
            exports = " && ".join(l for l in lines if l.startswith("export "))
            exports = exports.replace("http://127.0.0.1:11434/v1", base + "/v1")
            run_line = [l for l in lines if " run " in l][0]
            self.assertEqual(self.sh("./build/yaa db upgrade")[0], 0)
            rc, out = self.sh(exports + " && " + run_line, tty=True)
            self.assertEqual(rc, 0, out[-3000:])
            self.assertIsNone(JSON_RECORD.search(out), out)
            self.assertRegex(out, r"warning: no price for this model.*model=qwen2\.5:7b")
            reqs = json.loads(subprocess.run(["curl", "-s", base + "/_requests"],
                                             capture_output=True, text=True).stdout)["requests"]
            models = {json.loads(r["body"])["model"] for r in reqs if r["path"].endswith(
                "/chat/completions")}
            self.assertEqual(models, {"qwen2.5:7b"})  # every agent, and only LLM_MODEL
            # a model the server does not serve: the 404 names the variable to set
            subprocess.run(["curl", "-s", "-X", "POST", base + "/_control", "-d",
                            '{"script": ["404_model"]}'], check=True, capture_output=True)
            rc, out = self.sh(exports + " && " + run_line.replace("--dry-run", "--dry-run --new"))
            self.assertNotEqual(rc, 0)
            self.assertIn("LLM_MODEL", out)
        finally:
            double.terminate()
            double.wait()

    def test_help_and_arguments(self):
        cmds = {"serve": "cmd_serve.c", "worker": "cmd_worker.c", "run": "cmd_run.c",
                "channels": "cmd_channels.c", "keys": "cmd_keys.c", "rag": "cmd_rag.c",
                "usage": "cmd_usage.c", "queue": "cmd_queue.c"}
        for cmd, src in cmds.items():
            rc, out = self.sh("./build/yaa %s --help" % cmd)
            self.assertEqual(rc, 0, out)
            flags = set(re.findall(r'"(--[a-z][a-z-]+)"', open(os.path.join(
                SRC, "src", "cli", src), encoding="utf-8").read())) - {"--help"}
            for f in flags:
                self.assertRegex(out, r"(?m)^\s+(-\w, )?%s\b.*\S" % re.escape(f),
                                 "yaa %s --help has no line for %s" % (cmd, f))
        rc, out = self.sh("./build/yaa keys create --name")
        self.assertEqual(rc, 2)
        self.assertIn("--name needs a value", out)
        rc, out = self.sh("./build/yaa run --channel")
        self.assertEqual(rc, 2)
        self.assertIn("--channel needs a value", out)
        rc, out = self.sh("./build/yaa rag query --channel")
        self.assertEqual(rc, 2)
        self.assertIn("--channel needs a value", out)
        rc, out = self.sh("./build/yaa run --channel home_cooking_en --topic '   '")
        self.assertEqual(rc, 2)
        self.assertIn("topic is empty", out)
        rc, out = self.sh("./build/yaa channels new garden_en")
        self.assertEqual(rc, 2)
        self.assertIn("--language en|ko is required", out)
        rc, out = self.sh("./build/yaa channels new garden_en --language en --name 'Garden Hours'")
        self.assertEqual(rc, 0, out)
        cfg = open(os.path.join(self.dir, "channels", "garden_en", "config.yaml")).read()
        self.assertRegex(cfg, r"(?m)^  language: en\b")
        self.assertNotRegex(open(os.path.join(SRC, "channels", "_template", "config.yaml")).read(),
                            r"(?m)^  language: (ko|en)\b")


if __name__ == "__main__":
    unittest.main(verbosity=2)
