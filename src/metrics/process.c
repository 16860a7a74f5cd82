/* process.c - the standard process_* metrics, read from /proc at each scrape (Linux). */
#include "metrics/metrics.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Fields of /proc/self/stat after the command name: utime(14) stime(15) starttime(22)
 * vsize(23) rss(24), numbered as in proc(5). */
static int read_stat(unsigned long long *utime, unsigned long long *stime,
                     unsigned long long *start, unsigned long long *vsize, long long *rss) {
    char buf[1024];
    FILE *fp = fopen("/proc/self/stat", "r");
    if (!fp) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = 0;
    const char *p = strrchr(buf, ')'); /* the command name may contain spaces */
    if (!p) return -1;
    /* after ") " comes field 3 (state) */
    int got = sscanf(p + 2,
                     "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d "
                     "%*d %llu %llu %lld",
                     utime, stime, start, vsize, rss);
    return got == 5 ? 0 : -1;
}

static double boot_time(void) {
    FILE *fp = fopen("/proc/stat", "r");
    if (!fp) return 0;
    char line[256];
    double bt = 0;
    while (fgets(line, sizeof line, fp)) {
        if (strncmp(line, "btime ", 6) == 0) {
            bt = strtod(line + 6, NULL);
            break;
        }
    }
    fclose(fp);
    return bt;
}

static long open_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    long n = 0;
    const struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n > 0 ? n - 1 : 0; /* minus the descriptor of the directory stream itself */
}

static int put(yaa_buf *out, const char *name, const char *type, const char *help, double v) {
    char num[32];
    yaa_metrics_format_double(v, num);
    return yaa_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s %s\n", name, help, name, type, name,
                          num);
}

int yaa_metrics_process_collect(void *ud, yaa_buf *out) {
    (void)ud;
    unsigned long long ut = 0, st = 0, start = 0, vsize = 0;
    long long rss = 0;
    double ticks = (double)sysconf(_SC_CLK_TCK);
    double page = (double)sysconf(_SC_PAGESIZE);
    int rc = 0;
    if (read_stat(&ut, &st, &start, &vsize, &rss) == 0 && ticks > 0) {
        rc = put(out, "process_cpu_seconds_total", "counter",
                 "Total user and system CPU time spent in seconds.", (double)(ut + st) / ticks);
        if (!rc)
            rc = put(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
                     (double)vsize);
        if (!rc)
            rc = put(out, "process_resident_memory_bytes", "gauge",
                     "Resident memory size in bytes.", (double)rss * page);
        double bt = boot_time();
        if (!rc && bt > 0)
            rc = put(out, "process_start_time_seconds", "gauge",
                     "Start time of the process since unix epoch in seconds.",
                     bt + (double)start / ticks);
    }
    long fds = open_fds();
    if (!rc && fds >= 0)
        rc = put(out, "process_open_fds", "gauge", "Number of open file descriptors.", (double)fds);
    struct rlimit rl;
    if (!rc && getrlimit(RLIMIT_NOFILE, &rl) == 0)
        rc = put(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
                 rl.rlim_cur == RLIM_INFINITY ? INFINITY : (double)rl.rlim_cur);
    return rc;
}
