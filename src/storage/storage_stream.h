/*
 * storage_stream.h: client streams into and out of any storage
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The stream unit moves the bytes of virStorageVolUpload and
 * virStorageVolDownload between the daemon and a volume's storage
 * through a bounded queue and a worker thread of its own.  It reaches
 * the storage only through the I/O interface below, so file and block
 * volumes (storage_stream_fd.h), rbd images, gluster files and iSCSI
 * LUNs are all streamed the same way.  The design and its reasons are
 * written at the top of storage_stream.c.
 */

#pragma once

#include "internal.h"

/*
 * How the unit reaches a volume's storage.  Every callback runs on the
 * unit's worker thread, never on the daemon's event loop, one at a time
 * for a stream, so it may block (a bounded time: a network storage must
 * set its own timeouts).  @opaque is the target's.  Positions are bytes
 * from the start of the storage (the window's offset is already added).
 * Errors are returned as -errno (-EIO, -ENOSPC, a librados code) and
 * never reported: the unit reports the first one, naming the volume.
 */
typedef struct _virStorageStreamIO virStorageStreamIO;
struct _virStorageStreamIO {
    /* Uploads.  Writes all @len bytes of @buf at @at: 0 or -errno. */
    int (*write)(void *opaque, const char *buf, size_t len,
                 unsigned long long at);

    /* Uploads.  Makes [@at, @at + @len) read as zeros afterwards (punch,
     * discard, write zeros...), never shrinking the storage; may grow it
     * where it ends before @at + @len.  0 or -errno. */
    int (*zero)(void *opaque, unsigned long long at, unsigned long long len);

    /* Downloads.  Reads up to @len bytes at @at into @buf: the number of
     * bytes read (> 0), 0 at the end of the storage, or -errno. */
    ssize_t (*read)(void *opaque, char *buf, size_t len,
                    unsigned long long at);

    /* Downloads of sparse streams; may be NULL (all data).  Says whether
     * @at starts data (*@data true) or a hole, and how long that run is
     * (*@len > 0; it may reach past the window, the unit cuts it).  At or
     * past the end of the storage: data (read then returns 0).  0 or
     * -errno. */
    int (*extent)(void *opaque, unsigned long long at, bool *data,
                  unsigned long long *len);

    /* Uploads, once after the last write or zero, before the finish says
     * yes; may be NULL.  Makes the data durable where space can run out
     * after write said yes (thin storage, network file systems, a Ceph
     * cache).  0 or -errno. */
    int (*flush)(void *opaque);

    /* Exactly once, when the stream ends (after the worker stopped) or
     * when opening it fails: releases @opaque. */
    void (*close)(void *opaque);
};

/* Called exactly once when the stream is finished or aborted, after the
 * storage is closed and before libvirt's own close callback (the pool
 * refresh) runs. */
typedef void (*virStorageStreamReleaseFunc)(void *opaque);

typedef struct _virStorageStreamTarget virStorageStreamTarget;
struct _virStorageStreamTarget {
    const char *volname;            /* for messages */
    const virStorageStreamIO *io;
    void *opaque;                   /* taken by the open functions */
    unsigned long long offset;      /* first byte of the window */
    unsigned long long window;      /* bytes from @offset the stream may
                                     * move; a download of 0 moves none */
    bool sparse;                    /* the client's stream carries holes */
};

/*
 * Makes @st an upload into @target's window: bytes are written from
 * @target->offset on, a hole makes its range read as zeros (io->zero),
 * nothing past the window is written (the send that would is refused
 * with ENOSPC), and virStreamFinish fails with the storage's first
 * error (ENOSPC, EIO...) naming the volume.  @st is the stream the
 * driver gave the backend's uploadVol; it stays a libvirt FD stream for
 * the driver's close callback.
 *
 * @target->opaque is taken: io->close runs once, also when this fails.
 * @release(@relOpaque) runs once at finish or abort; when this fails it
 * does not run and the caller keeps what it holds.
 *
 * Returns 0, or -1 with an error reported.
 */
int
virStorageStreamOpenUpload(virStreamPtr st,
                           virStorageStreamTarget *target,
                           virStorageStreamReleaseFunc release,
                           void *relOpaque);

/*
 * Makes @st a download of @target's window, read with io->read; when
 * @target->sparse and io->extent is set, holes are sent as holes.  The
 * download ends at the window's end or where io->read returns 0.  A
 * read error fails the client's receive, naming the volume.  Ownership
 * and @release as for uploads.
 *
 * Returns 0, or -1 with an error reported.
 */
int
virStorageStreamOpenDownload(virStreamPtr st,
                             virStorageStreamTarget *target,
                             virStorageStreamReleaseFunc release,
                             void *relOpaque);
