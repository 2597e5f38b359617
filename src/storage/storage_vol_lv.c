/*
 * storage_vol_lv.c: volumes that are LVM logical volumes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A new volume is a thin LV when the pool XML names a thin pool
 * (<lvm:thinpool>), or when the volume asks for less allocation than
 * capacity and the VG has a thin pool (the first one lvs lists); it is a
 * linear LV otherwise.  lvm2 rounds sizes up to whole extents.
 *
 * Old-style sparse volumes (COW snapshots of a virtual origin, which
 * libvirt 9.0's logical backend makes for allocation < capacity) are
 * listed and can be read, deleted and uploaded to, but not resized or
 * wiped: writing fills their COW area, and a full one becomes unusable.
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "storage_vol_lv.h"
#include "storage_vol_block.h"
#include "storage_blockdev.h"
#include "storage_vol_job.h"
#include "storage_pool_logical_namespace.h"
#include "storage_command.h"
#include "storage_size.h"
#include "viralloc.h"
#include "virerror.h"
#include "virstring.h"
#include "virlog.h"
#include "virfile.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_lv");

/* Parts of names lvm2 keeps for the LVs it makes itself. */
static const char *const virStorageVolLVReservedInfixes[] = {
    "_cdata", "_cmeta", "_corig", "_iorig", "_mimage", "_mlog", "_pmspare",
    "_rimage", "_rmeta", "_tdata", "_tmeta", "_vdata", "_vorigin", "_wcorig",
};

static const char *const virStorageVolLVReservedPrefixes[] = { "snapshot", "pvmove" };


int
virStorageVolLVNameValidate(const char *poolname,
                            const char *volname)
{
    const char *why = NULL;
    size_t i;

    if (volname && strchr(volname, '/'))
        why = _("it contains '/'");
    else
        why = virStorageLVMNameCharsetProblem(volname);

    for (i = 0; !why && i < G_N_ELEMENTS(virStorageVolLVReservedInfixes); i++) {
        if (strstr(volname, virStorageVolLVReservedInfixes[i]))
            why = _("lvm2 keeps names with that part for its own LVs");
    }
    for (i = 0; !why && i < G_N_ELEMENTS(virStorageVolLVReservedPrefixes); i++) {
        if (STRPREFIX(volname, virStorageVolLVReservedPrefixes[i]))
            why = _("lvm2 keeps names with that prefix for its own LVs");
    }

    if (why) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("'%s' is not a valid volume name in logical pool '%s': %s"),
                       NULLSTR(volname), poolname, why);
        return -1;
    }
    return 0;
}


/* The extents of @lv: one per PV of each segment, in bytes. */
static void
virStorageVolLVExtents(const virStorageLVMLV *lv,
                       virStorageVolDef *vol)
{
    size_t i;
    size_t j;

    for (i = 0; i < lv->nsegments; i++) {
        const virStorageLVMSegment *seg = &lv->segments[i];
        unsigned long long length = seg->size;

        if (STREQ_NULLABLE(seg->segtype, "striped") && seg->stripes > 1)
            length /= seg->stripes;

        for (j = 0; j < seg->ndevices; j++) {
            virStorageVolSourceExtent extent;

            extent.path = g_strdup(seg->devices[j].path);
            extent.start = seg->devices[j].startExtent * lv->extentSize;
            extent.end = extent.start + length;
            VIR_APPEND_ELEMENT(vol->source.extents, vol->source.nextent, extent);
        }
    }
}


static void
virStorageVolLVClearExtents(virStorageVolDef *vol)
{
    size_t i;

    for (i = 0; i < vol->source.nextent; i++)
        g_free(vol->source.extents[i].path);
    g_clear_pointer(&vol->source.extents, g_free);
    vol->source.nextent = 0;
}


