/*
 * storage_vol_rbd.c: what is done to one RBD image of a pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * All through librbd and librados, on the I/O context of the pool's
 * connection.  What each operation guarantees:
 *
 *  - create: checked before anything is made (name, format, an image
 *    of that name already there, the RADOS pool's free space); librbd
 *    makes the image in one call, and removes what it made itself when
 *    that call fails.
 *  - clone: a new snapshot of the source, protected, then a clone of it
 *    (layering), or a sparse copy of the source's data; then the new
 *    image is resized to the capacity asked.  Any failure removes the
 *    new image and the snapshot, so nothing is left half-made.  The
 *    snapshot is named "libvirt-clone-<clone>-<time>": deleting the
 *    clone removes it again when no other clone hangs on it, so the
 *    source can be deleted without --delete-snapshots afterwards.
 *  - delete: everything is checked on a read-only handle (which
 *    registers no watch, so it is no watcher itself) before anything
 *    is removed: watchers (a guest has the image open), clones of any
 *    of its snapshots, snapshots without the flag.
 *  - wipe "zero": only the extents that hold data (the parent's too for
 *    a clone) are zeroed, with write-zeroes requests of up to 1 GiB
 *    that librbd turns into object removals and truncations: no byte is
 *    sent for whole objects, and an empty image costs nothing.
 *
 * librbd returns -errno: errors are reported with it, never with errno.
 */

#include <config.h>

#include <rbd/librbd.h>

#include "storage_vol_rbd.h"
#include "storage_vol_name.h"
#include "virerror.h"
#include "virjson.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_rbd");

/* The largest range given to one librbd data call: they return an int
 * count of bytes.  A multiple of every object size (at most 2^25). */
#define VIR_STORAGE_VOL_RBD_CHUNK (1ULL << 30)

/* Blocks of zeros of this size are not written by a copy (clone
 * without layering): the new image stays thin. */
#define VIR_STORAGE_VOL_RBD_SPARSE_SIZE 4096

/* Prefix of the snapshots made to clone an image. */
#define VIR_STORAGE_VOL_RBD_CLONE_SNAP_PREFIX "libvirt-clone-"

G_DEFINE_AUTO_CLEANUP_FREE_FUNC(rbd_image_t, rbd_close, NULL);
G_DEFINE_AUTO_CLEANUP_FREE_FUNC(rbd_image_options_t, rbd_image_options_destroy, NULL);


int
virStorageVolRBDNameValidate(const char *poolname,
                             const char *volname)
{
    if (volname && strchr(volname, '/')) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume name '%s' in pool '%s' must not contain '/', which separates RADOS pools and namespaces: choose another name"),
                       volname, poolname);
        return -1;
    }

    if (volname && strchr(volname, '@')) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume name '%s' in pool '%s' must not contain '@', which names a snapshot: choose another name"),
                       volname, poolname);
        return -1;
    }

    /* empty, "." and "..": the rules of every volume name */
    return virStorageVolNameValidate(poolname, volname);
}


/* Refuses what an RBD image cannot be: another format than raw, an
 * encrypted volume. */
static int
virStorageVolRBDCheckDef(const char *poolname,
                         virStorageVolDef *vol)
{
    if (virStorageVolRBDNameValidate(poolname, vol->name) < 0)
        return -1;

    if (vol->target.format != VIR_STORAGE_FILE_RAW) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s' of pool '%s' cannot have format '%s': RBD images are raw"),
                       vol->name, poolname,
                       NULLSTR(virStorageFileFormatTypeToString(vol->target.format)));
        return -1;
    }

    if (vol->target.encryption) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s' of pool '%s' cannot be encrypted: RBD pools have no volume encryption, leave out <encryption>"),
                       vol->name, poolname);
        return -1;
    }

    return 0;
}


/* The name of the RADOS pool of @io, or NULL with an error reported. */
static char *
virStorageVolRBDRadosPoolName(rados_ioctx_t io,
                              const char *poolname)
{
    char buf[512];
    int rc;

    if ((rc = rados_ioctx_get_pool_name(io, buf, sizeof(buf))) < 0) {
        virReportSystemError(-rc,
                             _("cannot get the RADOS pool name of pool '%s'"),
                             poolname);
        return NULL;
    }
    return g_strndup(buf, rc);
}


int
virStorageVolRBDOpen(rados_ioctx_t io,
                     const char *poolname,
                     const char *name,
                     bool readonly,
                     rbd_image_t *image)
{
    int rc;

    if (readonly)
        rc = rbd_open_read_only(io, name, image, NULL);
    else
        rc = rbd_open(io, name, image, NULL);

    if (rc == -ENOENT) {
        virReportError(VIR_ERR_NO_STORAGE_VOL,
                       _("volume '%s' of pool '%s' no longer exists on the Ceph cluster: refresh the pool"),
                       name, poolname);
        return -1;
    }
    if (rc < 0) {
        virReportSystemError(-rc,
                             _("cannot open the RBD image of volume '%s' of pool '%s'"),
                             name, poolname);
        return -1;
    }
    return 0;
}


/* Does image @name exist?  0 no, 1 yes, -1 error reported. */
static int
virStorageVolRBDExists(rados_ioctx_t io,
                       const char *poolname,
                       const char *name)
{
    g_auto(rbd_image_t) image = NULL;
    int rc;

    rc = rbd_open_read_only(io, name, &image, NULL);
    if (rc == -ENOENT)
        return 0;
    if (rc < 0) {
        virReportSystemError(-rc,
                             _("cannot check whether volume '%s' exists in pool '%s'"),
                             name, poolname);
        return -1;
    }
    return 1;
}


