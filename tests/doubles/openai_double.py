"""openai_double.py - a double of OpenAI's Chat Completions and Embeddings APIs (the wire that
openai-compatible servers - Ollama, llama.cpp, vLLM - speak too). See double_base.py and
llm_common.py for the modes and control keys. Checks: Authorization: Bearer <key> (or none
when expect_key is ""), JSON body with model, messages (roles system/user/assistant, string
content), max_tokens or max_completion_tokens, temperature in [0, 2], response_format
json_schema with name and schema; embeddings: model and input (string or list of strings)."""

import hashlib
import time

from double_base import DoubleHandler, serve
from llm_common import reply_text, schema_from_system, usage


class OpenAIHandler(DoubleHandler):
    def expected_key(self):
        return self.server.control.get("expect_key", "sk-test")

    def check_auth(self):
        key = self.expected_key()
        auth = self.header("Authorization")
        if key:
            self.require(auth is not None, "missing Authorization header")
            self.require(auth.startswith("Bearer "), "Authorization must be 'Bearer <key>'")

    def key_ok(self):
        key = self.expected_key()
        return not key or self.header("Authorization") == "Bearer " + key

    def check_shape(self):
        self.require(self.command == "POST", "only POST is served")
        self.require(self.path in ("/v1/chat/completions", "/v1/embeddings"),
                     "unknown path %s" % self.path)
        self.check_auth()
        self.require((self.header("Content-Type") or "").startswith("application/json"),
                     "Content-Type must be application/json")
        b = self.json_body()
        self.require(isinstance(b.get("model"), str) and b["model"], "model must be a string")
        if self.path == "/v1/embeddings":
            inp = b.get("input")
            self.require(isinstance(inp, str) or (isinstance(inp, list) and inp and
                                                  all(isinstance(x, str) for x in inp)),
                         "input must be a string or a non-empty list of strings")
            return
        msgs = b.get("messages")
        self.require(isinstance(msgs, list) and msgs, "messages must be a non-empty list")
        for i, m in enumerate(msgs):
            self.require(m.get("role") in ("system", "user", "assistant"),
                         "messages[%d].role is not system/user/assistant" % i)
            self.require(isinstance(m.get("content"), str), "messages[%d].content" % i)
        mt = b.get("max_completion_tokens", b.get("max_tokens"))
        self.require(mt is None or (isinstance(mt, int) and mt > 0), "max tokens must be > 0")
        t = b.get("temperature")
        self.require(t is None or (isinstance(t, (int, float)) and 0 <= t <= 2),
                     "temperature must be in [0, 2]")
        rf = b.get("response_format")
        if rf is not None:
            self.require(rf.get("type") == "json_schema", "response_format.type")
            js = rf.get("json_schema") or {}
            self.require(isinstance(js.get("name"), str) and js["name"],
                         "response_format.json_schema.name")
            self.require(isinstance(js.get("schema"), dict),
                         "response_format.json_schema.schema must be an object")

    def error_body(self, status):
        return {"error": {"message": "The server had an error while processing your request.",
                          "type": "server_error", "param": None, "code": None}}

    def answer(self, mode):
        if mode == "401" or not self.key_ok():
            return self.send_json(401, {"error": {
                "message": "Incorrect API key provided: sk-****. You can find your API key at "
                           "https://platform.openai.com/account/api-keys.",
                "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}})
        b = self.json_body()
        if mode == "404_model":  # what Ollama answers for a model it has not pulled
            return self.send_json(404, {"error": {
                "message": 'model "%s" not found, try pulling it first' % b["model"],
                "type": "api_error", "param": None, "code": None}})
        if self.path == "/v1/embeddings":
            return self.embeddings(b)
        rf = b.get("response_format") or {}
        schema = (rf.get("json_schema") or {}).get("schema")
        if schema is None and b["messages"][0]["role"] == "system":
            schema = schema_from_system(b["messages"][0]["content"])
        text, complete = reply_text(self.server, mode, schema)
        p, c = usage(self.server)
        self.send_json(200, {
            "id": "chatcmpl-double", "object": "chat.completion", "created": int(time.time()),
            "model": b["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text,
                                                 "refusal": None},
                         "logprobs": None, "finish_reason": "stop" if complete else "length"}],
            "usage": {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c,
                      "prompt_tokens_details": {"cached_tokens": 0}},
            "system_fingerprint": "fp_double"})

    def embeddings(self, b):
        inp = b["input"] if isinstance(b["input"], list) else [b["input"]]
        dim = int(self.server.control.get("dim", 8))
        data = []
        tokens = 0
        for i, s in enumerate(inp):
            h = hashlib.sha256(s.encode()).digest()
            data.append({"object": "embedding", "index": i,
                         "embedding": [(h[k % 32] - 128) / 128.0 for k in range(dim)]})
            tokens += max(1, len(s.split()))
        self.send_json(200, {"object": "list", "data": data, "model": b["model"],
                             "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})


if __name__ == "__main__":
    serve(OpenAIHandler)
