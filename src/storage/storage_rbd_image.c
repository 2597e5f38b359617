/*
 * storage_rbd_image.c: what an RBD image is (sizes, features, snapshots),
 * one image or every image of a RADOS pool at once
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Reading an image takes a few round trips to its OSD (open: the header
 * and id objects; the allocation: the object map, or one request per
 * object without one).  A pool of many images is therefore read by a
 * small set of threads at once, each opening its next image while the
 * others wait on the network, instead of one image after another.
 */

#include <config.h>

#include "storage_rbd_image.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_rbd_image");


void
virStorageRBDImageInfoClear(virStorageRBDImageInfo *info)
{
    g_clear_pointer(&info->name, g_free);
}


void
virStorageRBDImageListFree(virStorageRBDImageList *list)
{
    size_t i;

    if (!list)
        return;

    for (i = 0; i < list->nimages; i++)
        virStorageRBDImageInfoClear(&list->images[i]);
    g_free(list->images);
    g_free(list);
}


static int
virStorageRBDImageCountExtent(uint64_t offset G_GNUC_UNUSED,
                              size_t len,
                              int exists,
                              void *opaque)
{
    unsigned long long *allocation = opaque;

    if (exists)
        *allocation += len;
    return 0;
}


/* The bytes of @image's own objects that exist (whole objects; a clone's
 * parent is not counted).  With a valid fast-diff object map, librbd
 * answers from the map alone. */
static int
virStorageRBDImageAllocationQuiet(rbd_image_t image,
                                  uint64_t size,
                                  unsigned long long *allocation)
{
    unsigned long long total = 0;
    int rc;

    if ((rc = rbd_diff_iterate2(image, NULL, 0, size, 0, 1,
                                virStorageRBDImageCountExtent, &total)) < 0)
        return rc;

    *allocation = total;
    return 0;
}


static int
virStorageRBDImageSnapCountQuiet(rbd_image_t image,
                                 size_t *nsnaps)
{
    int max = 16;

    while (true) {
        g_autofree rbd_snap_info_t *snaps = g_new0(rbd_snap_info_t, max);
        int rc = rbd_snap_list(image, snaps, &max);

        if (rc >= 0) {
            rbd_snap_list_end(snaps);
            *nsnaps = rc;
            return 0;
        }
        if (rc != -ERANGE)
            return rc;
    }
}


static int
virStorageRBDImageStatQuiet(rbd_image_t image,
                            virStorageRBDImageAllocation allocation,
                            virStorageRBDImageInfo *info)
{
    rbd_image_info_t st;
    int rc;

    if ((rc = rbd_stat(image, &st, sizeof(st))) < 0 ||
        (rc = rbd_get_features(image, &info->features)) < 0 ||
        (rc = rbd_get_flags(image, &info->flags)) < 0 ||
        (rc = virStorageRBDImageSnapCountQuiet(image, &info->nsnaps)) < 0)
        return rc;

    info->capacity = st.size;
    info->objectSize = st.obj_size;
    info->order = st.order;

    switch (allocation) {
    case VIR_STORAGE_RBD_IMAGE_ALLOCATION_CAPACITY:
        info->allocation = st.size;
        return 0;
    case VIR_STORAGE_RBD_IMAGE_ALLOCATION_REAL:
        return virStorageRBDImageAllocationQuiet(image, st.size, &info->allocation);
    }

    return -EINVAL;
}


int
virStorageRBDImageReadQuiet(rados_ioctx_t io,
                            const char *name,
                            virStorageRBDImageAllocation allocation,
                            virStorageRBDImageInfo *info)
{
    virStorageRBDImageInfo tmp = { 0 };
    rbd_image_t image = NULL;
    int rc;

    if ((rc = rbd_open_read_only(io, name, &image, NULL)) < 0)
        return rc;

    rc = virStorageRBDImageStatQuiet(image, allocation, &tmp);
    rbd_close(image);
    if (rc < 0)
        return rc;

    tmp.name = g_strdup(name);
    *info = tmp;
    return 0;
}


static void
virStorageRBDImageReport(const char *poolname,
                         const char *name,
                         int rc)
{
    if (rc == -ENOENT) {
        virReportError(VIR_ERR_NO_STORAGE_VOL,
                       _("RADOS pool '%s' has no RBD image '%s'"),
                       poolname, name);
        return;
    }

    virReportError(VIR_ERR_OPERATION_FAILED,
                   _("cannot read RBD image '%s' of RADOS pool '%s': %s"),
                   name, poolname, g_strerror(-rc));
}


int
virStorageRBDImageRead(rados_ioctx_t io,
                       const char *poolname,
                       const char *name,
                       virStorageRBDImageAllocation allocation,
                       virStorageRBDImageInfo *info)
{
    int rc;

    if ((rc = virStorageRBDImageReadQuiet(io, name, allocation, info)) < 0) {
        virStorageRBDImageReport(poolname, name, rc);
        return -1;
    }

    return 0;
}


