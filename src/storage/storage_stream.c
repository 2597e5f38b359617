/*
 * storage_stream.c: client streams into and out of a volume's descriptor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What libvirt 9.0 gives a storage backend is virFDStreamOpenBlockDevice
 * on a path.  Three of its habits are wrong for volumes:
 *
 *  - it opens a path, which a guest can swap for a link or a FIFO after
 *    the pool listed the volume;
 *  - a hole of a sparse upload is lseek + ftruncate: the file is cut at
 *    the hole's end (an upload into the first 2 MiB of an 8 MiB volume
 *    leaves a 2 MiB file) and the hole keeps the bytes it had;
 *  - the error of its writer thread is lost when the stream closes, so a
 *    write that fails with ENOSPC near the end is reported as success.
 *
 * And the driver's storageVolUpload/Download keep the volume "in use"
 * only while the backend's callback runs, not while the stream moves
 * data, so a second upload, a delete or a wipe are accepted mid-stream.
 *
 * The stream must stay a libvirt FD stream: after uploadVol returns, the
 * driver hands st->privateData to virFDStreamSetInternalCloseCb, which
 * takes it for a virFDStreamData.  So:
 *
 * Uploads.  The stream is an FD stream on the write end of a pipe.  For
 * a pipe libvirt starts no thread: virStreamSend writes into the pipe,
 * non-blocking, and the daemon waits on the pipe's writability when it
 * is full.  st->driver is then replaced by a copy of the FD stream's
 * table (the first member of our per-stream state, so the state is found
 * from st->driver with no global table) in which
 *   - streamSend counts the bytes the pipe took and refuses any byte past
 *     the window (ENOSPC, as the FD stream does with a length);
 *   - streamSendHole never reaches the FD stream: the hole is queued with
 *     its position in the data (bytes piped before it);
 *   - streamFinish and streamAbort stop our worker first (below).
 * Our worker thread reads the pipe and pwrite()s at offset + position of
 * the volume's descriptor; when it reaches a queued hole it makes that
 * range read as zeros without ever cutting the file: PUNCH_HOLE with
 * KEEP_SIZE on files (zeros written where the file system cannot punch),
 * BLKZEROOUT on block devices (zeros written where refused).  A hole past
 * the end of a file (only possible for image volumes, whose window ends
 * at their capacity) grows it to the hole's end, as the data after it
 * would.  The worker reads only bytes that streamSend counted, so it
 * never blocks on the pipe; it waits on a condition for more.  After a
 * write error it keeps draining the pipe, discarding, so the daemon is
 * never left waiting for room, and the next send fails with the error.
 *
 * Finish: every byte the client sent is in the pipe when the daemon
 * calls finish (its messages are handled in order), so the worker is
 * told the end is known, drains the pipe, flushes where space can run
 * out at writeback (thin LVs, network file systems: the caller says so)
 * and ends; it is joined, the release callback drops the guard, and only
 * then the FD stream is finished (which runs the driver's close
 * callback: a pool refresh that is skipped while the pool has jobs).
 * The worker's first error then fails the finish, naming the volume, so
 * the client (virsh vol-upload) fails.  Abort tells the worker to stop
 * at once, joins it, releases, and aborts the FD stream.
 *
 * Cost: one more copy of each byte (pipe to buffer), with a 1 MiB pipe
 * and 1 MiB writes; docs/benchmarks.md has the numbers.
 *
 * Downloads keep libvirt's reader thread, which sends holes found with
 * SEEK_DATA/SEEK_HOLE, but on "/proc/self/fd/N" of the descriptor the
 * caller opened and checked: a path that names that inode, whatever is
 * renamed into the pool meanwhile.  Only finish and abort are wrapped,
 * for the release callback.
 *
 * Finish and abort give st its own table back before anything else, so
 * a re-entrant abort (the FD stream calls the daemon's callback, which
 * may abort again) and the abort the daemon sends after a failed finish
 * go to the FD stream only.  The daemon finishes or aborts every stream
 * it opened (also when the client goes away), so the release always
 * runs.
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <linux/fs.h>

#include "storage_stream.h"
#include "storage_blockdev.h"
#include "datatypes.h"
#include "driver.h"
#include "virerror.h"
#include "virfdstream.h"
#include "virfile.h"
#include "virlog.h"
#include "virthread.h"
#include "virutil.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_stream");

#define VIR_STORAGE_STREAM_BUF_SIZE (1024 * 1024)

typedef struct _virStorageStreamHole virStorageStreamHole;
struct _virStorageStreamHole {
    unsigned long long at;      /* bytes of data piped before the hole */
    unsigned long long len;
};

