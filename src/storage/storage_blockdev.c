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


int
virStorageBlockDevHolderQuiet(const char *kname,
                              char **holder)
{
    g_autofree char *dir = g_strdup_printf("/sys/class/block/%s/holders", kname);
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
