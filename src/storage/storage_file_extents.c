/*
 * storage_file_extents.c: moving and zeroing the data of regular files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/fs.h>
#include <linux/falloc.h>

#include "storage_file_extents.h"
#include "virfile.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

/* Chunk of one read/write or copy_file_range call. */
#define VIR_STORAGE_FILE_COPY_CHUNK (4 * 1024 * 1024)


int
virStorageFileReflinkQuiet(int dstfd, int srcfd)
{
    if (ioctl(dstfd, FICLONE, srcfd) < 0)
        return -errno;
    return 0;
}


static int
virStorageFileCopyRangeByReadWriteQuiet(int srcfd, int dstfd, off_t offset, off_t length)
{
    g_autofree char *buf = g_new0(char, MIN(length, VIR_STORAGE_FILE_COPY_CHUNK));

    while (length > 0) {
        size_t want = MIN(length, VIR_STORAGE_FILE_COPY_CHUNK);
        ssize_t got = pread(srcfd, buf, want, offset);

        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (got == 0)
            return -ENODATA;

        while (got > 0) {
            ssize_t put = pwrite(dstfd, buf, got, offset);

            if (put < 0) {
                if (errno == EINTR)
                    continue;
                return -errno;
            }
            /* keep the unwritten tail at the front of the buffer */
            memmove(buf, buf + put, got - put);
            offset += put;
            length -= put;
            got -= put;
        }
    }
    return 0;
}


/*
 * Copy one data extent.  copy_file_range lets the file system share or
 * copy server side; errors meaning "not between these two files" switch
 * to plain read/write for the rest of the copy (*useCopyRange = false).
 */
static int
virStorageFileCopyRangeQuiet(int srcfd, int dstfd, off_t offset, off_t length,
                             bool *useCopyRange)
{
    while (length > 0 && *useCopyRange) {
        loff_t in = offset;
        loff_t out = offset;
        ssize_t done = copy_file_range(srcfd, &in, dstfd, &out,
                                       MIN(length, VIR_STORAGE_FILE_COPY_CHUNK), 0);

        if (done < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
                errno != EOPNOTSUPP && errno != EBADF)
                return -errno;
            *useCopyRange = false;
            break;
        }
        if (done == 0)
            return -ENODATA;
        offset += done;
        length -= done;
    }

    if (length > 0)
        return virStorageFileCopyRangeByReadWriteQuiet(srcfd, dstfd, offset, length);
    return 0;
}


int
virStorageFileCopyDataQuiet(int srcfd, int dstfd, off_t length)
{
    bool useCopyRange = true;
    off_t pos = 0;

    while (pos < length) {
        off_t data = lseek(srcfd, pos, SEEK_DATA);
        off_t hole;
        int rc;

        if (data < 0) {
            if (errno == ENXIO)
                break; /* only a hole up to the end of the source */
            if (errno != EINVAL && errno != EOPNOTSUPP)
                return -errno;
            /* no hole detection here: everything is data */
            data = pos;
            hole = length;
        } else {
            if (data >= length)
                break;
            if ((hole = lseek(srcfd, data, SEEK_HOLE)) < 0)
                return -errno;
        }
        hole = MIN(hole, length);

        if ((rc = virStorageFileCopyRangeQuiet(srcfd, dstfd, data, hole - data,
                                               &useCopyRange)) < 0)
            return rc;
        pos = hole;
    }
    return 0;
}


int
virStorageFileWriteZerosQuiet(int fd, off_t offset, off_t length)
{
    g_autofree char *zeros = g_new0(char, MIN(MAX(length, 1), VIR_STORAGE_FILE_COPY_CHUNK));

    while (length > 0) {
        ssize_t put = pwrite(fd, zeros, MIN(length, VIR_STORAGE_FILE_COPY_CHUNK), offset);

        if (put < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        offset += put;
        length -= put;
    }
    return 0;
}


/* f_type of a FUSE file system (linux/magic.h has no name for it) */
#define VIR_STORAGE_FILE_FUSE_MAGIC 0x65735546

/*
 * A FUSE file system hands fallocate's mode to its daemon, which may
 * answer a mode it does not know with success: GlusterFS 10's client
 * takes FALLOC_FL_ZERO_RANGE for a plain fallocate and leaves the data
 * (seen on a real volume), while it does punch holes.  There the range
 * is punched, then allocated again.
 */
static int
virStorageFileZeroRangeFuseQuiet(int fd, off_t offset, off_t length)
{
    if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  offset, length) < 0) {
        if (errno != EOPNOTSUPP && errno != ENOSYS)
            return -errno;
        return virStorageFileWriteZerosQuiet(fd, offset, length);
    }
    if (fallocate(fd, FALLOC_FL_KEEP_SIZE, offset, length) < 0 &&
        errno != EOPNOTSUPP && errno != ENOSYS)
        return -errno;
    return 0;
}


int
virStorageFileZeroRangeQuiet(int fd, off_t offset, off_t length,
                             bool keepAllocation)
{
    int mode = keepAllocation ? FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE
                              : FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
    struct statfs sfs;

    if (length == 0)
        return 0;

    if (keepAllocation && fstatfs(fd, &sfs) == 0 &&
        sfs.f_type == VIR_STORAGE_FILE_FUSE_MAGIC)
        return virStorageFileZeroRangeFuseQuiet(fd, offset, length);

    if (fallocate(fd, mode, offset, length) == 0)
        return 0;
    if (errno != EOPNOTSUPP && errno != ENOSYS)
        return -errno;

    return virStorageFileWriteZerosQuiet(fd, offset, length);
}


int
virStorageFileAllocatedQuiet(int fd, unsigned long long *allocated)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
        return -errno;
    *allocated = (unsigned long long)st.st_blocks * 512;
    return 0;
}
