-- with_key.lua - wrk script: GET with the API key header.
wrk.headers["X-API-Key"] = os.getenv("YAA_BENCH_KEY") or "yaa_benchkey"
