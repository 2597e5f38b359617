/*
 * storage_vol_gluster_stream.c: uploads into and downloads from files of
 * gluster pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The stream unit's worker calls this I/O one call at a time, on its
 * own thread.  Writes go out as asynchronous gfapi writes of a copy of
 * the bytes, at most VIR_STORAGE_VOL_GLUSTER_STREAM_INFLIGHT at once, so
 * the worker does not wait for each round trip to the bricks; the first
 * error of a write is kept and returned by the next call and by the
 * flush.  Holes, reads, extents and the flush are synchronous calls,
 * holes and the flush made after every write in flight ended.  The window never reaches past the file's end
 * as it was when the stream opened: a write or hole past it is cut
 * there (the stream unit refuses sends beyond the window already), so
 * an upload never grows the file.  A hole is discarded (the brick
 * punches it and the file stays thin), or zero-filled where the brick
 * cannot discard.  The flush is glfs_fsync: the finish of an upload says
 * yes only once the bricks have the data.
 */

#include <config.h>

#include <fcntl.h>

#include "storage_vol_gluster_stream.h"
#include "storage_vol_gluster.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_gluster_stream");

/* The largest range of one discard or zerofill request. */
#define VIR_STORAGE_VOL_GLUSTER_STREAM_MAX_RANGE (1ULL << 30)

/* Asynchronous writes of one upload in flight at once, and the largest
 * one (gfapi counts bytes in an int). */
#define VIR_STORAGE_VOL_GLUSTER_STREAM_INFLIGHT 8
#define VIR_STORAGE_VOL_GLUSTER_STREAM_MAX_WRITE (8 * 1024 * 1024)

typedef struct _virStorageVolGlusterStream virStorageVolGlusterStream;
struct _virStorageVolGlusterStream {
    glfs_fd_t *fd;
    unsigned long long size;        /* the file's size at open */
    virStorageStreamInflight inflight;  /* asynchronous writes */
};

typedef struct _virStorageVolGlusterStreamReq virStorageVolGlusterStreamReq;
struct _virStorageVolGlusterStreamReq {
    virStorageVolGlusterStream *s;
    char *buf;
    size_t len;
};


static void
virStorageVolGlusterStreamWriteDone(glfs_fd_t *fd G_GNUC_UNUSED,
                                    ssize_t ret,
                                    struct glfs_stat *prestat G_GNUC_UNUSED,
                                    struct glfs_stat *poststat G_GNUC_UNUSED,
                                    void *opaque)
{
    virStorageVolGlusterStreamReq *req = opaque;
    virStorageVolGlusterStream *s = req->s;
    int rc = 0;

    if (ret < 0)
        rc = errno ? -errno : -EIO;
    else if ((size_t) ret != req->len)
        rc = -EIO;

    virStorageStreamInflightDone(&s->inflight, rc);

    g_free(req->buf);
    g_free(req);
}


static int
virStorageVolGlusterStreamWrite(void *opaque,
                                const char *buf,
                                size_t len,
                                unsigned long long at)
{
    virStorageVolGlusterStream *s = opaque;
    size_t done = 0;
    int rc;

    if (at >= s->size || len > s->size - at)
        return -ENOSPC;

    while (done < len) {
        size_t n = MIN(len - done, VIR_STORAGE_VOL_GLUSTER_STREAM_MAX_WRITE);
        virStorageVolGlusterStreamReq *req;

        if ((rc = virStorageStreamInflightWait(&s->inflight,
                                               VIR_STORAGE_VOL_GLUSTER_STREAM_INFLIGHT - 1)) < 0)
            return rc;

        req = g_new0(virStorageVolGlusterStreamReq, 1);
        req->s = s;
        req->buf = g_memdup(buf + done, n);
        req->len = n;

        virStorageStreamInflightAdd(&s->inflight);
        if (glfs_pwrite_async(s->fd, req->buf, n, at + done, 0,
                              virStorageVolGlusterStreamWriteDone, req) < 0) {
            rc = errno ? -errno : -EIO;
            virStorageStreamInflightDone(&s->inflight, rc);
            g_free(req->buf);
            g_free(req);
            return rc;
        }
        done += n;
    }
    return 0;
}


