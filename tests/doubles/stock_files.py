"""stock_files.py - what the Pexels and Pixabay doubles share: the handler base that serves
the test's real media files at /files/<name> (clip.mp4 for *.mp4, photo.jpg otherwise, from
the directory set with POST /_control {"files_dir": "..."}) and the "corrupt" mode (bytes that
do not decode)."""

import os
import sys
from urllib.parse import urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from double_base import DoubleHandler  # noqa: E402


class StockHandler(DoubleHandler):
    def base(self):
        return "http://%s:%d" % self.server.server_address

    def is_file(self):
        return urlparse(self.path).path.startswith("/files/")

    def send_file(self, mode):
        path = urlparse(self.path).path
        if mode == "corrupt":
            return self.send_bytes(200, b"\x00not a video\x00" * 64, "video/mp4")
        video = path.endswith(".mp4")
        src = os.path.join(self.server.control["files_dir"], "clip.mp4" if video else "photo.jpg")
        with open(src, "rb") as f:
            return self.send_bytes(200, f.read(), "video/mp4" if video else "image/jpeg")
