/* open.c - the one way a pipeline gets its channel, whichever CHANNELS_STORE holds it. */
#include "channels/channels.h"

#include <string.h>

int yaa_channels_open(const yaa_config *cfg, yaa_db *db, const char *id, yaa_channel **out,
                      yaa_err *err) {
    (void)db;
    if (cfg->channels_store && strcmp(cfg->channels_store, "db") == 0)
        return yaa_err_set(err, YAA_ECONFIG, "CHANNELS_STORE=db is not available yet");
    return yaa_channels_load(cfg->channels_dir, id, out, err);
}