static void
virStorageVolLVPerms(virStorageVolDef *vol)
{
    struct stat st;

    if (!vol->target.perms) {
        vol->target.perms = g_new0(virStoragePerms, 1);
        vol->target.perms->mode = (mode_t) -1;
        vol->target.perms->uid = (uid_t) -1;
        vol->target.perms->gid = (gid_t) -1;
    }

    /* an inactive LV has no device node */
    if (stat(vol->target.path, &st) < 0)
        return;

    vol->target.perms->mode = st.st_mode & (S_IRWXU | S_IRWXG | S_IRWXO);
    vol->target.perms->uid = st.st_uid;
    vol->target.perms->gid = st.st_gid;
}


void
virStorageVolLVFromLV(virStoragePoolDef *def,
                      const virStorageLVMLV *lv,
                      virStorageVolDef *vol)
{
    vol->type = VIR_STORAGE_VOL_BLOCK;
    /* the formatter shows a backing store only under a typed target */
    vol->target.type = VIR_STORAGE_TYPE_BLOCK;
    if (!vol->name)
        vol->name = g_strdup(lv->name);
    if (!vol->key)
        vol->key = g_strdup(lv->uuid);
    if (!vol->target.path)
        vol->target.path = g_strdup_printf("%s/%s", def->target.path, lv->name);

    vol->target.capacity = virStorageLVMLVCapacity(lv);
    vol->target.allocation = virStorageLVMLVAllocation(lv);
    vol->target.sparse = lv->kind == VIR_STORAGE_LVM_LV_THIN ||
                         lv->kind == VIR_STORAGE_LVM_LV_SPARSE;

    if (lv->kind == VIR_STORAGE_LVM_LV_SNAPSHOT && lv->origin &&
        !vol->target.backingStore) {
        vol->target.backingStore = virStorageSourceNew();
        vol->target.backingStore->type = VIR_STORAGE_TYPE_BLOCK;
        vol->target.backingStore->path = g_strdup_printf("%s/%s",
                                                         def->target.path,
                                                         lv->origin);
        vol->target.backingStore->format = VIR_STORAGE_POOL_LOGICAL_LVM2;
    }

    virStorageVolLVClearExtents(vol);
    virStorageVolLVExtents(lv, vol);
    virStorageVolLVPerms(vol);
}


/* The LV of @vol in @lvs, or NULL after reporting that it is gone. */
static const virStorageLVMLV *
virStorageVolLVFindLV(virStoragePoolDef *def,
                      const virStorageLVMLVList *lvs,
                      virStorageVolDef *vol)
{
    const virStorageLVMLV *lv = virStorageLVMLVListFind(lvs, vol->name);

    if (!lv)
        virReportError(VIR_ERR_NO_STORAGE_VOL,
                       _("logical volume '%s' of pool '%s' no longer exists in volume group '%s': refresh the pool"),
                       vol->name, def->name, def->source.name);
    return lv;
}


/*
 * The thin pool a new volume goes in, or NULL for a linear LV.
 * Returns -1 when the pool XML names a thin pool the VG lacks.
 */
static int
virStorageVolLVChooseThinPool(virStoragePoolDef *def,
                              const virStorageLVMLVList *lvs,
                              virStorageVolDef *vol,
                              const char **thinpool)
{
    const char *named = virStoragePoolLogicalThinPoolGet(def);
    size_t i;

    *thinpool = NULL;

    if (named) {
        const virStorageLVMLV *lv = virStorageLVMLVListFind(lvs, named);

        if (!lv || lv->kind != VIR_STORAGE_LVM_LV_THIN_POOL) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("pool '%s' names thin pool '%s', which is not a thin pool of volume group '%s': create it (lvcreate --type thin-pool) or fix <lvm:thinpool>"),
                           def->name, named, def->source.name);
            return -1;
        }
        *thinpool = named;
        return 0;
    }

    if (!vol->target.has_allocation ||
        vol->target.allocation >= vol->target.capacity)
        return 0;

    for (i = 0; i < lvs->nlvs; i++) {
        if (lvs->lvs[i].kind == VIR_STORAGE_LVM_LV_THIN_POOL) {
            *thinpool = lvs->lvs[i].name;
            break;
        }
    }
    return 0;
}


