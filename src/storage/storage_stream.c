/*
 * storage_stream.c: client streams into and out of any storage
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What libvirt 9.0 gives a storage backend is virFDStreamOpenBlockDevice
 * on a path.  Its habits are wrong for volumes:
 *
 *  - it opens a path, which a guest can swap for a link or a FIFO after
 *    the pool listed the volume, and it needs a descriptor at all (an
 *    rbd image, a gluster file through libgfapi, a LUN through libiscsi
 *    have none);
 *  - a hole of a sparse upload is lseek + ftruncate: the file is cut at
 *    the hole's end and the hole keeps the bytes it had;
 *  - the error of its writer thread is lost when the stream closes, so a
 *    write that fails with ENOSPC near the end is reported as success;
 *  - it queues every message of the client without limit, a copy each,
 *    and hands each to its thread through a pipe (a byte per message).
 *
 * And the driver's storageVolUpload/Download keep the volume "in use"
 * only while the backend's callback runs, not while the stream moves
 * data: the caller's release callback (storage_vol_stream.c) is how the
 * guard lasts until the stream ends.
 *
 * The queue.  Each stream has a ring of VIR_STORAGE_STREAM_QUEUE_SIZE
 * bytes, allocated once, and a worker thread that alone calls the
 * storage's I/O interface (storage_stream.h).  An upload's virStreamSend
 * copies the daemon's message into the ring (the only copy the daemon
 * makes) and returns at once; the worker writes what the ring holds in
 * runs of up to VIR_STORAGE_STREAM_CHUNK bytes at their place in the
 * window.  A download's worker reads runs into the ring and
 * virStreamRecv copies them into the daemon's message.  Holes do not
 * take room: they are queued apart with their position in the data (the
 * ring bytes before them); an upload's hole becomes io->zero when the
 * worker reaches it, a download's hole (found with io->extent) is handed
 * to the daemon by virStreamInData.  At most VIR_STORAGE_STREAM_HOLES_MAX
 * holes wait, consecutive ones merged.  So a stream holds at most the
 * ring and a few kilobytes whatever the client or the storage do.
 *
 * Waiting for room.  The daemon's streams are non-blocking: a send into
 * a full ring returns -2 (the daemon keeps the message) and a receive
 * from an empty one -2.  The daemon registers its event callback with
 * the stream's driver; ours turns readiness (room for an upload, data,
 * a hole or the end for a download, or an error) into a zero-interval
 * timer of the daemon's event loop, armed only while the daemon waits
 * for what is ready and disarmed otherwise, so the worker wakes the
 * daemon by arming it.  A blocking stream (a client in the same process,
 * the unit test) waits on the unit's condition instead.
 *
 * Errors.  The worker keeps the storage's first error.  An upload's next
 * send fails with it; one that comes after the last send fails
 * virStreamFinish, which first waits for the worker to write everything
 * and to flush (io->flush, where space can run out at writeback), as a
 * system error with the errno naming the volume: the client (virsh
 * vol-upload) fails.  After an error the worker discards what is queued,
 * so the daemon never waits for room that will not come.  A download's
 * read error fails the client's receive.  Abort tells the worker to stop
 * at once (after the one I/O call it may be in) and joins it.
 *
 * The stream driver table.  The stream must stay a libvirt FD stream:
 * after uploadVol returns, storageVolUpload (and Download) hands
 * st->privateData to virFDStreamSetInternalCloseCb, which takes it for a
 * virFDStreamData, and virFDStreamClose runs that callback (the pool
 * refresh).  So st->privateData is an FD stream opened on /dev/null,
 * which moves no data and is only finished or aborted at the end, and
 * st->driver is one of two complete static tables of ours (upload,
 * download): send, receive, holes, in-data, the three event callbacks,
 * finish and abort.  No copy of the FD stream's table is patched; our
 * state is found in a map from the stream, under a lock, never through
 * st->driver.  Finish and abort take the state out of the map, stop the
 * worker, close the storage (io->close), run the release callback (the
 * guard), give st the FD stream's table back and finish or abort the FD
 * stream, which runs the driver's close callback (a pool refresh that is
 * skipped while the pool has jobs).  A later call (the abort the daemon
 * sends after a failed finish) then goes to the FD stream, which has
 * nothing left to do.  The daemon finishes or aborts every stream it
 * opened (also when the client goes away), so the release always runs.
 */

#include <config.h>

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>
#include <sys/mman.h>

#include "storage_stream.h"
#include "datatypes.h"
#include "driver.h"
#include "virerror.h"
#include "virevent.h"
#include "virfdstream.h"
#include "virfile.h"
#include "virlog.h"
#include "virthread.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_stream");

/* The bound of a stream's queue, and the largest single I/O call. */
#define VIR_STORAGE_STREAM_QUEUE_SIZE (8 * 1024 * 1024)
#define VIR_STORAGE_STREAM_CHUNK (2 * 1024 * 1024)
#define VIR_STORAGE_STREAM_HOLES_MAX 1024

/* Above the daemon's stream messages (256 KiB and a header); see
 * virStorageStreamHeapBuffers. */
