"""tavily_double.py - a double of the Tavily search API (POST /search). Checks the
Authorization: Bearer tvly-test header (control "expect_key"), a non-empty query and an
integer max_results; answers max_results canned results. Modes: see double_base.py, plus 401
and 432 (plan limit)."""

from double_base import DoubleHandler, serve


class TavilyHandler(DoubleHandler):
    def check_shape(self):
        self.require(self.command == "POST" and self.path == "/search",
                     "only POST /search is served")
        self.require((self.header("Authorization") or "").startswith("Bearer "),
                     "missing Authorization: Bearer <key>")
        b = self.json_body()
        self.require(isinstance(b.get("query"), str) and b["query"].strip(),
                     "query must be a non-empty string")
        mr = b.get("max_results")
        self.require(mr is None or (isinstance(mr, int) and 1 <= mr <= 20),
                     "max_results must be in 1..20")
        self.require(b.get("search_depth", "basic") in ("basic", "advanced"), "search_depth")

    def error_body(self, status):
        return {"detail": {"error": "Internal server error"}}

    def answer(self, mode):
        key = self.server.control.get("expect_key", "tvly-test")
        if mode == "401" or self.header("Authorization") != "Bearer " + key:
            return self.send_json(401, {"detail": {"error": "Unauthorized: missing or invalid "
                                                            "API key."}})
        if mode == "432":
            return self.send_json(432, {"detail": {"error": "This request exceeds your plan's "
                                                            "set usage limit."}})
        b = self.json_body()
        n = b.get("max_results", 5)
        q = b["query"]
        results = [{"title": "Result %d about %s" % (i + 1, q),
                    "url": "https://example.com/%d" % (i + 1),
                    "content": "Snippet %d: what people say about %s." % (i + 1, q),
                    "score": round(0.9 - i * 0.1, 2), "raw_content": None} for i in range(n)]
        self.send_json(200, {"query": q, "answer": None, "images": [], "results": results,
                             "response_time": 0.01})


if __name__ == "__main__":
    serve(TavilyHandler)
