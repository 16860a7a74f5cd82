/* media_double.h - starts tests/doubles/media_double.py on a free loopback port (tests only). */
#ifndef YAA_TEST_MEDIA_DOUBLE_H
#define YAA_TEST_MEDIA_DOUBLE_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct media_double {
    pid_t pid;
    int port;
    char base[64];
} media_double;

/* Makes the fixtures the double replays: a real MP3 (by ffmpeg) and a real PNG. */
static inline int media_double_fixtures(const char *dir, char *mp3, char *png, size_t n) {
    snprintf(mp3, n, "%s/fixture.mp3", dir);
    snprintf(png, n, "%s/fixture.png", dir);
    char cmd[12288];
    snprintf(
        cmd, sizeof cmd,
        "ffmpeg -nostdin -v error -y -f lavfi -i sine=frequency=440:duration=1.2 -c:a libmp3lame "
        "-b:a 128k '%s' && ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=1792x1024:rate=1 "
        "-frames:v 1 '%s'",
        mp3, png);
    return system(cmd);
}

static inline int media_double_start(media_double *d, const char *mp3, const char *png,
                                     const char *log) {
    int p[2];
    if (pipe(p)) return -1;
    char script[4096];
    snprintf(script, sizeof script, "%s/tests/doubles/media_double.py", yaa_test_source_dir());
    d->pid = fork();
    if (d->pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execlp("python3", "python3", script, "--mp3", mp3, "--png", png, "--log", log,
               (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char line[32] = {0};
    ssize_t got = 0;
    while (got < (ssize_t)sizeof line - 1) {
        ssize_t r = read(p[0], line + got, 1);
        if (r <= 0 || line[got] == '\n') break;
        got++;
    }
    close(p[0]);
    d->port = atoi(line);
    snprintf(d->base, sizeof d->base, "http://127.0.0.1:%d", d->port);
    return d->port > 0 ? 0 : -1;
}

static inline void media_double_stop(media_double *d) {
    if (d->pid > 0) {
        kill(d->pid, SIGTERM);
        waitpid(d->pid, NULL, 0);
    }
}

#endif
