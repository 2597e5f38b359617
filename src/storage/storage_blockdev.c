/*
 * storage_blockdev.c: block devices: size, in use, zero and discard
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>

#include "storage_blockdev.h"
#include "virfile.h"


int
virStorageBlockDevSizeQuiet(int fd,
                            unsigned long long *size)
{
    unsigned long long bytes = 0;

    if (ioctl(fd, BLKGETSIZE64, &bytes) < 0)
        return -errno;
    *size = bytes;
    return 0;
}


/* An ioctl of the block layer that takes a byte range. */
static int
virStorageBlockDevRangeQuiet(int fd,
                             unsigned long request,
                             unsigned long long at,
                             unsigned long long len)
{
    uint64_t range[2] = { at, len };

    if (ioctl(fd, request, range) < 0)
        return -errno;
    return 0;
}


int
virStorageBlockDevZeroOutQuiet(int fd,
                               unsigned long long at,
                               unsigned long long len)
{
    return virStorageBlockDevRangeQuiet(fd, BLKZEROOUT, at, len);
}


int
virStorageBlockDevDiscardQuiet(int fd,
                               unsigned long long at,
                               unsigned long long len)
{
    return virStorageBlockDevRangeQuiet(fd, BLKDISCARD, at, len);
}


int
virStorageBlockDevOpenExclusiveQuiet(const char *path)
{
    int fd = open(path, O_RDONLY | O_EXCL | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    VIR_FORCE_CLOSE(fd);
    return 0;
}


/* 1 when the @len bytes at @at of @fd are all zero, 0 when one is not,
 * -errno (-EIO for a device shorter than it said) on a read error. */
static int
virStorageBlockDevRangeZeroQuiet(int fd,
                                 char *buf,
                                 size_t len,
                                 unsigned long long at)
{
    size_t done = 0;

    while (done < len) {
        ssize_t got = pread(fd, buf + done, len - done, at + done);

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -errno;
        if (got == 0)
            return -EIO;
        done += got;
    }
    if (len == 0)
        return 1;
    return buf[0] == 0 && memcmp(buf, buf + 1, len - 1) == 0;
}


int
virStorageBlockDevEndsZeroQuiet(const char *path,
                                size_t span)
{
    VIR_AUTOCLOSE fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    g_autofree char *buf = NULL;
    unsigned long long size = 0;
    struct stat sb;
    size_t head;
    int rc;

    if (fd < 0 || fstat(fd, &sb) < 0)
        return -errno;
    if (S_ISBLK(sb.st_mode)) {
        if ((rc = virStorageBlockDevSizeQuiet(fd, &size)) < 0)
            return rc;
    } else if (S_ISREG(sb.st_mode)) {
        size = sb.st_size;
    } else {
        return -ENOTBLK;
    }

    head = size < span ? size : span;
    buf = g_new(char, head ? head : 1);
    if ((rc = virStorageBlockDevRangeZeroQuiet(fd, buf, head, 0)) <= 0)
        return rc;
    if (size <= head)
        return 1;
    if (size - head < span)
        return virStorageBlockDevRangeZeroQuiet(fd, buf, size - head, head);
    return virStorageBlockDevRangeZeroQuiet(fd, buf, span, size - span);
}


int
virStorageBlockDevHolderQuiet(const char *sysfs,
                              const char *kname,
                              char **holder)
{
    g_autofree char *dir = g_strdup_printf("%s/class/block/%s/holders", sysfs, kname);
    g_autoptr(DIR) dh = NULL;
    struct dirent *ent;

    if (virDirOpenQuiet(&dh, dir) < 0)
        return 0;

    if (virDirRead(dh, &ent, NULL) > 0) {
        *holder = g_strdup(ent->d_name);
        return 1;
    }
    return 0;
}
