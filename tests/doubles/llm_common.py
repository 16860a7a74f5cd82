"""llm_common.py - reply content shared by the LLM doubles (OpenAI and Anthropic).

Control keys (POST /_control): "reply" (the text the model answers, default a greeting),
"usage" ([prompt_tokens, completion_tokens], default [120, 30]), "expect_key" (the API key
the double accepts; "" = any or none; default "sk-test" / "sk-ant-test").

LLM modes besides the common ones (double_base.py):
  invalid_reply   the model answers prose with a cut JSON object (needs a repair)
  truncated_reply the model's JSON is cut off at max tokens (finish/stop reason says so)
  wrong_schema    valid JSON that lacks the keys the schema requires
  401             the key is refused
"""

INVALID_REPLY = 'Sure! Here is the JSON you asked for:\n{"title": "Half a title", "sections": ['
TRUNCATED_REPLY = '{"title": "A title that goes on and on", "sections": [{"heading": "One", "narr'
WRONG_SCHEMA_REPLY = '{"name": "not what the schema asks for"}'


def reply_text(server, mode):
    if mode == "invalid_reply":
        return INVALID_REPLY, True
    if mode == "truncated_reply":
        return TRUNCATED_REPLY, False
    if mode == "wrong_schema":
        return WRONG_SCHEMA_REPLY, True
    return server.control.get("reply", "Hello from the double."), True


def usage(server):
    u = server.control.get("usage", [120, 30])
    return int(u[0]), int(u[1])