#define VIR_STORAGE_STREAM_HEAP_BLOCK (1024 * 1024)

typedef struct _virStorageStreamHole virStorageStreamHole;
struct _virStorageStreamHole {
    unsigned long long at;      /* ring position: data bytes before it */
    unsigned long long len;
};

typedef enum {
    STREAM_ERROR_NONE = 0,
    STREAM_ERROR_WRITE,
    STREAM_ERROR_ZERO,
    STREAM_ERROR_FLUSH,
    STREAM_ERROR_READ,
} virStorageStreamErrorKind;

typedef struct _virStorageStream virStorageStream;
struct _virStorageStream {
    gint refs;                  /* atomic: the map, the event timer, calls */
    virStreamPtr st;
    virStreamDriver *fdDriver;  /* the FD stream's own table */
    bool upload;
    bool nonblock;
    char *volname;
    const virStorageStreamIO *io;
    void *ioOpaque;             /* until io->close */
    virStorageStreamReleaseFunc release;
    void *relOpaque;
    unsigned long long offset;
    unsigned long long window;
    bool sparse;
    virThread worker;
    bool hasWorker;

    /* the daemon's side only */
    unsigned long long accepted;    /* uploads: data and holes taken */

    /* under @lock, shared with the worker */
    GMutex lock;
    GCond cond;
    char *ring;
    unsigned long long head;        /* ring bytes consumed */
    unsigned long long tail;        /* ring bytes produced */
    GQueue holes;                   /* of virStorageStreamHole, in order */
    bool eof;                       /* downloads: nothing more comes */
    bool finishing;
    bool aborting;
    virStorageStreamErrorKind errorKind;
    int error;                      /* first errno of the worker */

    /* the daemon's event callback, under @lock */
    int timer;                      /* -1: none */
    bool armed;
    int events;
    virStreamEventCallback cb;
    void *cbOpaque;
    virFreeCallback ff;
    bool dispatching;
    bool cbRemoved;
};

/* Streams of ours, by virStreamPtr; under streamsLock. */
static GHashTable *streams;
static GMutex streamsLock;


static void
virStorageStreamUnref(virStorageStream *s)
{
    if (!s || !g_atomic_int_dec_and_test(&s->refs))
        return;

    while (!g_queue_is_empty(&s->holes))
        g_free(g_queue_pop_head(&s->holes));
    g_mutex_clear(&s->lock);
    g_cond_clear(&s->cond);
    if (s->ring)
        munmap(s->ring, VIR_STORAGE_STREAM_QUEUE_SIZE);
    g_free(s->volname);
    g_free(s);

    /* what the daemon's message buffers left free in its heap goes back
     * to the system (see virStorageStreamHeapBuffers) */
    malloc_trim(0);
}


static virStorageStream *
virStorageStreamRef(virStorageStream *s)
{
    g_atomic_int_inc(&s->refs);
    return s;
}


/* Our state of @st, referenced; NULL (reported) once finished. */
static virStorageStream *
virStorageStreamGet(virStreamPtr st)
{
    virStorageStream *s = NULL;

    g_mutex_lock(&streamsLock);
    if (streams && (s = g_hash_table_lookup(streams, st)))
        virStorageStreamRef(s);
    g_mutex_unlock(&streamsLock);
    if (!s)
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("the volume stream is already finished or aborted"));
    return s;
}


/* Takes our state of @st out of the map; NULL if finished already. */
static virStorageStream *
virStorageStreamSteal(virStreamPtr st)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&streamsLock);
    virStorageStream *s = NULL;

    if (streams && (s = g_hash_table_lookup(streams, st)))
        g_hash_table_steal(streams, st);
    return s;
}


static void
virStorageStreamAdd(virStorageStream *s)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&streamsLock);

    if (!streams)
        streams = g_hash_table_new(NULL, NULL);
    g_hash_table_insert(streams, s->st, s);
}


G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageStream, virStorageStreamUnref);


/* Records the worker's first error; @lock held. */
static void
virStorageStreamSetErrorLocked(virStorageStream *s,
                               virStorageStreamErrorKind kind,
                               int rc)
{
    if (s->errorKind != STREAM_ERROR_NONE)
        return;
    s->errorKind = kind;
    s->error = rc < 0 ? -rc : EIO;
}


static void
virStorageStreamReportError(const char *volname,
                            virStorageStreamErrorKind kind,
                            int error)
{
    switch (kind) {
    case STREAM_ERROR_WRITE:
        virReportSystemError(error,
                             _("cannot write the data uploaded to volume '%s'"),
                             volname);
        break;
    case STREAM_ERROR_ZERO:
        virReportSystemError(error,
                             _("cannot zero a hole of the data uploaded to volume '%s'"),
                             volname);
        break;
    case STREAM_ERROR_FLUSH:
        virReportSystemError(error,
                             _("the data uploaded to volume '%s' did not reach its storage (is its pool full?)"),
                             volname);
        break;
    case STREAM_ERROR_READ:
        virReportSystemError(error,
                             _("cannot read volume '%s' for its download"),
                             volname);
        break;
    case STREAM_ERROR_NONE:
        break;
    }
}