/* ------------------------------------------------------- free space */

/*
 * The bytes new data may still take in the RADOS pool of @io: the
 * pool's "max_avail" of the cluster's df report, which counts its
 * replicas, the cluster's full ratio and the pool's quota (the
 * cluster's raw free space for a pool not in the report yet).  Returns 0
 * with *@known false when the cluster has no statistics yet (no mgr:
 * every number is 0), -1 with an error reported.
 */
static int
virStorageVolRBDPoolFree(rados_ioctx_t io,
                         const char *poolname,
                         unsigned long long *avail,
                         bool *known)
{
    const char *cmd[] = { "{\"prefix\": \"df\", \"format\": \"json\"}" };
    g_autoptr(virJSONValue) reply = NULL;
    g_autofree char *radosPool = NULL;
    g_autofree char *json = NULL;
    virJSONValue *stats;
    virJSONValue *pools;
    unsigned long long total = 0;
    char *outbuf = NULL;
    size_t outlen = 0;
    char *outs = NULL;
    size_t outslen = 0;
    size_t i;
    int rc;

    *known = false;
    if (!(radosPool = virStorageVolRBDRadosPoolName(io, poolname)))
        return -1;

    rc = rados_mon_command(rados_ioctx_get_cluster(io), cmd, G_N_ELEMENTS(cmd),
                           NULL, 0, &outbuf, &outlen, &outs, &outslen);
    if (rc >= 0)
        json = g_strndup(outbuf, outlen);
    rados_buffer_free(outbuf);
    rados_buffer_free(outs);
    if (rc < 0) {
        virReportSystemError(-rc,
                             _("cannot read the free space of the Ceph cluster of pool '%s'"),
                             poolname);
        return -1;
    }

    if (!(reply = virJSONValueFromString(json)) ||
        !(stats = virJSONValueObjectGetObject(reply, "stats")) ||
        !(pools = virJSONValueObjectGetArray(reply, "pools"))) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("the Ceph cluster of pool '%s' sent a df report without stats or pools"),
                       poolname);
        return -1;
    }

    if (virJSONValueObjectGetNumberUlong(stats, "total_bytes", &total) < 0 ||
        total == 0) {
        VIR_DEBUG("no statistics in the cluster of pool '%s' (no mgr?)", poolname);
        return 0;
    }

    for (i = 0; i < virJSONValueArraySize(pools); i++) {
        virJSONValue *pool = virJSONValueArrayGet(pools, i);
        virJSONValue *poolStats = virJSONValueObjectGetObject(pool, "stats");

        if (STRNEQ_NULLABLE(virJSONValueObjectGetString(pool, "name"), radosPool))
            continue;
        if (!poolStats ||
            virJSONValueObjectGetNumberUlong(poolStats, "max_avail", avail) < 0) {
            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("the df report of the Ceph cluster of pool '%s' has no max_avail for RADOS pool '%s'"),
                           poolname, radosPool);
            return -1;
        }
        *known = true;
        return 0;
    }

    /* a pool made seconds ago is not in the mgr's report yet */
    if (virJSONValueObjectGetNumberUlong(stats, "total_avail_bytes", avail) < 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("the df report of the Ceph cluster of pool '%s' has no total_avail_bytes"),
                       poolname);
        return -1;
    }
    VIR_DEBUG("RADOS pool '%s' not in the df report: the cluster's free space", radosPool);
    *known = true;
    return 0;
}


/* Refuses @bytes of new data for volume @volname when the RADOS pool
 * has less free space. */
static int
virStorageVolRBDCheckFree(rados_ioctx_t io,
                          const char *poolname,
                          const char *volname,
                          unsigned long long bytes)
{
    unsigned long long avail = 0;
    bool known;

    if (virStorageVolRBDPoolFree(io, poolname, &avail, &known) < 0)
        return -1;

    if (known && bytes > avail) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume '%s' of pool '%s' needs %llu bytes but its RADOS pool has only %llu bytes free: choose a smaller capacity or add storage to the Ceph cluster"),
                       volname, poolname, bytes, avail);
        return -1;
    }
    return 0;
}


/* ----------------------------------------------------------- define */

int
virStorageVolRBDDefine(rados_ioctx_t io,
                       const char *poolname,
                       virStorageVolDef *vol)
{
    g_autofree char *radosPool = NULL;
    int rc;

    if (virStorageVolRBDCheckDef(poolname, vol) < 0)
        return -1;

    if ((rc = virStorageVolRBDExists(io, poolname, vol->name)) < 0)
        return -1;
    if (rc > 0) {
        virReportError(VIR_ERR_STORAGE_VOL_EXIST,
                       _("an RBD image named '%s' already exists in pool '%s': refresh the pool to see it, or choose another name"),
                       vol->name, poolname);
        return -1;
    }

    if (!(radosPool = virStorageVolRBDRadosPoolName(io, poolname)))
        return -1;

    vol->type = VIR_STORAGE_VOL_NETWORK;
    g_free(vol->target.path);
    vol->target.path = g_strdup_printf("%s/%s", radosPool, vol->name);
    g_free(vol->key);
    vol->key = g_strdup(vol->target.path);
    return 0;
}


