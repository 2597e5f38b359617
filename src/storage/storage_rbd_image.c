/*
 * storage_rbd_image.c: what an RBD image is (sizes, features, snapshots),
 * one image or every image of a RADOS pool at once
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Opening an image through librbd takes a few round trips to its OSD and
 * a fair amount of CPU (the image context, its configuration), 3 to 4 ms
 * an image on a single-node cluster.  A whole pool is therefore read
 * without opening its images: each image's header object and object
 * map are read with asynchronous RADOS operations, all in flight at once
 * (see virStorageRBDImageReadAll); only the images that path cannot
 * read are opened, by a bounded set of threads at once.
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


/* The images of @io as rbd_list2 gives them (name and id), @nspecs of
 * them; the caller frees them with rbd_image_spec_list_cleanup.  Reports
 * and returns NULL on failure. */
static rbd_image_spec_t *
virStorageRBDImageListSpecs(rados_ioctx_t io,
                            const char *poolname,
                            size_t *nspecs)
{
    size_t max = 64;

    while (true) {
        g_autofree rbd_image_spec_t *specs = g_new0(rbd_image_spec_t, max + 1);
        size_t n = max;
        int rc = rbd_list2(io, specs, &n);

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

        *nspecs = n;
        return g_steal_pointer(&specs);
    }
}


