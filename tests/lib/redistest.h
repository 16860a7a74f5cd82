/* redistest.h - a throwaway redis-server for C tests (header-only): a free loopback port, data
 * (AOF on) in a temp dir, started and stopped by the test; restartable on the same port and
 * dir to test a Redis restart.
 *
 *   yaa_redistest rt;
 *   if (yaa_redistest_start(&rt) != 0) return 77;   // 77: redis-server is not installed
 *   ... QUEUE_URL = rt.url ...
 *   yaa_redistest_restart(&rt);                      // SIGTERM (AOF flushed) and start again
 *   yaa_redistest_stop(&rt);                         // stops it, removes its dir
 */
#ifndef YAA_TESTS_REDISTEST_H
#define YAA_TESTS_REDISTEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define YAA_REDISTEST_SKIP 77

typedef struct yaa_redistest {
    char url[64];
    char dir[PATH_MAX];
    int port;
    pid_t pid;
} yaa_redistest;

static inline int yaa_redistest__free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

static inline int yaa_redistest__up(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (ok) {
        char buf[64];
        ok = write(fd, "PING\r\n", 6) == 6 && read(fd, buf, sizeof buf) > 0 && buf[0] == '+';
    }
    if (fd >= 0) close(fd);
    return ok;
}

static inline int yaa_redistest__spawn(yaa_redistest *rt) {
    char port[16];
    snprintf(port, sizeof port, "%d", rt->port);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, 1);
        execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1", "--dir",
               rt->dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "",
               "--daemonize", "no", "--protected-mode", "no", (char *)NULL);
        _exit(127);
    }
    rt->pid = pid;
    for (int i = 0; i < 200; i++) {
        if (yaa_redistest__up(rt->port)) return 0;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            rt->pid = 0;
            return -1;
        }
        struct timespec ts = {0, 25 * 1000000};
        nanosleep(&ts, NULL);
    }
    return -1;
}

static inline int yaa_redistest_start(yaa_redistest *rt) {
    memset(rt, 0, sizeof *rt);
    if (system("command -v redis-server >/dev/null 2>&1") != 0) {
        fprintf(stderr, "redistest: redis-server is not installed\n");
        return YAA_REDISTEST_SKIP;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(rt->dir, sizeof rt->dir, "%s/yaa-redis-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(rt->dir)) return -1;
    rt->port = yaa_redistest__free_port();
    if (rt->port <= 0) return -1;
    snprintf(rt->url, sizeof rt->url, "redis://127.0.0.1:%d/0", rt->port);
    if (yaa_redistest__spawn(rt) != 0) {
        fprintf(stderr, "redistest: redis-server did not start on port %d\n", rt->port);
        return -1;
    }
    return 0;
}

/* Stops the server (SIGTERM: it flushes the AOF) and waits for it. */
static inline void yaa_redistest_kill(yaa_redistest *rt) {
    if (rt->pid <= 0) return;
    kill(rt->pid, SIGTERM);
    int st;
    while (waitpid(rt->pid, &st, 0) < 0 && errno == EINTR) {
    }
    rt->pid = 0;
}

static inline int yaa_redistest_restart(yaa_redistest *rt) {
    yaa_redistest_kill(rt);
    return yaa_redistest__spawn(rt);
}

static inline void yaa_redistest_stop(yaa_redistest *rt) {
    yaa_redistest_kill(rt);
    if (rt->dir[0]) {
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", rt->dir);
        if (system(cmd) != 0) fprintf(stderr, "redistest: cannot remove %s\n", rt->dir);
    }
}

#endif
