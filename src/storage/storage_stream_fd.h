/*
 * storage_stream_fd.h: the stream unit's I/O on a file or block device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The virStorageStreamIO (storage_stream.h) of volumes that are a file
 * or a block device, on a descriptor the caller opened and checked:
 * positioned reads and writes (pread/pwrite), holes punched with
 * FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE on files (zeros written
 * where the file system cannot punch; a file that ends before a hole
 * grows to its end) and BLKZEROOUT on block devices (zeros written where
 * refused), data and holes found with SEEK_DATA/SEEK_HOLE (a block
 * device is all data), fdatasync as the flush when asked.
 */

#pragma once

#include "storage_stream.h"

extern const virStorageStreamIO virStorageStreamFdIO;

/*
 * The opaque of virStorageStreamFdIO for @fd, which it takes (closed by
 * io->close).  @isBlock: @fd is a block device.  @sync: the flush is
 * fdatasync (where space runs out only at writeback: thin block
 * volumes, network file systems); otherwise it does nothing.
 */
void *
virStorageStreamFdNew(int fd,
                      bool isBlock,
                      bool sync);
