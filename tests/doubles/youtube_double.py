"""youtube_double.py - a double of Google's OAuth2 token endpoint and the YouTube Data API v3
resumable upload protocol, plus thumbnails.set.

  POST /token                       form: client_id, client_secret, refresh_token,
                                    grant_type=refresh_token -> {"access_token": "ya29.double"}
  POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status
                                    JSON snippet+status, X-Upload-Content-Length/-Type
                                    -> 200 + Location: <session URL>
  PUT  <session URL>                Content-Range: bytes a-b/total (a = bytes held, chunk a
                                    multiple of 256 KiB unless last) -> 308 + Range, or 200
                                    with the video; Content-Range: bytes */total -> status
  POST /upload/youtube/v3/thumbnails/set?videoId=ID   image/png or image/jpeg body

Control keys (POST /_control) besides the common script modes (double_base.py):
  refresh_token   the token accepted (default "rt-test"); another one gets invalid_grant
  client_secret   the secret accepted (default "cs-test"); another one gets invalid_client
  break_chunks    [n, ...]: the n-th data PUT (1-based) keeps half of its bytes (rounded down
                  to 256 KiB) and the connection breaks before a complete reply
  fail_chunks     [n, ...]: the n-th data PUT answers 503 and keeps nothing
  start_error     "quotaExceeded" | "forbidden" | "authError" for the session start
  thumb_error     "forbidden" for thumbnails.set
GET /_state gives {"uploads": {upload_id: {"size", "sha256", "metadata", "puts", "queries"}}}.
"""

import hashlib
import json
import urllib.parse

from double_base import DoubleHandler, serve

UNIT = 256 * 1024
TOKEN = "ya29.double"


def google_error(code, reason, message, domain="youtube.video"):
    return {"error": {"code": code, "message": message,
                      "errors": [{"message": message, "domain": domain, "reason": reason}]}}


