/* s3.c - the S3 backend (being written). */
#include "store/store_internal.h"

int yaa_store__s3_init(yaa_store *st, const yaa_store_s3_opts *o, yaa_err *err) {
    (void)st;
    (void)o;
    return yaa_err_set(err, YAA_ECONFIG, "ARTIFACT_STORE=s3:// is not available yet");
}
