/*
 * storage_vol_stream.h: upload and download of volumes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The uploadVol and downloadVol callbacks of file volumes
 * (storage_vol_stream.c), which block volumes share.  Both run with the
 * pool unlocked, as their typedefs in storage_backend.h say.
 */

#pragma once

#include "storage_backend.h"
#include "storage_stream.h"

int virStorageVolFileUpload(virStoragePoolObj *pool, virStorageVolDef *vol,
                            virStreamPtr stream, unsigned long long offset,
                            unsigned long long len, unsigned int flags);
int virStorageVolFileDownload(virStoragePoolObj *pool, virStorageVolDef *vol,
                              virStreamPtr stream, unsigned long long offset,
                              unsigned long long len, unsigned int flags);

/*
 * The guard of a volume with a stream open (described at the top of
 * storage_vol_stream.c), for every backend's streams: counts @vol in use
 * and @pool as running a job until virStorageVolStreamGuardRelease; an
 * upload is refused while another call uses the volume, a download
 * while an upload is open.  @pool is unlocked.  NULL with an error
 * reported when refused.
 */
typedef struct _virStorageVolStreamGuard virStorageVolStreamGuard;

virStorageVolStreamGuard *
virStorageVolStreamGuardTake(virStoragePoolObj *pool,
                             virStorageVolDef *vol,
                             bool upload);

/* Releases a guard (a virStorageStreamReleaseFunc). */
void
virStorageVolStreamGuardRelease(void *opaque);


/*
 * Opens @stream on @target, the storage of @vol of @pool (an upload when
 * @upload), for a backend whose volumes are reached through a
 * connection of its pool: takes @vol's guard, then keeps it and @conn
 * until the stream's finish or abort, when @connRelease(@conn) runs.
 * @target->opaque and @conn are taken, also when this fails.  @pool is
 * unlocked.  Returns 0, or -1 with an error reported.
 */
int
virStorageVolStreamOpenWithConn(virStoragePoolObj *pool,
                                virStorageVolDef *vol,
                                virStreamPtr stream,
                                virStorageStreamTarget *target,
                                bool upload,
                                void *conn,
                                GDestroyNotify connRelease);
