/* compose_audio.c - the sound track of the composed video: the premixed track (audio.h:
 * yaa_media_audio_mix) cut to the picture, or else the narration segments back to back (their
 * measured lengths add up to the picture track) and background music ducked under the voice
 * with sidechaincompress. */
#include "media/media_internal.h"

int yaa_media__compose_audio_graph(yaa_buf *g, size_t first, size_t n, int bgm_in, double bgm_vol,
                                   double total, yaa_err *err) {
    for (size_t i = 0; i < n; i++) yaa_buf_printf(g, "[%zu:a]", first + i);
    yaa_buf_printf(g, "concat=n=%zu:v=0:a=1," YAA_MEDIA_AFMT "[narr];", n);
    int rc;
    if (bgm_in >= 0)
        rc = yaa_buf_printf(
            g,
            "[%d:a]" YAA_MEDIA_AFMT ",volume=%.3f,atrim=duration=%.3f,asetpts=PTS-STARTPTS[bg];"
            "[narr]asplit=2[sc][voice];"
            "[bg][sc]sidechaincompress=threshold=0.02:ratio=6:attack=20:release=350:makeup=1[duck];"
            "[voice][duck]amix=inputs=2:duration=first:dropout_transition=0:normalize=0[am];",
            bgm_in, bgm_vol, total);
    else
        rc = yaa_buf_puts(g, "[narr]anull[am];");
    return rc ? yaa_err_set(err, YAA_ENOMEM, "compose: filtergraph too large") : 0;
}

int yaa_media__compose_audio_track_graph(yaa_buf *g, int input, double total, yaa_err *err) {
    int rc = yaa_buf_printf(
        g, "[%d:a]" YAA_MEDIA_AFMT ",apad,atrim=duration=%.3f,asetpts=PTS-STARTPTS[am];", input,
        total);
    return rc ? yaa_err_set(err, YAA_ENOMEM, "compose: filtergraph too large") : 0;
}
