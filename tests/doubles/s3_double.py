"""s3_double.py - an S3 test double (python3 stdlib only) that checks what real S3 checks.

Path-style (/bucket/key) and virtual-host-style (Host: bucket.host, /key) requests for
PutObject, GetObject (with Range), HeadObject,
DeleteObject, ListObjectsV2 and multipart upload (create, upload part, complete, abort).
Every request must be signed with AWS Signature Version 4 for the access key "AKTEST" /
secret "secret-test" (Authorization header, or a presigned query for GET); the signature is
recomputed here, and x-amz-content-sha256 must be the SHA-256 of the body actually received.
A bad signature answers 403 SignatureDoesNotMatch, a wrong payload hash 400
XAmzContentSHA256Mismatch, both recorded as violations. Errors have S3's XML body.
Temporary credentials: a request may carry the session token TOKEN (header
x-amz-security-token, which must then be signed, or X-Amz-Security-Token in a presigned
query); any other token is refused (403 InvalidToken, a violation).

Test setup: PUT /_object/<key> stores an object in the bucket without signing.

Modes (POST /_control {"script": [...]}, see double_base.py), one per request in order:
  ok            normal answer
  403 / 404     AccessDenied / NoSuchKey
  500 / 503     InternalError / SlowDown (retryable)
  cut           read half of the request body, then close the connection (upload cut)
  drop          read the whole request, then close the connection without an answer: a
                keep-alive connection the server dropped (on a reused connection libcurl
                sends the request again on a new one, which needs the body rewound)
  500early      read half of the request body, answer 500 InternalError and close (a server
                that gives up mid-body)
  cutget        GET: announce the object, send half of it, close
  slow:S        wait S seconds before answering (headers and body)
  stall:S       GET: send the headers and the first bytes, then nothing for S seconds
"""

import hashlib
import hmac
import json
import time
import urllib.parse
import uuid

from double_base import DoubleHandler, serve

ACCESS = "AKTEST"
SECRET = "secret-test"
BUCKET = "artifacts"
TOKEN = "IQoJb3JpZ2luX2VjE/session+token=="


def sign_key(date, region):
    k = hmac.new(("AWS4" + SECRET).encode(), date.encode(), hashlib.sha256).digest()
    k = hmac.new(k, region.encode(), hashlib.sha256).digest()
    k = hmac.new(k, b"s3", hashlib.sha256).digest()
    return hmac.new(k, b"aws4_request", hashlib.sha256).digest()


def canonical_query(raw, drop=None):
    pairs = urllib.parse.parse_qsl(raw, keep_blank_values=True)
    enc = sorted((urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~"))
                 for k, v in pairs if k != drop)
    return "&".join("%s=%s" % kv for kv in enc)


def xml_error(code, msg, key=""):
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>%s</Code><Message>%s"
            "</Message><Key>%s</Key><RequestId>double</RequestId></Error>" % (code, msg, key)
            ).encode()