char **
virStorageRBDImageListNames(rados_ioctx_t io,
                            const char *poolname)
{
    g_autofree rbd_image_spec_t *specs = NULL;
    size_t nspecs = 0;
    char **names;
    size_t i;

    if (!(specs = virStorageRBDImageListSpecs(io, poolname, &nspecs)))
        return NULL;

    names = g_new0(char *, nspecs + 1);
    for (i = 0; i < nspecs; i++)
        names[i] = g_strdup(specs[i].name);
    rbd_image_spec_list_cleanup(specs, nspecs);
    return names;
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


/*
 * The fast path of virStorageRBDImageReadAll: a format 2 image is
 * described by the omap of its header object, rbd_header.<id> (cls_rbd's
 * keys "size" and "features", little-endian 64-bit; "order", one byte;
 * "flags", 64-bit, absent when 0; one "snapshot_<id>" key per
 * snapshot), and, with fast-diff, which of its objects exist by its
 * object map, rbd_object_map.<id>: a ceph::BitVector<2> encoded as a
 * 32-bit length and a header (struct version, compat version, 32-bit
 * length, 64-bit number of objects: 14 bytes), then 2 bits per object,
 * 4 objects a byte, the first in the high bits; state 0 is "does not
 * exist".  Every image's header is read with one asynchronous operation,
 * all of them in flight at once, then the object maps the same way: no
 * image is opened.  An image this cannot read (format 1, an object map
 * that is invalid or does not match the size, more snapshots than one
 * read returns) is read through librbd instead.
 */
#define VIR_STORAGE_RBD_IMAGE_MAP_HEADER_LEN 14
#define VIR_STORAGE_RBD_IMAGE_MAX_SNAPS 1024
/* Objects of the largest object map read here (a 64 MiB read, a 1 PiB
 * image of 4 MiB objects); a header claiming more is read by librbd. */
#define VIR_STORAGE_RBD_IMAGE_MAX_MAP_OBJECTS (256ULL * 1024 * 1024)

typedef struct _virStorageRBDImageFetch virStorageRBDImageFetch;
struct _virStorageRBDImageFetch {
    const char *name;
    const char *id;
    rados_completion_t comp;
    rados_read_op_t op;
    rados_omap_iter_t keys;
    int keysRc;
    rados_omap_iter_t snaps;
    int snapsRc;
    unsigned char snapsMore;
    char *map;
    size_t maplen;
    bool done;          /* info is read */
    bool fallback;      /* read it through librbd */
    int rc;             /* -errno of a failed read; -ENOENT: removed */
    virStorageRBDImageInfo info;
};


static uint64_t
virStorageRBDImageLE64(const char *p)
{
    uint64_t v = 0;
    size_t i;

    for (i = 0; i < 8; i++)
        v |= ((uint64_t) (unsigned char) p[i]) << (8 * i);
    return v;
}


static uint32_t
virStorageRBDImageLE32(const char *p)
{
    const unsigned char *u = (const unsigned char *) p;

    return u[0] | (u[1] << 8) | (u[2] << 16) | ((uint32_t) u[3] << 24);
}


static void
virStorageRBDImageFetchRelease(virStorageRBDImageFetch *f)
{
    if (f->keys)
        rados_omap_get_end(f->keys);
    if (f->snaps)
        rados_omap_get_end(f->snaps);
    if (f->op)
        rados_release_read_op(f->op);
    if (f->comp)
        rados_aio_release(f->comp);
    f->keys = f->snaps = NULL;
    f->op = NULL;
    f->comp = NULL;
}


static void
virStorageRBDImageHeaderSubmit(rados_ioctx_t io,
                               virStorageRBDImageFetch *f)
{
    static const char *keys[] = { "size", "order", "features", "flags" };
    g_autofree char *oid = NULL;
    int rc;

    if (!f->id || !*f->id) {
        f->fallback = true;     /* format 1 */
        return;
    }

    oid = g_strdup_printf("rbd_header.%s", f->id);
    f->op = rados_create_read_op();
    rados_read_op_omap_get_vals_by_keys(f->op, keys, G_N_ELEMENTS(keys),
                                        &f->keys, &f->keysRc);
    rados_read_op_omap_get_vals2(f->op, "", "snapshot_",
                                 VIR_STORAGE_RBD_IMAGE_MAX_SNAPS,
                                 &f->snaps, &f->snapsMore, &f->snapsRc);

    if ((rc = rados_aio_create_completion2(NULL, NULL, &f->comp)) < 0 ||
        (rc = rados_aio_read_op_operate(f->op, io, f->comp, oid, 0)) < 0) {
        f->fallback = true;
        virStorageRBDImageFetchRelease(f);
    }
}


/* Fills f->info from the header's keys; false when they are not those
 * of a format 2 image this can read. */
static bool
virStorageRBDImageHeaderParse(virStorageRBDImageFetch *f)
{
    bool haveSize = false;
    bool haveOrder = false;
    bool haveFeatures = false;

    while (true) {
        char *key = NULL;
        char *val = NULL;
        size_t keylen = 0;
        size_t vallen = 0;

        if (rados_omap_get_next2(f->keys, &key, &val, &keylen, &vallen) < 0)
            return false;
        if (!key)
            break;

        if (STREQ(key, "size") && vallen == 8) {
            f->info.capacity = virStorageRBDImageLE64(val);
            haveSize = true;
        } else if (STREQ(key, "order") && vallen == 1) {
            f->info.order = (unsigned char) val[0];
            haveOrder = true;
        } else if (STREQ(key, "features") && vallen == 8) {
            f->info.features = virStorageRBDImageLE64(val);
            haveFeatures = true;
        } else if (STREQ(key, "flags") && vallen == 8) {
            f->info.flags = virStorageRBDImageLE64(val);
        }
    }

    if (!haveSize || !haveOrder || !haveFeatures ||
        f->info.order < 12 || f->info.order > 26)
        return false;

    if (f->snapsRc < 0 || f->snapsMore)
        return false;

    f->info.objectSize = 1ULL << f->info.order;
    f->info.nsnaps = rados_omap_iter_size(f->snaps);
    return true;
}


static void
virStorageRBDImageHeaderCollect(virStorageRBDImageFetch *f)
{
    int rc;

    if (!f->comp)
        return;

    rados_aio_wait_for_complete(f->comp);
    rc = rados_aio_get_return_value(f->comp);
    if (rc == -ENOENT) {
        f->rc = rc;
    } else if (rc < 0 || f->keysRc < 0 || !virStorageRBDImageHeaderParse(f)) {
        f->fallback = true;
    } else {
        f->done = true;
    }

    virStorageRBDImageFetchRelease(f);
}


static uint64_t
virStorageRBDImageObjectCount(const virStorageRBDImageInfo *info)
{
    return info->capacity / info->objectSize +
        (info->capacity % info->objectSize ? 1 : 0);
}


/* Whether the allocation of @f is read from its object map. */
static bool
virStorageRBDImageMapUsable(const virStorageRBDImageFetch *f)
{
    return f->done &&
        virStorageRBDImageObjectCount(&f->info) <= VIR_STORAGE_RBD_IMAGE_MAX_MAP_OBJECTS &&
        (f->info.features & RBD_FEATURE_FAST_DIFF) &&
        !(f->info.flags & (RBD_FLAG_FAST_DIFF_INVALID | RBD_FLAG_OBJECT_MAP_INVALID));
}


static void
virStorageRBDImageMapSubmit(rados_ioctx_t io,
                            virStorageRBDImageFetch *f)
{
    uint64_t nobjs = virStorageRBDImageObjectCount(&f->info);
    g_autofree char *oid = NULL;
    int rc;

    if (nobjs == 0) {
        f->info.allocation = 0;
        return;
    }

    oid = g_strdup_printf("rbd_object_map.%s", f->id);
    f->maplen = 4 + VIR_STORAGE_RBD_IMAGE_MAP_HEADER_LEN + (nobjs + 3) / 4;
    f->map = g_new0(char, f->maplen);

    if ((rc = rados_aio_create_completion2(NULL, NULL, &f->comp)) < 0 ||
        (rc = rados_aio_read(io, oid, f->comp, f->map, f->maplen, 0)) < 0) {
        f->done = false;
        f->fallback = true;
        virStorageRBDImageFetchRelease(f);
    }
}


/* The allocation from the object map read into f->map: every object
 * that exists, the last one as far as the image reaches. */
static bool
virStorageRBDImageMapParse(virStorageRBDImageFetch *f,
                           size_t len)
{
    const virStorageRBDImageInfo *info = &f->info;
    uint64_t nobjs = virStorageRBDImageObjectCount(info);
    const unsigned char *data;
    unsigned long long allocation = 0;
    uint64_t i;

    if (len != f->maplen ||
        virStorageRBDImageLE32(f->map) != VIR_STORAGE_RBD_IMAGE_MAP_HEADER_LEN ||
        virStorageRBDImageLE64(f->map + 4 + 6) != nobjs)
        return false;

    data = (const unsigned char *) f->map + 4 + VIR_STORAGE_RBD_IMAGE_MAP_HEADER_LEN;
    for (i = 0; i < nobjs; i++) {
        unsigned int state = (data[i / 4] >> ((3 - i % 4) * 2)) & 3;

        if (state == 0)
            continue;
        if (i == nobjs - 1)
            allocation += info->capacity - i * info->objectSize;
        else
            allocation += info->objectSize;
    }

    f->info.allocation = allocation;
    return true;
}


static void
virStorageRBDImageMapCollect(virStorageRBDImageFetch *f)
{
    int rc;

    if (!f->comp)
        return;

    rados_aio_wait_for_complete(f->comp);
    rc = rados_aio_get_return_value(f->comp);
    virStorageRBDImageFetchRelease(f);

    if (rc < 0 || !virStorageRBDImageMapParse(f, rc)) {
        f->done = false;
        f->fallback = true;
    }
    g_clear_pointer(&f->map, g_free);
}


/* Reads through librbd, by up to VIR_STORAGE_RBD_IMAGE_READERS threads,
 * every image of @fetches marked fallback. */
static void
virStorageRBDImageFallback(rados_ioctx_t io,
                           virStorageRBDImageAllocation allocation,
                           virStorageRBDImageFetch *fetches,
                           size_t nfetches)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    g_autoptr(GArray) index = g_array_new(FALSE, FALSE, sizeof(size_t));
    virStorageRBDImageReadJob job = { 0 };
    g_autofree virStorageRBDImageInfo *infos = NULL;
    g_autofree int *rcs = NULL;
    size_t i;

    for (i = 0; i < nfetches; i++) {
        if (!fetches[i].fallback)
            continue;
        g_ptr_array_add(names, (gpointer) fetches[i].name);
        g_array_append_val(index, i);
    }

    if (names->len == 0)
        return;

    VIR_DEBUG("%u RBD images read through librbd", names->len);

    job.io = io;
    job.allocation = allocation;
    job.names = (char **) names->pdata;
    job.nnames = names->len;
    job.infos = infos = g_new0(virStorageRBDImageInfo, names->len);
    job.rcs = rcs = g_new0(int, names->len);
    virStorageRBDImageReadRun(&job);

    for (i = 0; i < names->len; i++) {
        virStorageRBDImageFetch *f = &fetches[g_array_index(index, size_t, i)];

        f->rc = rcs[i];
        if (rcs[i] == 0) {
            f->info = infos[i];
            f->done = true;
        }
    }
}


