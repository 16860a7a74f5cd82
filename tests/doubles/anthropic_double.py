"""anthropic_double.py - a double of Anthropic's Messages API (POST /v1/messages). See
double_base.py and llm_common.py for modes and control keys. Checks: x-api-key, the
anthropic-version header, JSON body with model, max_tokens (required), messages with roles
user/assistant only (no system role: the system prompt is a top-level string), starting with
user and alternating, temperature in [0, 1]. Extra mode: 529 (overloaded)."""

from double_base import DoubleHandler, serve
from llm_common import reply_text, schema_from_system, usage


class AnthropicHandler(DoubleHandler):
    def check_shape(self):
        self.require(self.command == "POST" and self.path == "/v1/messages",
                     "only POST /v1/messages is served (got %s %s)" % (self.command, self.path))
        self.require(self.header("x-api-key") is not None, "missing x-api-key header")
        self.require(self.header("Authorization") is None, "Anthropic takes x-api-key, "
                     "not Authorization")
        self.require(self.header("anthropic-version") == "2023-06-01",
                     "anthropic-version header must be 2023-06-01")
        self.require((self.header("Content-Type") or "").startswith("application/json"),
                     "Content-Type must be application/json")
        b = self.json_body()
        self.require(isinstance(b.get("model"), str) and b["model"], "model must be a string")
        self.require(isinstance(b.get("max_tokens"), int) and b["max_tokens"] > 0,
                     "max_tokens is required and > 0")
        s = b.get("system")
        self.require(s is None or isinstance(s, str), "system must be a string")
        msgs = b.get("messages")
        self.require(isinstance(msgs, list) and msgs, "messages must be a non-empty list")
        prev = None
        for i, m in enumerate(msgs):
            self.require(m.get("role") in ("user", "assistant"),
                         "messages[%d].role must be user or assistant" % i)
            self.require(isinstance(m.get("content"), (str, list)), "messages[%d].content" % i)
            self.require(m["role"] != prev, "messages must alternate user/assistant")
            prev = m["role"]
        self.require(msgs[0]["role"] == "user", "the first message must be from the user")
        t = b.get("temperature")
        self.require(t is None or (isinstance(t, (int, float)) and 0 <= t <= 1),
                     "temperature must be in [0, 1]")
        self.require("response_format" not in b, "Anthropic has no response_format")

    def error_body(self, status):
        kind = "overloaded_error" if status == 529 else "api_error"
        return {"type": "error", "error": {"type": kind, "message": "Internal server error"}}

    def answer(self, mode):
        key = self.server.control.get("expect_key", "sk-ant-test")
        if mode == "401" or (key and self.header("x-api-key") != key):
            return self.send_json(401, {"type": "error", "error": {
                "type": "authentication_error", "message": "invalid x-api-key"}})
        if mode == "529":
            return self.send_json(529, self.error_body(529))
        b = self.json_body()
        text, complete = reply_text(self.server, mode, schema_from_system(b.get("system")))
        p, c = usage(self.server)
        self.send_json(200, {
            "id": "msg_double", "type": "message", "role": "assistant", "model": b["model"],
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn" if complete else "max_tokens", "stop_sequence": None,
            "usage": {"input_tokens": p, "output_tokens": c,
                      "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}})


if __name__ == "__main__":
    serve(AnthropicHandler)