typedef enum {
    STREAM_ERROR_NONE = 0,
    STREAM_ERROR_WRITE,
    STREAM_ERROR_ZERO,
    STREAM_ERROR_SYNC,
} virStorageStreamErrorKind;

typedef struct _virStorageStream virStorageStream;
struct _virStorageStream {
    virStreamDriver driver;     /* first: st->driver points here */
    virStreamDriver *fdDriver;  /* the FD stream's own table */
    char *volname;
    virStorageStreamReleaseFunc release;
    void *opaque;

    /* uploads; the sender's side, touched by the daemon's thread only */
    int fd;
    int pipeIn;
    bool isBlock;
    bool sync;
    unsigned long long offset;
    unsigned long long window;
    unsigned long long accepted;    /* data and holes taken so far */
    virThread worker;
    bool hasWorker;

    /* shared with the worker */
    GMutex lock;
    GCond cond;
    unsigned long long piped;       /* data bytes written into the pipe */
    GQueue holes;                   /* of virStorageStreamHole, in order */
    bool finishing;
    bool aborting;
    virStorageStreamErrorKind errorKind;
    int error;                      /* first errno of the worker */
};


static virStorageStream *
virStorageStreamGet(virStreamPtr st)
{
    return (virStorageStream *) st->driver;
}


static void
virStorageStreamFree(virStorageStream *s)
{
    if (!s)
        return;
    VIR_FORCE_CLOSE(s->fd);
    VIR_FORCE_CLOSE(s->pipeIn);
    while (!g_queue_is_empty(&s->holes))
        g_free(g_queue_pop_head(&s->holes));
    g_mutex_clear(&s->lock);
    g_cond_clear(&s->cond);
    g_free(s->volname);
    g_free(s);
}


static virStorageStream *
virStorageStreamNew(virStreamPtr st,
                    virStorageStreamTarget *target,
                    virStorageStreamReleaseFunc release,
                    void *opaque)
{
    virStorageStream *s = g_new0(virStorageStream, 1);

    s->fdDriver = st->driver;
    s->driver = *st->driver;
    s->volname = g_strdup(target->volname);
    s->release = release;
    s->opaque = opaque;
    s->fd = -1;
    s->pipeIn = -1;
    g_mutex_init(&s->lock);
    g_cond_init(&s->cond);
    g_queue_init(&s->holes);
    return s;
}


/* Gives @st the FD stream's table back; returns our state. */
static virStorageStream *
virStorageStreamDetach(virStreamPtr st)
{
    virStorageStream *s = virStorageStreamGet(st);

    st->driver = s->fdDriver;
    return s;
}


static void
virStorageStreamRelease(virStorageStream *s)
{
    if (s->release)
        s->release(s->opaque);
    s->release = NULL;
}


static void
virStorageStreamReportError(virStorageStream *s)
{
    switch (s->errorKind) {
    case STREAM_ERROR_WRITE:
        virReportSystemError(s->error,
                             _("cannot write the data uploaded to volume '%s'"),
                             s->volname);
        break;
    case STREAM_ERROR_ZERO:
        virReportSystemError(s->error,
                             _("cannot zero a hole of the data uploaded to volume '%s'"),
                             s->volname);
        break;
    case STREAM_ERROR_SYNC:
        virReportSystemError(s->error,
                             _("the data uploaded to volume '%s' did not reach its storage (is its pool full?)"),
                             s->volname);
        break;
    case STREAM_ERROR_NONE:
        break;
    }
}


/* ------------------------------------------------------------ worker */