/* ------------------------------------------------------------ build */

int
virStorageVolRBDBuild(rados_ioctx_t io,
                      const char *poolname,
                      virStorageVolDef *vol,
                      unsigned int flags)
{
    g_auto(rbd_image_options_t) opts = NULL;
    int rc;

    virCheckFlags(0, -1);

    if (virStorageVolRBDCheckDef(poolname, vol) < 0)
        return -1;

    if (vol->target.capacity == 0) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume '%s' of pool '%s' needs a capacity larger than 0"),
                       vol->name, poolname);
        return -1;
    }

    if (virStorageVolRBDCheckFree(io, poolname, vol->name,
                                  vol->target.capacity) < 0)
        return -1;

    /* no option set: the cluster's rbd_default_* (format 2, features,
     * order, striping, data pool) apply */
    rbd_image_options_create(&opts);

    VIR_DEBUG("creating RBD image '%s' of %llu bytes", vol->name,
              vol->target.capacity);
    rc = rbd_create4(io, vol->name, vol->target.capacity, opts);
    if (rc == -EEXIST) {
        virReportError(VIR_ERR_STORAGE_VOL_EXIST,
                       _("an RBD image named '%s' already exists in pool '%s': refresh the pool to see it, or choose another name"),
                       vol->name, poolname);
        return -1;
    }
    if (rc < 0) {
        virReportSystemError(-rc,
                             _("cannot create the RBD image of volume '%s' in pool '%s'"),
                             vol->name, poolname);
        return -1;
    }
    return 0;
}


/* ------------------------------------------------------------ clone */

typedef struct _virStorageVolRBDLayout virStorageVolRBDLayout;
struct _virStorageVolRBDLayout {
    uint64_t size;
    uint64_t features;
    uint64_t order;
    uint64_t stripeUnit;
    uint64_t stripeCount;
    char *dataPool;             /* NULL: the image's own pool */
};