static int
virStorageVolGlusterStreamZero(void *opaque,
                               unsigned long long at,
                               unsigned long long len)
{
    virStorageVolGlusterStream *s = opaque;
    int rc;

    /* the window lies inside the file, whose size stays */
    if (!(len = virStorageStreamCutAtEnd(s->size, at, len)))
        return 0;
    if ((rc = virStorageStreamInflightWait(&s->inflight, 0)) < 0)
        return rc;

    while (len > 0) {
        unsigned long long n = MIN(len, VIR_STORAGE_VOL_GLUSTER_STREAM_MAX_RANGE);

        if (glfs_discard(s->fd, at, n) < 0) {
            if (errno != EOPNOTSUPP && errno != ENOSYS)
                return errno ? -errno : -EIO;
            if (glfs_zerofill(s->fd, at, n) < 0)
                return errno ? -errno : -EIO;
        }
        at += n;
        len -= n;
    }
    return 0;
}


static ssize_t
virStorageVolGlusterStreamRead(void *opaque,
                               char *buf,
                               size_t len,
                               unsigned long long at)
{
    virStorageVolGlusterStream *s = opaque;
    ssize_t n;

    if (!(len = virStorageStreamCutAtEnd(s->size, at, len)))
        return 0;

    do {
        n = glfs_pread(s->fd, buf, len, at, 0, NULL);
    } while (n < 0 && errno == EINTR);

    if (n < 0)
        return errno ? -errno : -EIO;
    return n;
}


static int
virStorageVolGlusterStreamFindExtent(void *opaque,
                                     unsigned long long at,
                                     bool *data,
                                     unsigned long long *len)
{
    virStorageVolGlusterStream *s = opaque;
    off_t next;

    if (at >= s->size) {
        *data = true;
        *len = 1;
        return 0;
    }

    next = glfs_lseek(s->fd, at, SEEK_DATA);
    if (next < 0 && errno == ENXIO) {
        /* a hole to the end */
        *data = false;
        *len = s->size - at;
        return 0;
    }
    if (next < 0) {
        if (errno != EINVAL && errno != EOPNOTSUPP && errno != ENOTSUP)
            return errno ? -errno : -EIO;
        /* no extents known: all data */
        *data = true;
        *len = s->size - at;
        return 0;
    }

    if ((unsigned long long) next > at) {
        *data = false;
        *len = MIN((unsigned long long) next, s->size) - at;
        return 0;
    }

    if ((next = glfs_lseek(s->fd, at, SEEK_HOLE)) < 0)
        return errno ? -errno : -EIO;
    *data = true;
    *len = MAX((unsigned long long) next, at + 1) - at;
    return 0;
}


static int
virStorageVolGlusterStreamFlush(void *opaque)
{
    virStorageVolGlusterStream *s = opaque;
    int rc;

    if ((rc = virStorageStreamInflightWait(&s->inflight, 0)) < 0)
        return rc;
    if (glfs_fsync(s->fd, NULL, NULL) < 0)
        return errno ? -errno : -EIO;
    return 0;
}


static void
virStorageVolGlusterStreamClose(void *opaque)
{
    virStorageVolGlusterStream *s = opaque;

    ignore_value(virStorageStreamInflightWait(&s->inflight, 0));
    glfs_close(s->fd);
    virStorageStreamInflightClear(&s->inflight);
    g_free(s);
}


static const virStorageStreamIO virStorageVolGlusterStreamIO = {
    .write = virStorageVolGlusterStreamWrite,
    .zero = virStorageVolGlusterStreamZero,
    .read = virStorageVolGlusterStreamRead,
    .extent = virStorageVolGlusterStreamFindExtent,
    .flush = virStorageVolGlusterStreamFlush,
    .close = virStorageVolGlusterStreamClose,
};


int
virStorageVolGlusterStreamTarget(glfs_t *fs,
                                 const char *poolname,
                                 const char *dir,
                                 virStorageVolDef *vol,
                                 unsigned long long offset,
                                 unsigned long long len,
                                 bool upload,
                                 bool sparse,
                                 virStorageStreamTarget *target)
{
    virStorageVolGlusterStream *s;
    glfs_fd_t *fd;
    struct stat sb;

    if (!(fd = virStorageVolGlusterOpen(fs, poolname, dir, vol->name,
                                        upload ? O_RDWR : O_RDONLY, &sb)))
        return -1;

    if (virStorageStreamTargetInit(target, poolname, vol->name, sb.st_size,
                                   offset, len, upload, sparse) < 0) {
        glfs_close(fd);
        return -1;
    }

    VIR_DEBUG("%s gluster volume '%s': offset=%llu window=%llu sparse=%d",
              upload ? "upload to" : "download from", vol->name, offset,
              target->window, sparse);

    s = g_new0(virStorageVolGlusterStream, 1);
    s->fd = fd;
    s->size = sb.st_size;
    virStorageStreamInflightInit(&s->inflight);

    target->io = &virStorageVolGlusterStreamIO;
    target->opaque = s;
    return 0;
}
