#!/usr/bin/env python3
"""test_channels_export.py - `yaa channels import` and `yaa channels export ID DIR
[--revision N]` through the real binary (CHANNELS_STORE=db, SQLite, the file artifact store).

- a channel folder with a binary knowledge file and music over the 1 MiB inline limit (kept
  in the artifact store) is imported, exported, and the export is byte-for-byte the folder
  (no .revision or other hidden file added); importing the export back changes nothing;
- after an edit, the current revision and --revision 1 export the new and the old content;
- an unknown channel, a revision that does not exist, an unsafe id, a missing DIR and a
  bad --revision are refused with a message that says what is wrong, and write nothing.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from stack import BIN, SRC, stack_env  # noqa: E402

CH = "home_cooking_en"


def tree(root):
    """{relative path: sha256} of every file under root."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = hashlib.sha256(fh.read()).hexdigest()
    return out


class ChannelsExport(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="yaa-ch-export-")
        self.src = os.path.join(self.dir, "channels")
        shutil.copytree(os.path.join(SRC, "channels", CH), os.path.join(self.src, CH))
        shutil.copytree(os.path.join(SRC, "channels", "_template"),
                        os.path.join(self.src, "_template"))
        ch = os.path.join(self.src, CH)
        os.makedirs(os.path.join(ch, "music"), exist_ok=True)
        with open(os.path.join(ch, "music", "bgm.wav"), "wb") as f:
            f.write(bytes((i * 131 + 7) & 0xFF for i in range(1536 * 1024)))
        os.makedirs(os.path.join(ch, "knowledge"), exist_ok=True)
        with open(os.path.join(ch, "knowledge", "table.bin"), "wb") as f:
            f.write(b"a\x00b\xff" * 100)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("YAA_", "S3_", "AWS_", "ARTIFACT_", "CHANNELS_"))}
        self.env.update(stack_env(DATABASE_URL="sqlite:///" + os.path.join(self.dir, "yaa.db"),
                                  OUTPUT_DIR=os.path.join(self.dir, "output"),
                                  CHANNELS_DIR=self.src, CHANNELS_STORE="db",
                                  ARTIFACT_STORE="file"))
        self.ok("db", "upgrade")
        out = self.ok("channels", "import")
        self.assertIn("1 channel", out)
        self.assertIn("1 stored as a new revision", out)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def yaa(self, *args):
        return subprocess.run([BIN] + list(args), env=self.env, cwd=self.dir,
                              capture_output=True, text=True, timeout=300)

    def ok(self, *args):
        r = self.yaa(*args)
        self.assertEqual(r.returncode, 0, "yaa %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r.stdout

    def test_export_is_the_folder(self):
        dest = os.path.join(self.dir, "exported")
        out = self.ok("channels", "export", CH, dest)
        self.assertEqual(out.strip(), os.path.join(dest, CH))
        got = tree(os.path.join(dest, CH))
        self.assertEqual(got, tree(os.path.join(self.src, CH)))
        self.assertIn(os.path.join("music", "bgm.wav"), got)
        self.assertFalse([p for p in got if os.path.basename(p).startswith(".")])
        # the export imports back as the same revision
        out = self.ok("channels", "import", dest)
        self.assertIn("0 stored as a new revision, 1 unchanged", out)

    def test_revisions(self):
        guide = os.path.join(self.src, CH, "brand_guide.yaml")
        with open(guide, encoding="utf-8") as f:
            first = f.read()
        with open(guide, "a", encoding="utf-8") as f:
            f.write("# edited for revision 2\n")
        self.assertIn("1 stored as a new revision", self.ok("channels", "import"))
        cur, old = os.path.join(self.dir, "cur"), os.path.join(self.dir, "old")
        self.ok("channels", "export", CH, cur)
        self.ok("channels", "export", CH, old, "--revision", "1")
        with open(os.path.join(cur, CH, "brand_guide.yaml"), encoding="utf-8") as f:
            self.assertIn("edited for revision 2", f.read())
        with open(os.path.join(old, CH, "brand_guide.yaml"), encoding="utf-8") as f:
            self.assertEqual(f.read(), first)
        # exporting again over an existing folder replaces it whole
        self.ok("channels", "export", CH, cur, "--revision", "1")
        self.assertEqual(tree(os.path.join(cur, CH)), tree(os.path.join(old, CH)))

    def test_refusals(self):
        dest = os.path.join(self.dir, "nothing")
        cases = [
            (("channels", "export", "no_such_channel", dest), "no_such_channel"),
            (("channels", "export", CH, dest, "--revision", "99"), None),
            (("channels", "export", "../escape", dest), "channel id"),
            (("channels", "export", CH), None),
            (("channels", "export", CH, dest, "--revision", "two"), "--revision"),
        ]
        for args, says in cases:
            r = self.yaa(*args)
            self.assertNotEqual(r.returncode, 0, args)
            msg = r.stdout + r.stderr
            self.assertTrue(msg.strip(), args)
            self.assertNotIn("Segmentation", msg, args)
            if says:
                self.assertIn(says, msg, args)
            self.assertFalse(os.path.exists(os.path.join(dest, CH)), args)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "escape")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