class S3Handler(DoubleHandler):
    def _s3_error(self, status, code, msg):
        self.send_bytes(status, xml_error(code, msg), "application/xml")

    def _verify(self, path, query, body):
        """Recomputes the SigV4 signature; returns a problem or None."""
        h = {k.lower(): v for k, v in self.headers.items()}
        auth = h.get("authorization")
        q = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        if auth:
            if not auth.startswith("AWS4-HMAC-SHA256 "):
                return "Authorization is not AWS4-HMAC-SHA256"
            parts = dict(p.strip().split("=", 1) for p in auth[17:].split(","))
            cred = parts["Credential"].split("/")
            if cred[0] != ACCESS:
                return "unknown access key %s" % cred[0]
            signed = parts["SignedHeaders"].split(";")
            if "host" not in signed or "x-amz-date" not in signed:
                return "host and x-amz-date must be signed"
            if "x-amz-security-token" in h:
                if h["x-amz-security-token"] != TOKEN:
                    return "TOKEN:the session token is not valid"
                if "x-amz-security-token" not in signed:
                    return "x-amz-security-token must be signed"
            if "x-amz-content-sha256" not in h:
                return "x-amz-content-sha256 missing"
            payload = h["x-amz-content-sha256"]
            if payload != "UNSIGNED-PAYLOAD" and payload != hashlib.sha256(body).hexdigest():
                return "PAYLOAD:x-amz-content-sha256 is not the SHA-256 of the body"
            canon_headers = "".join("%s:%s\n" % (n, " ".join(h.get(n, "").split()))
                                    for n in signed)
            creq = "\n".join([self.command, path, canonical_query(query), canon_headers,
                              ";".join(signed), payload])
            amz_date = h["x-amz-date"]
            scope = "/".join(cred[1:])
            sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                             hashlib.sha256(creq.encode()).hexdigest()])
            want = hmac.new(sign_key(cred[1], cred[2]), sts.encode(), hashlib.sha256).hexdigest()
            if want != parts["Signature"]:
                return "signature mismatch; canonical request was:\n" + creq
            return None
        if "X-Amz-Signature" in q:
            cred = q["X-Amz-Credential"].split("/")
            if cred[0] != ACCESS:
                return "unknown access key %s" % cred[0]
            t0 = time.mktime(time.strptime(q["X-Amz-Date"], "%Y%m%dT%H%M%SZ")) - time.timezone
            if time.time() > t0 + int(q["X-Amz-Expires"]):
                return "EXPIRED"
            if "X-Amz-Security-Token" in q and q["X-Amz-Security-Token"] != TOKEN:
                return "TOKEN:the session token is not valid"
            creq = "\n".join([self.command, path, canonical_query(query, "X-Amz-Signature"),
                              "host:%s\n" % h.get("host"), "host", "UNSIGNED-PAYLOAD"])
            sts = "\n".join(["AWS4-HMAC-SHA256", q["X-Amz-Date"], "/".join(cred[1:]),
                             hashlib.sha256(creq.encode()).hexdigest()])
            want = hmac.new(sign_key(cred[1], cred[2]), sts.encode(), hashlib.sha256).hexdigest()
            if want != q["X-Amz-Signature"]:
                return "presigned signature mismatch; canonical request was:\n" + creq
            return None
        return "request is not signed"

    def _handle(self):
        try:
            return self._handle_s3()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeouts under test)
            return None

    def _handle_s3(self):
        if self.path.startswith("/_object/") and self.command == "PUT":
            # test setup: an object put straight into the bucket, unsigned
            n = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(n) if n else b""
            with self.server.lock:
                objects = self.server.state.setdefault("objects", {})
                objects[urllib.parse.unquote(self.path[len("/_object/"):])] = {
                    "data": data, "meta": None}
            return self.send_bytes(200, b"{}")
        if self.path.startswith("/_"):
            return super()._handle()
        srv = self.server
        mode = srv.next_mode()
        n = int(self.headers.get("Content-Length") or 0)
        rec = {"method": self.command, "path": self.path, "mode": mode, "violations": [],
               "headers": {k.lower(): v for k, v in self.headers.items()}}
        with srv.lock:
            srv.requests.append(rec)
        if mode == "cut":
            self.rfile.read(n // 2)
            self.close_connection = True
            return None
        if mode == "500early":
            rec["body_len"] = len(self.rfile.read(n // 2))
            self.close_connection = True
            return self.send_bytes(500, xml_error("InternalError", "double says 500early"),
                                   "application/xml", {"Connection": "close"})
        body = self.rfile.read(n) if n else b""
        rec["body_len"] = len(body)
        rec["body_sha256"] = hashlib.sha256(body).hexdigest()
        if mode == "drop":
            self.close_connection = True
            return None
        if mode.startswith("slow:"):
            time.sleep(float(mode.split(":")[1]))
        u = urllib.parse.urlsplit(self.path)
        problem = self._verify(u.path, u.query, body)
        if problem == "EXPIRED":
            return self._s3_error(403, "AccessDenied", "Request has expired")
        if problem:
            rec["violations"].append(problem)
            if problem.startswith("PAYLOAD:"):
                return self._s3_error(400, "XAmzContentSHA256Mismatch", problem[8:])
            if problem.startswith("TOKEN:"):
                return self._s3_error(403, "InvalidToken", problem[6:])
            return self._s3_error(403, "SignatureDoesNotMatch", problem)
        if mode == "403":
            return self._s3_error(403, "AccessDenied", "Access Denied")
        if mode == "404":
            return self._s3_error(404, "NoSuchKey", "The specified key does not exist.")
        if mode in ("500", "503"):
            code = "InternalError" if mode == "500" else "SlowDown"
            return self._s3_error(int(mode), code, "double says " + mode)
        path = urllib.parse.unquote(u.path)
        host = (self.headers.get("Host") or "").split(":")[0]
        if host.startswith(BUCKET + "."):  # virtual-host style: the bucket is in the name
            path = "/" + BUCKET + path
        self._s3(path, dict(urllib.parse.parse_qsl(
            u.query, keep_blank_values=True)), body, mode)

    def _s3(self, path, q, body, mode):
        st = self.server.state
        objects = st.setdefault("objects", {})
        uploads = st.setdefault("uploads", {})
        bucket, _, key = path.lstrip("/").partition("/")
        m = self.command
        if bucket != BUCKET:
            return self._s3_error(404, "NoSuchBucket", "no bucket '%s'" % bucket)
        if not key and m == "GET" and q.get("list-type") == "2":
            prefix = q.get("prefix", "")
            keys = sorted(k for k in objects if k.startswith(prefix))
            start = int(q.get("continuation-token") or 0)
            page = keys[start:start + 2]  # small pages: the client must follow the token
            more = start + 2 < len(keys)
            items = "".join("<Contents><Key>%s</Key><Size>%d</Size><LastModified>"
                            "2026-01-01T00:00:00.000Z</LastModified></Contents>"
                            % (k, len(objects[k]["data"])) for k in page)
            xml = ("<ListBucketResult><Name>%s</Name><IsTruncated>%s</IsTruncated>%s%s"
                   "</ListBucketResult>" % (bucket, "true" if more else "false", items,
                                            "<NextContinuationToken>%d</NextContinuationToken>"
                                            % (start + 2) if more else ""))
            return self.send_bytes(200, xml.encode(), "application/xml")
        if m == "POST" and "uploads" in q:
            uid = uuid.uuid4().hex + "/+="
            uploads[uid] = {"key": key, "parts": {},
                            "meta": self.headers.get("x-amz-meta-sha256")}
            xml = ("<InitiateMultipartUploadResult><Bucket>%s</Bucket><Key>%s</Key><UploadId>"
                   "%s</UploadId></InitiateMultipartUploadResult>" % (bucket, key, uid))
            return self.send_bytes(200, xml.encode(), "application/xml")
        if m == "PUT" and "uploadId" in q:
            up = uploads.get(q["uploadId"])
            if not up:
                return self._s3_error(404, "NoSuchUpload", "no such upload")
            etag = '"%s"' % hashlib.md5(body).hexdigest()
            up["parts"][int(q["partNumber"])] = (etag, body)
            return self.send_bytes(200, b"", "application/xml", {"ETag": etag})
        if m == "POST" and "uploadId" in q:
            up = uploads.pop(q["uploadId"], None)
            if not up:
                return self._s3_error(404, "NoSuchUpload", "no such upload")
            text = body.decode()
            nums = [int(x.split("</PartNumber>")[0]) for x in text.split("<PartNumber>")[1:]]
            etags = [x.split("</ETag>")[0] for x in text.split("<ETag>")[1:]]
            data = b""
            for num, etag in zip(nums, etags):
                if num not in up["parts"] or up["parts"][num][0] != etag:
                    return self._s3_error(400, "InvalidPart", "part %d" % num)
                data += up["parts"][num][1]
            objects[key] = {"data": data, "meta": up["meta"]}
            st["multipart_done"] = st.get("multipart_done", 0) + 1
            st["parts"] = len(nums)
            xml = "<CompleteMultipartUploadResult><Key>%s</Key></CompleteMultipartUploadResult>"
            return self.send_bytes(200, (xml % key).encode(), "application/xml")
        if m == "DELETE" and "uploadId" in q:
            uploads.pop(q["uploadId"], None)
            st["aborted"] = st.get("aborted", 0) + 1
            return self.send_bytes(204, b"", "application/xml")
        if m == "PUT":
            objects[key] = {"data": body, "meta": self.headers.get("x-amz-meta-sha256")}
            etag = '"%s"' % hashlib.md5(body).hexdigest()
            return self.send_bytes(200, b"", "application/xml", {"ETag": etag})
        if m in ("GET", "HEAD"):
            obj = objects.get(key)
            if obj is None:
                if m == "HEAD":
                    return self.send_bytes(404, b"", "application/xml")
                return self._s3_error(404, "NoSuchKey", "The specified key does not exist.")
            data = obj["data"]
            status, extra = 200, {"Last-Modified": "Thu, 01 Jan 2026 00:00:00 GMT",
                                  "Accept-Ranges": "bytes"}
            rng = self.headers.get("Range")
            if rng and rng.startswith("bytes="):
                a, _, b = rng[6:].partition("-")
                a = int(a)
                b = int(b) if b else len(data) - 1
                extra["Content-Range"] = "bytes %d-%d/%d" % (a, b, len(data))
                data, status = data[a:b + 1], 206
            if mode == "cutget" or mode.startswith("stall:"):
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                if mode.startswith("stall:"):
                    time.sleep(float(mode.split(":")[1]))
                self.close_connection = True
                return None
            return self.send_bytes(status, data, "application/octet-stream", extra)
        if m == "DELETE":
            objects.pop(key, None)
            return self.send_bytes(204, b"", "application/xml")
        return self._s3_error(405, "MethodNotAllowed", m)

    def do_HEAD(self):
        self._handle()

    def do_GET(self):
        if self.path == "/_state":
            st = self.server.state
            with self.server.lock:
                view = {k: v for k, v in st.items() if k not in ("objects", "uploads")}
                view["keys"] = {k: {"size": len(o["data"]), "meta": o["meta"],
                                    "sha256": hashlib.sha256(o["data"]).hexdigest()}
                                for k, o in st.get("objects", {}).items()}
            return self.send_json(200, view)
        self._handle()


if __name__ == "__main__":
    serve(S3Handler)
