"""pexels_double.py - a local double of the Pexels API (python3 stdlib only).

GET /videos/search and /v1/search answer in Pexels' JSON (videos[] with user and video_files[],
photos[] with photographer and src{}); the key must be in the Authorization header. The files
come from the directory set with POST /_control {"files_dir": "..."} (clip.mp4, photo.jpg,
made by the test with ffmpeg) and are served at /files/<id>.<ext>. Extra mode: "corrupt"
serves bytes that do not decode, "401" refuses the key (as a bad key does). See double_base.py
for the common modes.
"""

import os
import sys
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from double_base import serve  # noqa: E402
from stock_files import StockHandler  # noqa: E402


# (quality, width, height, fps, file name suffix) of each video's renditions
RENDITIONS = [("sd", 640, 360, 25, "sd"), ("uhd", 3840, 2160, 50, "uhd50"),
              ("hd", 1920, 1080, 50, "hd50"), ("hd", 1920, 1080, 25, "hd"),
              ("hd", 1280, 720, 25, "hd720")]


class Pexels(StockHandler):
    def check_shape(self):
        u = urlparse(self.path)
        if self.is_file():
            return
        self.require(u.path in ("/videos/search", "/v1/search"), "unknown path " + u.path)
        self.require(self.header("Authorization"), "missing Authorization header")
        q = parse_qs(u.query)
        self.require(q.get("query", [""])[0], "missing query")
        self.require(q.get("orientation", [""])[0] in ("landscape", "portrait", "square"),
                     "bad orientation")

    def answer(self, mode):
        u = urlparse(self.path)
        if mode == "401" or (self.header("Authorization") == "bad"
                             and not self.is_file()):
            return self.send_json(401, {"error": "Unauthorized"})
        if self.is_file():
            return self.send_file(mode)
        q = parse_qs(u.query)
        per = int(q.get("per_page", ["15"])[0])
        n = min(per, int(self.server.control.get("results", 3)))
        first = 1000 + 10 * len(self.server.requests)
        if u.path == "/videos/search":
            vids = [{
                "id": first + i, "width": 1920, "height": 1080, "duration": 8,
                "url": "https://www.pexels.com/video/clip-%d/" % (first + i),
                "image": self.base() + "/files/%d.jpg" % (first + i),
                "user": {"id": 7, "name": "Double Author %d" % i,
                         "url": "https://www.pexels.com/@double%d" % i},
                # several renditions, as Pexels lists them: sizes and frame rates differ
                "video_files": [
                    {"id": k + 1, "quality": q, "file_type": "video/mp4", "width": w,
                     "height": h, "fps": fps,
                     "link": self.base() + "/files/%d-%s.mp4" % (first + i, name)}
                    for k, (q, w, h, fps, name) in enumerate(RENDITIONS)],
            } for i in range(n)]
            return self.send_json(200, {"page": 1, "per_page": per, "total_results": n,
                                        "videos": vids})
        photos = [{
            "id": first + i, "width": 4000, "height": 3000,
            "url": "https://www.pexels.com/photo/p-%d/" % (first + i),
            "photographer": "Double Photographer %d" % i,
            "photographer_url": "https://www.pexels.com/@photo%d" % i,
            "src": {"original": self.base() + "/files/%d.jpg" % (first + i),
                    "large2x": self.base() + "/files/%d-l.jpg" % (first + i)},
        } for i in range(n)]
        return self.send_json(200, {"page": 1, "per_page": per, "total_results": n,
                                    "photos": photos})


if __name__ == "__main__":
    serve(Pexels)