/* Reports the worker's error, or the abort, if any; @lock held. */
static bool
virStorageStreamCheckLocked(virStorageStream *s)
{
    if (s->errorKind != STREAM_ERROR_NONE) {
        virStorageStreamReportError(s->volname, s->errorKind, s->error);
        return true;
    }
    if (s->aborting) {
        virReportError(VIR_ERR_OPERATION_ABORTED,
                       _("the stream of volume '%s' was aborted"),
                       s->volname);
        return true;
    }
    return false;
}


/* ----------------------------------------------------- event callback */

/* The events of those the daemon waits for that are ready; @lock held. */
static int
virStorageStreamReadyLocked(virStorageStream *s)
{
    int ready = 0;

    if (s->errorKind != STREAM_ERROR_NONE || s->aborting) {
        ready = VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_WRITABLE;
    } else if (s->upload) {
        if (s->tail - s->head < VIR_STORAGE_STREAM_QUEUE_SIZE &&
            g_queue_get_length(&s->holes) < VIR_STORAGE_STREAM_HOLES_MAX)
            ready = VIR_STREAM_EVENT_WRITABLE;
    } else {
        /* the daemon waits for "writable" to read the client's finish
         * or abort, which a download always takes */
        ready = VIR_STREAM_EVENT_WRITABLE;
        if (s->tail > s->head || !g_queue_is_empty(&s->holes) || s->eof)
            ready |= VIR_STREAM_EVENT_READABLE;
    }
    return ready & s->events;
}


/* Arms the daemon's timer while what it waits for is ready, disarms it
 * otherwise; @lock held.  Called wherever readiness may change. */
static void
virStorageStreamArmLocked(virStorageStream *s)
{
    bool want = s->cb && !s->cbRemoved && virStorageStreamReadyLocked(s);

    if (s->timer < 0 || want == s->armed)
        return;
    virEventUpdateTimeout(s->timer, want ? 0 : -1);
    s->armed = want;
}


static void
virStorageStreamTimer(int timer G_GNUC_UNUSED,
                      void *opaque)
{
    virStorageStream *s = opaque;
    virStreamEventCallback cb;
    void *cbOpaque;
    virFreeCallback ff;
    int events;

    g_mutex_lock(&s->lock);
    if (!s->cb || s->cbRemoved ||
        !(events = virStorageStreamReadyLocked(s))) {
        virStorageStreamArmLocked(s);
        g_mutex_unlock(&s->lock);
        return;
    }
    cb = s->cb;
    cbOpaque = s->cbOpaque;
    ff = s->ff;
    s->dispatching = true;
    g_mutex_unlock(&s->lock);

    cb(s->st, events, cbOpaque);

    g_mutex_lock(&s->lock);
    s->dispatching = false;
    if (s->cbRemoved) {
        s->cb = NULL;
        s->cbOpaque = NULL;
        s->ff = NULL;
        g_mutex_unlock(&s->lock);
        if (ff)
            ff(cbOpaque);
        return;
    }
    virStorageStreamArmLocked(s);
    g_mutex_unlock(&s->lock);
}


static void
virStorageStreamTimerFree(void *opaque)
{
    virStorageStream *s = opaque;
    virStreamPtr st = s->st;

    virStorageStreamUnref(s);
    virObjectUnref(st);
}


static int
virStorageStreamAddCallback(virStreamPtr st,
                            int events,
                            virStreamEventCallback cb,
                            void *opaque,
                            virFreeCallback ff)
{
    g_autoptr(virStorageStream) s = virStorageStreamGet(st);
    g_autoptr(GMutexLocker) locker = NULL;
    int timer;

    if (!s)
        return -1;
    locker = g_mutex_locker_new(&s->lock);

    if (s->cb) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("stream already has a callback registered"));
        return -1;
    }

    virStorageStreamRef(s);
    virObjectRef(st);
    if ((timer = virEventAddTimeout(-1, virStorageStreamTimer, s,
                                    virStorageStreamTimerFree)) < 0) {
        virObjectUnref(st);
        virStorageStreamUnref(s);
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("cannot register the event timer of the stream of volume '%s'"),
                       s->volname);
        return -1;
    }

    s->timer = timer;
    s->armed = false;
    s->cb = cb;
    s->cbOpaque = opaque;
    s->ff = ff;
    s->events = events;
    s->cbRemoved = false;
    virStorageStreamArmLocked(s);
    return 0;
}


static int
virStorageStreamUpdateCallback(virStreamPtr st,
                               int events)
{
    g_autoptr(virStorageStream) s = virStorageStreamGet(st);
    g_autoptr(GMutexLocker) locker = NULL;

    if (!s)
        return -1;
    locker = g_mutex_locker_new(&s->lock);

    if (!s->cb || s->cbRemoved) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("stream does not have a callback registered"));
        return -1;
    }
    s->events = events;
    virStorageStreamArmLocked(s);
    return 0;
}


/* Removes the daemon's callback; its free function runs now, or after
 * the dispatch in progress.  @lock held; returns whether there was one. */