static void
virStorageVolRBDLayoutClear(virStorageVolRBDLayout *layout)
{
    g_clear_pointer(&layout->dataPool, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(virStorageVolRBDLayout, virStorageVolRBDLayoutClear);


/* Size, features, order, striping and data pool of @image. */
static int
virStorageVolRBDLayoutRead(rados_ioctx_t io,
                           const char *poolname,
                           const char *name,
                           rbd_image_t image,
                           virStorageVolRBDLayout *layout)
{
    rbd_image_info_t info;
    int64_t dataPoolId;
    int rc;

    if ((rc = rbd_stat(image, &info, sizeof(info))) < 0 ||
        (rc = rbd_get_features(image, &layout->features)) < 0 ||
        (rc = rbd_get_stripe_unit(image, &layout->stripeUnit)) < 0 ||
        (rc = rbd_get_stripe_count(image, &layout->stripeCount)) < 0) {
        virReportSystemError(-rc,
                             _("cannot read the size and features of volume '%s' of pool '%s'"),
                             name, poolname);
        return -1;
    }
    layout->size = info.size;
    layout->order = info.order;

    dataPoolId = rbd_get_data_pool_id(image);
    if (dataPoolId >= 0 && dataPoolId != rados_ioctx_get_id(io)) {
        char buf[512];

        if ((rc = rados_pool_reverse_lookup(rados_ioctx_get_cluster(io), dataPoolId,
                                            buf, sizeof(buf))) < 0) {
            virReportSystemError(-rc,
                                 _("cannot find the data pool of volume '%s' of pool '%s'"),
                                 name, poolname);
            return -1;
        }
        layout->dataPool = g_strndup(buf, rc);
    }
    return 0;
}


/* Image options for a copy or clone laid out like @layout. */
static rbd_image_options_t
virStorageVolRBDLayoutOptions(const virStorageVolRBDLayout *layout)
{
    rbd_image_options_t opts;

    rbd_image_options_create(&opts);
    rbd_image_options_set_uint64(opts, RBD_IMAGE_OPTION_FEATURES, layout->features);
    rbd_image_options_set_uint64(opts, RBD_IMAGE_OPTION_ORDER, layout->order);
    if (layout->features & RBD_FEATURE_STRIPINGV2) {
        rbd_image_options_set_uint64(opts, RBD_IMAGE_OPTION_STRIPE_UNIT,
                                     layout->stripeUnit);
        rbd_image_options_set_uint64(opts, RBD_IMAGE_OPTION_STRIPE_COUNT,
                                     layout->stripeCount);
    }
    if (layout->dataPool)
        rbd_image_options_set_string(opts, RBD_IMAGE_OPTION_DATA_POOL,
                                     layout->dataPool);
    return opts;
}


/* librbd's progress callbacks are called without checking for NULL. */
static int
virStorageVolRBDProgressIgnore(uint64_t done G_GNUC_UNUSED,
                               uint64_t total G_GNUC_UNUSED,
                               void *opaque G_GNUC_UNUSED)
{
    return 0;
}


/* Removes snapshot @snap of @image, unprotecting it; quiet (an undo). */
static int
virStorageVolRBDSnapRemoveQuiet(rbd_image_t image,
                                const char *snap)
{
    int rc = rbd_snap_remove2(image, snap, RBD_SNAP_REMOVE_UNPROTECT,
                                virStorageVolRBDProgressIgnore, NULL);

    if (rc < 0)
        VIR_WARN("cannot remove RBD snapshot '%s': %s", snap, g_strerror(-rc));
    return rc;
}


/* Removes image @name; quiet (an undo). */
static void
virStorageVolRBDRemoveQuiet(rados_ioctx_t io,
                            const char *name)
{
    int rc = rbd_remove(io, name);

    if (rc < 0 && rc != -ENOENT)
        VIR_WARN("cannot remove RBD image '%s': %s", name, g_strerror(-rc));
}


/* A copy-on-write clone @newname of a new snapshot of @src. */
static int
virStorageVolRBDCloneLayered(rados_ioctx_t io,
                             const char *poolname,
                             virStorageVolDef *origvol,
                             rbd_image_t src,
                             const char *newname,
                             const virStorageVolRBDLayout *layout)
{
    g_auto(rbd_image_options_t) opts = virStorageVolRBDLayoutOptions(layout);
    g_autofree char *snap = NULL;
    int rc;

    snap = g_strdup_printf(VIR_STORAGE_VOL_RBD_CLONE_SNAP_PREFIX "%s-%" G_GINT64_FORMAT,
                           newname, g_get_real_time());

    if ((rc = rbd_snap_create(src, snap)) < 0) {
        virReportSystemError(-rc,
                             _("cannot make snapshot '%s' of volume '%s' of pool '%s' to clone it"),
                             snap, origvol->name, poolname);
        return -1;
    }

    /* clones of format 1 need it; format 2 accepts it */
    if ((rc = rbd_snap_protect(src, snap)) < 0) {
        virReportSystemError(-rc,
                             _("cannot protect snapshot '%s' of volume '%s' of pool '%s' to clone it"),
                             snap, origvol->name, poolname);
        virStorageVolRBDSnapRemoveQuiet(src, snap);
        return -1;
    }

    VIR_DEBUG("cloning '%s@%s' to '%s'", origvol->name, snap, newname);
    if ((rc = rbd_clone3(io, origvol->name, snap, io, newname, opts)) < 0) {
        if (rc == -EEXIST)
            virReportError(VIR_ERR_STORAGE_VOL_EXIST,
                           _("an RBD image named '%s' already exists in pool '%s': refresh the pool to see it, or choose another name"),
                           newname, poolname);
        else
            virReportSystemError(-rc,
                                 _("cannot clone volume '%s' of pool '%s' to '%s'"),
                                 origvol->name, poolname, newname);
        /* a failed clone3 removes the child it started */
        virStorageVolRBDSnapRemoveQuiet(src, snap);
        return -1;
    }
    return 0;
}


/* A sparse copy @newname of @src's data (no layering). */
static int
virStorageVolRBDCloneCopy(rados_ioctx_t io,
                          const char *poolname,
                          virStorageVolDef *origvol,
                          rbd_image_t src,
                          const char *newname,
                          const virStorageVolRBDLayout *layout)
{
    g_auto(rbd_image_options_t) opts = virStorageVolRBDLayoutOptions(layout);
    int rc;

    VIR_DEBUG("copying '%s' to '%s'", origvol->name, newname);
    rc = rbd_copy4(src, io, newname, opts, VIR_STORAGE_VOL_RBD_SPARSE_SIZE);
    if (rc == -EEXIST) {
        virReportError(VIR_ERR_STORAGE_VOL_EXIST,
                       _("an RBD image named '%s' already exists in pool '%s': refresh the pool to see it, or choose another name"),
                       newname, poolname);
        return -1;
    }
    if (rc < 0) {
        virReportSystemError(-rc,
                             _("cannot copy volume '%s' of pool '%s' to '%s'"),
                             origvol->name, poolname, newname);
        /* the copy makes the image first, then fills it */
        virStorageVolRBDRemoveQuiet(io, newname);
        return -1;
    }
    return 0;
}


/* The snapshot the clone @name hangs on, if this unit made it: its
 * parent's pool id, image name and snapshot name. */
typedef struct _virStorageVolRBDCloneParent virStorageVolRBDCloneParent;
struct _virStorageVolRBDCloneParent {
    int64_t poolId;
    char *image;
    char *snap;
};

static void
virStorageVolRBDCloneParentClear(virStorageVolRBDCloneParent *parent)
{
    g_clear_pointer(&parent->image, g_free);
    g_clear_pointer(&parent->snap, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(virStorageVolRBDCloneParent, virStorageVolRBDCloneParentClear);


/* Fills @parent when @image (volume @name) is a clone of a snapshot
 * made for it by virStorageVolRBDCloneLayered; quiet. */
static void
virStorageVolRBDCloneParentRead(rbd_image_t image,
                                const char *name,
                                virStorageVolRBDCloneParent *parent)
{
    rbd_linked_image_spec_t spec = { 0 };
    rbd_snap_spec_t snap = { 0 };
    g_autofree char *prefix = NULL;

    if (rbd_get_parent(image, &spec, &snap) < 0)
        return;

    prefix = g_strdup_printf(VIR_STORAGE_VOL_RBD_CLONE_SNAP_PREFIX "%s-", name);
    if (!spec.trash && snap.name && g_str_has_prefix(snap.name, prefix) &&
        (!spec.pool_namespace || !*spec.pool_namespace)) {
        parent->poolId = spec.pool_id;
        parent->image = g_strdup(spec.image_name);
        parent->snap = g_strdup(snap.name);
    }
    rbd_linked_image_spec_cleanup(&spec);
    rbd_snap_spec_cleanup(&snap);
}


/* Removes the snapshot @parent names, unless another clone uses it;
 * quiet: the clone is gone already, this is tidying up. */
static void
virStorageVolRBDCloneParentRemoveQuiet(rados_ioctx_t io,
                                       const virStorageVolRBDCloneParent *parent)
{
    rados_ioctx_t parentIo = io;
    g_auto(rbd_image_t) image = NULL;
    int rc;

    if (parent->poolId != rados_ioctx_get_id(io) &&
        (rc = rados_ioctx_create2(rados_ioctx_get_cluster(io), parent->poolId,
                                  &parentIo)) < 0) {
        VIR_WARN("cannot open the pool of RBD image '%s': %s",
                 parent->image, g_strerror(-rc));
        return;
    }

    if ((rc = rbd_open(parentIo, parent->image, &image, NULL)) < 0) {
        VIR_WARN("cannot open RBD image '%s': %s", parent->image, g_strerror(-rc));
    } else {
        /* EBUSY while another clone hangs on it: it stays */
        VIR_DEBUG("removing clone snapshot '%s@%s'", parent->image, parent->snap);
        ignore_value(virStorageVolRBDSnapRemoveQuiet(image, parent->snap));
    }

    g_clear_pointer(&image, rbd_close);
    if (parentIo != io)
        rados_ioctx_destroy(parentIo);
}


/* Sets the size of image @name, just made, to @capacity. */
static int
virStorageVolRBDCloneSetSize(rados_ioctx_t io,
                             const char *poolname,
                             const char *name,
                             unsigned long long capacity)
{
    g_auto(rbd_image_t) image = NULL;
    int rc;

    if (virStorageVolRBDOpen(io, poolname, name, false, &image) < 0)
        return -1;

    if ((rc = rbd_resize2(image, capacity, false,
                           virStorageVolRBDProgressIgnore, NULL)) < 0) {
        virReportSystemError(-rc,
                             _("cannot resize the clone '%s' of pool '%s' to %llu bytes"),
                             name, poolname, capacity);
        return -1;
    }
    return 0;
}


/* Removes what a clone @name of @src made, after @name was made. */
static void
virStorageVolRBDCloneUndo(rados_ioctx_t io,
                          const char *name)
{
    g_auto(virStorageVolRBDCloneParent) parent = { 0 };
    g_auto(rbd_image_t) image = NULL;

    if (rbd_open_read_only(io, name, &image, NULL) == 0)
        virStorageVolRBDCloneParentRead(image, name, &parent);
    g_clear_pointer(&image, rbd_close);

    virStorageVolRBDRemoveQuiet(io, name);
    if (parent.snap)
        virStorageVolRBDCloneParentRemoveQuiet(io, &parent);
}


int
virStorageVolRBDBuildFrom(rados_ioctx_t io,
                          const char *poolname,
                          virStorageVolDef *newvol,
                          virStorageVolDef *origvol,
                          unsigned int flags,
                          bool *existed)
{
    g_auto(virStorageVolRBDLayout) layout = { 0 };
    g_auto(rbd_image_t) src = NULL;
    bool layered;
    int rc;

    *existed = false;
    virCheckFlags(VIR_STORAGE_VOL_CREATE_REFLINK, -1);

    if (virStorageVolRBDCheckDef(poolname, newvol) < 0)
        return -1;

    if ((rc = virStorageVolRBDExists(io, poolname, newvol->name)) < 0)
        return -1;
    if (rc > 0) {
        *existed = true;
        virReportError(VIR_ERR_STORAGE_VOL_EXIST,
                       _("an RBD image named '%s' already exists in pool '%s': refresh the pool to see it, or choose another name"),
                       newvol->name, poolname);
        return -1;
    }

    /* read-write: the snapshot is made through this handle */
    if (virStorageVolRBDOpen(io, poolname, origvol->name, false, &src) < 0 ||
        virStorageVolRBDLayoutRead(io, poolname, origvol->name, src, &layout) < 0)
        return -1;

    if (newvol->target.capacity < layout.size) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume '%s' of pool '%s' is %llu bytes, more than the %llu bytes asked for its clone '%s': ask for at least its size"),
                       origvol->name, poolname, (unsigned long long) layout.size,
                       newvol->target.capacity, newvol->name);
        return -1;
    }

    layered = layout.features & RBD_FEATURE_LAYERING;
    if (!layered && (flags & VIR_STORAGE_VOL_CREATE_REFLINK)) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("volume '%s' of pool '%s' has no layering feature, so it cannot be cloned copy-on-write: clone it without --reflink to copy its data"),
                       origvol->name, poolname);
        return -1;
    }

    if (virStorageVolRBDCheckFree(io, poolname, newvol->name,
                                  newvol->target.capacity) < 0)
        return -1;

    if (layered)
        rc = virStorageVolRBDCloneLayered(io, poolname, origvol, src,
                                          newvol->name, &layout);
    else
        rc = virStorageVolRBDCloneCopy(io, poolname, origvol, src,
                                       newvol->name, &layout);
    if (rc < 0)
        return -1;

    if (newvol->target.capacity != layout.size &&
        virStorageVolRBDCloneSetSize(io, poolname, newvol->name,
                                     newvol->target.capacity) < 0) {
        virErrorPtr err;

        virErrorPreserveLast(&err);
        virStorageVolRBDCloneUndo(io, newvol->name);
        virErrorRestore(&err);
        return -1;
    }
    return 0;
}


