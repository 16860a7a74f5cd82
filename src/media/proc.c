/* proc.c - runs ffmpeg/ffprobe (argv, no shell) with progress parsing, cancel, timeout, and
 * an address-space limit; the stderr tail becomes the error message on failure.
 *
 * No child outlives its starter: each child is the leader of its own process group and gets
 * SIGKILL when the thread that forked it dies (PR_SET_PDEATHSIG, so a SIGKILLed worker takes
 * its ffmpeg with it); every exit path of yaa_media__run kills the group; and the groups of
 * the children still running are listed so a signal handler can kill them all
 * (yaa_media_kill_children). */
#include "core/log.h"
#include "core/util.h"
#include "media/media_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAIL_MAX 1536
#define MAX_LIVE 64

/* Process groups of the children running now (0 = free slot); read from signal handlers. */
static atomic_int live_groups[MAX_LIVE];

static void live_add(pid_t pid) {
    for (int i = 0; i < MAX_LIVE; i++) {
        int expect = 0;
        if (atomic_compare_exchange_strong(&live_groups[i], &expect, (int)pid)) return;
    }
}

static void live_del(pid_t pid) {
    for (int i = 0; i < MAX_LIVE; i++) {
        int expect = (int)pid;
        if (atomic_compare_exchange_strong(&live_groups[i], &expect, 0)) return;
    }
}

int yaa_media_kill_children(void) {
    int n = 0;
    for (int i = 0; i < MAX_LIVE; i++) {
        int pg = atomic_load(&live_groups[i]);
        if (pg > 0 && kill(-pg, SIGKILL) == 0) n++;
    }
    return n;
}

typedef struct proc_state {
    const yaa_media__proc_opts *o;
    char line[512];
    size_t line_len;
    char tail[TAIL_MAX];
    size_t tail_len;
} proc_state;

extern char **environ;

/* The child's environment: ours, plus each "NAME=value" of add whose NAME ours lacks (the
 * operator's own setting wins). A malloc'd array of borrowed strings; NULL when nothing is
 * added (or out of memory): the child then gets ours as it is. */
static char **child_env(const char *const *add) {
    if (!add || !add[0]) return NULL;
    size_t n = 0, m = 0, k = 0;
    while (environ[n]) n++;
    while (add[m]) m++;
    char **e = malloc((n + m + 1) * sizeof *e);
    if (!e) return NULL;
    for (size_t i = 0; i < n; i++) e[k++] = environ[i];
    for (size_t j = 0; j < m; j++) {
        size_t nl = strcspn(add[j], "=");
        bool have = false;
        for (size_t i = 0; i < n && !have; i++)
            have = !strncmp(environ[i], add[j], nl) && environ[i][nl] == '=';
        if (!have) e[k++] = (char *)add[j];
    }
    e[k] = NULL;
    return e;
}

static void child_exec(char *const argv[], char *const envp[], int out_fd, int err_fd, long mem_mb,
                       const char *cwd, pid_t parent) {
    setpgid(0, 0);
    /* Dies with the thread that started it; if the parent already died, stop now. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(125);
    if (cwd && chdir(cwd)) _exit(126);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    if (mem_mb > 0) {
        struct rlimit rl = {(rlim_t)mem_mb << 20, (rlim_t)mem_mb << 20};
        setrlimit(RLIMIT_AS, &rl);
    }
    execvpe(argv[0], argv, envp);
    static const char msg[] = "exec failed\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    _exit(127);
}

static void on_progress_line(proc_state *st) {
    st->line[st->line_len] = 0;
    const char *l = st->line;
    if (st->o->progress_total > 0 && yaa_str_startswith(l, "out_time_us=")) {
        long long us = atoll(l + 12);
        if (us > 0)
            yaa_media__progress(st->o->env, st->o->what, (double)us / 1e6 / st->o->progress_total);
    }
    st->line_len = 0;
}

static void feed_stdout(proc_state *st, const char *p, size_t n) {
    if (st->o->out) {
        yaa_buf_append(st->o->out, p, n); /* a capped buffer: excess is dropped */
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            on_progress_line(st);
        } else if (st->line_len < sizeof st->line - 1) {
            st->line[st->line_len++] = p[i];
        }
    }
}

static void feed_stderr(proc_state *st, const char *p, size_t n) {
    if (st->o->err_out) yaa_buf_append(st->o->err_out, p, n); /* capped: excess dropped */
    if (n >= TAIL_MAX) {
        memcpy(st->tail, p + n - (TAIL_MAX - 1), TAIL_MAX - 1);
        st->tail_len = TAIL_MAX - 1;
        return;
    }
    if (st->tail_len + n >= TAIL_MAX) {
        size_t drop = st->tail_len + n - (TAIL_MAX - 1);
        memmove(st->tail, st->tail + drop, st->tail_len - drop);
        st->tail_len -= drop;
    }
    memcpy(st->tail + st->tail_len, p, n);
    st->tail_len += n;
}

