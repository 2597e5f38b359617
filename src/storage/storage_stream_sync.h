/*
 * storage_stream_sync.h: an upload stream whose finish says whether the
 * data reached the storage
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"

/*
 * Makes virStreamFinish on @st (an FD stream just opened on @path for an
 * upload into volume @volname) flush @path's data and fail when it did
 * not reach the storage.
 *
 * Buffered writes into a thin LV whose pool is full, or into a file on
 * NFS, fail only at writeback; libvirt 9.0's FD stream closes without
 * flushing, so the client would be told the upload succeeded.  The flush
 * goes through a descriptor of our own, opened here, before any byte is
 * written: it sees every writeback error that happens after this call.
 *
 * -1 with an error reported if @path cannot be opened.
 */
int
virStorageStreamSyncOnFinish(virStreamPtr st,
                             const char *path,
                             const char *volname);
