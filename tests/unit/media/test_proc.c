/* test_proc.c - children never outlive their starter (parent-death signal, kill of every
 * running group), and a rendered file reaches its place only whole, decodable and from the
 * newest attempt; temporary files of dead processes are swept. */
#include "test_util.h"

#include "media/media_internal.h"
#include "media/media.h"

#include "core/host.h"

#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A pid that no process has now: a child that already exited and was reaped. */
static pid_t dead_pid(void) {
    pid_t p = fork();
    if (p == 0) _exit(0);
    waitpid(p, NULL, 0);
    return p;
}

/* Whether pid is gone (a zombie nobody reaped yet counts as gone). */
static bool gone(pid_t pid) {
    char path[64], buf[256] = "";
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return true;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *rp = strrchr(buf, ')');
    return rp && (rp[2] == 'Z' || rp[2] == 'X');
}

static long read_pid(const char *path) {
    for (int i = 0; i < 100; i++) {
        FILE *f = fopen(path, "r");
        long v = 0;
        if (f) {
            if (fscanf(f, "%ld", &v) != 1) v = 0;
            fclose(f);
        }
        if (v > 0) return v;
        usleep(20000);
    }
    return 0;
}

static void test_child_dies_with_its_starter(void **state) {
    (void)state;
    char dir[256], pidfile[300], cmd[400];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(pidfile, sizeof pidfile, "%s/child.pid", dir);
    snprintf(cmd, sizeof cmd, "echo $$ > %s; exec sleep 30", pidfile);
    pid_t starter = fork();
    if (starter == 0) {
        char *argv[] = {"sh", "-c", cmd, NULL};
        yaa_media__proc_opts po = {.what = "test", .timeout_sec = 60};
        yaa_err err = {0};
        yaa_media__run(argv, &po, &err);
        _exit(0);
    }
    long child = read_pid(pidfile);
    assert_true(child > 0);
    assert_false(gone((pid_t)child));
    kill(starter, SIGKILL); /* as a worker killed mid-render */
    waitpid(starter, NULL, 0);
    bool died = false;
    for (int i = 0; i < 50 && !died; i++) { /* within a second */
        died = gone((pid_t)child);
        if (!died) usleep(20000);
    }
    assert_true(died);
    yaa_test_rmrf(dir);
}

/* What the child sees of YAA_TEST_ENV_ADD (its stdout, trimmed). */
static void child_sees(char *out, size_t n) {
    char *argv[] = {"sh", "-c", "printf %s \"${YAA_TEST_ENV_ADD-unset}\"", NULL};
    static const char *const add[] = {"YAA_TEST_ENV_ADD=added", NULL};
    yaa_buf b;
    yaa_buf_init(&b, 4096);
    yaa_media__proc_opts po = {.what = "test", .timeout_sec = 10, .out = &b, .env_add = add};
    yaa_err err = {0};
    assert_int_equal(yaa_media__run(argv, &po, &err), 0);
    snprintf(out, n, "%.*s", (int)b.len, b.data ? b.data : "");
    yaa_buf_free(&b);
}

/* A child gets the variables the caller adds, unless the environment already sets them (the
 * operator's setting wins); the parent's own environment is not changed. */
static void test_child_environment(void **state) {
    (void)state;
    char got[64];
    unsetenv("YAA_TEST_ENV_ADD");
    child_sees(got, sizeof got);
    assert_string_equal(got, "added");
    assert_null(getenv("YAA_TEST_ENV_ADD"));
    setenv("YAA_TEST_ENV_ADD", "mine", 1);
    child_sees(got, sizeof got);
    assert_string_equal(got, "mine");
    unsetenv("YAA_TEST_ENV_ADD");
}

/* A child that runs out of memory under its address-space cap is reported as that, naming
 * the cap and the setting that raises it; without a cap the same exit is a plain failure. */
static void test_out_of_memory_names_the_cap(void **state) {
    (void)state;
    char *argv[] = {"sh", "-c", "echo 'Error while filtering: Cannot allocate memory' >&2; exit 1",
                    NULL};
    yaa_media__proc_opts po = {
        .what = "render", .timeout_sec = 10, .mem_mb = 512, .mem_knob = "render_mem_mb"};
    yaa_err err = {0};
    assert_int_equal(yaa_media__run(argv, &po, &err), YAA_ENOMEM);
    assert_non_null(strstr(err.msg, "512 MiB"));
    assert_non_null(strstr(err.msg, "render_mem_mb"));
    assert_non_null(strstr(err.msg, "Cannot allocate memory"));
    po.mem_mb = 0;
    memset(&err, 0, sizeof err);
    assert_int_equal(yaa_media__run(argv, &po, &err), YAA_EIO);
    assert_null(strstr(err.msg, "render_mem_mb"));
}

