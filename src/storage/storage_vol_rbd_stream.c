/*
 * storage_vol_rbd_stream.c: uploads into and downloads from RBD images
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The stream unit's worker calls this I/O one call at a time.  Writes
 * and holes go out as asynchronous librbd requests, at most
 * VIR_STORAGE_VOL_RBD_STREAM_INFLIGHT at once, so the worker does not
 * wait for each round trip to the OSDs (what rbd import does too); a
 * write's bytes are copied, since the worker reuses its buffer as soon
 * as the call returns.  The first error of a request is kept and
 * returned by the next call and by the flush, which waits for every
 * request and then flushes librbd's cache: the finish of an upload says
 * yes only once the cluster has everything.  A hole is a write-zeroes
 * request: whole objects are released, partial ones zeroed.
 *
 * Downloads read with rbd_read2 (reading past the end of what a clone's
 * parent holds, or an object that does not exist, gives zeros).  A
 * sparse download's holes are the ranges rbd_diff_iterate2 reports as
 * not existing, by whole objects and with the parent's data counted as
 * data, listed once for the window when first asked.
 */

#include <config.h>

#include <rbd/librbd.h>

#include "storage_vol_rbd_stream.h"
#include "storage_vol_rbd.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_rbd_stream");

/* Asynchronous requests of one upload in flight at once. */
#define VIR_STORAGE_VOL_RBD_STREAM_INFLIGHT 16

/* The largest range of one librbd request (they count bytes in an int). */
#define VIR_STORAGE_VOL_RBD_STREAM_MAX_REQUEST (1ULL << 30)

typedef struct _virStorageVolRBDStream virStorageVolRBDStream;
struct _virStorageVolRBDStream {
    rbd_image_t image;
    uint64_t size;
    uint64_t windowStart;
    uint64_t windowEnd;
    virStorageStreamInflight inflight;  /* write and write-zeroes requests */

    GArray *extents;            /* data extents of the window, NULL until
                                 * a sparse download first asks */
};

typedef struct _virStorageVolRBDStreamExtent virStorageVolRBDStreamExtent;
struct _virStorageVolRBDStreamExtent {
    uint64_t start;
    uint64_t end;
};

typedef struct _virStorageVolRBDStreamRequest virStorageVolRBDStreamRequest;
struct _virStorageVolRBDStreamRequest {
    virStorageVolRBDStream *s;
    char *buf;                  /* a write's copy of the bytes */
};


static void
virStorageVolRBDStreamDone(rbd_completion_t comp,
                           void *opaque)
{
    virStorageVolRBDStreamRequest *req = opaque;
    virStorageVolRBDStream *s = req->s;
    ssize_t rc = rbd_aio_get_return_value(comp);

    rbd_aio_release(comp);

    virStorageStreamInflightDone(&s->inflight, rc < 0 ? rc : 0);

    g_free(req->buf);
    g_free(req);
}


/* Sends a write of @buf (taken) or, @buf NULL, a write-zeroes of @len
 * bytes at @at. */
static int
virStorageVolRBDStreamSubmit(virStorageVolRBDStream *s,
                             char *buf,
                             size_t len,
                             uint64_t at)
{
    virStorageVolRBDStreamRequest *req;
    rbd_completion_t comp;
    int rc;

    if ((rc = virStorageStreamInflightWait(&s->inflight,
                                           VIR_STORAGE_VOL_RBD_STREAM_INFLIGHT - 1)) < 0) {
        g_free(buf);
        return rc;
    }

    req = g_new0(virStorageVolRBDStreamRequest, 1);
    req->s = s;
    req->buf = buf;

    if ((rc = rbd_aio_create_completion(req, virStorageVolRBDStreamDone, &comp)) < 0) {
        g_free(req->buf);
        g_free(req);
        return rc;
    }

    virStorageStreamInflightAdd(&s->inflight);
    if (buf)
        rc = rbd_aio_write2(s->image, at, len, buf, comp, 0);
    else
        rc = rbd_aio_write_zeroes(s->image, at, len, comp, 0, 0);

    if (rc < 0) {
        rbd_aio_release(comp);
        virStorageStreamInflightDone(&s->inflight, rc);
        g_free(req->buf);
        g_free(req);
        return rc;
    }
    return 0;
}


static int
virStorageVolRBDStreamWrite(void *opaque,
                            const char *buf,
                            size_t len,
                            unsigned long long at)
{
    virStorageVolRBDStream *s = opaque;
    size_t done = 0;
    int rc;

    while (done < len) {
        size_t n = MIN(len - done, VIR_STORAGE_VOL_RBD_STREAM_MAX_REQUEST);

        if ((rc = virStorageVolRBDStreamSubmit(s, g_memdup(buf + done, n), n,
                                               at + done)) < 0)
            return rc;
        done += n;
    }
    return 0;
}


static int
virStorageVolRBDStreamZero(void *opaque,
                           unsigned long long at,
                           unsigned long long len)
{
    virStorageVolRBDStream *s = opaque;
    unsigned long long done = 0;
    int rc;

    /* the window lies inside the image, whose size is fixed */
    len = virStorageStreamCutAtEnd(s->size, at, len);

    while (done < len) {
        size_t n = MIN(len - done, VIR_STORAGE_VOL_RBD_STREAM_MAX_REQUEST);

        if ((rc = virStorageVolRBDStreamSubmit(s, NULL, n, at + done)) < 0)
            return rc;
        done += n;
    }
    return 0;
}


