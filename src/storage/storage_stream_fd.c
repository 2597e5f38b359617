/*
 * storage_stream_fd.c: the stream unit's I/O on a file or block device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/falloc.h>

#include "storage_stream_fd.h"
#include "storage_blockdev.h"
#include "virfile.h"

#define VIR_STORAGE_STREAM_FD_ZEROS (1024 * 1024)

typedef struct _virStorageStreamFd virStorageStreamFd;
struct _virStorageStreamFd {
    int fd;
    bool isBlock;
    bool sync;
};


void *
virStorageStreamFdNew(int fd,
                      bool isBlock,
                      bool sync)
{
    virStorageStreamFd *sfd = g_new0(virStorageStreamFd, 1);

    sfd->fd = fd;
    sfd->isBlock = isBlock;
    sfd->sync = sync;
    return sfd;
}


static int
virStorageStreamFdWrite(void *opaque,
                        const char *buf,
                        size_t len,
                        unsigned long long at)
{
    virStorageStreamFd *sfd = opaque;

    while (len > 0) {
        ssize_t done = pwrite(sfd->fd, buf, len, at);

        if (done < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (done == 0)
            return -ENOSPC;
        buf += done;
        len -= done;
        at += done;
    }
    return 0;
}


static int
virStorageStreamFdWriteZeros(virStorageStreamFd *sfd,
                             unsigned long long at,
                             unsigned long long len)
{
    g_autofree char *zeros = g_new0(char, MIN(len, VIR_STORAGE_STREAM_FD_ZEROS));

    while (len > 0) {
        size_t n = MIN(len, VIR_STORAGE_STREAM_FD_ZEROS);
        int rc;

        if ((rc = virStorageStreamFdWrite(sfd, zeros, n, at)) < 0)
            return rc;
        at += n;
        len -= n;
    }
    return 0;
}


/* Makes [@at, @at + @len) of a block device read as zeros. */
static int
virStorageStreamFdZeroBlock(virStorageStreamFd *sfd,
                            unsigned long long at,
                            unsigned long long len)
{
    if (at % 512 == 0 && len % 512 == 0 &&
        virStorageBlockDevZeroOutQuiet(sfd->fd, at, len) == 0)
        return 0;
    return virStorageStreamFdWriteZeros(sfd, at, len);
}


/* Makes [@at, @at + @len) of a file read as zeros; never shrinks it,
 * grows it to @at + @len if it ends before. */
static int
virStorageStreamFdZeroFile(virStorageStreamFd *sfd,
                           unsigned long long at,
                           unsigned long long len)
{
    struct stat sb;
    unsigned long long inside = len;

    if (fstat(sfd->fd, &sb) < 0)
        return -errno;

    if ((unsigned long long) sb.st_size <= at)
        inside = 0;
    else if ((unsigned long long) sb.st_size - at < len)
        inside = sb.st_size - at;

    if (inside > 0 &&
        fallocate(sfd->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  at, inside) < 0) {
        int rc;

        if (errno != EOPNOTSUPP && errno != ENOSYS)
            return -errno;
        if ((rc = virStorageStreamFdWriteZeros(sfd, at, inside)) < 0)
            return rc;
    }

    if (inside < len && ftruncate(sfd->fd, at + len) < 0)
        return -errno;
    return 0;
}


static int
virStorageStreamFdZero(void *opaque,
                       unsigned long long at,
                       unsigned long long len)
{
    virStorageStreamFd *sfd = opaque;

    if (sfd->isBlock)
        return virStorageStreamFdZeroBlock(sfd, at, len);
    return virStorageStreamFdZeroFile(sfd, at, len);
}


static ssize_t
virStorageStreamFdRead(void *opaque,
                       char *buf,
                       size_t len,
                       unsigned long long at)
{
    virStorageStreamFd *sfd = opaque;
    ssize_t got;

    while ((got = pread(sfd->fd, buf, len, at)) < 0) {
        if (errno != EINTR)
            return -errno;
    }
    return got;
}


static int
virStorageStreamFdExtent(void *opaque,
                         unsigned long long at,
                         bool *data,
                         unsigned long long *len)
{
    virStorageStreamFd *sfd = opaque;
    struct stat sb;
    off_t next;

    if (sfd->isBlock)
        goto all_data;

    if ((next = lseek(sfd->fd, at, SEEK_DATA)) < 0) {
        if (errno == EINVAL || errno == EOPNOTSUPP)
            goto all_data;
        if (errno != ENXIO)
            return -errno;
        /* no data from @at on: a hole up to the end of the file */
        if (fstat(sfd->fd, &sb) < 0)
            return -errno;
        if ((unsigned long long) sb.st_size <= at)
            goto all_data;
        *data = false;
        *len = sb.st_size - at;
        return 0;
    }

    if ((unsigned long long) next > at) {
        *data = false;
        *len = next - at;
        return 0;
    }

    if ((next = lseek(sfd->fd, at, SEEK_HOLE)) < 0)
        return -errno;
    if ((unsigned long long) next <= at)
        goto all_data;
    *data = true;
    *len = next - at;
    return 0;

 all_data:
    *data = true;
    *len = ULLONG_MAX - at;
    return 0;
}


static int
virStorageStreamFdFlush(void *opaque)
{
    virStorageStreamFd *sfd = opaque;

    if (sfd->sync && fdatasync(sfd->fd) < 0)
        return -errno;
    return 0;
}


static void
virStorageStreamFdClose(void *opaque)
{
    virStorageStreamFd *sfd = opaque;

    VIR_FORCE_CLOSE(sfd->fd);
    g_free(sfd);
}


const virStorageStreamIO virStorageStreamFdIO = {
    .write = virStorageStreamFdWrite,
    .zero = virStorageStreamFdZero,
    .read = virStorageStreamFdRead,
    .extent = virStorageStreamFdExtent,
    .flush = virStorageStreamFdFlush,
    .close = virStorageStreamFdClose,
};
