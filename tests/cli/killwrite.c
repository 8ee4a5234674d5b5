/* killwrite.c: an LD_PRELOAD shim that kills the process in the middle of
 * a write to a store, to test what a crash there leaves behind. The
 * KILLWRITE_AT-th pwrite(2) to a file whose name ends in ".h5" writes the
 * first half of its bytes, then the process dies of SIGKILL: a flush torn
 * at a chosen point, deterministically. tests/cli/test_store_kill.sh uses
 * it. A test tool, not part of tailsweep. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static long count;

static int is_store(int fd)
{
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n < 3) return 0;
    path[n] = '\0';
    return strcmp(path + n - 3, ".h5") == 0;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (!real) real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
    const char *at = getenv("KILLWRITE_AT");
    if (at && is_store(fd) && ++count == atol(at)) {
        if (n > 1) real(fd, buf, n / 2, off);
        raise(SIGKILL);
    }
    return real(fd, buf, n, off);
}
