/*
 * storage_vol_rbd_stream.h: uploads into and downloads from RBD images
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The rbd side of the stream unit (storage_stream.h): an image opened
 * through the pool's I/O context, written with asynchronous writes (a
 * bounded number in flight), holes made with write-zeroes, read with
 * positioned reads, its data and holes found with rbd_diff_iterate2.
 */

#pragma once

#include <rados/librados.h>

#include "internal.h"
#include "storage_conf.h"
#include "storage_stream.h"

/*
 * Opens the image of @vol in @io (read-only for a download) and fills
 * @target for a stream of @offset, @len: the window is bounded by the
 * image's end (an upload's @len past it, or an @offset at or past it, is
 * refused with VIR_ERR_INVALID_ARG before anything is written; a
 * download's @len is cut at the end; 0 means "to the end").  @sparse:
 * the client's stream carries holes.  @io must stay open until the
 * stream's io->close has run.  On failure nothing is held.
 */
int
virStorageVolRBDStreamTarget(rados_ioctx_t io,
                             const char *poolname,
                             virStorageVolDef *vol,
                             unsigned long long offset,
                             unsigned long long len,
                             bool upload,
                             bool sparse,
                             virStorageStreamTarget *target);
