#!/usr/bin/env python3
"""Test double for the hosted media APIs yaa can use: ElevenLabs text-to-speech and OpenAI
image generation. Speaks their wire format on loopback (standard library only).

  media_double.py --mp3 FILE --png FILE [--log FILE]

Prints the port on the first line of stdout, then serves until killed.
  POST /v1/text-to-speech/{voice_id}   xi-api-key: test-key   -> the MP3 bytes (audio/mpeg)
  POST /v1/text-to-speech/{voice_id}/with-timestamps -> {"audio_base64", "alignment":
       {"characters", "character_start_times_seconds", "character_end_times_seconds"}}
  POST /v1/images/generations          Authorization: Bearer test-key -> {"data":[{"b64_json"}]}
Wrong key -> 401 in each API's error shape; a malformed request -> 422/400 naming the field.
Voice id "busy" answers 429 with Retry-After: 1 once per text, then succeeds.
Every request is appended as one JSON line to --log (method, path, headers, body).
"""
import argparse
import base64
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
BUSY = {}  # voice "busy": the first request of each text gets 429 with Retry-After


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):  # quiet
        pass

    def reply(self, status, body, ctype="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        if ARGS.log:
            with open(ARGS.log, "a") as f:
                f.write(json.dumps({"method": "POST", "path": self.path,
                                    "headers": {k.lower(): v for k, v in self.headers.items()},
                                    "body": raw.decode("utf-8", "replace")}) + "\n")
        try:
            body = json.loads(raw)
        except ValueError:
            return self.reply(400, {"detail": {"status": "invalid_json", "message": "body is not JSON"}})
        if self.path.startswith("/v1/text-to-speech/"):
            return self.tts(body)
        if self.path == "/v1/images/generations":
            return self.images(body)
        return self.reply(404, {"detail": "not found"})

    def tts(self, body):
        if self.headers.get("xi-api-key") != "test-key":
            return self.reply(401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}})
        voice = self.path.split("/")[3].split("?")[0]
        if voice == "busy" and not BUSY.get(body.get("text")):
            BUSY[body.get("text")] = True
            self.send_response(429)
            body_b = json.dumps({"detail": {"status": "too_many_concurrent_requests", "message": "busy"}}).encode()
            self.send_header("Content-Type", "application/json")
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", str(len(body_b)))
            self.end_headers()
            self.wfile.write(body_b)
            return
        if voice == "missing":
            return self.reply(404, {"detail": {"status": "voice_not_found", "message": "A voice with the voice_id missing was not found."}})
        if not isinstance(body.get("text"), str) or not body["text"]:
            return self.reply(422, {"detail": [{"loc": ["body", "text"], "msg": "field required"}]})
        if not isinstance(body.get("model_id"), str) or not isinstance(body.get("voice_settings"), dict):
            return self.reply(422, {"detail": [{"loc": ["body", "model_id"], "msg": "field required"}]})
        if "output_format=mp3_44100_128" not in self.path:
            return self.reply(422, {"detail": {"status": "bad_format", "message": "output_format expected"}})
        with open(ARGS.mp3, "rb") as f:
            mp3 = f.read()
        if "/with-timestamps" not in self.path:
            return self.reply(200, mp3, "audio/mpeg")
        # the fixture lasts 1.2 s: the characters share it evenly, as the real alignment does
        chars = list(body["text"])
        step = 1.2 / max(1, len(chars))
        align = {"characters": chars,
                 "character_start_times_seconds": [round(i * step, 3) for i in range(len(chars))],
                 "character_end_times_seconds": [round((i + 1) * step, 3) for i in range(len(chars))]}
        self.reply(200, {"audio_base64": base64.b64encode(mp3).decode(), "alignment": align,
                         "normalized_alignment": align})

    def images(self, body):
        if self.headers.get("Authorization") != "Bearer test-key":
            return self.reply(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}})
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt:
            return self.reply(400, {"error": {"message": "prompt is required", "type": "invalid_request_error"}})
        if "content policy" in prompt:
            return self.reply(400, {"error": {"message": "Your request was rejected as a result of our safety system.", "type": "invalid_request_error", "code": "content_policy_violation"}})
        if body.get("model", "").startswith("dall-e") and body.get("response_format") != "b64_json":
            return self.reply(400, {"error": {"message": "response_format must be b64_json here", "type": "invalid_request_error"}})
        if body.get("n", 1) != 1 or not isinstance(body.get("size"), str):
            return self.reply(400, {"error": {"message": "bad n or size", "type": "invalid_request_error"}})
        with open(ARGS.png, "rb") as f:
            b64 = base64.b64encode(f.read()).decode()
        self.reply(200, {"created": 1700000000, "data": [{"b64_json": b64, "revised_prompt": prompt}]})


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--mp3", required=True)
    p.add_argument("--png", required=True)
    p.add_argument("--log")
    ARGS = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