/* ----------------------------------------------------------- delete */

/* Refuses to remove @image while a Ceph client has it open. */
static int
virStorageVolRBDCheckWatchers(const char *poolname,
                              const char *name,
                              rbd_image_t image)
{
    g_autofree rbd_image_watcher_t *watchers = NULL;
    size_t count = 4;
    int rc;

    do {
        g_free(watchers);
        watchers = g_new0(rbd_image_watcher_t, count);
        rc = rbd_watchers_list(image, watchers, &count);
    } while (rc == -ERANGE);

    if (rc < 0) {
        virReportSystemError(-rc,
                             _("cannot list the clients that have volume '%s' of pool '%s' open"),
                             name, poolname);
        return -1;
    }

    if (count > 0) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' of pool '%s' is open by a Ceph client at %s: stop the guest or program using it first"),
                       name, poolname, watchers[0].addr);
        rbd_watchers_list_cleanup(watchers, count);
        return -1;
    }
    return 0;
}


/* Refuses to remove @image while a clone hangs on one of its
 * snapshots, naming the clone. */
static int
virStorageVolRBDCheckChildren(const char *poolname,
                              const char *name,
                              rbd_image_t image)
{
    g_autofree rbd_linked_image_spec_t *children = NULL;
    g_autofree char *child = NULL;
    size_t count = 4;
    int rc;

    do {
        g_free(children);
        children = g_new0(rbd_linked_image_spec_t, count);
        rc = rbd_list_children3(image, children, &count);
    } while (rc == -ERANGE);

    if (rc < 0) {
        virReportSystemError(-rc,
                             _("cannot list the clones of volume '%s' of pool '%s'"),
                             name, poolname);
        return -1;
    }
    if (count == 0)
        return 0;

    if (children[0].pool_namespace && *children[0].pool_namespace)
        child = g_strdup_printf("%s/%s/%s", children[0].pool_name,
                                children[0].pool_namespace, children[0].image_name);
    else
        child = g_strdup_printf("%s/%s", children[0].pool_name,
                                children[0].image_name);

    if (children[0].trash)
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' of pool '%s' is the parent of clone '%s', which is in the RBD trash: purge the trash or restore and flatten the clone first"),
                       name, poolname, child);
    else
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' of pool '%s' is the parent of clone '%s': delete or flatten the clone first"),
                       name, poolname, child);
    rbd_linked_image_spec_list_cleanup(children, count);
    return -1;
}