virStorageRBDImageList *
virStorageRBDImageReadAll(rados_ioctx_t io,
                          const char *poolname,
                          virStorageRBDImageAllocation allocation)
{
    g_autoptr(virStorageRBDImageList) list = NULL;
    g_autofree rbd_image_spec_t *specs = NULL;
    g_autoptr(GHashTable) seen = NULL;
    virStorageRBDImageFetch *fetches = NULL;
    size_t nspecs = 0;
    size_t i;
    int failed = -1;

    if (!(specs = virStorageRBDImageListSpecs(io, poolname, &nspecs)))
        return NULL;

    /* An image being removed is listed twice for a moment (librbd moves
     * it to the trash first): it is read once. */
    seen = g_hash_table_new(g_str_hash, g_str_equal);
    fetches = g_new0(virStorageRBDImageFetch, nspecs + 1);
    for (i = 0; i < nspecs; i++) {
        fetches[i].name = specs[i].name;
        fetches[i].id = specs[i].id;
        if (!g_hash_table_add(seen, specs[i].name)) {
            fetches[i].rc = -ENOENT;
            continue;
        }
        virStorageRBDImageHeaderSubmit(io, &fetches[i]);
    }
    for (i = 0; i < nspecs; i++)
        virStorageRBDImageHeaderCollect(&fetches[i]);

    for (i = 0; i < nspecs; i++) {
        virStorageRBDImageFetch *f = &fetches[i];

        if (!f->done)
            continue;
        if (allocation == VIR_STORAGE_RBD_IMAGE_ALLOCATION_CAPACITY)
            f->info.allocation = f->info.capacity;
        else if (virStorageRBDImageMapUsable(f))
            virStorageRBDImageMapSubmit(io, f);
        else {
            f->done = false;
            f->fallback = true;
        }
    }
    for (i = 0; i < nspecs; i++)
        virStorageRBDImageMapCollect(&fetches[i]);

    virStorageRBDImageFallback(io, allocation, fetches, nspecs);

    list = g_new0(virStorageRBDImageList, 1);
    list->images = g_new0(virStorageRBDImageInfo, nspecs + 1);
    for (i = 0; i < nspecs; i++) {
        virStorageRBDImageFetch *f = &fetches[i];

        if (f->done) {
            if (!f->info.name)
                f->info.name = g_strdup(f->name);
            list->images[list->nimages++] = f->info;
            f->info.name = NULL;
        } else if (f->rc == -ENOENT) {
            VIR_DEBUG("RBD image '%s' of RADOS pool '%s' was removed while the pool was read, or is listed twice",
                      f->name, poolname);
        } else if (failed < 0) {
            failed = i;
        }
    }

    if (failed >= 0)
        virStorageRBDImageReport(poolname, fetches[failed].name, fetches[failed].rc);

    for (i = 0; i < nspecs; i++)
        virStorageRBDImageInfoClear(&fetches[i].info);
    g_free(fetches);
    rbd_image_spec_list_cleanup(specs, nspecs);

    if (failed >= 0)
        return NULL;
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
