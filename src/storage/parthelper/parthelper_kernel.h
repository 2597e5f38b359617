/*
 * parthelper_kernel.h: telling the kernel that partitions go away, before
 * the table on the disk says so
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This file is part of libvirt_storage_parthelper, which links libparted
 * (GPL-3.0-or-later): the executable as a whole is GPL-3.0-or-later.
 *
 * The kernel refuses to drop a partition that is open (EBUSY), also when
 * it was opened without O_EXCL, as qemu opens a guest's disk.  libparted
 * writes the table first and tells the kernel afterwards, so a delete of
 * an open partition leaves the disk without it and the kernel with it.
 * A delete here goes the other way round: every partition the change
 * removes or renumbers is dropped from the kernel first (BLKPG); if one
 * is busy, those already dropped are added back and nothing is written.
 * Only then is the table written, and if that fails the dropped ones are
 * added back.  At no point does the disk lack a partition the kernel
 * still has.
 */

#pragma once

#include <glib.h>
#include <parted/parted.h>

/* One partition as the kernel knows it (bytes). */
typedef struct {
    int number;
    unsigned long long start;
    unsigned long long length;
    char *path;                 /* its device node, as libparted names it */
} phKernelPart;

/* The active partitions of @disk as the kernel should have them (an
 * extended partition is only its first KiB there). */
GArray *phKernelPartitions(const PedDisk *disk);

/* The entries of @before that @after lacks or has elsewhere: what the
 * kernel must drop for @after to be true. */
GArray *phKernelGone(const GArray *before,
                     const GArray *after);

/* Drops @gone from the kernel's view of @path, in order; those that were
 * there are appended to @dropped (nothing for an image file, which has
 * no partitions in the kernel).  On failure, adds back what it dropped
 * and returns -1: with phReportBusy() when a partition is open (EBUSY),
 * phReportError() otherwise. */
int phKernelDrop(const char *path,
                 const GArray *gone,
                 GArray *dropped);

/* Adds @dropped back to the kernel's view of @path, after the write
 * that should have followed their drop failed.  The error already
 * reported stays; a failure here is appended to it. */
void phKernelRestore(const char *path,
                     const GArray *dropped);

/* An empty array for phKernelDrop's @dropped. */
GArray *phKernelPartsNew(void);
