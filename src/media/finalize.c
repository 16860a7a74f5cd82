/* finalize.c - how a rendered file becomes the run's file: each attempt renders into its own
 * temporary file, the result must decode with no error, and it is renamed into place under a
 * per-file fence so that an attempt that was given up on (a worker thought dead that comes
 * back) can never replace the file of a newer attempt. Also the sweep that removes temporary
 * files left by processes that died mid-write.
 *
 *   <run dir>/video.mp4                      the current file (only ever renamed into place)
 *   <run dir>/video.mp4.part-<host>-<pid>-<n> one attempt's render in progress (core/host.h)
 *   <run dir>/.yaa-fence-video.mp4           the newest attempt that claimed video.mp4 (flock)
 */
#include "core/host.h"
#include "core/log.h"
#include "core/util.h"
#include "media/media_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Temporary files of processes that are gone, or older than this, are removed. */
#define TEMP_MAX_AGE_SEC (24 * 3600)

int yaa_media__part_path(const char *final_path, char *out, size_t n) {
    return yaa_host_temp_name(out, n, final_path, ".part", NULL);
}

static bool pid_gone(long pid) { return pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH; }

static bool ends_with(const char *s, size_t len, const char *end) {
    size_t e = strlen(end);
    return len >= e && memcmp(s + len - e, end, e) == 0;
}

/* Whether name is one of the temporary names yaa writes, and whose: fills *o (o->pid 0 for
 * the bare "X.part" of an older yaa, which nobody ever finishes). The forms:
 *   .yaa-subs-<tail>.srt / .ass     a render's subtitle copies (compose.c)
 *   .yaa-subs-<tail>.png            a render's caption band (caption_pages.c)
 *   X.part-<tail>, X.tmp-<tail>       renders, downloads, atomic writes (core/host.h)
 *   X.tmp.<pid>, X.part               the hostless names of older versions
 * with <tail> "-<host>-<pid>-<n>", or "-<pid>-<n>" before hosts were in the names. */
static bool temp_owner(const char *name, yaa_host_temp_owner *o) {
    size_t len = strlen(name);
    if (strncmp(name, ".yaa-subs", 9) == 0)
        return (ends_with(name, len, ".srt") || ends_with(name, len, ".ass") ||
                ends_with(name, len, ".png")) &&
               yaa_host_temp_parse(name + 9, len - 13, o);
    if (ends_with(name, len, ".part")) {
        *o = (yaa_host_temp_owner){NULL, 0, 0};
        return true;
    }
    static const char *const kinds[] = {".part-", ".tmp-", ".tmp."};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        for (const char *m = strstr(name, kinds[k]); m; m = strstr(m + 1, kinds[k])) {
            const char *tail = m + strlen(kinds[k]) - 1; /* from the '-' or '.' */
            if (k == 2) {                                /* X.tmp.<pid> */
                char *end;
                long pid = strtol(tail + 1, &end, 10);
                if (isdigit((unsigned char)tail[1]) && !*end && pid > 0 && pid <= INT_MAX) {
                    *o = (yaa_host_temp_owner){NULL, 0, pid};
                    return true;
                }
            } else if (yaa_host_temp_parse(tail, len - (size_t)(tail - name), o)) {
                return true;
            }
        }
    }
    return false;
}

/* Whether name is a temporary file that nobody will finish: any temporary name past the max
 * age; before that, one of this host's whose pid is gone, a hostless one (older versions:
 * no host to tell, so judged as this host's) whose pid is gone here, and a bare X.part.
 * Another host's is left alone: its pid means nothing here. */
static bool stale_temp(const char *dir, const char *name) {
    yaa_host_temp_owner o;
    if (!temp_owner(name, &o)) return false;
    char path[PATH_MAX];
    struct stat sb;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path ||
        lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return false;
    if (time(NULL) - sb.st_mtime > TEMP_MAX_AGE_SEC) return true;
    if (o.pid == 0) return true;
    return (!o.host || yaa_host_temp_mine(&o)) && pid_gone(o.pid);
}

/* Removes the stale temporary files of one folder; returns how many. */
static int sweep_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!stale_temp(dir, e->d_name)) continue;
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) == 0) n++;
    }
    closedir(d);
    return n;
}

