/* h_usage.c - token and cost usage: events with totals, and grouped summaries. */
#include "api/api_internal.h"
#include "api/apistore.h"

static void filter_of(const yaa_http_req *req, yaa_usage_filter *f) {
    f->run_id = yaa_api_query_str(req, "run_id");
    f->channel_id = yaa_api_query_str(req, "channel_id");
    f->agent = yaa_api_query_str(req, "agent");
    f->provider = yaa_api_query_str(req, "provider");
    f->model = yaa_api_query_str(req, "model");
    f->from = yaa_api_query_str(req, "from");
    f->to = yaa_api_query_str(req, "to");
    f->limit = yaa_api_query_long(req, "limit", 50);
    f->offset = yaa_api_query_long(req, "offset", 0);
}

int yaa_api__h_usage(yaa_http_req *req, yaa_http_resp *resp) {
    if (!yaa_api__need_db(req, resp)) return 0;
    yaa_usage_filter f;
    filter_of(req, &f);
    json_t *out = NULL;
    yaa_err err = {0};
    int rc = yaa_api_store_usage(req->api->db, &f, &out, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    return yaa_api_http_json(resp, 200, out);
}

int yaa_api__h_usage_summary(yaa_http_req *req, yaa_http_resp *resp) {
    if (!yaa_api__need_db(req, resp)) return 0;
    yaa_usage_filter f;
    filter_of(req, &f);
    const char *g = yaa_api_query_str(req, "group_by");
    json_t *out = NULL;
    yaa_err err = {0};
    int rc = yaa_api_usage_summary(req->api->db, &f, g ? g : "day", &out, &err);
    if (rc) return yaa_api__fail(resp, rc, &err);
    return yaa_api_http_json(resp, 200, out);
}
