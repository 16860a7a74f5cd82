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
  POST /upload/youtube/v3/captions?uploadType=multipart&part=snippet
                                    multipart/related: caption resource JSON, then the SRT
  POST /youtube/v3/playlistItems?part=snippet          JSON {snippet:{playlistId,resourceId}}
  GET  /youtube/v3/channels?part=id,snippet&mine=true  the authorised account's channel
  GET  /o/oauth2/v2/auth?...        Google's consent screen for installed apps: answers 302 to
                                    redirect_uri with code and state (or error=access_denied)
  POST /token grant_type=authorization_code            code + PKCE code_verifier -> tokens

Control keys (POST /_control) besides the common script modes (double_base.py):
  refresh_token   the token accepted (default "rt-test"); another one gets invalid_grant
  client_secret   the secret accepted (default "cs-test"); another one gets invalid_client
  break_chunks    [n, ...]: the n-th data PUT (1-based) keeps half of its bytes (rounded down
                  to 256 KiB) and the connection breaks before a complete reply
  fail_chunks     [n, ...]: the n-th data PUT answers 503 and keeps nothing
  start_error     "quotaExceeded" | "forbidden" | "authError" for the session start
  thumb_error     "forbidden" for thumbnails.set
  consent         "deny": the consent screen answers error=access_denied
  owned_channel   the channel id channels.list?mine=true returns (default UC + 22 x's)
  revoked         [refresh_token, ...] answered invalid_grant (expired or revoked)
  caption_error   "forbidden" for captions.insert
GET /_state gives {"uploads": {upload_id: {"size", "sha256", "metadata", "puts", "queries"}}}.
"""

import base64
import hashlib
import json
import urllib.parse

from double_base import DoubleHandler, ShapeError, serve

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
        if path == "/o/oauth2/v2/auth":
            self.require(self.command == "GET", "the consent screen is a GET")
            for k in ("client_id", "redirect_uri", "scope", "state", "code_challenge"):
                self.require(q.get(k, [""])[0], "auth request lacks %s" % k)
            self.require(q.get("response_type") == ["code"], "response_type must be code")
            self.require(q.get("code_challenge_method") == ["S256"],
                         "code_challenge_method must be S256")
            self.require(q.get("access_type") == ["offline"],
                         "access_type=offline is needed for a refresh token")
            ru = q["redirect_uri"][0]
            self.require(ru.startswith("http://127.0.0.1:") or ru.startswith("http://localhost:")
                         or ru.startswith("https://"), "redirect_uri must be loopback or https")
            return
        if path == "/token":
            self.require(self.command == "POST", "token endpoint takes POST")
            self.require((self.header("Content-Type") or "").startswith(
                "application/x-www-form-urlencoded"), "token request must be form-encoded")
            f = urllib.parse.parse_qs(self.body.decode())
            grant = f.get("grant_type", [""])[0]
            self.require(grant in ("refresh_token", "authorization_code"),
                         "grant_type must be refresh_token or authorization_code")
            need = (("client_id", "client_secret", "refresh_token") if grant == "refresh_token"
                    else ("client_id", "client_secret", "code", "code_verifier", "redirect_uri"))
            for k in need:
                self.require(f.get(k, [""])[0], "token form lacks %s" % k)
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
            if "publishAt" in st:
                self.require(st.get("privacyStatus") == "private",
                             "status.publishAt needs privacyStatus private")
            return
        if path == "/upload/youtube/v3/videos" and self.command == "PUT":
            self.require(q.get("upload_id", [""])[0] in self.uploads(), "unknown upload_id")
            cr = self.header("Content-Range") or ""
            self.require(cr.startswith("bytes "), "PUT needs Content-Range")
            return
        if path == "/upload/youtube/v3/captions":
            self.require(self.command == "POST", "captions.insert takes POST")
            self.require(q.get("uploadType") == ["multipart"], "uploadType=multipart")
            self.require(q.get("part") == ["snippet"], "part=snippet")
            ct = self.header("Content-Type") or ""
            self.require(ct.startswith("multipart/related; boundary="),
                         "captions.insert body must be multipart/related")
            self.caption = self.parse_multipart(ct.split("boundary=", 1)[1])
            return
        if path == "/youtube/v3/playlistItems":
            self.require(self.command == "POST", "playlistItems.insert takes POST")
            self.require(q.get("part") == ["snippet"], "part=snippet")
            sn = self.json_body().get("snippet", {})
            self.require(sn.get("playlistId"), "snippet.playlistId")
            self.require(sn.get("resourceId", {}).get("kind") == "youtube#video",
                         "snippet.resourceId.kind must be youtube#video")
            self.require(sn.get("resourceId", {}).get("videoId"), "snippet.resourceId.videoId")
            return
        if path == "/youtube/v3/channels":
            self.require(self.command == "GET", "channels.list is a GET")
            self.require(q.get("mine") == ["true"], "mine=true")
            return
        if path == "/upload/youtube/v3/thumbnails/set":
            self.require(self.command == "POST", "thumbnails.set takes POST")
            self.require(self.header("Content-Type") in ("image/png", "image/jpeg"),
                         "thumbnail Content-Type must be image/png or image/jpeg")
            self.require(0 < len(self.body) <= 2 * 1024 * 1024, "thumbnail must be 1 B..2 MB")
            return
        raise Exception("unexpected")

    def parse_multipart(self, boundary):
        parts = self.body.split(b"--" + boundary.encode())
        self.require(len(parts) >= 4 and parts[-1].startswith(b"--"),
                     "multipart body must have two parts and a closing boundary")
        out = []
        for p in parts[1:-1]:
            head, _, data = p.partition(b"\r\n\r\n")
            self.require(data.endswith(b"\r\n"), "each part ends with CRLF")
            out.append((head.decode("utf-8", "replace").lower(), data[:-2]))
        self.require("application/json" in out[0][0], "first part must be the JSON resource")
        try:
            meta = json.loads(out[0][1].decode())
        except Exception:  # noqa: BLE001
            raise ShapeError("caption resource is not JSON")
        sn = meta.get("snippet", {})
        self.require(sn.get("videoId") and sn.get("language"),
                     "caption snippet needs videoId and language")
        return {"snippet": sn, "data": out[1][1]}

    def consent(self, q):
        ctl = self.server.control
        ru, st = q["redirect_uri"][0], q["state"][0]
        if ctl.get("consent") == "deny":
            loc = ru + "?" + urllib.parse.urlencode({"error": "access_denied", "state": st})
        else:
            with self.server.lock:
                codes = self.server.state.setdefault("codes", {})
                code = "4/code%d" % (len(codes) + 1)
                codes[code] = {"challenge": q["code_challenge"][0], "redirect_uri": ru,
                               "client_id": q["client_id"][0], "scope": q["scope"][0]}
            loc = ru + "?" + urllib.parse.urlencode({"code": code, "state": st,
                                                     "scope": q["scope"][0]})
        return self.send_bytes(302, b"", "text/html", {"Location": loc})

    def exchange_code(self, f):
        codes = self.server.state.setdefault("codes", {})
        c = codes.pop(f["code"][0], None)
        if c is None:
            return self.send_json(400, {"error": "invalid_grant",
                                        "error_description": "Malformed auth code."})
        digest = hashlib.sha256(f["code_verifier"][0].encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != c["challenge"]:
            return self.send_json(400, {"error": "invalid_grant",
                                        "error_description": "Invalid code verifier."})
        if f["redirect_uri"][0] != c["redirect_uri"]:
            return self.send_json(400, {"error": "redirect_uri_mismatch",
                                        "error_description": "Bad Request"})
        with self.server.lock:
            issued = self.server.state.setdefault("issued", [])
            rt = "1//rt-issued-%d" % (len(issued) + 1)
            issued.append(rt)
        return self.send_json(200, {"access_token": TOKEN, "expires_in": 3599,
                                    "refresh_token": rt, "scope": c["scope"],
                                    "token_type": "Bearer"})

    def answer(self, mode):
        path, q = self.route()
        ctl = self.server.control
        if path == "/o/oauth2/v2/auth":
            return self.consent(q)
        if path == "/token":
            f = urllib.parse.parse_qs(self.body.decode())
            if f["client_secret"][0] != ctl.get("client_secret", "cs-test"):
                return self.send_json(401, {"error": "invalid_client",
                                            "error_description": "The OAuth client was not "
                                                                 "found."})
            if f["grant_type"][0] == "authorization_code":
                return self.exchange_code(f)
            rt = f["refresh_token"][0]
            known = rt == ctl.get("refresh_token", "rt-test") or rt in self.server.state.get(
                "issued", [])
            if not known or rt in ctl.get("revoked", []):
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
        if path == "/youtube/v3/channels":
            owned = ctl.get("owned_channel", "UC" + "x" * 22)
            return self.send_json(200, {"kind": "youtube#channelListResponse", "items": [
                {"kind": "youtube#channel", "id": owned,
                 "snippet": {"title": "Double channel %s" % owned}}]})
        if path == "/upload/youtube/v3/captions":
            if ctl.get("caption_error") == "forbidden":
                return self.send_json(403, google_error(403, "forbidden", "Forbidden"))
            sn = self.caption["snippet"]
            if not self.known_video(sn["videoId"]):
                return self.send_json(404, google_error(404, "videoNotFound", "Video not found"))
            with self.server.lock:
                caps = self.server.state.setdefault("captions", {})
                cid = "cap%d" % (len(caps) + 1)
                caps[sn["videoId"]] = {"id": cid, "language": sn["language"],
                                       "name": sn.get("name", ""),
                                       "isDraft": sn.get("isDraft"),
                                       "text": self.caption["data"].decode("utf-8", "replace")}
            return self.send_json(200, {"kind": "youtube#caption", "id": cid, "snippet": sn})
        if path == "/youtube/v3/playlistItems":
            sn = self.json_body()["snippet"]
            vid = sn["resourceId"]["videoId"]
            if not self.known_video(vid):
                return self.send_json(404, google_error(404, "videoNotFound", "Video not found"))
            if not sn["playlistId"].startswith("PL"):
                return self.send_json(404, google_error(404, "playlistNotFound",
                                                        "Playlist not found"))
            with self.server.lock:
                items = self.server.state.setdefault("playlist_items", [])
                pid = "pli%d" % (len(items) + 1)
                items.append({"id": pid, "playlistId": sn["playlistId"], "videoId": vid})
            return self.send_json(200, {"kind": "youtube#playlistItem", "id": pid,
                                        "snippet": sn})
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

    def known_video(self, vid):
        return any(u.get("video_id") == vid for u in self.uploads().values())

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
                      "thumbnails": self.server.state.get("thumbnails", {}),
                      "captions": self.server.state.get("captions", {}),
                      "playlist_items": self.server.state.get("playlist_items", []),
                      "issued": self.server.state.get("issued", [])}
            return self.send_json(200, st)
        return super()._handle()


if __name__ == "__main__":
    serve(YouTubeHandler)