/* The snapshots of @image (their names, NULL-terminated), or -1. */
static int
virStorageVolRBDSnapNames(const char *poolname,
                          const char *name,
                          rbd_image_t image,
                          GStrv *names)
{
    g_autofree rbd_snap_info_t *snaps = NULL;
    int max = 8;
    int rc;
    int i;

    do {
        g_free(snaps);
        snaps = g_new0(rbd_snap_info_t, max);
        rc = rbd_snap_list(image, snaps, &max);
    } while (rc == -ERANGE);

    if (rc < 0) {
        virReportSystemError(-rc,
                             _("cannot list the snapshots of volume '%s' of pool '%s'"),
                             name, poolname);
        return -1;
    }

    *names = g_new0(char *, rc + 1);
    for (i = 0; i < rc; i++)
        (*names)[i] = g_strdup(snaps[i].name);
    rbd_snap_list_end(snaps);
    return 0;
}


/* Unprotects and removes every snapshot of image @name. */
static int
virStorageVolRBDRemoveSnapshots(rados_ioctx_t io,
                                const char *poolname,
                                const char *name)
{
    g_auto(rbd_image_t) image = NULL;
    g_auto(GStrv) snaps = NULL;
    size_t i;
    int rc;

    if (virStorageVolRBDOpen(io, poolname, name, false, &image) < 0 ||
        virStorageVolRBDSnapNames(poolname, name, image, &snaps) < 0)
        return -1;

    for (i = 0; snaps[i]; i++) {
        VIR_DEBUG("removing snapshot '%s@%s'", name, snaps[i]);
        rc = rbd_snap_remove2(image, snaps[i], RBD_SNAP_REMOVE_UNPROTECT,
                                virStorageVolRBDProgressIgnore, NULL);
        if (rc < 0 && rc != -ENOENT) {
            virReportSystemError(-rc,
                                 _("cannot remove snapshot '%s' of volume '%s' of pool '%s'"),
                                 snaps[i], name, poolname);
            return -1;
        }
    }
    return 0;
}