class YouTubeHandler(DoubleHandler):
    def route(self):
        u = urllib.parse.urlsplit(self.path)
        return u.path, urllib.parse.parse_qs(u.query)

    def uploads(self):
        return self.server.state.setdefault("uploads", {})

    def check_shape(self):
        path, q = self.route()
        if path == "/token":
            self.require(self.command == "POST", "token endpoint takes POST")
            self.require((self.header("Content-Type") or "").startswith(
                "application/x-www-form-urlencoded"), "token request must be form-encoded")
            f = urllib.parse.parse_qs(self.body.decode())
            for k in ("client_id", "client_secret", "refresh_token"):
                self.require(f.get(k, [""])[0], "token form lacks %s" % k)
            self.require(f.get("grant_type") == ["refresh_token"],
                         "grant_type must be refresh_token")
            return
        self.require(self.header("Authorization") is not None, "missing Authorization")
        if path == "/upload/youtube/v3/videos" and self.command == "POST":
            self.require(q.get("uploadType") == ["resumable"], "uploadType=resumable")
            self.require(q.get("part") == ["snippet,status"], "part=snippet,status")
            n = self.header("X-Upload-Content-Length")
            self.require(n is not None and n.isdigit() and int(n) > 0,
                         "X-Upload-Content-Length must be the byte size")
            self.require((self.header("X-Upload-Content-Type") or "").startswith("video/"),
                         "X-Upload-Content-Type must be video/*")
            b = self.json_body()
            sn, st = b.get("snippet", {}), b.get("status", {})
            self.require(isinstance(sn.get("title"), str) and 0 < len(sn["title"]) <= 100,
                         "snippet.title must be 1..100 characters")
            self.require(len(sn.get("description", "").encode()) <= 5000, "description too long")
            self.require(isinstance(sn.get("categoryId"), str), "snippet.categoryId string")
            self.require(st.get("privacyStatus") in ("private", "unlisted", "public"),
                         "status.privacyStatus must be sent")
            self.require(isinstance(st.get("selfDeclaredMadeForKids"), bool),
                         "status.selfDeclaredMadeForKids must be sent")
            self.require(st.get("containsSyntheticMedia") is True,
                         "status.containsSyntheticMedia must be true")
            return
        if path == "/upload/youtube/v3/videos" and self.command == "PUT":
            self.require(q.get("upload_id", [""])[0] in self.uploads(), "unknown upload_id")
            cr = self.header("Content-Range") or ""
            self.require(cr.startswith("bytes "), "PUT needs Content-Range")
            return
        if path == "/upload/youtube/v3/thumbnails/set":
            self.require(self.command == "POST", "thumbnails.set takes POST")
            self.require(self.header("Content-Type") in ("image/png", "image/jpeg"),
                         "thumbnail Content-Type must be image/png or image/jpeg")
            self.require(0 < len(self.body) <= 2 * 1024 * 1024, "thumbnail must be 1 B..2 MB")
            return
        raise Exception("unexpected")

    def answer(self, mode):
        path, q = self.route()
        ctl = self.server.control
        if path == "/token":
            f = urllib.parse.parse_qs(self.body.decode())
            if f["client_secret"][0] != ctl.get("client_secret", "cs-test"):
                return self.send_json(401, {"error": "invalid_client",
                                            "error_description": "The OAuth client was not "
                                                                 "found."})
            if f["refresh_token"][0] != ctl.get("refresh_token", "rt-test"):
                return self.send_json(400, {"error": "invalid_grant",
                                            "error_description": "Token has been expired or "
                                                                 "revoked."})
            return self.send_json(200, {"access_token": TOKEN, "expires_in": 3599,
                                        "scope": "https://www.googleapis.com/auth/youtube.upload",
                                        "token_type": "Bearer"})
        if self.header("Authorization") != "Bearer " + TOKEN:
            return self.send_json(401, google_error(401, "authError", "Invalid Credentials",
                                                    "global"))
        if path == "/upload/youtube/v3/videos" and self.command == "POST":
            err = ctl.get("start_error")
            if err == "quotaExceeded":
                return self.send_json(403, google_error(
                    403, "quotaExceeded", "The request cannot be completed because you have "
                    "exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.",
                    "youtube.quota"))
            if err == "forbidden":
                return self.send_json(403, google_error(403, "forbidden", "Forbidden"))
            if err == "authError":
                return self.send_json(401, google_error(401, "authError", "Invalid Credentials",
                                                        "global"))
            with self.server.lock:
                uid = "up%d" % (len(self.uploads()) + 1)
                self.uploads()[uid] = {"size": int(self.header("X-Upload-Content-Length")),
                                       "data": bytearray(), "metadata": self.json_body(),
                                       "puts": 0, "queries": 0}
            host = self.headers.get("Host")
            loc = ("http://%s/upload/youtube/v3/videos?uploadType=resumable&upload_id=%s"
                   % (host, uid))
            return self.send_bytes(200, b"", "application/json", {"Location": loc})
        if path == "/upload/youtube/v3/videos" and self.command == "PUT":
            return self.put_chunk(q["upload_id"][0])
        if path == "/upload/youtube/v3/thumbnails/set":
            if ctl.get("thumb_error") == "forbidden":
                return self.send_json(403, google_error(
                    403, "forbidden", "The authenticated user doesn't have permissions to "
                    "upload and set custom video thumbnails."))
            vid = q.get("videoId", [""])[0]
            if not any(u.get("video_id") == vid for u in self.uploads().values()):
                return self.send_json(404, google_error(404, "videoNotFound", "Video not found"))
            self.server.state.setdefault("thumbnails", {})[vid] = len(self.body)
            return self.send_json(200, {"kind": "youtube#thumbnailSetResponse", "items": [
                {"default": {"url": "https://i.ytimg.com/vi/%s/default.jpg" % vid,
                             "width": 120, "height": 90}}]})
        return self.send_json(404, google_error(404, "notFound", "Not Found"))

    def status_reply(self, up, code=308):
        held = len(up["data"])
        if held == up["size"]:
            return self.done(up)
        extra = {"Range": "bytes=0-%d" % (held - 1)} if held else {}
        return self.send_bytes(code, b"", "text/plain", extra)

    def done(self, up):
        md = up["metadata"]
        up["sha256"] = hashlib.sha256(bytes(up["data"])).hexdigest()
        if "video_id" not in up:
            up["video_id"] = "vid%d" % (len(self.server.state.get("done", [])) + 1)
            self.server.state.setdefault("done", []).append(up["video_id"])
        st = dict(md.get("status", {}))
        st["uploadStatus"] = "uploaded"
        return self.send_json(200, {"kind": "youtube#video", "id": up["video_id"],
                                    "snippet": md.get("snippet", {}), "status": st})

    def put_chunk(self, uid):
        up = self.uploads()[uid]
        cr = self.header("Content-Range")[len("bytes "):]
        rng, total = cr.split("/")
        if int(total) != up["size"]:
            return self.send_json(400, google_error(400, "badContent", "total size changed"))
        if rng == "*":
            up["queries"] += 1
            self.record_violation_if(len(self.body) != 0, "status query must have no body")
            return self.status_reply(up)
        a, b = (int(x) for x in rng.split("-"))
        n = b - a + 1
        if n != len(self.body):
            return self.send_json(400, google_error(400, "badContent",
                                                    "Content-Range does not match the body"))
        if a != len(up["data"]):
            self.record_violation_if(True, "chunk starts at %d but the server holds %d"
                                     % (a, len(up["data"])))
            return self.status_reply(up)
        if b + 1 != up["size"] and n % UNIT != 0:
            self.record_violation_if(True, "non-final chunk of %d bytes is not a multiple of "
                                     "256 KiB" % n)
            return self.send_json(400, google_error(400, "badContent", "chunk size"))
        up["puts"] += 1
        nth = up["puts"]
        ctl = self.server.control
        if nth in ctl.get("fail_chunks", []):
            return self.send_json(503, google_error(503, "backendError", "Backend Error"))
        if nth in ctl.get("break_chunks", []):
            keep = (n // 2) // UNIT * UNIT
            up["data"] += self.body[:keep]
            up.setdefault("breaks", 0)
            up["breaks"] += 1
            # A reply that never completes: the connection breaks mid-response.
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 500\r\n\r\n{\"kind\": \"youtu")
            self.wfile.flush()
            self.close_connection = True
            return None
        up["data"] += self.body
        return self.status_reply(up)

    def record_violation_if(self, cond, msg):
        if cond:
            with self.server.lock:
                self.server.requests[-1]["violations"].append(msg)

    def _handle(self):
        if self.path == "/_state":
            self.body = b""
            with self.server.lock:
                st = {"uploads": {k: {kk: vv for kk, vv in v.items() if kk != "data"}
                                  for k, v in self.server.state.get("uploads", {}).items()},
                      "thumbnails": self.server.state.get("thumbnails", {})}
            return self.send_json(200, st)
        return super()._handle()


if __name__ == "__main__":
    serve(YouTubeHandler)