/* Reports when the VG lacks @needed free bytes for volume @volname. */
static int
virStorageVolLVRequireFreeSpace(virStoragePoolDef *def,
                                const char *volname,
                                unsigned long long needed)
{
    g_autoptr(virStorageLVMVGList) vgs = NULL;
    const virStorageLVMVG *vg;
    unsigned long long rounded;

    if (!(vgs = virStorageLVMListVG(def->source.name)))
        return -1;
    if (vgs->nvgs != 1) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume group '%s' of pool '%s' has disappeared"),
                       def->source.name, def->name);
        return -1;
    }
    vg = &vgs->vgs[0];

    if (!virStorageSizeRoundUp(needed, vg->extentSize, &rounded) ||
        rounded > vg->free) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("volume '%s' needs %llu bytes, but volume group '%s' of pool '%s' has only %llu bytes free"),
                       volname, needed, def->source.name, def->name, vg->free);
        return -1;
    }
    return 0;
}


/* The owner and mode the volume XML asks for, on the LV's device node. */
static int
virStorageVolLVApplyPerms(virStorageVolDef *vol)
{
    virStoragePerms *perms = vol->target.perms;

    if (!perms)
        return 0;

    if ((perms->uid != (uid_t) -1 || perms->gid != (gid_t) -1) &&
        chown(vol->target.path, perms->uid, perms->gid) < 0) {
        virReportSystemError(errno, _("cannot set the owner of volume '%s' (%s)"),
                             vol->name, vol->target.path);
        return -1;
    }

    if (perms->mode != (mode_t) -1 &&
        chmod(vol->target.path, perms->mode) < 0) {
        virReportSystemError(errno, _("cannot set the mode of volume '%s' (%s)"),
                             vol->name, vol->target.path);
        return -1;
    }
    return 0;
}


static int
virStorageVolLVRefreshFromLVs(virStoragePoolDef *def,
                              virStorageVolDef *vol)
{
    g_autoptr(virStorageLVMLVList) lvs = NULL;
    const virStorageLVMLV *lv;

    if (!(lvs = virStorageLVMListLVs(def->source.name, vol->name)) ||
        !(lv = virStorageVolLVFindLV(def, lvs, vol)))
        return -1;

    virStorageVolLVFromLV(def, lv, vol);
    return 0;
}


static int
virStorageVolLVRemoveLV(virStoragePoolDef *def,
                        const char *lvname)
{
    g_autoptr(virCommand) cmd = virStorageLVMBuildLVRemove(def->source.name,
                                                           lvname);

    return virStorageLVMRun(cmd, _("cannot remove volume '%s' of pool '%s'"),
                            lvname, def->name);
}


static int
virStorageVolLVCheckCreatable(virStoragePoolDef *def,
                              virStorageVolDef *vol)
{
    if (vol->target.encryption) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s': logical pools do not create encrypted volumes; encrypt the LV inside the guest"),
                       vol->name);
        return -1;
    }
    if (virStorageSourceHasBacking(&vol->target)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s': logical pools do not create old-style snapshot volumes; clone the volume (vol-clone) or use a thin pool"),
                       vol->name);
        return -1;
    }
    return virStorageVolLVNameValidate(def->name, vol->name);
}


/* Whether choosing a thin pool needs the list of the VG's LVs. */
static bool
virStorageVolLVNeedsThinChoice(virStoragePoolDef *def,
                               virStorageVolDef *vol)
{
    return virStoragePoolLogicalThinPoolGet(def) ||
           (vol->target.has_allocation &&
            vol->target.allocation < vol->target.capacity);
}