static bool
virStorageStreamRemoveCallbackLocked(virStorageStream *s,
                                     virFreeCallback *ff,
                                     void **cbOpaque)
{
    *ff = NULL;
    *cbOpaque = NULL;
    if (!s->cb || s->cbRemoved)
        return false;

    if (s->timer >= 0)
        virEventRemoveTimeout(s->timer);
    s->timer = -1;
    s->armed = false;
    s->events = 0;

    if (s->dispatching) {
        s->cbRemoved = true;
        return true;
    }
    *ff = s->ff;
    *cbOpaque = s->cbOpaque;
    s->cb = NULL;
    s->cbOpaque = NULL;
    s->ff = NULL;
    return true;
}


static int
virStorageStreamRemoveCallback(virStreamPtr st)
{
    g_autoptr(virStorageStream) s = virStorageStreamGet(st);
    virFreeCallback ff;
    void *cbOpaque;
    bool had;

    if (!s)
        return -1;

    g_mutex_lock(&s->lock);
    had = virStorageStreamRemoveCallbackLocked(s, &ff, &cbOpaque);
    g_mutex_unlock(&s->lock);

    if (!had) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("stream does not have a callback registered"));
        return -1;
    }
    if (ff)
        ff(cbOpaque);
    return 0;
}


/* ------------------------------------------------------------ worker */

/* Upload: writes the ring and zeroes the holes at their place. */
static void
virStorageStreamUploadWorker(virStorageStream *s)
{
    unsigned long long at = s->offset;     /* where the next byte goes */
    int rc;

    g_mutex_lock(&s->lock);
    while (!s->aborting) {
        virStorageStreamHole *hole = g_queue_peek_head(&s->holes);
        bool failed = s->errorKind != STREAM_ERROR_NONE;

        if (hole && hole->at == s->head) {
            unsigned long long len = hole->len;

            g_free(g_queue_pop_head(&s->holes));
            g_mutex_unlock(&s->lock);
            rc = failed ? 0 : s->io->zero(s->ioOpaque, at, len);
            at += len;
            g_mutex_lock(&s->lock);
            if (rc < 0)
                virStorageStreamSetErrorLocked(s, STREAM_ERROR_ZERO, rc);
            g_cond_broadcast(&s->cond);
            virStorageStreamArmLocked(s);
            continue;
        }

        if (s->tail > s->head) {
            size_t start = s->head % VIR_STORAGE_STREAM_QUEUE_SIZE;
            size_t n = MIN(s->tail - s->head, VIR_STORAGE_STREAM_CHUNK);

            n = MIN(n, VIR_STORAGE_STREAM_QUEUE_SIZE - start);
            if (hole)
                n = MIN(n, hole->at - s->head);
            g_mutex_unlock(&s->lock);

            /* the sender only writes the ring past the tail */
            rc = failed ? 0 : s->io->write(s->ioOpaque, s->ring + start, n, at);
            at += n;
            g_mutex_lock(&s->lock);
            s->head += n;
            if (rc < 0)
                virStorageStreamSetErrorLocked(s, STREAM_ERROR_WRITE, rc);
            g_cond_broadcast(&s->cond);
            virStorageStreamArmLocked(s);
            continue;
        }

        if (s->finishing)
            break;
        g_cond_wait(&s->cond, &s->lock);
    }

    if (!s->aborting && s->errorKind == STREAM_ERROR_NONE && s->io->flush) {
        g_mutex_unlock(&s->lock);
        rc = s->io->flush(s->ioOpaque);
        g_mutex_lock(&s->lock);
        if (rc < 0)
            virStorageStreamSetErrorLocked(s, STREAM_ERROR_FLUSH, rc);
    }
    g_mutex_unlock(&s->lock);
}


/* Download: queues a hole of @len; @lock held. */
static void
virStorageStreamQueueHoleLocked(virStorageStream *s,
                                unsigned long long len)
{
    virStorageStreamHole *last = g_queue_peek_tail(&s->holes);
    virStorageStreamHole *hole;

    if (last && last->at == s->tail) {
        last->len += len;
        return;
    }
    hole = g_new0(virStorageStreamHole, 1);
    hole->at = s->tail;
    hole->len = len;
    g_queue_push_tail(&s->holes, hole);
}


/* Download: reads @len bytes of data at @at into the ring; false at the
 * end of the storage, an error or an abort. */
