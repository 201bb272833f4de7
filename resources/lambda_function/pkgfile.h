/* Temporary files with no name: a package holding `.env` settings never
 * stays in the temporary folder, even when the process is killed. */
#ifndef CFNKIT_PKGFILE_H
#define CFNKIT_PKGFILE_H

#define PKGFILE_PATH_SIZE 32

/* An open, unlinked, read-write file in $TMPDIR (default /tmp): O_TMPFILE
 * where the file system has it, otherwise pkgfile_open_named. Returns the
 * descriptor, or -1 with errno set. */
int pkgfile_open(void);

/* The fallback: mkstemp, then unlink at once, keeping the descriptor. */
int pkgfile_open_named(void);

/* "/proc/self/fd/N": a name for the open file, for calls that take a path. */
void pkgfile_path(int fd, char out[PKGFILE_PATH_SIZE]);

#endif