int
virStorageVolLVCreate(virStoragePoolObj *pool,
                      virStorageVolDef *vol)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStorageLVMLVList) lvs = NULL;
    g_autoptr(virCommand) cmd = NULL;
    const char *thinpool = NULL;
    virErrorPtr saved;

    if (virStorageVolLVCheckCreatable(def, vol) < 0)
        return -1;

    /* one lvs only when a thin pool may have to be found */
    if (virStorageVolLVNeedsThinChoice(def, vol) &&
        (!(lvs = virStorageLVMListLVs(def->source.name, NULL)) ||
         virStorageVolLVChooseThinPool(def, lvs, vol, &thinpool) < 0))
        return -1;

    if (thinpool)
        cmd = virStorageLVMBuildLVCreateThin(def->source.name, thinpool,
                                             vol->name, vol->target.capacity);
    else
        cmd = virStorageLVMBuildLVCreateThick(def->source.name, vol->name,
                                              vol->target.capacity);

    vol->type = VIR_STORAGE_VOL_BLOCK;
    g_free(vol->target.path);
    vol->target.path = g_strdup_printf("%s/%s", def->target.path, vol->name);

    if (virStorageLVMRun(cmd, _("cannot create volume '%s' in pool '%s'"),
                         vol->name, def->name) < 0) {
        /* lvm2 said why; say it in bytes when the VG lacks the room */
        if (!thinpool) {
            virErrorPreserveLast(&saved);
            if (virStorageVolLVRequireFreeSpace(def, vol->name, vol->target.capacity) < 0)
                virFreeError(saved);
            else
                virErrorRestore(&saved);
        }
        return -1;
    }

    if (virStorageVolLVApplyPerms(vol) < 0 ||
        virStorageVolLVRefreshFromLVs(def, vol) < 0)
        goto error;

    return 0;

 error:
    virErrorPreserveLast(&saved);
    virStorageVolLVRemoveLV(def, vol->name);
    virErrorRestore(&saved);
    return -1;
}


/* The device node of a thick LV says all that can change without lvs:
 * its mode and owner.  1 when that was enough, 0 when lvs must tell
 * (the node is gone or the LV's size changed, so its extents did too). */
static int
virStorageVolLVRefreshFromDevice(virStorageVolDef *vol)
{
    VIR_AUTOCLOSE fd = -1;
    unsigned long long size;
    struct stat st;

    if ((fd = open(vol->target.path, O_RDONLY | O_CLOEXEC)) < 0 ||
        fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode) ||
        virStorageBlockDevSizeQuiet(fd, &size) < 0 ||
        size != vol->target.capacity)
        return 0;

    if (!vol->target.perms)
        vol->target.perms = g_new0(virStoragePerms, 1);
    vol->target.perms->mode = st.st_mode & (S_IRWXU | S_IRWXG | S_IRWXO);
    vol->target.perms->uid = st.st_uid;
    vol->target.perms->gid = st.st_gid;
    return 1;
}


/*
 * The driver refreshes a volume after each create and on every vol-info
 * or vol-dumpxml.  A thin LV's allocation changes with every write, so it
 * asks lvs; a thick LV, whose allocation is its size, needs lvs only when
 * its size changed.
 */
int
virStorageVolLVRefresh(virStoragePoolObj *pool,
                       virStorageVolDef *vol)
{
    /* a clone or stream is using the definition (storage_vol_job.h) */
    if (virStorageVolJobRunning(vol))
        return 0;

    if (!vol->target.sparse && vol->target.capacity &&
        virStorageVolLVRefreshFromDevice(vol) == 1)
        return 0;

    return virStorageVolLVRefreshFromLVs(virStoragePoolObjGetDef(pool), vol);
}


/* Is @voldef an old-style snapshot of the LV at @opaque (its path)? */
static bool
virStorageVolLVIsSnapshotOf(virStorageVolDef *voldef,
                            const void *opaque)
{
    const char *originPath = opaque;

    return voldef->target.backingStore &&
           STREQ_NULLABLE(voldef->target.backingStore->path, originPath);
}