char **
virStorageRBDImageListNames(rados_ioctx_t io,
                            const char *poolname)
{
    size_t max = 64;

    while (true) {
        g_autofree rbd_image_spec_t *specs = g_new0(rbd_image_spec_t, max);
        size_t n = max;
        int rc = rbd_list2(io, specs, &n);
        char **names;
        size_t i;

        if (rc == -ERANGE && n > max) {
            max = n;
            continue;
        }
        if (rc < 0) {
            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("cannot list the RBD images of RADOS pool '%s': %s"),
                           poolname, g_strerror(-rc));
            return NULL;
        }

        names = g_new0(char *, n + 1);
        for (i = 0; i < n; i++)
            names[i] = g_strdup(specs[i].name);
        rbd_image_spec_list_cleanup(specs, n);
        return names;
    }
}


/* The work shared by the readers of virStorageRBDImageReadAll: each takes
 * the next index and writes only its own slot of @infos and @rcs. */
typedef struct _virStorageRBDImageReadJob virStorageRBDImageReadJob;
struct _virStorageRBDImageReadJob {
    rados_ioctx_t io;
    virStorageRBDImageAllocation allocation;
    char **names;
    size_t nnames;
    gint next;
    virStorageRBDImageInfo *infos;
    int *rcs;
};


static gpointer
virStorageRBDImageReader(gpointer opaque)
{
    virStorageRBDImageReadJob *job = opaque;
    size_t i;

    while ((i = g_atomic_int_add(&job->next, 1)) < job->nnames) {
        job->rcs[i] = virStorageRBDImageReadQuiet(job->io, job->names[i],
                                                  job->allocation,
                                                  &job->infos[i]);
    }

    return NULL;
}


/* Runs the readers of @job: up to VIR_STORAGE_RBD_IMAGE_READERS threads,
 * the calling one among them, so that a failure to start a thread only
 * makes the read slower. */
static void
virStorageRBDImageReadRun(virStorageRBDImageReadJob *job)
{
    g_autoptr(GPtrArray) threads = g_ptr_array_new();
    size_t nthreads = MIN(job->nnames, VIR_STORAGE_RBD_IMAGE_READERS);
    size_t i;

    for (i = 1; i < nthreads; i++) {
        g_autoptr(GError) err = NULL;
        GThread *thread = g_thread_try_new("rbd-image-reader",
                                           virStorageRBDImageReader, job, &err);

        if (!thread) {
            VIR_WARN("cannot start an RBD image reader thread: %s", err->message);
            break;
        }
        g_ptr_array_add(threads, thread);
    }

    virStorageRBDImageReader(job);

    for (i = 0; i < threads->len; i++)
        g_thread_join(g_ptr_array_index(threads, i));
}


virStorageRBDImageList *
virStorageRBDImageReadAll(rados_ioctx_t io,
                          const char *poolname,
                          virStorageRBDImageAllocation allocation)
{
    g_auto(GStrv) names = NULL;
    g_autofree int *rcs = NULL;
    g_autoptr(virStorageRBDImageList) list = NULL;
    virStorageRBDImageReadJob job = { 0 };
    g_autofree virStorageRBDImageInfo *infos = NULL;
    size_t i;
    int failed = -1;

    if (!(names = virStorageRBDImageListNames(io, poolname)))
        return NULL;

    job.io = io;
    job.allocation = allocation;
    job.names = names;
    job.nnames = g_strv_length(names);
    job.infos = infos = g_new0(virStorageRBDImageInfo, job.nnames + 1);
    job.rcs = rcs = g_new0(int, job.nnames + 1);

    virStorageRBDImageReadRun(&job);

    list = g_new0(virStorageRBDImageList, 1);
    list->images = g_new0(virStorageRBDImageInfo, job.nnames + 1);
    for (i = 0; i < job.nnames; i++) {
        if (rcs[i] == 0) {
            list->images[list->nimages++] = infos[i];
            continue;
        }
        if (rcs[i] == -ENOENT) {
            VIR_DEBUG("RBD image '%s' of RADOS pool '%s' was removed while the pool was read",
                      names[i], poolname);
            continue;
        }
        if (failed < 0)
            failed = i;
    }

    if (failed >= 0) {
        virStorageRBDImageReport(poolname, names[failed], rcs[failed]);
        return NULL;
    }

    return g_steal_pointer(&list);
}


void
virStorageRBDImageApply(const char *poolname,
                        const virStorageRBDImageInfo *info,
                        virStorageVolDef *vol)
{
    vol->type = VIR_STORAGE_VOL_NETWORK;
    vol->target.format = VIR_STORAGE_FILE_RAW;
    vol->target.capacity = info->capacity;
    vol->target.allocation = info->allocation;

    g_free(vol->key);
    vol->key = g_strdup_printf("%s/%s", poolname, info->name);
    g_free(vol->target.path);
    vol->target.path = g_strdup_printf("%s/%s", poolname, info->name);
}