static int
virStorageStreamPWriteQuiet(int fd,
                            const char *buf,
                            size_t len,
                            unsigned long long at)
{
    while (len > 0) {
        ssize_t done = pwrite(fd, buf, len, at);

        if (done < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (done == 0)
            return -ENOSPC;
        buf += done;
        len -= done;
        at += done;
    }
    return 0;
}


static int
virStorageStreamWriteZerosQuiet(int fd,
                                unsigned long long at,
                                unsigned long long len)
{
    g_autofree char *zeros = g_new0(char, MIN(len, VIR_STORAGE_STREAM_BUF_SIZE));

    while (len > 0) {
        size_t n = MIN(len, VIR_STORAGE_STREAM_BUF_SIZE);
        int rc;

        if ((rc = virStorageStreamPWriteQuiet(fd, zeros, n, at)) < 0)
            return rc;
        at += n;
        len -= n;
    }
    return 0;
}


/* Makes [@at, @at + @len) of a block device read as zeros. */
static int
virStorageStreamZeroBlockQuiet(int fd,
                               unsigned long long at,
                               unsigned long long len)
{
    if (at % 512 == 0 && len % 512 == 0 &&
        virStorageBlockDevZeroOutQuiet(fd, at, len) == 0)
        return 0;
    return virStorageStreamWriteZerosQuiet(fd, at, len);
}


/* Makes [@at, @at + @len) of a file read as zeros; never shrinks it,
 * grows it to @at + @len if it ends before. */
static int
virStorageStreamZeroFileQuiet(int fd,
                              unsigned long long at,
                              unsigned long long len)
{
    struct stat sb;
    unsigned long long inside = len;

    if (fstat(fd, &sb) < 0)
        return -errno;

    if ((unsigned long long) sb.st_size <= at)
        inside = 0;
    else if ((unsigned long long) sb.st_size - at < len)
        inside = sb.st_size - at;

    if (inside > 0 &&
        fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  at, inside) < 0) {
        int rc;

        if (errno != EOPNOTSUPP && errno != ENOSYS)
            return -errno;
        if ((rc = virStorageStreamWriteZerosQuiet(fd, at, inside)) < 0)
            return rc;
    }

    if (inside < len && ftruncate(fd, at + len) < 0)
        return -errno;
    return 0;
}


/* Records the worker's first error, for the sender and the finish. */
static void
virStorageStreamSetError(virStorageStream *s,
                         virStorageStreamErrorKind kind,
                         int rc)
{
    g_mutex_lock(&s->lock);
    if (s->errorKind == STREAM_ERROR_NONE) {
        s->errorKind = kind;
        s->error = -rc;
    }
    g_mutex_unlock(&s->lock);
}


static void
virStorageStreamWorker(void *opaque)
{
    virStorageStream *s = opaque;
    g_autofree char *buf = g_new(char, VIR_STORAGE_STREAM_BUF_SIZE);
    unsigned long long pos = 0;         /* data bytes read from the pipe */
    unsigned long long at = s->offset;  /* where the next byte goes */
    bool failed = false;
    int rc;

    g_mutex_lock(&s->lock);
    while (!s->aborting) {
        virStorageStreamHole *hole = g_queue_peek_head(&s->holes);

        if (hole && hole->at == pos) {
            unsigned long long len = hole->len;

            g_free(g_queue_pop_head(&s->holes));
            g_mutex_unlock(&s->lock);
            if (!failed) {
                if (s->isBlock)
                    rc = virStorageStreamZeroBlockQuiet(s->fd, at, len);
                else
                    rc = virStorageStreamZeroFileQuiet(s->fd, at, len);
                if (rc < 0) {
                    virStorageStreamSetError(s, STREAM_ERROR_ZERO, rc);
                    failed = true;
                }
            }
            at += len;
            g_mutex_lock(&s->lock);
            continue;
        }

        if (s->piped > pos) {
            size_t want = MIN(s->piped - pos, VIR_STORAGE_STREAM_BUF_SIZE);
            ssize_t got;

            if (hole)
                want = MIN(want, hole->at - pos);
            g_mutex_unlock(&s->lock);

            /* counted bytes are in the pipe: this read does not block */
            while ((got = read(s->pipeIn, buf, want)) < 0 && errno == EINTR)
                ;
            if (got <= 0) {
                virStorageStreamSetError(s, STREAM_ERROR_WRITE,
                                         got < 0 ? -errno : -EPIPE);
                g_mutex_lock(&s->lock);
                break;
            }
            if (!failed &&
                (rc = virStorageStreamPWriteQuiet(s->fd, buf, got, at)) < 0) {
                virStorageStreamSetError(s, STREAM_ERROR_WRITE, rc);
                failed = true;
            }
            pos += got;
            at += got;
            g_mutex_lock(&s->lock);
            continue;
        }

        if (s->finishing)
            break;
        g_cond_wait(&s->cond, &s->lock);
    }
    if (s->aborting)
        failed = true;
    g_mutex_unlock(&s->lock);

    if (!failed && s->sync && fdatasync(s->fd) < 0)
        virStorageStreamSetError(s, STREAM_ERROR_SYNC, -errno);
}