/* A run folder and its audio/ and images/ folders. */
static int sweep_run_dir(const char *dir) {
    int n = sweep_dir(dir);
    static const char *const subs[] = {"audio", "images"};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        char p[PATH_MAX];
        if (snprintf(p, sizeof p, "%s/%s", dir, subs[i]) < (int)sizeof p) n += sweep_dir(p);
    }
    return n;
}

int yaa_media_sweep_temp(const char *output_dir) {
    if (!output_dir || !*output_dir) return 0;
    DIR *d = opendir(output_dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char p[PATH_MAX];
        struct stat sb;
        if (snprintf(p, sizeof p, "%s/%s", output_dir, e->d_name) >= (int)sizeof p ||
            lstat(p, &sb) != 0 || !S_ISDIR(sb.st_mode))
            continue;
        n += sweep_run_dir(p);
    }
    closedir(d);
    if (n)
        yaa_log_ev(YAA_LOG_INFO, "media", "removed temporary files left by stopped renders",
                   YAA_F_INT("files", n), YAA_F_STR("output_dir", output_dir), YAA_F_END);
    return n;
}

/* Opens and locks the fence file of final_path; returns the fd (>= 0) or -errno. */
static int fence_open(const char *final_path) {
    const char *slash = strrchr(final_path, '/');
    char path[PATH_MAX];
    if (slash)
        snprintf(path, sizeof path, "%.*s/.yaa-fence-%s", (int)(slash - final_path), final_path,
                 slash + 1);
    else
        snprintf(path, sizeof path, ".yaa-fence-%s", final_path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return -errno;
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            int e = errno;
            close(fd);
            return -e;
        }
    }
    return fd;
}

static long fence_read(int fd) {
    char buf[32] = "";
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return 0;
    buf[n] = 0;
    return strtol(buf, NULL, 10);
}

static void fence_write(int fd, int attempt) {
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%d\n", attempt);
    if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) == n) (void)fsync(fd);
}

int yaa_media__fence_claim(const char *final_path, int attempt, yaa_err *err) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", final_path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    sweep_dir(slash ? dir : ".");
    if (attempt <= 0) return 0;
    int fd = fence_open(final_path);
    if (fd < 0) return yaa_err_set(err, YAA_EIO, "cannot lock '%s': %s", final_path, strerror(-fd));
    long newest = fence_read(fd);
    int rc = 0;
    if (newest > attempt)
        rc = yaa_err_set(err, YAA_ECONFLICT,
                         "'%s' belongs to attempt %ld; this attempt (%d) is stale and stops",
                         final_path, newest, attempt);
    else
        fence_write(fd, attempt);
    close(fd); /* releases the lock */
    return rc;
}

/* The whole file decodes with no error message: a truncated or interleaved file does not. */
static int verify_decodes(const yaa_media_env *env, const char *path, yaa_err *err) {
    char *argv[] = {(char *)env->ffmpeg, "-nostdin", "-hide_banner", "-v", "error", "-i",
                    (char *)path,        "-f",       "null",         "-",  NULL};
    yaa_media__proc_opts po = {.env = env,
                               .timeout_sec = env->render_timeout_sec,
                               .what = "render check",
                               .fail_on_stderr = true};
    return yaa_media__run(argv, &po, err);
}

int yaa_media__finalize(const yaa_media_env *env, const char *part, const char *final_path,
                        int attempt, yaa_err *err) {
    int rc = verify_decodes(env, part, err);
    if (rc) {
        unlink(part);
        return rc;
    }
    int fd = attempt > 0 ? fence_open(final_path) : -1;
    if (attempt > 0 && fd < 0) {
        unlink(part);
        return yaa_err_set(err, YAA_EIO, "cannot lock '%s': %s", final_path, strerror(-fd));
    }
    long newest = fd >= 0 ? fence_read(fd) : 0;
    if (newest > attempt) {
        rc = yaa_err_set(err, YAA_ECONFLICT,
                         "'%s' belongs to attempt %ld; the render of stale attempt %d is dropped",
                         final_path, newest, attempt);
    } else if (rename(part, final_path) != 0) {
        rc = yaa_err_set(err, YAA_EIO, "cannot write '%s': %s", final_path, strerror(errno));
    }
    if (rc) unlink(part);
    if (fd >= 0) close(fd);
    return rc;
}