static bool
virStorageStreamReadRun(virStorageStream *s,
                        unsigned long long at,
                        unsigned long long len)
{
    while (len > 0) {
        size_t start;
        size_t n;
        ssize_t got;

        g_mutex_lock(&s->lock);
        while (!s->aborting &&
               s->tail - s->head == VIR_STORAGE_STREAM_QUEUE_SIZE)
            g_cond_wait(&s->cond, &s->lock);
        if (s->aborting) {
            g_mutex_unlock(&s->lock);
            return false;
        }
        start = s->tail % VIR_STORAGE_STREAM_QUEUE_SIZE;
        n = VIR_STORAGE_STREAM_QUEUE_SIZE - (s->tail - s->head);
        n = MIN(n, VIR_STORAGE_STREAM_QUEUE_SIZE - start);
        n = MIN(n, VIR_STORAGE_STREAM_CHUNK);
        n = MIN(n, len);
        g_mutex_unlock(&s->lock);

        /* the receiver only reads the ring before the tail */
        got = s->io->read(s->ioOpaque, s->ring + start, n, at);

        g_mutex_lock(&s->lock);
        if (got < 0)
            virStorageStreamSetErrorLocked(s, STREAM_ERROR_READ, got);
        else
            s->tail += got;
        g_cond_broadcast(&s->cond);
        virStorageStreamArmLocked(s);
        g_mutex_unlock(&s->lock);

        if (got <= 0)
            return false;
        at += got;
        len -= got;
    }
    return true;
}


static void
virStorageStreamDownloadWorker(virStorageStream *s)
{
    unsigned long long at = s->offset;
    unsigned long long end = s->offset + s->window;

    while (at < end) {
        bool data = true;
        unsigned long long len = end - at;
        int rc;

        if (s->sparse && s->io->extent) {
            if ((rc = s->io->extent(s->ioOpaque, at, &data, &len)) < 0) {
                g_mutex_lock(&s->lock);
                virStorageStreamSetErrorLocked(s, STREAM_ERROR_READ, rc);
                g_mutex_unlock(&s->lock);
                break;
            }
            len = MIN(MAX(len, 1), end - at);
        }

        if (data) {
            if (!virStorageStreamReadRun(s, at, len))
                break;
        } else {
            g_mutex_lock(&s->lock);
            while (!s->aborting &&
                   g_queue_get_length(&s->holes) >= VIR_STORAGE_STREAM_HOLES_MAX)
                g_cond_wait(&s->cond, &s->lock);
            if (s->aborting) {
                g_mutex_unlock(&s->lock);
                break;
            }
            virStorageStreamQueueHoleLocked(s, len);
            virStorageStreamArmLocked(s);
            g_mutex_unlock(&s->lock);
        }
        at += len;
    }

    g_mutex_lock(&s->lock);
    s->eof = true;
    g_cond_broadcast(&s->cond);
    virStorageStreamArmLocked(s);
    g_mutex_unlock(&s->lock);
}


static void
virStorageStreamWorker(void *opaque)
{
    virStorageStream *s = opaque;

    if (s->upload)
        virStorageStreamUploadWorker(s);
    else
        virStorageStreamDownloadWorker(s);
}


/* ------------------------------------------------------ upload driver */

static int
virStorageStreamUploadSend(virStreamPtr st,
                           const char *data,
                           size_t nbytes)
{
    g_autoptr(virStorageStream) s = virStorageStreamGet(st);
    unsigned long long room;
    size_t start;
    size_t n;

    if (!s)
        return -1;

    if (s->accepted == s->window) {
        virReportSystemError(ENOSPC,
                             _("cannot upload past the end of volume '%s'"),
                             s->volname);
        return -1;
    }
    nbytes = MIN(nbytes, s->window - s->accepted);
    nbytes = MIN(nbytes, INT_MAX);

    g_mutex_lock(&s->lock);
    for (;;) {
        if (virStorageStreamCheckLocked(s)) {
            g_mutex_unlock(&s->lock);
            return -1;
        }
        room = VIR_STORAGE_STREAM_QUEUE_SIZE - (s->tail - s->head);
        if (room > 0)
            break;
        if (s->nonblock) {
            virStorageStreamArmLocked(s);
            g_mutex_unlock(&s->lock);
            return -2;
        }
        g_cond_wait(&s->cond, &s->lock);
    }
    n = MIN(nbytes, room);
    start = s->tail % VIR_STORAGE_STREAM_QUEUE_SIZE;
    g_mutex_unlock(&s->lock);

    /* the worker only reads the ring before the tail */
    if (n > VIR_STORAGE_STREAM_QUEUE_SIZE - start) {
        size_t first = VIR_STORAGE_STREAM_QUEUE_SIZE - start;

        memcpy(s->ring + start, data, first);
        memcpy(s->ring, data + first, n - first);
    } else {
        memcpy(s->ring + start, data, n);
    }

    g_mutex_lock(&s->lock);
    s->tail += n;
    g_cond_broadcast(&s->cond);
    virStorageStreamArmLocked(s);
    g_mutex_unlock(&s->lock);

    s->accepted += n;
    return n;
}


static int
virStorageStreamUploadSendHole(virStreamPtr st,
                               long long length,
                               unsigned int flags)
{
    g_autoptr(virStorageStream) s = NULL;
    g_autoptr(GMutexLocker) locker = NULL;
    unsigned long long len;

    virCheckFlags(0, -1);
    virCheckPositiveArgReturn(length, -1);

    if (!(s = virStorageStreamGet(st)))
        return -1;

    /* as the FD stream does, a hole is cut at the end of the window */
    len = MIN((unsigned long long) length, s->window - s->accepted);
    if (len == 0)
        return 0;

    locker = g_mutex_locker_new(&s->lock);
    /* a hole takes no room in the ring, but a slot: the worker frees
     * one as soon as it zeroed a range */
    while (!s->aborting && s->errorKind == STREAM_ERROR_NONE &&
           g_queue_get_length(&s->holes) >= VIR_STORAGE_STREAM_HOLES_MAX)
        g_cond_wait(&s->cond, &s->lock);
    if (virStorageStreamCheckLocked(s))
        return -1;

    virStorageStreamQueueHoleLocked(s, len);
    g_cond_broadcast(&s->cond);
    virStorageStreamArmLocked(s);
    s->accepted += len;
    return 0;
}


