/*
 * storage_file_extents.h: moving and zeroing the data of regular files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Low-level helpers for the volume data callbacks.  Every function here
 * is "Quiet": it reports nothing and returns 0 on success or -errno, so
 * the caller, which knows the volume, writes the message.
 */

#pragma once

#include "internal.h"

#include <sys/types.h>

/*
 * Share all blocks of @srcfd with @dstfd (FICLONE).  The destination
 * becomes a copy of the whole source, size included.  Fails with
 * -EOPNOTSUPP, -EXDEV, -EINVAL... where the file systems cannot share.
 */
int
virStorageFileReflinkQuiet(int dstfd, int srcfd);

/*
 * Copy the first @length bytes of @srcfd into @dstfd at the same
 * offsets, skipping the holes of the source (SEEK_DATA/SEEK_HOLE), so
 * the copy is as sparse as the source.  The destination must already be
 * at least @length bytes long and read as zeros where nothing is
 * copied (a fresh file extended by ftruncate).  Uses copy_file_range,
 * falling back to read/write where the kernel cannot.
 */
int
virStorageFileCopyDataQuiet(int srcfd, int dstfd, off_t length);

/*
 * Make [@offset, @offset + @length) of @fd read as zeros without
 * changing the file size.  With @keepAllocation the blocks stay
 * allocated (FALLOC_FL_ZERO_RANGE, else written zeros); without, they
 * are released (FALLOC_FL_PUNCH_HOLE, else written zeros).
 */
int
virStorageFileZeroRangeQuiet(int fd, off_t offset, off_t length,
                             bool keepAllocation);

/* Write zeros over [@offset, @offset + @length) of @fd. */
int
virStorageFileWriteZerosQuiet(int fd, off_t offset, off_t length);

/* Bytes of @fd that are allocated on disk (st_blocks * 512). */
int
virStorageFileAllocatedQuiet(int fd, unsigned long long *allocated);