int
virStorageVolRBDDelete(rados_ioctx_t io,
                       const char *poolname,
                       virStorageVolDef *vol,
                       unsigned int flags)
{
    g_auto(virStorageVolRBDCloneParent) parent = { 0 };
    g_auto(rbd_image_t) image = NULL;
    g_auto(GStrv) snaps = NULL;
    int rc;

    /* ZEROED: removed objects leave no data behind to zero */
    virCheckFlags(VIR_STORAGE_VOL_DELETE_ZEROED |
                  VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS, -1);

    if (virStorageVolRBDNameValidate(poolname, vol->name) < 0)
        return -1;

    /* read-only: no watch of our own among the watchers */
    rc = rbd_open_read_only(io, vol->name, &image, NULL);
    if (rc == -ENOENT) {
        VIR_DEBUG("RBD image '%s' is gone already", vol->name);
        return 0;
    }
    if (rc < 0) {
        virReportSystemError(-rc,
                             _("cannot open the RBD image of volume '%s' of pool '%s'"),
                             vol->name, poolname);
        return -1;
    }

    if (virStorageVolRBDCheckWatchers(poolname, vol->name, image) < 0 ||
        virStorageVolRBDCheckChildren(poolname, vol->name, image) < 0 ||
        virStorageVolRBDSnapNames(poolname, vol->name, image, &snaps) < 0)
        return -1;

    if (snaps[0] && !(flags & VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' of pool '%s' has %u snapshots (the first is '%s'): delete them first, or delete the volume with its snapshots (virsh vol-delete --delete-snapshots)"),
                       vol->name, poolname, g_strv_length(snaps), snaps[0]);
        return -1;
    }

    virStorageVolRBDCloneParentRead(image, vol->name, &parent);
    g_clear_pointer(&image, rbd_close);

    if (snaps[0] && virStorageVolRBDRemoveSnapshots(io, poolname, vol->name) < 0)
        return -1;

    VIR_DEBUG("removing RBD image '%s'", vol->name);
    rc = rbd_remove(io, vol->name);
    if (rc == -EBUSY) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' of pool '%s' is open by a Ceph client: stop the guest or program using it first"),
                       vol->name, poolname);
        return -1;
    }
    if (rc == -ENOTEMPTY) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' of pool '%s' has snapshots: delete them first, or delete the volume with its snapshots (virsh vol-delete --delete-snapshots)"),
                       vol->name, poolname);
        return -1;
    }
    if (rc < 0 && rc != -ENOENT) {
        virReportSystemError(-rc,
                             _("cannot remove the RBD image of volume '%s' of pool '%s'"),
                             vol->name, poolname);
        return -1;
    }

    if (parent.snap)
        virStorageVolRBDCloneParentRemoveQuiet(io, &parent);
    return 0;
}


/* ----------------------------------------------------------- resize */

int
virStorageVolRBDResize(rados_ioctx_t io,
                       const char *poolname,
                       virStorageVolDef *vol,
                       unsigned long long capacity,
                       unsigned int flags)
{
    g_auto(rbd_image_t) image = NULL;
    uint64_t size;
    int rc;

    virCheckFlags(VIR_STORAGE_VOL_RESIZE_ALLOCATE |
                  VIR_STORAGE_VOL_RESIZE_SHRINK, -1);

    if (flags & VIR_STORAGE_VOL_RESIZE_ALLOCATE) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("volume '%s' of pool '%s' cannot be resized with --allocate: RBD images are thin, resize without it"),
                       vol->name, poolname);
        return -1;
    }

    if (virStorageVolRBDOpen(io, poolname, vol->name, false, &image) < 0)
        return -1;

    if ((rc = rbd_get_size(image, &size)) < 0) {
        virReportSystemError(-rc,
                             _("cannot get the size of volume '%s' of pool '%s'"),
                             vol->name, poolname);
        return -1;
    }

    /* the image may have changed since the pool last looked */
    if (capacity < size && !(flags & VIR_STORAGE_VOL_RESIZE_SHRINK)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume '%s' of pool '%s' is %llu bytes: shrinking it to %llu bytes needs the shrink flag (virsh vol-resize --shrink)"),
                       vol->name, poolname, (unsigned long long) size, capacity);
        return -1;
    }

    if (capacity > size &&
        virStorageVolRBDCheckFree(io, poolname, vol->name, capacity - size) < 0)
        return -1;

    VIR_DEBUG("resizing RBD image '%s' from %llu to %llu bytes", vol->name,
              (unsigned long long) size, capacity);
    if ((rc = rbd_resize2(image, capacity, capacity < size,
                           virStorageVolRBDProgressIgnore, NULL)) < 0) {
        virReportSystemError(-rc,
                             _("cannot resize volume '%s' of pool '%s' to %llu bytes"),
                             vol->name, poolname, capacity);
        return -1;
    }
    return 0;
}


/* ------------------------------------------------------------- wipe */

typedef struct _virStorageVolRBDExtent virStorageVolRBDExtent;
struct _virStorageVolRBDExtent {
    uint64_t offset;
    uint64_t length;
};

/* rbd_diff_iterate2 callback: adds a data extent to a GArray, merged
 * with the previous one when they touch. */
static int
virStorageVolRBDExtentAdd(uint64_t offset,
                          size_t length,
                          int exists,
                          void *opaque)
{
    GArray *extents = opaque;
    virStorageVolRBDExtent *last;
    virStorageVolRBDExtent ext = { offset, length };

    if (!exists || length == 0)
        return 0;

    if (extents->len > 0) {
        last = &g_array_index(extents, virStorageVolRBDExtent, extents->len - 1);
        if (last->offset + last->length == offset) {
            last->length += length;
            return 0;
        }
    }
    g_array_append_val(extents, ext);
    return 0;
}


