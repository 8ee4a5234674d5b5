/* noflock.c: an LD_PRELOAD shim that makes flock(2) fail as it does on a
 * cluster file system without lock support (ENOLCK: NFS without lockd;
 * Lustre mounted without flock gives ENOSYS; GPFS, EOPNOTSUPP). The errno
 * is taken from NOFLOCK_ERRNO (default ENOLCK). tests/cli/test_store_cli.sh
 * runs the release binary under it to test the store lock's fallback to its
 * lease. A test tool, not part of tailsweep. */
#include <errno.h>
#include <stdlib.h>
#include <sys/file.h>

int flock(int fd, int op)
{
    (void)fd;
    (void)op;
    const char *e = getenv("NOFLOCK_ERRNO");
    errno = e ? atoi(e) : ENOLCK;
    return -1;
}
