/* test_proc.c - children never outlive their starter (parent-death signal, kill of every
 * running group), and a rendered file reaches its place only whole, decodable and from the
 * newest attempt; temporary files of dead processes are swept. */
#include "test_util.h"

#include "media/media_internal.h"
#include "media/media.h"

#include <pthread.h>
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

static void test_sweep_removes_dead_processes_files(void **state) {
    (void)state;
    char out[256], run[300], p[600];
    yaa_test_tmpdir(out, sizeof out);
    snprintf(run, sizeof run, "%s/run1", out);
    mkdir(run, 0755);
    pid_t dead = dead_pid();
    char host[64] = "host";
    gethostname(host, sizeof host - 1);
    for (char *c = host; *c; c++)
        if (*c == '-' || *c == '/' || *c == '.') *c = '_';
    snprintf(p, sizeof p, "%s/.yaa-subs-%d-0.srt", run, (int)dead);
    make_file(p, "1");
    snprintf(p, sizeof p, "%s/video.mp4.part-%s-%d-0", run, host, (int)dead);
    make_file(p, "1");
    snprintf(p, sizeof p, "%s/video.mp4.part", run);
    make_file(p, "1");
    snprintf(p, sizeof p, "%s/script.json.tmp.%d", run, (int)dead);
    make_file(p, "1");
    /* kept: a live process's render, another machine's, and real artifacts */
    snprintf(p, sizeof p, "%s/video.mp4.part-%s-%d-0", run, host, (int)getpid());
    make_file(p, "1");
    snprintf(p, sizeof p, "%s/video.mp4.part-otherhost-%d-0", run, (int)dead);
    make_file(p, "1");
    snprintf(p, sizeof p, "%s/video.mp4", run);
    make_file(p, "1");
    assert_int_equal(yaa_media_sweep_temp(out), 4);
    assert_int_equal(yaa_media_sweep_temp(out), 0);
    assert_true(exists(p));
    yaa_test_rmrf(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_child_dies_with_its_starter),
        cmocka_unit_test(test_kill_children_stops_running_ones),
        cmocka_unit_test(test_finalize_checks_and_fences),
        cmocka_unit_test(test_sweep_removes_dead_processes_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