/* Makes every byte of @image read as zero, extent by extent. */
static int
virStorageVolRBDWipeZero(const char *poolname,
                         const char *name,
                         rbd_image_t image,
                         uint64_t size)
{
    g_autoptr(GArray) extents = g_array_new(FALSE, FALSE, sizeof(virStorageVolRBDExtent));
    size_t i;
    int rc;

    /* whole objects, the parent's data included: a clone must read as
     * zeros too, not as its parent */
    if ((rc = rbd_diff_iterate2(image, NULL, 0, size, 1, 1,
                                virStorageVolRBDExtentAdd, extents)) < 0) {
        virReportSystemError(-rc,
                             _("cannot list the data extents of volume '%s' of pool '%s'"),
                             name, poolname);
        return -1;
    }

    for (i = 0; i < extents->len; i++) {
        virStorageVolRBDExtent *ext = &g_array_index(extents, virStorageVolRBDExtent, i);
        uint64_t done;

        for (done = 0; done < ext->length; ) {
            uint64_t len = MIN(ext->length - done, VIR_STORAGE_VOL_RBD_CHUNK);
            ssize_t wrote = rbd_write_zeroes(image, ext->offset + done, len, 0, 0);

            if (wrote < 0) {
                virReportSystemError(-wrote,
                                     _("cannot zero %llu bytes at offset %llu of volume '%s' of pool '%s'"),
                                     (unsigned long long) len,
                                     (unsigned long long) (ext->offset + done),
                                     name, poolname);
                return -1;
            }
            done += len;
        }
    }
    VIR_DEBUG("zeroed %u extents of RBD image '%s'", extents->len, name);
    return 0;
}


/* Discards the whole of @image. */
static int
virStorageVolRBDWipeTrim(const char *poolname,
                         const char *name,
                         rbd_image_t image,
                         uint64_t size)
{
    uint64_t offset;
    int rc;

    for (offset = 0; offset < size; offset += VIR_STORAGE_VOL_RBD_CHUNK) {
        uint64_t len = MIN(size - offset, VIR_STORAGE_VOL_RBD_CHUNK);

        if ((rc = rbd_discard(image, offset, len)) < 0) {
            virReportSystemError(-rc,
                                 _("cannot discard %llu bytes at offset %llu of volume '%s' of pool '%s'"),
                                 (unsigned long long) len,
                                 (unsigned long long) offset, name, poolname);
            return -1;
        }
    }
    return 0;
}


/* virsh's names of the algorithms, by virStorageVolWipeAlgorithm */
static const char *const virStorageVolRBDWipeNames[] = {
    "zero", "nnsa", "dod", "bsi", "gutmann", "schneier", "pfitzner7",
    "pfitzner33", "random", "trim",
};
G_STATIC_ASSERT(G_N_ELEMENTS(virStorageVolRBDWipeNames) == VIR_STORAGE_VOL_WIPE_ALG_LAST);


int
virStorageVolRBDWipe(rados_ioctx_t io,
                     const char *poolname,
                     virStorageVolDef *vol,
                     unsigned int algorithm,
                     unsigned int flags)
{
    g_auto(rbd_image_t) image = NULL;
    uint64_t size;
    bool trim;
    int rc;

    virCheckFlags(0, -1);

    /* zero and trim are ranges the cluster releases; every other
     * algorithm writes patterns an RBD image does not keep anyway */
    if (algorithm >= VIR_STORAGE_VOL_WIPE_ALG_LAST) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("unknown wipe algorithm %u: choose one that 'virsh vol-wipe --help' lists"),
                       algorithm);
        return -1;
    }
    if (algorithm != VIR_STORAGE_VOL_WIPE_ALG_ZERO &&
        algorithm != VIR_STORAGE_VOL_WIPE_ALG_TRIM) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s' of pool '%s' cannot be wiped with algorithm '%s': RBD volumes are wiped with 'zero' or 'trim'"),
                       vol->name, poolname, virStorageVolRBDWipeNames[algorithm]);
        return -1;
    }
    trim = algorithm == VIR_STORAGE_VOL_WIPE_ALG_TRIM;

    if (virStorageVolRBDOpen(io, poolname, vol->name, false, &image) < 0)
        return -1;

    if ((rc = rbd_get_size(image, &size)) < 0) {
        virReportSystemError(-rc,
                             _("cannot get the size of volume '%s' of pool '%s'"),
                             vol->name, poolname);
        return -1;
    }

    if (trim)
        return virStorageVolRBDWipeTrim(poolname, vol->name, image, size);
    return virStorageVolRBDWipeZero(poolname, vol->name, image, size);
}


/* ---------------------------------------------------------- refresh */

int
virStorageVolRBDRefresh(rados_ioctx_t io,
                        const char *poolname,
                        virStorageVolDef *vol,
                        virStorageRBDImageAllocation allocation)
{
    g_auto(virStorageRBDImageInfo) info = { 0 };
    g_autofree char *radosPool = NULL;
    int rc;

    if (!(radosPool = virStorageVolRBDRadosPoolName(io, poolname)))
        return -1;

    rc = virStorageRBDImageReadQuiet(io, vol->name, allocation, &info);
    if (rc == -ENOENT) {
        virReportError(VIR_ERR_NO_STORAGE_VOL,
                       _("volume '%s' of pool '%s' no longer exists on the Ceph cluster: refresh the pool"),
                       vol->name, poolname);
        return -1;
    }
    if (rc < 0) {
        virReportSystemError(-rc,
                             _("cannot read the size and allocation of volume '%s' of pool '%s'"),
                             vol->name, poolname);
        return -1;
    }

    virStorageRBDImageApply(radosPool, &info, vol);
    return 0;
}