/* ---------------------------------------------------- download driver */

/* Waits until the head of the ring has data, a hole, the end or an
 * error; @lock held.  The daemon calls only when told it is ready. */
static void
virStorageStreamWaitReadableLocked(virStorageStream *s)
{
    while (s->tail == s->head && g_queue_is_empty(&s->holes) && !s->eof &&
           !s->aborting && s->errorKind == STREAM_ERROR_NONE)
        g_cond_wait(&s->cond, &s->lock);
}


static int
virStorageStreamDownloadRecv(virStreamPtr st,
                             char *data,
                             size_t nbytes)
{
    g_autoptr(virStorageStream) s = virStorageStreamGet(st);
    virStorageStreamHole *hole;
    unsigned long long avail;
    size_t start;
    size_t n;

    if (!s)
        return -1;

    g_mutex_lock(&s->lock);
    for (;;) {
        if (virStorageStreamCheckLocked(s)) {
            g_mutex_unlock(&s->lock);
            return -1;
        }
        hole = g_queue_peek_head(&s->holes);
        avail = (hole ? hole->at : s->tail) - s->head;
        if (avail > 0 || hole || s->eof)
            break;
        if (s->nonblock) {
            virStorageStreamArmLocked(s);
            g_mutex_unlock(&s->lock);
            return -2;
        }
        g_cond_wait(&s->cond, &s->lock);
    }

    if (avail == 0) {
        g_mutex_unlock(&s->lock);
        if (!hole)
            return 0;   /* the end */
        if (nbytes == 0)
            return -2;
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("the download of volume '%s' is at a hole, not data"),
                       s->volname);
        return -1;
    }

    n = MIN(MIN(avail, nbytes), INT_MAX);
    start = s->head % VIR_STORAGE_STREAM_QUEUE_SIZE;
    g_mutex_unlock(&s->lock);

    /* the worker only writes the ring past the tail */
    if (n > VIR_STORAGE_STREAM_QUEUE_SIZE - start) {
        size_t first = VIR_STORAGE_STREAM_QUEUE_SIZE - start;

        memcpy(data, s->ring + start, first);
        memcpy(data + first, s->ring, n - first);
    } else {
        memcpy(data, s->ring + start, n);
    }

    g_mutex_lock(&s->lock);
    s->head += n;
    g_cond_broadcast(&s->cond);
    virStorageStreamArmLocked(s);
    g_mutex_unlock(&s->lock);
    return n;
}


static int
virStorageStreamDownloadInData(virStreamPtr st,
                               int *inData,
                               long long *length)
{
    g_autoptr(virStorageStream) s = virStorageStreamGet(st);
    g_autoptr(GMutexLocker) locker = NULL;
    virStorageStreamHole *hole;

    if (!s)
        return -1;
    locker = g_mutex_locker_new(&s->lock);

    virStorageStreamWaitReadableLocked(s);
    if (virStorageStreamCheckLocked(s))
        return -1;

    hole = g_queue_peek_head(&s->holes);
    if (hole && hole->at == s->head) {
        *inData = 0;
        *length = hole->len;
    } else if (s->tail > s->head) {
        *inData = 1;
        *length = (hole ? hole->at : s->tail) - s->head;
    } else {
        *inData = 0;
        *length = 0;
    }
    return 0;
}


/* The daemon skips the hole it sent: it leaves the queue. */
static int
virStorageStreamDownloadSendHole(virStreamPtr st,
                                 long long length,
                                 unsigned int flags)
{
    g_autoptr(virStorageStream) s = NULL;
    g_autoptr(GMutexLocker) locker = NULL;
    virStorageStreamHole *hole;

    virCheckFlags(0, -1);
    virCheckPositiveArgReturn(length, -1);

    if (!(s = virStorageStreamGet(st)))
        return -1;
    locker = g_mutex_locker_new(&s->lock);

    hole = g_queue_peek_head(&s->holes);
    if (!hole || hole->at != s->head ||
        (unsigned long long) length > hole->len) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("the download of volume '%s' has no hole of %lld bytes here"),
                       s->volname, length);
        return -1;
    }
    hole->len -= length;
    if (hole->len == 0)
        g_free(g_queue_pop_head(&s->holes));
    g_cond_broadcast(&s->cond);
    virStorageStreamArmLocked(s);
    return 0;
}


/* ------------------------------------------------------------ the end */