static void *run_sleep(void *arg) {
    int *rc = arg;
    char *argv[] = {"sleep", "30", NULL};
    yaa_media__proc_opts po = {.what = "test", .timeout_sec = 60};
    yaa_err err = {0};
    *rc = yaa_media__run(argv, &po, &err);
    return NULL;
}

static void test_kill_children_stops_running_ones(void **state) {
    (void)state;
    int rc = 0;
    pthread_t t;
    pthread_create(&t, NULL, run_sleep, &rc);
    int n = 0;
    for (int i = 0; i < 100 && n == 0; i++) {
        usleep(20000);
        n = yaa_media_kill_children();
    }
    assert_int_equal(n, 1);
    pthread_join(t, NULL);
    assert_int_not_equal(rc, 0); /* killed by a signal: an error, never success */
    assert_int_equal(yaa_media_kill_children(), 0);
}

static void make_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static bool exists(const char *path) { return access(path, F_OK) == 0; }

static void make_video(const char *path) {
    char cmd[600];
    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -v error -y -f lavfi -i testsrc=d=1:s=64x64:r=10 -pix_fmt yuv420p "
             "-c:v libx264 -preset ultrafast -f mp4 '%s'",
             path);
    assert_int_equal(system(cmd), 0);
}

static void test_finalize_checks_and_fences(void **state) {
    (void)state;
    char dir[256], final[300], part[400];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(final, sizeof final, "%s/video.mp4", dir);
    yaa_media_env env;
    yaa_media__env_defaults(NULL, &env);
    yaa_err err = {0};

    /* each attempt gets its own temporary name */
    char other[400];
    yaa_media__part_path(final, part, sizeof part);
    yaa_media__part_path(final, other, sizeof other);
    assert_string_not_equal(part, other);

    /* a file that does not decode never reaches its place, and is removed */
    assert_int_equal(yaa_media__fence_claim(final, 1, &err), 0);
    make_file(part, "not a video at all");
    assert_int_not_equal(yaa_media__finalize(&env, part, final, 1, &err), 0);
    assert_false(exists(part));
    assert_false(exists(final));

    /* a good one does */
    make_video(part);
    assert_int_equal(yaa_media__finalize(&env, part, final, 1, &err), 0);
    assert_true(exists(final));
    struct stat first;
    stat(final, &first);

    /* attempt 3 claims the file: attempt 2 (stale) can neither start nor replace it */
    assert_int_equal(yaa_media__fence_claim(final, 3, &err), 0);
    err = (yaa_err){0};
    assert_int_equal(yaa_media__fence_claim(final, 2, &err), YAA_ECONFLICT);
    assert_non_null(strstr(err.msg, "stale"));
    yaa_media__part_path(final, part, sizeof part);
    make_video(part);
    assert_int_equal(yaa_media__finalize(&env, part, final, 2, &err), YAA_ECONFLICT);
    assert_false(exists(part));
    struct stat now;
    stat(final, &now);
    assert_true(now.st_ino == first.st_ino); /* untouched */

    /* attempt 3 itself replaces it */
    yaa_media__part_path(final, part, sizeof part);
    make_video(part);
    assert_int_equal(yaa_media__finalize(&env, part, final, 3, &err), 0);
    stat(final, &now);
    assert_true(now.st_ino != first.st_ino);
    yaa_test_rmrf(dir);
}

/* A file of that name in dir, its mtime age_sec ago. */
static void make_aged(const char *dir, const char *name, long age_sec) {
    char p[700];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    make_file(p, "1");
    if (age_sec) {
        struct timespec t[2] = {{time(NULL) - age_sec, 0}, {time(NULL) - age_sec, 0}};
        utimensat(AT_FDCWD, p, t, 0);
    }
}

static bool in_dir(const char *dir, const char *name) {
    char p[700];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return exists(p);
}

/* The sweep on a shared OUTPUT_DIR: this host's names by pid, another host's by age only,
 * hostless (older) names by pid here, and nothing that is not a temporary name. */