/* device-mapper's name for an LV: each '-' of the VG and LV names doubled */
static char *
virStorageVolLVDMName(const char *vgname,
                      const char *lvname,
                      const char *suffix)
{
    g_autofree char *vg = virStringReplace(vgname, "-", "--");
    g_autofree char *lv = virStringReplace(lvname, "-", "--");

    return g_strdup_printf("%s-%s%s", vg, lv, suffix);
}


/*
 * 'lvremove --yes' of an origin would take its old-style snapshots with
 * it: refuse when the pool lists one, or when device-mapper shows the
 * LV as an active origin (its "-real" device) though the pool does not
 * know the snapshot yet.  No lvs run: libvirt 9.0's logical backend
 * deletes with one lvm2 call, and so do we.
 */
static int
virStorageVolLVRequireNoSnapshots(virStoragePoolObj *pool,
                                  virStorageVolDef *vol)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autofree char *dmname = virStorageVolLVDMName(def->source.name, vol->name, "-real");
    g_autofree char *real = g_strdup_printf("/dev/mapper/%s", dmname);
    virStorageVolDef *snapshot;

    if ((snapshot = virStoragePoolObjSearchVolume(pool, virStorageVolLVIsSnapshotOf,
                                                  vol->target.path))) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot delete volume '%s' of pool '%s': volume '%s' is a snapshot of it; delete that first"),
                       vol->name, def->name, snapshot->name);
        return -1;
    }

    if (virFileExists(real)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot delete volume '%s' of pool '%s': it has snapshots; refresh the pool and delete them first"),
                       vol->name, def->name);
        return -1;
    }
    return 0;
}


/*
 * lvremove failed, with lvm2's message @errbuf.  Whether it refused
 * because the LV is open (by a guest, a program, or a device stacked on
 * it) is asked of lvm2's report, its lv_device_open field: lvremove
 * tells only in words, translated into the daemon's locale and
 * different for each case ("in use", "used by another device").  The
 * report runs only here, after a failure: a delete that works stays one
 * lvm2 call.  An LV closed in between gets lvm2's message.
 */
static int
virStorageVolLVRemoveFailed(virStoragePoolDef *def,
                            virStorageVolDef *vol,
                            const char *errbuf)
{
    g_autoptr(virStorageLVMLVList) lvs = NULL;
    const virStorageLVMLV *lv = NULL;

    if ((lvs = virStorageLVMListLVs(def->source.name, vol->name)))
        lv = virStorageLVMLVListFind(lvs, vol->name);
    virResetLastError();

    if (lv && lv->open) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot delete volume '%s' of pool '%s': its LV is open (in use by a guest, a program or a device stacked on it); close it first"),
                       vol->name, def->name);
    } else {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot delete volume '%s' of pool '%s': %s"),
                       vol->name, def->name, errbuf);
    }
    return -1;
}


int
virStorageVolLVDelete(virStoragePoolObj *pool,
                      virStorageVolDef *vol,
                      unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virCommand) cmd = NULL;
    g_autofree char *errbuf = NULL;
    int rc;

    virCheckFlags(0, -1);

    if (virStorageVolLVRequireNoSnapshots(pool, vol) < 0)
        return -1;

    /* without --force lvremove itself refuses an open LV */
    cmd = virStorageLVMBuildLVRemove(def->source.name, vol->name);
    if ((rc = virStorageLVMRunStatus(cmd, NULL, &errbuf,
                                     _("cannot delete volume '%s' of pool '%s'"),
                                     vol->name, def->name)) <= 0)
        return rc;

    return virStorageVolLVRemoveFailed(def, vol, errbuf);
}