/* The last meaningful stderr line(s), flattened to one line for the error message. */
static const char *tail_message(proc_state *st) {
    st->tail[st->tail_len] = 0;
    char *s = st->tail;
    size_t len = strlen(s);
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' ')) s[--len] = 0;
    /* keep at most the last 3 lines */
    int lines = 0;
    char *start = s;
    for (char *q = s + len; q > s; q--) {
        if (q[-1] == '\n' && ++lines == 3) {
            start = q;
            break;
        }
    }
    for (char *q = start; *q; q++)
        if (*q == '\n' || *q == '\r') *q = ' ';
    return *start ? start : "(no output)";
}

int yaa_media__run(char *const argv[], const yaa_media__proc_opts *o, yaa_err *err) {
    int outp[2], errp[2];
    if (pipe2(outp, O_CLOEXEC))
        return yaa_err_set(err, YAA_EIO, "%s: pipe: %s", o->what, strerror(errno));
    if (pipe2(errp, O_CLOEXEC)) {
        close(outp[0]);
        close(outp[1]);
        return yaa_err_set(err, YAA_EIO, "%s: pipe: %s", o->what, strerror(errno));
    }
    pid_t parent = getpid();
    char **envp = child_env(o->env_add);
    pid_t pid = fork();
    if (pid == 0)
        child_exec(argv, envp ? envp : environ, outp[1], errp[1], o->mem_mb, o->cwd, parent);
    free(envp);
    close(outp[1]);
    close(errp[1]);
    if (pid < 0) {
        close(outp[0]);
        close(errp[0]);
        return yaa_err_set(err, YAA_EIO, "%s: fork: %s", o->what, strerror(errno));
    }
    setpgid(pid, pid); /* also done in the child; whichever runs first */
    live_add(pid);
    proc_state st = {.o = o};
    struct pollfd fds[2] = {{outp[0], POLLIN, 0}, {errp[0], POLLIN, 0}};
    int open_fds = 2;
    double deadline = o->timeout_sec > 0 ? yaa_mono_sec() + (double)o->timeout_sec : 0;
    int killed = 0; /* 1 cancelled, 2 timeout */
    char buf[4096];
    while (open_fds > 0) {
        int pr = poll(fds, 2, 200);
        if (pr < 0 && errno != EINTR) {
            kill(-pid, SIGKILL); /* cannot watch it any more: do not leave it running */
            break;
        }
        for (int k = 0; k < 2 && pr > 0; k++) {
            if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(fds[k].fd, buf, sizeof buf);
            if (n > 0) {
                if (k == 0)
                    feed_stdout(&st, buf, (size_t)n);
                else
                    feed_stderr(&st, buf, (size_t)n);
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                close(fds[k].fd);
                fds[k].fd = -1;
                open_fds--;
            }
        }
        if (!killed && yaa_media__cancelled(o->env)) killed = 1;
        if (!killed && deadline > 0 && yaa_mono_sec() > deadline) killed = 2;
        if (killed == 1 || killed == 2) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            killed += 10; /* killed once */
        }
    }
    for (int k = 0; k < 2; k++)
        if (fds[k].fd >= 0) close(fds[k].fd);
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
    }
    kill(-pid, SIGKILL); /* anything the child left in its group goes with it */
    live_del(pid);
    if (o->max_rss_kb) *o->max_rss_kb = ru.ru_maxrss;
    if (o->cpu_sec)
        *o->cpu_sec = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                      (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    if (killed == 11) return yaa_err_set(err, YAA_ECANCELLED, "%s: cancelled", o->what);
    if (killed == 12)
        return yaa_err_set(err, YAA_ETIMEOUT, "%s: %s did not finish within %ld s (killed)",
                           o->what, argv[0], o->timeout_sec);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        if (o->fail_on_stderr && st.tail_len > 0)
            return yaa_err_set(err, YAA_EIO, "%s: %s reported errors: %s", o->what, argv[0],
                               tail_message(&st));
        return 0;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        return yaa_err_set(err, YAA_EUNAVAILABLE,
                           "%s: cannot run '%s' (is FFmpeg installed? apt-get install ffmpeg)",
                           o->what, argv[0]);
    const char *tail = tail_message(&st);
    char cap[96] = ""; /* the cap, and the setting that raises it, for the messages below */
    if (o->mem_mb > 0)
        snprintf(cap, sizeof cap, "address-space limit of %ld MiB%s%s%s", o->mem_mb,
                 o->mem_knob ? " (" : "", o->mem_knob ? o->mem_knob : "", o->mem_knob ? ")" : "");
    if (WIFSIGNALED(status))
        return yaa_err_set(err, YAA_EIO, "%s: %s killed by signal %d%s%s%s: %s", o->what, argv[0],
                           WTERMSIG(status), *cap ? " (its " : "", cap, *cap ? "?)" : "", tail);
    if (*cap && strstr(tail, "Cannot allocate memory"))
        return yaa_err_set(err, YAA_ENOMEM, "%s: %s ran out of its %s: %s", o->what, argv[0], cap,
                           tail);
    return yaa_err_set(err, YAA_EIO, "%s: %s exited with %d: %s", o->what, argv[0],
                       WIFEXITED(status) ? WEXITSTATUS(status) : -1, tail);
}
