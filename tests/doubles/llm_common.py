"""llm_common.py - reply content shared by the LLM doubles (OpenAI and Anthropic).

Control keys (POST /_control): "reply" (the text the model answers; without it the double
answers a JSON value generated from the request's JSON Schema when there is one - OpenAI's
response_format, or the schema yaa appends to the system prompt - and a greeting otherwise),
"usage" ([prompt_tokens, completion_tokens], default [120, 30]), "expect_key" (the API key
the double accepts; "" = any or none; default "sk-test" / "sk-ant-test").

LLM modes besides the common ones (double_base.py):
  invalid_reply   the model answers prose with a cut JSON object (needs a repair)
  truncated_reply the model's JSON is cut off at max tokens (finish/stop reason says so)
  wrong_schema    valid JSON that lacks the keys the schema requires
  404_model       (OpenAI wire) Ollama's 404 for a model it has not pulled
  401             the key is refused
"""

INVALID_REPLY = 'Sure! Here is the JSON you asked for:\n{"title": "Half a title", "sections": ['
TRUNCATED_REPLY = '{"title": "A title that goes on and on", "sections": [{"heading": "One", "narr'
WRONG_SCHEMA_REPLY = '{"name": "not what the schema asks for"}'


import json

SCHEMA_MARKER = "no code fences:\n"


def schema_from_system(system):
    """The JSON Schema yaa appends to the system prompt, or None."""
    if not system or SCHEMA_MARKER not in system:
        return None
    try:
        return json.JSONDecoder().raw_decode(system.split(SCHEMA_MARKER, 1)[1].lstrip())[0]
    except ValueError:
        return None


def sample(schema, name="value"):
    """A small value that satisfies schema (type, properties, required, items, enum,
    minItems, maxLength, minimum)."""
    if not isinstance(schema, dict):
        return "sample"
    if "enum" in schema and schema["enum"]:
        return schema["enum"][0]
    t = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "null")
    if t == "object":
        props = schema.get("properties", {})
        return {k: sample(v, k) for k, v in props.items()}
    if t == "array":
        n = max(int(schema.get("minItems", 2)), 1)
        if "maxItems" in schema:
            n = min(n, int(schema["maxItems"]))
        return [sample(schema.get("items", {}), name) for _ in range(n)]
    if t == "integer":
        return int(schema.get("minimum", 1))
    if t == "number":
        return float(schema.get("minimum", 1.5))
    if t == "boolean":
        return True
    if t == "null":
        return None
    text = "Sample %s from the double" % name
    lo, hi = int(schema.get("minLength", 0)), int(schema.get("maxLength", 10 ** 6))
    if len(text) < lo:
        text += "x" * (lo - len(text))
    return text[:hi]


def reply_text(server, mode, schema=None):
    if mode == "invalid_reply":
        return INVALID_REPLY, True
    if mode == "truncated_reply":
        return TRUNCATED_REPLY, False
    if mode == "wrong_schema":
        return WRONG_SCHEMA_REPLY, True
    if "reply" in server.control:
        return server.control["reply"], True
    if schema is not None:
        return json.dumps(sample(schema), ensure_ascii=False), True
    return "Hello from the double.", True


def usage(server):
    u = server.control.get("usage", [120, 30])
    return int(u[0]), int(u[1])
