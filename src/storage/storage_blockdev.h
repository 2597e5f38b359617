/*
 * storage_blockdev.h: block devices: size, in use, zero and discard
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the volume and pool units ask of a block device, by descriptor
 * or by kernel name.  Every function here is Quiet: it reports nothing
 * and returns 0 or -errno; the caller says what failed, naming its pool
 * or volume.
 */

#pragma once

#include "internal.h"

/* The size in bytes of the block device @fd is open on (BLKGETSIZE64). */
int
virStorageBlockDevSizeQuiet(int fd,
                            unsigned long long *size);

/* [@at, @at + @len) of the block device @fd reads as zeros afterwards
 * (BLKZEROOUT; both must be multiples of 512).  -EOPNOTSUPP, -ENOTTY or
 * -EINVAL when the device cannot zero out a range: write zeros then. */
int
virStorageBlockDevZeroOutQuiet(int fd,
                               unsigned long long at,
                               unsigned long long len);

/* The device discards the blocks of [@at, @at + @len) (BLKDISCARD). */
int
virStorageBlockDevDiscardQuiet(int fd,
                               unsigned long long at,
                               unsigned long long len);

/* Whether the kernel lets @path be opened exclusively (O_EXCL on a
 * block device): 0 when it does (nobody mounted it, no device-mapper or
 * md device holds it, nobody else opened it exclusively), -EBUSY when it
 * is in use, another -errno when it cannot be opened at all. */
int
virStorageBlockDevOpenExclusiveQuiet(const char *path);

/* Whether the first and the last @span bytes of the block device or
 * file @path read as zeros (the whole of it when it is smaller than two
 * spans): 1 when they do, 0 when a byte is not zero, -errno when it
 * cannot be read.  Opened read-only, without following a last link. */
int
virStorageBlockDevEndsZeroQuiet(const char *path,
                                size_t span);

/* The first device that holds the block device the kernel names @kname
 * (SYSFS/class/block/KNAME/holders, @sysfs "/sys" but in tests: a
 * device-mapper or md device built on it): 1 and its name in @holder,
 * or 0 when none does or the kernel does not say. */
int
virStorageBlockDevHolderQuiet(const char *sysfs,
                              const char *kname,
                              char **holder);
