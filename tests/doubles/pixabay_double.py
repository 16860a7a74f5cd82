"""pixabay_double.py - a local double of the Pixabay API (python3 stdlib only).

GET /api/videos/ and /api/ answer in Pixabay's JSON (hits[] with pageURL, user, user_id and
videos{large,medium,small,tiny} or largeImageURL); the key must be the `key` parameter. Files
come from POST /_control {"files_dir": "..."} (clip.mp4, photo.jpg) at /files/<name>. Mode
"corrupt" serves a file that does not decode; see double_base.py for the common modes.
"""

import os
import sys
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from double_base import serve  # noqa: E402
from stock_files import StockHandler  # noqa: E402


class Pixabay(StockHandler):
    def check_shape(self):
        u = urlparse(self.path)
        if self.is_file():
            return
        self.require(u.path in ("/api/", "/api/videos/"), "unknown path " + u.path)
        q = parse_qs(u.query)
        self.require(q.get("key", [""])[0], "missing key parameter")
        self.require(q.get("q", [""])[0], "missing q")
        per = int(q.get("per_page", ["20"])[0])
        self.require(3 <= per <= 200, "per_page must be 3..200")

    def answer(self, mode):
        u = urlparse(self.path)
        if self.is_file():
            return self.send_file(mode)
        q = parse_qs(u.query)
        if q.get("key", [""])[0] == "bad":
            return self.send_bytes(400, b"[ERROR 400] Invalid or missing API key", "text/plain")
        n = int(self.server.control.get("results", 3))
        first = 5000 + 10 * len(self.server.requests)
        hits = []
        for i in range(n):
            h = {"id": first + i, "pageURL": "https://pixabay.com/videos/id-%d/" % (first + i),
                 "user": "pixauthor%d" % i, "user_id": 40 + i, "tags": "test, double"}
            if u.path == "/api/videos/":
                h["duration"] = 8
                h["videos"] = {
                    k: {"url": self.base() + "/files/%d-%s.mp4" % (first + i, k),
                        "width": w, "height": w * 9 // 16, "size": 1000}
                    for k, w in (("large", 3840), ("medium", 1920), ("small", 1280),
                                 ("tiny", 960))}
            else:
                h["largeImageURL"] = self.base() + "/files/%d.jpg" % (first + i)
                h["imageWidth"], h["imageHeight"] = 4000, 3000
            hits.append(h)
        return self.send_json(200, {"total": n, "totalHits": n, "hits": hits})


if __name__ == "__main__":
    serve(Pixabay)
