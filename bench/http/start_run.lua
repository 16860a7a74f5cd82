-- start_run.lua - wrk script: POST /api/v1/pipeline/run with a JSON body and the API key.
wrk.method = "POST"
wrk.body = '{"channel_id":"demo","topic":"benchmark topic","dry_run":true}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = os.getenv("YAA_BENCH_KEY") or "yaa_benchkey"
