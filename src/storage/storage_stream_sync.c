/*
 * storage_stream_sync.c: an upload stream whose finish says whether the
 * data reached the storage
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The stream keeps its FD stream driver for everything but finish and
 * abort: they go through a copy of the driver table that carries our
 * state, so no global lookup is needed.  Both restore the original table
 * before the state goes away, since the daemon may abort a stream whose
 * finish failed.
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>

#include "storage_stream_sync.h"
#include "datatypes.h"
#include "driver.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_stream_sync");

typedef struct _virStorageStreamSync virStorageStreamSync;
struct _virStorageStreamSync {
    virStreamDriver driver;         /* first: st->driver points here */
    virStreamDriver *orig;
    int fd;
    char *volname;
};


static virStorageStreamSync *
virStorageStreamSyncGet(virStreamPtr st)
{
    return (virStorageStreamSync *) st->driver;
}


/* Gives @st its own driver back and frees our state. */
static void
virStorageStreamSyncDetach(virStreamPtr st)
{
    virStorageStreamSync *sync = virStorageStreamSyncGet(st);

    st->driver = sync->orig;
    VIR_FORCE_CLOSE(sync->fd);
    g_free(sync->volname);
    g_free(sync);
}


static int
virStorageStreamSyncFinish(virStreamPtr st)
{
    virStorageStreamSync *sync = virStorageStreamSyncGet(st);
    int ret = sync->orig->streamFinish(st);

    if (ret == 0 && fdatasync(sync->fd) < 0) {
        virReportSystemError(errno,
                             _("the data uploaded to volume '%s' did not reach its storage (is its pool full?)"),
                             sync->volname);
        ret = -1;
    }

    virStorageStreamSyncDetach(st);
    return ret;
}


static int
virStorageStreamSyncAbort(virStreamPtr st)
{
    virStorageStreamSync *sync = virStorageStreamSyncGet(st);
    int ret = sync->orig->streamAbort(st);

    virStorageStreamSyncDetach(st);
    return ret;
}


int
virStorageStreamSyncOnFinish(virStreamPtr st,
                             const char *path,
                             const char *volname)
{
    virStorageStreamSync *sync;
    int fd;

    if (!st->driver->streamFinish || !st->driver->streamAbort) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("the upload stream of volume '%s' cannot be finished"),
                       volname);
        return -1;
    }

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        virReportSystemError(errno, _("cannot open volume '%s' at '%s'"),
                             volname, path);
        return -1;
    }

    sync = g_new0(virStorageStreamSync, 1);
    sync->orig = st->driver;
    sync->driver = *st->driver;
    sync->driver.streamFinish = virStorageStreamSyncFinish;
    sync->driver.streamAbort = virStorageStreamSyncAbort;
    sync->fd = fd;
    sync->volname = g_strdup(volname);

    st->driver = &sync->driver;
    return 0;
}