/* ---------------------------------------------------- upload driver */

/* Closes the FD stream just opened on @st, keeping the error reported:
 * @st is left with no private data. */
static void
virStorageStreamAbortFD(virStreamPtr st)
{
    virErrorPtr orig;

    virErrorPreserveLast(&orig);
    if (st->driver && st->driver->streamAbort)
        st->driver->streamAbort(st);
    virErrorRestore(&orig);
}


/* The worker's error, reported; false if there is none. */
static bool
virStorageStreamCheckError(virStorageStream *s)
{
    bool failed;

    g_mutex_lock(&s->lock);
    failed = s->errorKind != STREAM_ERROR_NONE;
    g_mutex_unlock(&s->lock);

    if (failed)
        virStorageStreamReportError(s);
    return failed;
}


static int
virStorageStreamUploadSend(virStreamPtr st,
                           const char *data,
                           size_t nbytes)
{
    virStorageStream *s = virStorageStreamGet(st);
    int ret;

    if (virStorageStreamCheckError(s))
        return -1;

    if (s->accepted == s->window) {
        virReportSystemError(ENOSPC,
                             _("cannot upload past the end of volume '%s'"),
                             s->volname);
        return -1;
    }
    nbytes = MIN(nbytes, s->window - s->accepted);

    if ((ret = s->fdDriver->streamSend(st, data, nbytes)) > 0) {
        s->accepted += ret;
        g_mutex_lock(&s->lock);
        s->piped += ret;
        g_cond_signal(&s->cond);
        g_mutex_unlock(&s->lock);
    }
    return ret;
}


static int
virStorageStreamUploadSendHole(virStreamPtr st,
                               long long length,
                               unsigned int flags)
{
    virStorageStream *s = virStorageStreamGet(st);
    virStorageStreamHole *hole;
    unsigned long long len;

    virCheckFlags(0, -1);
    virCheckPositiveArgReturn(length, -1);

    if (virStorageStreamCheckError(s))
        return -1;

    /* as the FD stream does, a hole is cut at the end of the window */
    len = MIN((unsigned long long) length, s->window - s->accepted);
    if (len == 0)
        return 0;
    s->accepted += len;

    hole = g_new0(virStorageStreamHole, 1);
    hole->len = len;
    g_mutex_lock(&s->lock);
    hole->at = s->piped;
    g_queue_push_tail(&s->holes, hole);
    g_cond_signal(&s->cond);
    g_mutex_unlock(&s->lock);
    return 0;
}


/* Tells the worker to end (@abort: at once; else once drained), waits
 * for it and drops the guard. */
static void
virStorageStreamUploadStop(virStorageStream *s,
                           bool abort)
{
    g_mutex_lock(&s->lock);
    if (abort)
        s->aborting = true;
    else
        s->finishing = true;
    g_cond_signal(&s->cond);
    g_mutex_unlock(&s->lock);

    if (s->hasWorker)
        virThreadJoin(&s->worker);
    s->hasWorker = false;

    virStorageStreamRelease(s);
}


static int
virStorageStreamUploadFinish(virStreamPtr st)
{
    virStorageStream *s = virStorageStreamDetach(st);
    int ret;

    virStorageStreamUploadStop(s, false);

    ret = s->fdDriver->streamFinish(st);
    if (virStorageStreamCheckError(s))
        ret = -1;

    virStorageStreamFree(s);
    return ret;
}


