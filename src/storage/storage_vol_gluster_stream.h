/*
 * storage_vol_gluster_stream.h: uploads into and downloads from files of
 * gluster pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The gluster side of the stream unit (storage_stream.h): a volume's
 * file opened through the pool's glfs_t (storage_vol_gluster.h: by
 * handle, never through a link), written with glfs_pwrite, holes made
 * with glfs_discard (glfs_zerofill where the brick cannot discard), read
 * with glfs_pread, its data and holes found with glfs_lseek's SEEK_DATA
 * and SEEK_HOLE, flushed with glfs_fsync.
 */

#pragma once

#include <glusterfs/api/glfs.h>

#include "internal.h"
#include "storage_conf.h"
#include "storage_stream.h"

/*
 * Opens the file of @vol in directory @dir of @fs (read-only for a
 * download) and fills @target for a stream of @offset, @len: the window
 * is bounded by the file's end (an upload's @len past it, or an @offset
 * at or past it, is refused with VIR_ERR_INVALID_ARG before anything is
 * written; a download's @len is cut at the end; 0 means "to the end").
 * @sparse: the client's stream carries holes.  @fs must stay connected
 * until the stream's io->close has run.  On failure nothing is held.
 */
int
virStorageVolGlusterStreamTarget(glfs_t *fs,
                                 const char *poolname,
                                 const char *dir,
                                 virStorageVolDef *vol,
                                 unsigned long long offset,
                                 unsigned long long len,
                                 bool upload,
                                 bool sparse,
                                 virStorageStreamTarget *target);