/*
 * Stops the worker (@abort: at once; else an upload writes what is
 * queued and flushes), closes the storage, drops the daemon's callback
 * if still there, runs the release callback and gives @st the FD
 * stream's table back.
 */
static void
virStorageStreamStop(virStorageStream *s,
                     bool abort)
{
    virFreeCallback ff;
    void *cbOpaque;

    g_mutex_lock(&s->lock);
    if (abort || !s->upload)
        s->aborting = true;
    s->finishing = true;
    g_cond_broadcast(&s->cond);
    g_mutex_unlock(&s->lock);

    if (s->hasWorker)
        virThreadJoin(&s->worker);
    s->hasWorker = false;

    s->io->close(s->ioOpaque);
    s->ioOpaque = NULL;

    g_mutex_lock(&s->lock);
    virStorageStreamRemoveCallbackLocked(s, &ff, &cbOpaque);
    g_mutex_unlock(&s->lock);
    if (ff)
        ff(cbOpaque);

    if (s->release)
        s->release(s->relOpaque);
    s->release = NULL;

    s->st->driver = s->fdDriver;
}


static int
virStorageStreamFinish(virStreamPtr st)
{
    g_autoptr(virStorageStream) s = virStorageStreamSteal(st);
    virStorageStreamErrorKind kind;
    int error;
    int ret;

    if (!s)
        return 0;

    virStorageStreamStop(s, false);
    ret = s->fdDriver->streamFinish(st);

    g_mutex_lock(&s->lock);
    kind = s->errorKind;
    error = s->error;
    g_mutex_unlock(&s->lock);
    if (kind != STREAM_ERROR_NONE) {
        virStorageStreamReportError(s->volname, kind, error);
        ret = -1;
    }
    return ret;
}


static int
virStorageStreamAbort(virStreamPtr st)
{
    g_autoptr(virStorageStream) s = virStorageStreamSteal(st);

    if (!s)
        return 0;

    virStorageStreamStop(s, true);
    return s->fdDriver->streamAbort(st);
}


static virStreamDriver virStorageStreamUploadDriver = {
    .streamSend = virStorageStreamUploadSend,
    .streamSendHole = virStorageStreamUploadSendHole,
    .streamFinish = virStorageStreamFinish,
    .streamAbort = virStorageStreamAbort,
    .streamEventAddCallback = virStorageStreamAddCallback,
    .streamEventUpdateCallback = virStorageStreamUpdateCallback,
    .streamEventRemoveCallback = virStorageStreamRemoveCallback,
};

static virStreamDriver virStorageStreamDownloadDriver = {
    .streamRecv = virStorageStreamDownloadRecv,
    .streamSendHole = virStorageStreamDownloadSendHole,
    .streamInData = virStorageStreamDownloadInData,
    .streamFinish = virStorageStreamFinish,
    .streamAbort = virStorageStreamAbort,
    .streamEventAddCallback = virStorageStreamAddCallback,
    .streamEventUpdateCallback = virStorageStreamUpdateCallback,
    .streamEventRemoveCallback = virStorageStreamRemoveCallback,
};


/* ----------------------------------------------------------- opening */

/* Closes the FD stream just opened on @st, keeping the error reported. */
static void
virStorageStreamAbortFD(virStreamPtr st)
{
    virErrorPtr orig;

    virErrorPreserveLast(&orig);
    if (st->driver && st->driver->streamAbort)
        st->driver->streamAbort(st);
    virErrorRestore(&orig);
}


/*
 * The daemon moves a stream's bytes in messages of 256 KiB, each in
 * buffers it allocates and frees per message (the RPC layer's, not
 * ours).  With glibc's default mmap threshold (128 KiB) each such
 * buffer is mmap'ed and munmap'ed: 64 page faults, each a page zeroed
 * by the kernel, per message, which is most of the daemon's CPU time of
 * a stream (docs/benchmarks.md).  glibc raises its threshold by itself
 * to the size of any mapped block that is freed, and its trim threshold
 * to twice that (unless the deployer fixed them with GLIBC_TUNABLES,
 * which this then leaves alone).  Freeing a mapped block of 1 MiB here
 * makes the message buffers come from the heap and be reused from the
 * stream's first message on, while the heap keeps at most 2 MiB free at
 * its top (a block of the queue's size would let it keep 16 MiB: the
 * ~30 MiB of idle growth of an earlier try).  malloc_trim at the
 * stream's end gives back what the stream's buffers left, so the idle
 * daemon's RSS stays where it was.
 */
static void
virStorageStreamHeapBuffers(void)
{
    g_free(g_malloc(VIR_STORAGE_STREAM_HEAP_BLOCK));
}


