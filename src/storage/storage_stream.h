/*
 * storage_stream.h: client streams into and out of a volume's descriptor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The design and its reasons are written at the top of storage_stream.c.
 */

#pragma once

#include "internal.h"

/* Called exactly once when the stream is finished or aborted, before
 * libvirt's own close callback (the pool refresh) runs. */
typedef void (*virStorageStreamReleaseFunc)(void *opaque);

typedef struct _virStorageStreamTarget virStorageStreamTarget;
struct _virStorageStreamTarget {
    const char *volname;        /* for messages */
    int fd;                     /* the volume, already opened and checked */
    bool isBlock;               /* @fd is a block device */
    unsigned long long offset;  /* first byte of the window */
    unsigned long long window;  /* bytes from @offset the stream may move */
    bool sparse;                /* the client's stream carries holes */
    bool sync;                  /* an upload flushes before finish says yes */
};

/*
 * Makes @st an upload into @target's window: bytes are written at
 * @target->offset onwards, a hole makes its range read as zeros without
 * changing the volume's size, nothing past the window is written, and
 * virStreamFinish fails with the first write error (ENOSPC, EIO...)
 * naming the volume.  @target->fd is taken (closed by the stream, also
 * on failure).  @release(@opaque) runs once at finish or abort; on
 * failure it does not run and the caller keeps what it holds.
 *
 * Returns 0, or -1 with an error reported.
 */
int
virStorageStreamOpenUpload(virStreamPtr st,
                           virStorageStreamTarget *target,
                           virStorageStreamReleaseFunc release,
                           void *opaque);

/*
 * Makes @st a download of @target's window, read through @target->fd
 * (the inode that was checked, never a path that could be swapped);
 * holes are sent as holes when @target->sparse.  @target->fd is closed
 * here (the stream holds its own descriptor).  @release as for uploads.
 *
 * Returns 0, or -1 with an error reported.
 */
int
virStorageStreamOpenDownload(virStreamPtr st,
                             virStorageStreamTarget *target,
                             virStorageStreamReleaseFunc release,
                             void *opaque);
