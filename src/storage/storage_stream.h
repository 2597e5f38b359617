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
 * What the targets of storage whose size stays while a stream is open
 * share (rbd images, gluster files, iSCSI LUNs).
 *
 * Fills @target's window, @target->volname (@volname, which must outlive
 * the stream) and @target->sparse for a stream of @len bytes from
 * @offset of volume @volname of pool @poolname, whose storage ends at
 * @end: an @offset past the end (or at it, for an @upload) and an
 * upload's @len past it are refused with VIR_ERR_INVALID_ARG, before
 * anything is written; a download's @len is cut at the end; a @len of 0
 * means "up to the end".  @target->io and @target->opaque are left to
 * the caller.  Returns 0, or -1 with an error reported and @target
 * untouched.
 */
int
virStorageStreamTargetInit(virStorageStreamTarget *target,
                           const char *poolname,
                           const char *volname,
                           unsigned long long end,
                           unsigned long long offset,
                           unsigned long long len,
                           bool upload,
                           bool sparse);

/*
 * For an io->read or io->zero of storage that ends at @end: how many of
 * the @len bytes at @at lie before the end (0 when @at is at or past
 * it).  The stream keeps within the window; this keeps within the
 * storage whatever the caller asks.
 */
static inline unsigned long long
virStorageStreamCutAtEnd(unsigned long long end,
                         unsigned long long at,
                         unsigned long long len)
{
    if (at >= end)
        return 0;
    return MIN(len, end - at);
}

/*
 * The asynchronous requests of a target's I/O in flight: io->write (or
 * io->zero) counts a request with virStorageStreamInflightAdd and sends
 * it without waiting for it, its completion (on the storage library's
 * thread) calls virStorageStreamInflightDone, and the next call, the
 * flush and the close wait with virStorageStreamInflightWait, which also
 * gives the first error of a request, so that it fails the stream.
 */
typedef struct _virStorageStreamInflight virStorageStreamInflight;
struct _virStorageStreamInflight {
    GMutex lock;
    GCond cond;                     /* a request ended */
    size_t count;                   /* under @lock */
    int error;                      /* first failed request, -errno; under @lock */
};

void
virStorageStreamInflightInit(virStorageStreamInflight *inflight);

/* Once no request is in flight (after virStorageStreamInflightWait(0)). */
void
virStorageStreamInflightClear(virStorageStreamInflight *inflight);

/* Counts a request about to be sent. */
void
virStorageStreamInflightAdd(virStorageStreamInflight *inflight);

/* A counted request ended, or could not be sent after all: @rc is 0, or
 * its -errno, kept if it is the first error.  Any thread. */
void
virStorageStreamInflightDone(virStorageStreamInflight *inflight,
                             int rc);

/* Waits until at most @max requests are in flight; returns the first
 * error of a request, or 0. */
int
virStorageStreamInflightWait(virStorageStreamInflight *inflight,
                             size_t max);

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
