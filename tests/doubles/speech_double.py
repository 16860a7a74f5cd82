"""speech_double.py - a double of OpenAI's text-to-speech endpoint and the servers that copy it
(Kokoro-FastAPI, LocalAI, openedai-speech): POST /v1/audio/speech with {"model", "input",
"voice", "response_format"?, "speed"?}. The audio is real and made here:

  voice "tone"     a 440 Hz tone of 0.4 s per word of the input with 0.2 s of silence between
                   words (a test knows exactly where the speech is)
  any other voice  espeak-ng speaking the input (espeak-ng --stdout) at 175 x speed wpm

response_format wav or mp3 (mp3 is OpenAI's default; encoded by ffmpeg). A request with an
Authorization header must carry "Bearer test-key" (control "expect_key"), else 401; servers
without keys accept requests without the header. Errors use OpenAI's shape
{"error": {"message", "type", "code"}}. Modes: see double_base.py (429:N with Retry-After, 500,
502, 503, ...), plus 401 and "garbage" (200 with bytes that are not audio)."""

import io
import math
import struct
import subprocess
import wave

from double_base import DoubleHandler, serve

RATE = 24000  # OpenAI's speech comes at 24 kHz


def tone_wav(words):
    frames = bytearray()
    for i in range(words):
        for n in range(int(0.4 * RATE)):
            frames += struct.pack("<h", int(12000 * math.sin(2 * math.pi * 440 * n / RATE)))
        if i + 1 < words:
            frames += b"\0\0" * int(0.2 * RATE)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    return out.getvalue()


def espeak_wav(text, speed):
    wpm = str(max(80, min(450, int(175 * speed))))
    return subprocess.run(["espeak-ng", "--stdout", "-s", wpm, text], check=True,
                          capture_output=True, timeout=60).stdout


def to_mp3(wav):
    return subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "wav", "-i", "pipe:0",
                           "-f", "mp3", "pipe:1"], input=wav, check=True, capture_output=True,
                          timeout=60).stdout


class SpeechHandler(DoubleHandler):
    def check_shape(self):
        self.require(self.command == "POST" and self.path == "/v1/audio/speech",
                     "only POST /v1/audio/speech is served")
        self.require((self.header("Content-Type") or "").startswith("application/json"),
                     "Content-Type must be application/json")
        b = self.json_body()
        for field in ("model", "input", "voice"):
            self.require(isinstance(b.get(field), str) and b[field],
                         "Missing required parameter: '%s'." % field)
        self.require(len(b["input"]) <= 4096, "'input' is longer than 4096 characters")
        self.require(b.get("response_format", "mp3") in ("mp3", "wav"),
                     "response_format must be mp3 or wav in this double")
        sp = b.get("speed", 1.0)
        self.require(isinstance(sp, (int, float)) and 0.25 <= sp <= 4.0,
                     "speed must be a number from 0.25 to 4.0")

    def error_body(self, status):
        return {"error": {"message": "The server had an error while processing your request.",
                          "type": "server_error", "param": None, "code": None}}

    def answer(self, mode):
        auth = self.header("Authorization")
        key = self.server.control.get("expect_key", "test-key")
        if mode == "401" or (auth is not None and auth != "Bearer " + key):
            return self.send_json(401, {"error": {"message": "Incorrect API key provided.",
                                                  "type": "invalid_request_error", "param": None,
                                                  "code": "invalid_api_key"}})
        if mode == "garbage":
            return self.send_bytes(200, b"this is not audio at all" * 10, "audio/wav")
        b = self.json_body()
        text = b["input"]
        audio = (tone_wav(len(text.split())) if b["voice"] == "tone"
                 else espeak_wav(text, float(b.get("speed", 1.0))))
        if b.get("response_format", "mp3") == "mp3":
            return self.send_bytes(200, to_mp3(audio), "audio/mpeg")
        return self.send_bytes(200, audio, "audio/wav")


if __name__ == "__main__":
    serve(SpeechHandler)