static int
virStorageStreamUploadAbort(virStreamPtr st)
{
    virStorageStream *s = virStorageStreamDetach(st);
    int ret;

    virStorageStreamUploadStop(s, true);
    ret = s->fdDriver->streamAbort(st);

    virStorageStreamFree(s);
    return ret;
}


int
virStorageStreamOpenUpload(virStreamPtr st,
                           virStorageStreamTarget *target,
                           virStorageStreamReleaseFunc release,
                           void *opaque)
{
    VIR_AUTOCLOSE fd = target->fd;
    VIR_AUTOCLOSE pipeIn = -1;
    VIR_AUTOCLOSE pipeOut = -1;
    int pipefd[2];
    virStorageStream *s;

    target->fd = -1;

    if (virPipe(pipefd) < 0)
        return -1;
    pipeIn = pipefd[0];
    pipeOut = pipefd[1];

    /* fewer wake-ups; the default (64 KiB) works too */
    if (fcntl(pipeOut, F_SETPIPE_SZ, VIR_STORAGE_STREAM_BUF_SIZE) < 0)
        VIR_DEBUG("cannot grow the pipe of volume '%s': %s",
                  target->volname, g_strerror(errno));

    if (virFDStreamOpen(st, pipeOut) < 0)
        return -1;
    pipeOut = -1;   /* the FD stream's now */

    if (!st->driver->streamSend || !st->driver->streamFinish ||
        !st->driver->streamAbort) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("the upload stream of volume '%s' cannot be finished"),
                       target->volname);
        goto abort;
    }

    s = virStorageStreamNew(st, target, release, opaque);
    s->driver.streamSend = virStorageStreamUploadSend;
    s->driver.streamSendHole = virStorageStreamUploadSendHole;
    s->driver.streamFinish = virStorageStreamUploadFinish;
    s->driver.streamAbort = virStorageStreamUploadAbort;
    s->fd = fd;
    fd = -1;
    s->pipeIn = pipeIn;
    pipeIn = -1;
    s->isBlock = target->isBlock;
    s->sync = target->sync;
    s->offset = target->offset;
    s->window = target->window;

    if (virThreadCreateFull(&s->worker, true, virStorageStreamWorker,
                            "vol-upload", false, s) < 0) {
        virReportSystemError(errno,
                             _("cannot start the upload into volume '%s'"),
                             target->volname);
        s->release = NULL;  /* the caller keeps its guard on failure */
        virStorageStreamFree(s);
        goto abort;
    }
    s->hasWorker = true;

    st->driver = &s->driver;
    return 0;

 abort:
    virStorageStreamAbortFD(st);
    return -1;
}


/* --------------------------------------------------- download driver */

static int
virStorageStreamDownloadFinish(virStreamPtr st)
{
    virStorageStream *s = virStorageStreamDetach(st);
    int ret;

    virStorageStreamRelease(s);
    ret = s->fdDriver->streamFinish(st);
    virStorageStreamFree(s);
    return ret;
}


static int
virStorageStreamDownloadAbort(virStreamPtr st)
{
    virStorageStream *s = virStorageStreamDetach(st);
    int ret;

    virStorageStreamRelease(s);
    ret = s->fdDriver->streamAbort(st);
    virStorageStreamFree(s);
    return ret;
}


int
virStorageStreamOpenDownload(virStreamPtr st,
                             virStorageStreamTarget *target,
                             virStorageStreamReleaseFunc release,
                             void *opaque)
{
    VIR_AUTOCLOSE fd = target->fd;
    g_autofree char *path = g_strdup_printf("/proc/self/fd/%d", fd);
    virStorageStream *s;

    target->fd = -1;

    /* the stream opens its own descriptor of the same inode */
    if (virFDStreamOpenBlockDevice(st, path, target->offset, target->window,
                                   target->sparse, O_RDONLY) < 0)
        return -1;

    if (!st->driver->streamFinish || !st->driver->streamAbort) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("the download stream of volume '%s' cannot be finished"),
                       target->volname);
        virStorageStreamAbortFD(st);
        return -1;
    }

    s = virStorageStreamNew(st, target, release, opaque);
    s->driver.streamFinish = virStorageStreamDownloadFinish;
    s->driver.streamAbort = virStorageStreamDownloadAbort;
    st->driver = &s->driver;
    return 0;
}
