/* h_channels.c - placeholder until the channel registry lands. */
#include "api/api_internal.h"

int yaa_h_channels_list(yaa_http_req *req, yaa_http_resp *resp) {
    (void)req;
    return yaa_http_error(resp, 503, "channels not available");
}
int yaa_h_channel_get(yaa_http_req *req, yaa_http_resp *resp) {
    (void)req;
    return yaa_http_error(resp, 503, "channels not available");
}
int yaa_h_channel_create(yaa_http_req *req, yaa_http_resp *resp) {
    (void)req;
    return yaa_http_error(resp, 503, "channels not available");
}
int yaa_h_channel_update(yaa_http_req *req, yaa_http_resp *resp) {
    (void)req;
    return yaa_http_error(resp, 503, "channels not available");
}
int yaa_h_channel_delete(yaa_http_req *req, yaa_http_resp *resp) {
    (void)req;
    return yaa_http_error(resp, 503, "channels not available");
}