static void test_sweep_judges_each_host_by_its_own(void **state) {
    (void)state;
    char out[256], run[300], img[320], n[200];
    yaa_test_tmpdir(out, sizeof out);
    snprintf(run, sizeof run, "%s/run1", out);
    snprintf(img, sizeof img, "%s/images", run);
    mkdir(run, 0755);
    mkdir(img, 0755);
    yaa_host_tag_override("worker_7.cluster"); /* an odd hostname: '_' and '.' */
    const char *me = yaa_host_tag();
    int dead = (int)dead_pid(), live = (int)getpid(), day = 25 * 3600;

    /* the names the writers make, with this (dead-pid) host's pid swapped in */
    char part[600], subs[200], tmp[600];
    assert_int_equal(yaa_media__part_path("video.mp4", part, sizeof part), 0);
    char want[200];
    snprintf(want, sizeof want, "video.mp4.part-%s-%d-", me, live);
    assert_memory_equal(part, want, strlen(want));
    assert_int_equal(yaa_host_temp_name(subs, sizeof subs, ".yaa-subs", NULL, ".ass"), 0);
    snprintf(want, sizeof want, ".yaa-subs-%s-%d-", me, live);
    assert_memory_equal(subs, want, strlen(want));

    /* removed at once: this host's, pid gone */
    static const char *const gone_fmt[] = {
        "video.mp4.part-%s-%d-0",  ".yaa-subs-%s-%d-1.ass",         ".yaa-subs-%s-%d-2.srt",
        "script.json.tmp-%s-%d-3", "images/card_1.png.tmp-%s-%d-4", ".yaa-subs-%s-%d-5.png"};
    for (size_t i = 0; i < sizeof gone_fmt / sizeof gone_fmt[0]; i++) {
        snprintf(tmp, sizeof tmp, gone_fmt[i], me, dead);
        make_aged(run, tmp, 0);
    }
    /* removed at once: hostless names of older versions whose pid is gone here, a bare .part */
    snprintf(n, sizeof n, ".yaa-subs-%d-0.srt", dead), make_aged(run, n, 0);
    snprintf(n, sizeof n, "script.json.tmp.%d", dead), make_aged(run, n, 0);
    snprintf(n, sizeof n, "audio.wav.part-%d-3", dead), make_aged(run, n, 0);
    make_aged(run, "video.mp4.part", 0);
    /* kept: this host's live pid; another host's with a pid that is dead *here* (it may be
     * alive there); a hostless name of a live pid; real files, even when old */
    snprintf(n, sizeof n, "video.mp4.part-%s-%d-9", me, live), make_aged(run, n, 0);
    snprintf(n, sizeof n, ".yaa-subs-%s-%d-9.ass", me, live), make_aged(run, n, 0);
    snprintf(n, sizeof n, ".yaa-subs-otherhost-%d-0.ass", dead), make_aged(run, n, 0);
    snprintf(n, sizeof n, "script.json.tmp-otherhost-%d-0", dead), make_aged(run, n, 0);
    snprintf(n, sizeof n, "video.mp4.part-other-host-%d-0", dead), make_aged(run, n, 0);
    snprintf(n, sizeof n, "video.mp4.part-%.10s-%d-0", me, dead), make_aged(run, n, 0);
    snprintf(n, sizeof n, ".yaa-subs-%d-0.srt", live), make_aged(run, n, 0);
    make_aged(run, "video.mp4", day);
    make_aged(run, "notes.tmp.txt", day); /* ".tmp." inside a real name */
    make_aged(run, "my.partner.png", day);
    assert_int_equal(yaa_media_sweep_temp(out), 10);
    assert_int_equal(yaa_media_sweep_temp(out), 0);
    snprintf(n, sizeof n, ".yaa-subs-otherhost-%d-0.ass", dead);
    assert_true(in_dir(run, n));
    snprintf(n, sizeof n, "video.mp4.part-%s-%d-9", me, live);
    assert_true(in_dir(run, n));
    assert_true(in_dir(run, "video.mp4"));
    assert_true(in_dir(run, "notes.tmp.txt"));
    assert_true(in_dir(run, "my.partner.png"));

    /* past the max age every temporary name goes, another host's and a live pid's too */
    static const char *const old_fmt[] = {".yaa-subs-otherhost-%d-5.ass",
                                          "script.json.tmp-otherhost-%d-5",
                                          "video.mp4.part-otherhost-%d-5"};
    for (size_t i = 0; i < sizeof old_fmt / sizeof old_fmt[0]; i++) {
        snprintf(n, sizeof n, old_fmt[i], live), make_aged(run, n, day);
    }
    snprintf(n, sizeof n, "video.mp4.part-%s-%d-6", me, live), make_aged(run, n, day);
    assert_int_equal(yaa_media_sweep_temp(out), 4);
    assert_true(in_dir(run, "video.mp4"));
    yaa_host_tag_override(NULL);
    yaa_test_rmrf(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_child_dies_with_its_starter),
        cmocka_unit_test(test_child_environment),
        cmocka_unit_test(test_out_of_memory_names_the_cap),
        cmocka_unit_test(test_kill_children_stops_running_ones),
        cmocka_unit_test(test_finalize_checks_and_fences),
        cmocka_unit_test(test_sweep_judges_each_host_by_its_own),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
