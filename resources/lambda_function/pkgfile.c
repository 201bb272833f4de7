/* Temporary files with no name in the temporary folder: O_TMPFILE, or
 * mkstemp and unlink at once. */
#include "pkgfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *tmp_dir(void)
{
    const char *dir = getenv("TMPDIR");
    return dir && *dir ? dir : "/tmp";
}

int pkgfile_open_named(void)
{
    char path[4096];
    if (snprintf(path, sizeof(path), "%s/cfnkit-package-XXXXXX", tmp_dir()) >= (int)sizeof(path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (unlink(path) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int pkgfile_open(void)
{
    int fd = open(tmp_dir(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    /* Older kernels and some file systems (EISDIR, EOPNOTSUPP) lack it. */
    if (fd < 0 && (errno == EISDIR || errno == EOPNOTSUPP || errno == EINVAL))
        return pkgfile_open_named();
    return fd;
}

void pkgfile_path(int fd, char out[PKGFILE_PATH_SIZE])
{
    snprintf(out, PKGFILE_PATH_SIZE, "/proc/self/fd/%d", fd);
}