int
virStorageVolLVResize(virStoragePoolObj *pool,
                      virStorageVolDef *vol,
                      unsigned long long capacity,
                      unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStorageLVMLVList) lvs = NULL;
    g_autoptr(virCommand) cmd = NULL;
    const virStorageLVMLV *lv;
    unsigned long long size;

    virCheckFlags(VIR_STORAGE_VOL_RESIZE_ALLOCATE |
                  VIR_STORAGE_VOL_RESIZE_SHRINK, -1);

    if (!(lvs = virStorageLVMListLVs(def->source.name, NULL)) ||
        !(lv = virStorageVolLVFindLV(def, lvs, vol)))
        return -1;

    switch (lv->kind) {
    case VIR_STORAGE_LVM_LV_THICK:
        break;
    case VIR_STORAGE_LVM_LV_THIN:
        if (flags & VIR_STORAGE_VOL_RESIZE_ALLOCATE) {
            virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                           _("volume '%s' of pool '%s' is a thin LV, whose space cannot be allocated ahead: resize it without --allocate"),
                           vol->name, def->name);
            return -1;
        }
        break;
    case VIR_STORAGE_LVM_LV_SNAPSHOT:
    case VIR_STORAGE_LVM_LV_SPARSE:
    case VIR_STORAGE_LVM_LV_THIN_POOL:
    case VIR_STORAGE_LVM_LV_OTHER:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("volume '%s' of pool '%s' is an old-style snapshot LV, which cannot be resized"),
                       vol->name, def->name);
        return -1;
    }

    /* lvm2 rounds up to whole extents: so do we, to compare */
    if (!virStorageSizeRoundUp(capacity, lv->extentSize, &size)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("cannot resize volume '%s' of pool '%s' to %llu bytes: it does not fit in whole extents of %llu bytes"),
                       vol->name, def->name, capacity, lv->extentSize);
        return -1;
    }
    if (size == lv->size)
        return 0;

    if (size < lv->size) {
        if (!(flags & VIR_STORAGE_VOL_RESIZE_SHRINK)) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("shrinking volume '%s' of pool '%s' needs the shrink flag"),
                           vol->name, def->name);
            return -1;
        }
        if (lv->open) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("cannot shrink volume '%s' of pool '%s': its LV is open (in use by a guest or a program); close it first"),
                           vol->name, def->name);
            return -1;
        }
        cmd = virStorageLVMBuildLVReduce(def->source.name, lv->name, size);
    } else {
        if (lv->kind == VIR_STORAGE_LVM_LV_THICK &&
            virStorageVolLVRequireFreeSpace(def, lv->name, size - lv->size) < 0)
            return -1;
        cmd = virStorageLVMBuildLVExtend(def->source.name, lv->name, size);
    }

    return virStorageLVMRun(cmd, _("cannot resize volume '%s' of pool '%s' to %llu bytes"),
                            vol->name, def->name, size);
}


bool
virStorageVolLVWipeAlgorithm(virStorageLVMLVKind kind,
                             unsigned int *algorithm)
{
    if (kind == VIR_STORAGE_LVM_LV_SPARSE)
        return false;

    /* Discarded blocks of a thin LV go back to the thin pool and read as
     * zeros: writing zeros would allocate every one of them instead. */
    if (kind == VIR_STORAGE_LVM_LV_THIN &&
        *algorithm == VIR_STORAGE_VOL_WIPE_ALG_ZERO)
        *algorithm = VIR_STORAGE_VOL_WIPE_ALG_TRIM;
    return true;
}


int
virStorageVolLVWipe(virStoragePoolObj *pool,
                    virStorageVolDef *vol,
                    unsigned int algorithm,
                    unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStorageLVMLVList) lvs = NULL;
    const virStorageLVMLV *lv;

    if (!(lvs = virStorageLVMListLVs(def->source.name, vol->name)) ||
        !(lv = virStorageVolLVFindLV(def, lvs, vol)))
        return -1;

    if (!virStorageVolLVWipeAlgorithm(lv->kind, &algorithm)) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("volume '%s' of pool '%s' is an old-style sparse LV: wiping would fill its snapshot area and make it unusable"),
                       vol->name, def->name);
        return -1;
    }

    return virStorageVolBlockWipe(pool, vol, algorithm, flags);
}