static ssize_t
virStorageVolRBDStreamRead(void *opaque,
                           char *buf,
                           size_t len,
                           unsigned long long at)
{
    virStorageVolRBDStream *s = opaque;

    if (!(len = virStorageStreamCutAtEnd(s->size, at, len)))
        return 0;
    len = MIN(len, VIR_STORAGE_VOL_RBD_STREAM_MAX_REQUEST);

    return rbd_read2(s->image, at, len, buf, 0);
}


/* rbd_diff_iterate2 callback: appends a data extent, merged with the
 * previous one when they touch. */
static int
virStorageVolRBDStreamExtentAdd(uint64_t offset,
                                size_t length,
                                int exists,
                                void *opaque)
{
    GArray *extents = opaque;
    virStorageVolRBDStreamExtent ext = { offset, offset + length };

    if (!exists || length == 0)
        return 0;

    if (extents->len > 0) {
        virStorageVolRBDStreamExtent *last =
            &g_array_index(extents, virStorageVolRBDStreamExtent, extents->len - 1);

        if (last->end == offset) {
            last->end = ext.end;
            return 0;
        }
    }
    g_array_append_val(extents, ext);
    return 0;
}


static int
virStorageVolRBDStreamFindExtent(void *opaque,
                                 unsigned long long at,
                                 bool *data,
                                 unsigned long long *len)
{
    virStorageVolRBDStream *s = opaque;
    size_t lo = 0;
    size_t hi;

    if (at >= s->windowEnd || at >= s->size) {
        *data = true;
        *len = 1;
        return 0;
    }

    if (!s->extents) {
        g_autoptr(GArray) extents = g_array_new(FALSE, FALSE,
                                                sizeof(virStorageVolRBDStreamExtent));
        int rc;

        if ((rc = rbd_diff_iterate2(s->image, NULL, s->windowStart,
                                    s->windowEnd - s->windowStart, 1, 1,
                                    virStorageVolRBDStreamExtentAdd, extents)) < 0)
            return rc;
        s->extents = g_steal_pointer(&extents);
    }

    /* the first extent that ends after @at */
    hi = s->extents->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (g_array_index(s->extents, virStorageVolRBDStreamExtent, mid).end <= at)
            lo = mid + 1;
        else
            hi = mid;
    }

    if (lo == s->extents->len) {
        *data = false;
        *len = s->windowEnd - at;
    } else {
        virStorageVolRBDStreamExtent *ext =
            &g_array_index(s->extents, virStorageVolRBDStreamExtent, lo);

        *data = ext->start <= at;
        *len = *data ? ext->end - at : ext->start - at;
    }
    return 0;
}


static int
virStorageVolRBDStreamFlush(void *opaque)
{
    virStorageVolRBDStream *s = opaque;
    int rc;

    if ((rc = virStorageStreamInflightWait(&s->inflight, 0)) < 0)
        return rc;
    return rbd_flush(s->image);
}


static void
virStorageVolRBDStreamClose(void *opaque)
{
    virStorageVolRBDStream *s = opaque;

    ignore_value(virStorageStreamInflightWait(&s->inflight, 0));
    rbd_close(s->image);
    if (s->extents)
        g_array_unref(s->extents);
    virStorageStreamInflightClear(&s->inflight);
    g_free(s);
}


static const virStorageStreamIO virStorageVolRBDStreamIO = {
    .write = virStorageVolRBDStreamWrite,
    .zero = virStorageVolRBDStreamZero,
    .read = virStorageVolRBDStreamRead,
    .extent = virStorageVolRBDStreamFindExtent,
    .flush = virStorageVolRBDStreamFlush,
    .close = virStorageVolRBDStreamClose,
};


int
virStorageVolRBDStreamTarget(rados_ioctx_t io,
                             const char *poolname,
                             virStorageVolDef *vol,
                             unsigned long long offset,
                             unsigned long long len,
                             bool upload,
                             bool sparse,
                             virStorageStreamTarget *target)
{
    rbd_image_t image = NULL;
    virStorageVolRBDStream *s;
    uint64_t size;
    int rc;

    if (virStorageVolRBDOpen(io, poolname, vol->name, !upload, &image) < 0)
        return -1;

    if ((rc = rbd_get_size(image, &size)) < 0) {
        virReportSystemError(-rc,
                             _("cannot get the size of volume '%s' of pool '%s'"),
                             vol->name, poolname);
        rbd_close(image);
        return -1;
    }

    if (virStorageStreamTargetInit(target, poolname, vol->name, size, offset,
                                   len, upload, sparse) < 0) {
        rbd_close(image);
        return -1;
    }

    VIR_DEBUG("%s RBD image '%s': offset=%llu window=%llu sparse=%d",
              upload ? "upload to" : "download from", vol->name, offset,
              target->window, sparse);

    s = g_new0(virStorageVolRBDStream, 1);
    s->image = image;
    s->size = size;
    s->windowStart = offset;
    s->windowEnd = offset + target->window;
    virStorageStreamInflightInit(&s->inflight);

    target->io = &virStorageVolRBDStreamIO;
    target->opaque = s;
    return 0;
}
