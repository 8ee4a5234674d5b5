/* ts_atomic_file.c: temporary file, fsync, rename, fsync of the folder
 * (ts_atomic_file.h). The one copy of that sequence in the project. */
#include "tailsweep/ts_atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Temporary files that exist now, for the signal handler: fixed storage,
 * because a handler may neither allocate nor lock. */
#define REG_SLOTS 16
#define REG_PATH 4096
static char reg_path[REG_SLOTS][REG_PATH];
static volatile sig_atomic_t reg_used[REG_SLOTS];

static int reg_add(const char *tmp)
{
    if (strlen(tmp) >= REG_PATH) return -1;
    for (int i = 0; i < REG_SLOTS; i++)
        if (!reg_used[i]) {
            memcpy(reg_path[i], tmp, strlen(tmp) + 1);
            reg_used[i] = 1;
            return i;
        }
    return -1;   /* full: the file is still removed on every ordinary path */
}

static void reg_drop(int slot)
{
    if (slot >= 0 && slot < REG_SLOTS) reg_used[slot] = 0;
}

void ts_atomic_cleanup_on_signal(void)
{
    for (int i = 0; i < REG_SLOTS; i++)
        if (reg_used[i]) {
            unlink(reg_path[i]);
            reg_used[i] = 0;
        }
}

ts_status ts_fsync_path(const char *path, int dir, const char *what, ts_err *err)
{
    char *d = NULL;
    const char *target = path;
    if (dir) {
        size_t n = strlen(path);
        d = malloc(n + 2);
        if (!d) return ts_err_set(err, TS_ENOMEM, "%s: out of memory", what);
        memcpy(d, path, n + 1);
        char *slash = strrchr(d, '/');
        if (!slash) strcpy(d, ".");
        else if (slash == d) d[1] = '\0';
        else *slash = '\0';
        target = d;
    }
    ts_status st = TS_OK;
    int fd = open(target, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    /* some file systems cannot sync a folder (EINVAL): nothing more to do there */
    if (fd < 0 || (fsync(fd) != 0 && !(dir && errno == EINVAL)))
        st = ts_err_set(err, TS_EIO, "%s: cannot sync %s: %s", what, target, strerror(errno));
    if (fd >= 0) close(fd);
    free(d);
    return st;
}

ts_status ts_output_check(const char *path, int force, ts_err *err)
{
    if (!path || !path[0]) return ts_err_set(err, TS_EINVAL, "no output file name given");
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return ts_err_set(err, TS_EIO, "%s: is a directory, not a file", path);
        if (!force) return ts_err_set(err, TS_EIO, "%s: file exists (pass --force to overwrite)", path);
    }
    return TS_OK;
}

ts_status ts_atomic_begin(ts_atomic_file *af, const char *path, int force, ts_err *err)
{
    memset(af, 0, sizeof *af);
    af->slot = -1;
    ts_status st = ts_output_check(path, force, err);
    if (st) return st;
    size_t n = strlen(path);
    af->path = malloc(n + 1);
    af->tmp = malloc(n + 32);
    if (!af->path || !af->tmp) {
        free(af->path);
        free(af->tmp);
        af->path = af->tmp = NULL;
        return ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    }
    memcpy(af->path, path, n + 1);
    snprintf(af->tmp, n + 32, "%s.tmp.%ld", path, (long)getpid());
    af->force = force;
    /* register first: a signal between open and registration would leave it */
    af->slot = reg_add(af->tmp);
    int fd = open(af->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        st = ts_err_set(err, TS_EIO, "%s: cannot create a file beside it (%s): %s", path, af->tmp,
                        strerror(errno));
        reg_drop(af->slot);
        free(af->path);
        free(af->tmp);
        af->path = af->tmp = NULL;
        return st;
    }
    close(fd);
    return TS_OK;
}

static void release(ts_atomic_file *af)
{
    reg_drop(af->slot);
    af->slot = -1;
    free(af->path);
    free(af->tmp);
    af->path = af->tmp = NULL;
}

void ts_atomic_abort(ts_atomic_file *af)
{
    if (af->tmp) unlink(af->tmp);
    release(af);
}

ts_status ts_atomic_commit(ts_atomic_file *af, ts_err *err)
{
    ts_status st = ts_fsync_path(af->tmp, 0, af->path, err);
    if (!st) {
        /* without force, a file that appeared while we wrote stays untouched */
        int rc = af->force ? rename(af->tmp, af->path)
                           : renameat2(AT_FDCWD, af->tmp, AT_FDCWD, af->path, RENAME_NOREPLACE);
        if (rc != 0 && !af->force && (errno == EINVAL || errno == ENOSYS)) {
            /* a file system without RENAME_NOREPLACE (some NFS): link, then unlink */
            rc = link(af->tmp, af->path);
            if (rc == 0) unlink(af->tmp);
        }
        if (rc != 0)
            st = errno == EEXIST
                     ? ts_err_set(err, TS_EIO, "%s: a file of that name appeared while writing; left it alone",
                                  af->path)
                     : ts_err_set(err, TS_EIO, "%s: cannot rename %s into place: %s", af->path, af->tmp,
                                  strerror(errno));
    }
    if (st) unlink(af->tmp);
    else st = ts_fsync_path(af->path, 1, af->path, err);
    release(af);
    return st;
}
