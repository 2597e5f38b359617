/*
 * parthelper_kernel.c: telling the kernel that partitions go away, before
 * the table on the disk says so
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This file is part of libvirt_storage_parthelper, which links libparted
 * (GPL-3.0-or-later): the executable as a whole is GPL-3.0-or-later.
 */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/blkpg.h>
#include <linux/fs.h>

#include "parthelper_error.h"
#include "parthelper_kernel.h"

/* The kernel lists an extended dos partition as its first KiB only. */
#define PH_KERNEL_EXTENDED_BYTES 1024ULL


static void
phKernelPartClear(gpointer data)
{
    phKernelPart *part = data;

    g_free(part->path);
}


GArray *
phKernelPartsNew(void)
{
    GArray *parts = g_array_new(FALSE, FALSE, sizeof(phKernelPart));

    g_array_set_clear_func(parts, phKernelPartClear);
    return parts;
}


GArray *
phKernelPartitions(const PedDisk *disk)
{
    GArray *parts = phKernelPartsNew();
    unsigned long long sector = disk->dev->sector_size;
    PedPartition *part;

    for (part = ped_disk_next_partition(disk, NULL); part;
         part = ped_disk_next_partition(disk, part)) {
        phKernelPart entry;
        char *path;

        if (!ped_partition_is_active(part))
            continue;

        entry.number = part->num;
        entry.start = (unsigned long long) part->geom.start * sector;
        entry.length = (unsigned long long) part->geom.length * sector;
        if (part->type & PED_PARTITION_EXTENDED)
            entry.length = MIN(entry.length, PH_KERNEL_EXTENDED_BYTES);
        /* libparted's string is malloc'd: keep our copies in glib's */
        path = ped_partition_get_path(part);
        entry.path = g_strdup(path);
        free(path);
        g_array_append_val(parts, entry);
    }

    return parts;
}


static bool
phKernelPartSame(const phKernelPart *a,
                 const phKernelPart *b)
{
    return a->number == b->number &&
           a->start == b->start &&
           a->length == b->length;
}


GArray *
phKernelGone(const GArray *before,
             const GArray *after)
{
    GArray *gone = phKernelPartsNew();
    size_t i;
    size_t j;

    for (i = 0; i < before->len; i++) {
        const phKernelPart *old = &g_array_index(before, phKernelPart, i);
        bool kept = false;

        for (j = 0; j < after->len && !kept; j++)
            kept = phKernelPartSame(old, &g_array_index(after, phKernelPart, j));

        if (!kept) {
            phKernelPart copy = *old;

            copy.path = g_strdup(old->path);
            g_array_append_val(gone, copy);
        }
    }

    return gone;
}


/* BLKPG on the whole disk @fd: 0, or -errno. */
static int
phKernelBlkpg(int fd,
              int op,
              const phKernelPart *part)
{
    struct blkpg_partition blkpart = {
        .start = part->start,
        .length = part->length,
        .pno = part->number,
    };
    struct blkpg_ioctl_arg arg = {
        .op = op,
        .flags = 0,
        .datalen = sizeof(blkpart),
        .data = &blkpart,
    };

    if (ioctl(fd, BLKPG, &arg) < 0)
        return -errno;
    return 0;
}


static int
phKernelOpen(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        phReportError("cannot open %s to tell the kernel about its partitions: %s",
                      path, g_strerror(errno));
    return fd;
}


/* Adds @dropped back through @fd; returns the first -errno, or 0. */
static int
phKernelAddBack(int fd,
                const GArray *dropped,
                const phKernelPart **failed)
{
    int first = 0;
    size_t i;

    for (i = 0; i < dropped->len; i++) {
        const phKernelPart *part = &g_array_index(dropped, phKernelPart, i);
        int rc = phKernelBlkpg(fd, BLKPG_ADD_PARTITION, part);

        if (rc < 0 && first == 0) {
            first = rc;
            *failed = part;
        }
    }

    return first;
}


int
phKernelDrop(const char *path,
             const GArray *gone,
             GArray *dropped)
{
    const phKernelPart *failed = NULL;
    struct stat sb;
    size_t i;
    int fd;
    int rc = 0;

    if ((fd = phKernelOpen(path)) < 0)
        return -1;

    /* an image file has no partitions in the kernel */
    if (fstat(fd, &sb) < 0 || !S_ISBLK(sb.st_mode)) {
        close(fd);
        return 0;
    }

    for (i = 0; i < gone->len; i++) {
        const phKernelPart *part = &g_array_index(gone, phKernelPart, i);
        phKernelPart copy;

        rc = phKernelBlkpg(fd, BLKPG_DEL_PARTITION, part);
        if (rc == -ENXIO) {
            /* the kernel does not have it: nothing to drop or restore */
            rc = 0;
            continue;
        }
        if (rc < 0)
            break;

        copy = *part;
        copy.path = g_strdup(part->path);
        g_array_append_val(dropped, copy);
    }

    if (rc == 0) {
        close(fd);
        return 0;
    }

    if (rc == -EBUSY) {
        const phKernelPart *part = &g_array_index(gone, phKernelPart, i);

        phReportBusy(part->number, part->path,
                     "partition %d of %s (%s) is in use: the kernel cannot drop it while a process, such as a guest, holds it open; nothing was written",
                     part->number, path, part->path);
    } else {
        phReportError("the kernel refused to drop partition %d of %s: %s; nothing was written",
                      g_array_index(gone, phKernelPart, i).number, path,
                      g_strerror(-rc));
    }

    if (phKernelAddBack(fd, dropped, &failed) < 0)
        phReportAppend("; and partition %d could not be given back to the kernel: run 'partprobe %s'",
                       failed->number, path);
    close(fd);
    return -1;
}


void
phKernelRestore(const char *path,
                const GArray *dropped)
{
    const phKernelPart *failed = NULL;
    int fd;

    if (dropped->len == 0)
        return;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
        phKernelAddBack(fd, dropped, &failed) < 0) {
        phReportAppend("; the kernel no longer lists partition %d of %s although the table still holds it: run 'partprobe %s'",
                       failed ? failed->number : g_array_index(dropped, phKernelPart, 0).number,
                       path, path);
    }

    if (fd >= 0)
        close(fd);
}