static int
virStorageStreamOpen(virStreamPtr st,
                     virStorageStreamTarget *target,
                     bool upload,
                     virStorageStreamReleaseFunc release,
                     void *relOpaque)
{
    void *ioOpaque = g_steal_pointer(&target->opaque);
    VIR_AUTOCLOSE nullfd = -1;
    virStorageStream *s;

    if ((nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
        virReportSystemError(errno,
                             _("cannot open the stream of volume '%s'"),
                             target->volname);
        target->io->close(ioOpaque);
        return -1;
    }

    /* the FD stream the driver's close callback needs; it moves nothing */
    if (virFDStreamOpen(st, nullfd) < 0) {
        target->io->close(ioOpaque);
        return -1;
    }
    nullfd = -1;

    if (!st->driver || !st->driver->streamFinish || !st->driver->streamAbort) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("the stream of volume '%s' cannot be finished"),
                       target->volname);
        target->io->close(ioOpaque);
        virStorageStreamAbortFD(st);
        return -1;
    }

    s = g_new0(virStorageStream, 1);
    s->refs = 1;
    s->st = st;
    s->fdDriver = st->driver;
    s->upload = upload;
    s->nonblock = st->flags & VIR_STREAM_NONBLOCK;
    s->volname = g_strdup(target->volname);
    s->io = target->io;
    s->ioOpaque = ioOpaque;
    s->release = release;
    s->relOpaque = relOpaque;
    s->offset = target->offset;
    s->window = target->window;
    s->sparse = target->sparse;
    s->timer = -1;
    g_mutex_init(&s->lock);
    g_cond_init(&s->cond);
    g_queue_init(&s->holes);

    virStorageStreamHeapBuffers();

    /* mapped apart, so that it goes back to the system at the end
     * whatever glibc's threshold */
    s->ring = mmap(NULL, VIR_STORAGE_STREAM_QUEUE_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (s->ring == MAP_FAILED) {
        s->ring = NULL;
        virReportSystemError(errno,
                             _("cannot allocate the queue of the stream of volume '%s'"),
                             target->volname);
        s->io->close(s->ioOpaque);
        virStorageStreamUnref(s);
        virStorageStreamAbortFD(st);
        return -1;
    }

    if (virThreadCreateFull(&s->worker, true, virStorageStreamWorker,
                            upload ? "vol-upload" : "vol-download",
                            false, s) < 0) {
        virReportSystemError(errno,
                             _("cannot start the stream of volume '%s'"),
                             target->volname);
        s->io->close(s->ioOpaque);
        virStorageStreamUnref(s);
        virStorageStreamAbortFD(st);
        return -1;
    }
    s->hasWorker = true;

    virStorageStreamAdd(s);
    st->driver = upload ? &virStorageStreamUploadDriver :
                          &virStorageStreamDownloadDriver;
    return 0;
}


int
virStorageStreamOpenUpload(virStreamPtr st,
                           virStorageStreamTarget *target,
                           virStorageStreamReleaseFunc release,
                           void *relOpaque)
{
    return virStorageStreamOpen(st, target, true, release, relOpaque);
}


int
virStorageStreamOpenDownload(virStreamPtr st,
                             virStorageStreamTarget *target,
                             virStorageStreamReleaseFunc release,
                             void *relOpaque)
{
    return virStorageStreamOpen(st, target, false, release, relOpaque);
}


/* --------------------------------------------- what targets share */

int
virStorageStreamTargetInit(virStorageStreamTarget *target,
                           const char *poolname,
                           const char *volname,
                           unsigned long long end,
                           unsigned long long offset,
                           unsigned long long len,
                           bool upload,
                           bool sparse)
{
    if (offset > end || (upload && offset == end)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("offset %llu is beyond the end of volume '%s' of pool '%s', which is %llu bytes long"),
                       offset, volname, poolname, end);
        return -1;
    }

    if (len > end - offset) {
        if (upload) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("cannot upload %llu bytes at offset %llu of volume '%s' of pool '%s': it is %llu bytes long; resize the volume first"),
                           len, offset, volname, poolname, end);
            return -1;
        }
        len = end - offset;
    }

    target->volname = volname;
    target->offset = offset;
    target->window = len ? len : end - offset;
    target->sparse = sparse;
    return 0;
}


void
virStorageStreamInflightInit(virStorageStreamInflight *inflight)
{
    g_mutex_init(&inflight->lock);
    g_cond_init(&inflight->cond);
    inflight->count = 0;
    inflight->error = 0;
}


void
virStorageStreamInflightClear(virStorageStreamInflight *inflight)
{
    g_mutex_clear(&inflight->lock);
    g_cond_clear(&inflight->cond);
}


void
virStorageStreamInflightAdd(virStorageStreamInflight *inflight)
{
    g_mutex_lock(&inflight->lock);
    inflight->count++;
    g_mutex_unlock(&inflight->lock);
}


void
virStorageStreamInflightDone(virStorageStreamInflight *inflight,
                             int rc)
{
    g_mutex_lock(&inflight->lock);
    if (rc < 0 && inflight->error == 0)
        inflight->error = rc;
    inflight->count--;
    g_cond_signal(&inflight->cond);
    g_mutex_unlock(&inflight->lock);
}


int
virStorageStreamInflightWait(virStorageStreamInflight *inflight,
                             size_t max)
{
    int rc;

    g_mutex_lock(&inflight->lock);
    while (inflight->count > max)
        g_cond_wait(&inflight->cond, &inflight->lock);
    rc = inflight->error;
    g_mutex_unlock(&inflight->lock);
    return rc;
}
