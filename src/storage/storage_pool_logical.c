/*
 * storage_pool_logical.c: pools that are LVM volume groups
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A logical pool is the volume group named by its <source><name>, made of
 * the PVs its <source><device>s list; its target is /dev/VG.  Its
 * volumes are the VG's LVs, but not the thin pools, which only hold the
 * data of thin LVs.
 *
 * Every lvm2 command is built, run and its report parsed by
 * storage_lvm.c, and an LV becomes a volume definition in storage_vol_lv.c;
 * this file decides what to run and turns reports into pool definitions.  lvm2 is run with its own configuration: it waits
 * for udev to create /dev/VG/LV when udev runs, and creates the nodes
 * itself when it does not.
 */

#include <config.h>

#include <sys/stat.h>

#include "storage_pool_logical.h"
#include "storage_vol_lv.h"
#include "storage_blkid.h"
#include "viralloc.h"
#include "virerror.h"
#include "virlog.h"
#include "virfile.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_pool_logical");


static const virStorageLVMVG *
virStoragePoolLogicalVGFind(const virStorageLVMVGList *vgs,
                            const char *name)
{
    size_t i;

    for (i = 0; i < vgs->nvgs; i++) {
        if (STREQ(vgs->vgs[i].name, name))
            return &vgs->vgs[i];
    }
    return NULL;
}


static bool
virStoragePoolLogicalPVListHas(const virStorageLVMPVList *pvs,
                               const char *vgname,
                               const char *device)
{
    size_t i;

    for (i = 0; i < pvs->npvs; i++) {
        const virStorageLVMPV *pv = &pvs->pvs[i];

        if (!pv->missing && STREQ_NULLABLE(pv->vgName, vgname) &&
            STREQ(pv->name, device))
            return true;
    }
    return false;
}


/*
 * Whether the VG of @def exists with all its PVs, and the pool's devices
 * among them.  Reports VIR_ERR_OPERATION_INVALID naming what is missing.
 */
static int
virStoragePoolLogicalRequireVG(virStoragePoolDef *def)
{
    g_autoptr(virStorageLVMPVList) pvs = NULL;
    g_auto(virBuffer) missing = VIR_BUFFER_INITIALIZER;
    bool found = false;
    size_t i;

    if (!(pvs = virStorageLVMListPVs()))
        return -1;

    for (i = 0; i < pvs->npvs; i++) {
        const virStorageLVMPV *pv = &pvs->pvs[i];

        if (STRNEQ_NULLABLE(pv->vgName, def->source.name))
            continue;
        found = true;
        if (pv->missing)
            virBufferAsprintf(&missing, ", PV %s", NULLSTR(pv->uuid));
    }

    if (!found) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume group '%s' of pool '%s' does not exist: build the pool (virsh pool-build) or attach its devices"),
                       def->source.name, def->name);
        return -1;
    }

    for (i = 0; i < def->source.ndevice; i++) {
        if (!virStoragePoolLogicalPVListHas(pvs, def->source.name, def->source.devices[i].path))
            virBufferAsprintf(&missing, ", %s", def->source.devices[i].path);
    }

    if (virBufferUse(&missing) > 0) {
        g_autofree char *list = virBufferContentAndReset(&missing);

        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume group '%s' of pool '%s' is missing physical volumes: %s; attach them, or remove them from the VG (vgreduce --removemissing) and from the pool XML"),
                       def->source.name, def->name, list + 2);
        return -1;
    }
    return 0;
}


/*
 * The pool's VG name goes to lvm2 on every callback: each one checks it
 * first, so that a name lvm2 would read as an option or refuse is
 * reported as the pool's XML mistake before any command runs.  (The
 * builders also put "--" before it.)
 */
static int
virStoragePoolLogicalCheckVGName(virStoragePoolDef *def)
{
    return virStorageLVMVGNameValidate(def->name, def->source.name);
}


int
virStoragePoolLogicalCheck(virStoragePoolObj *pool,
                           bool *active)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStorageLVMVGList) vgs = NULL;
    const virStorageLVMVG *vg;

    if (virStoragePoolLogicalCheckVGName(def) < 0)
        return -1;

    if (!(vgs = virStorageLVMListVG(NULL)))
        return -1;

    vg = virStoragePoolLogicalVGFind(vgs, def->source.name);
    *active = vg && vg->missingPVCount == 0 && virFileExists(def->target.path);
    return 0;
}


static int
virStoragePoolLogicalSetActive(virStoragePoolDef *def,
                               bool activate)
{
    g_autoptr(virCommand) cmd = virStorageLVMBuildVGChange(def->source.name,
                                                           activate);

    if (activate)
        return virStorageLVMRun(cmd, _("cannot activate the logical volumes of pool '%s'"),
                                def->name);
    return virStorageLVMRun(cmd, _("cannot deactivate the logical volumes of pool '%s': close the volumes still in use (shut down the guests that use them) and stop the pool again"),
                            def->name);
}


int
virStoragePoolLogicalStart(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);

    if (virStoragePoolLogicalCheckVGName(def) < 0 ||
        virStoragePoolLogicalRequireVG(def) < 0)
        return -1;
    return virStoragePoolLogicalSetActive(def, true);
}


int
virStoragePoolLogicalStop(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);

    if (virStoragePoolLogicalCheckVGName(def) < 0)
        return -1;
    return virStoragePoolLogicalSetActive(def, false);
}


/*
 * Undoes the pvcreate of the first @ndevices devices of a build that
 * failed.  The error the user sees stays the one that made the build
 * fail: what goes wrong here is only logged.
 */
static void
virStoragePoolLogicalRemovePVs(virStoragePoolDef *def,
                               size_t ndevices)
{
    virErrorPtr saved;
    size_t i;

    virErrorPreserveLast(&saved);
    for (i = 0; i < ndevices; i++) {
        g_autoptr(virCommand) cmd = NULL;
        g_autofree char *errbuf = NULL;
        const char *device = def->source.devices[i].path;
        int status;

        cmd = virStorageLVMBuildPVRemove(device);
        status = virStorageLVMRunStatus(cmd, NULL, &errbuf,
                                        _("cannot remove the physical volume made on device '%s' for pool '%s' after its build failed"),
                                        device, def->name);
        if (status != 0)
            VIR_WARN("cannot pvremove '%s' after a failed build of pool '%s': %s",
                     device, def->name,
                     status < 0 ? virGetLastErrorMessage() : NULLSTR(errbuf));
    }
    virErrorRestore(&saved);
}


int
virStoragePoolLogicalBuild(virStoragePoolObj *pool,
                           unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    bool overwrite = !!(flags & VIR_STORAGE_POOL_BUILD_OVERWRITE);
    g_autofree const char **devices = NULL;
    g_autoptr(virCommand) vgcreate = NULL;
    size_t created = 0;
    size_t i;

    virCheckFlags(VIR_STORAGE_POOL_BUILD_OVERWRITE |
                  VIR_STORAGE_POOL_BUILD_NO_OVERWRITE, -1);
    VIR_EXCLUSIVE_FLAGS_RET(VIR_STORAGE_POOL_BUILD_OVERWRITE,
                            VIR_STORAGE_POOL_BUILD_NO_OVERWRITE, -1);

    if (virStoragePoolLogicalCheckVGName(def) < 0)
        return -1;

    if (def->source.ndevice == 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("pool '%s' names no <device> to build volume group '%s' on"),
                       def->name, def->source.name);
        return -1;
    }

    /* check every device before writing to any */
    if (!overwrite) {
        for (i = 0; i < def->source.ndevice; i++) {
            if (virStorageBlkidRefuseOrWipe(def->name, def->source.devices[i].path,
                                            false) < 0)
                return -1;
        }
    }

    devices = g_new0(const char *, def->source.ndevice);
    for (i = 0; i < def->source.ndevice; i++) {
        g_autoptr(virCommand) pvcreate = NULL;
        const char *device = def->source.devices[i].path;

        devices[i] = device;
        if (overwrite && virStorageBlkidRefuseOrWipe(def->name, device, true) < 0)
            goto error;

        pvcreate = virStorageLVMBuildPVCreate(device);
        if (virStorageLVMRun(pvcreate, _("cannot make device '%s' a physical volume for pool '%s'"),
                             device, def->name) < 0)
            goto error;
        created++;
    }

    vgcreate = virStorageLVMBuildVGCreate(def->source.name, devices,
                                          def->source.ndevice);
    if (virStorageLVMRun(vgcreate, _("cannot create volume group '%s' of pool '%s'"),
                         def->source.name, def->name) < 0)
        goto error;
    return 0;

 error:
    virStoragePoolLogicalRemovePVs(def, created);
    return -1;
}


static bool
virStoragePoolLogicalLVIsVolume(const virStorageLVMLV *lv)
{
    switch (lv->kind) {
    case VIR_STORAGE_LVM_LV_THICK:
    case VIR_STORAGE_LVM_LV_THIN:
    case VIR_STORAGE_LVM_LV_SNAPSHOT:
    case VIR_STORAGE_LVM_LV_SPARSE:
        return true;
    case VIR_STORAGE_LVM_LV_THIN_POOL:
    case VIR_STORAGE_LVM_LV_OTHER:
        break;
    }
    return false;
}


int
virStoragePoolLogicalRefresh(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStorageLVMLVList) lvs = NULL;
    g_autoptr(virStorageLVMVGList) vgs = NULL;
    const virStorageLVMVG *vg;
    size_t i;

    if (virStoragePoolLogicalCheckVGName(def) < 0)
        return -1;

    if (!(lvs = virStorageLVMListLVs(def->source.name, NULL)) ||
        !(vgs = virStorageLVMListVG(def->source.name)))
        return -1;

    if (!(vg = virStoragePoolLogicalVGFind(vgs, def->source.name))) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume group '%s' of pool '%s' has disappeared"),
                       def->source.name, def->name);
        return -1;
    }

    for (i = 0; i < lvs->nlvs; i++) {
        const virStorageLVMLV *lv = &lvs->lvs[i];
        g_autoptr(virStorageVolDef) vol = NULL;

        if (!virStoragePoolLogicalLVIsVolume(lv))
            continue;

        vol = g_new0(virStorageVolDef, 1);
        virStorageVolLVFromLV(def, lv, vol);
        /* refused only for a name, key (UUID) or path listed already,
         * which the LVs of one volume group cannot give */
        if (virStoragePoolObjAddVol(pool, vol) < 0) {
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("cannot list logical volume '%s' of pool '%s': another volume has the same name, key '%s' or path '%s'"),
                           vol->name, def->name, vol->key, vol->target.path);
            virStoragePoolObjClearVols(pool);
            return -1;
        }
        vol = NULL;
    }

    def->capacity = vg->size;
    def->available = vg->free;
    def->allocation = vg->size - vg->free;
    return 0;
}


int
virStoragePoolLogicalDelete(virStoragePoolObj *pool,
                            unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStorageLVMPVList) pvs = NULL;
    g_autoptr(virCommand) vgremove = NULL;
    size_t i;

    virCheckFlags(0, -1);

    if (virStoragePoolLogicalCheckVGName(def) < 0)
        return -1;

    /* the PVs of this VG, before it goes */
    if (!(pvs = virStorageLVMListPVs()))
        return -1;

    vgremove = virStorageLVMBuildVGRemove(def->source.name);
    if (virStorageLVMRun(vgremove, _("cannot remove volume group '%s' of pool '%s'"),
                         def->source.name, def->name) < 0)
        return -1;

    for (i = 0; i < pvs->npvs; i++) {
        const virStorageLVMPV *pv = &pvs->pvs[i];
        g_autoptr(virCommand) pvremove = NULL;

        if (pv->missing || STRNEQ_NULLABLE(pv->vgName, def->source.name))
            continue;

        pvremove = virStorageLVMBuildPVRemove(pv->name);
        if (virStorageLVMRun(pvremove, _("cannot remove physical volume '%s' of pool '%s'"),
                             pv->name, def->name) < 0)
            return -1;
    }
    return 0;
}


/* Adds a PV of VG @vgname to @list, under that VG's source. */
static void
virStoragePoolLogicalSourceListAddPV(virStoragePoolSourceList *list,
                                     const char *vgname,
                                     const char *device)
{
    virStoragePoolSource *source = NULL;
    virStoragePoolSourceDevice dev = { 0 };
    size_t i;

    for (i = 0; i < list->nsources; i++) {
        if (STREQ(list->sources[i].name, vgname)) {
            source = &list->sources[i];
            break;
        }
    }

    if (!source) {
        source = virStoragePoolSourceListNewSource(list);
        source->name = g_strdup(vgname);
        source->format = VIR_STORAGE_POOL_LOGICAL_LVM2;
    }

    dev.path = g_strdup(device);
    VIR_APPEND_ELEMENT(source->devices, source->ndevice, dev);
}


char *
virStoragePoolLogicalFindSources(const char *srcSpec G_GNUC_UNUSED,
                                 unsigned int flags)
{
    g_autoptr(virStorageLVMPVList) pvs = NULL;
    g_autoptr(virStoragePoolSourceList) list = g_new0(virStoragePoolSourceList, 1);
    size_t i;

    virCheckFlags(0, NULL);

    if (!(pvs = virStorageLVMListPVs()))
        return NULL;

    list->type = VIR_STORAGE_POOL_LOGICAL;
    for (i = 0; i < pvs->npvs; i++) {
        const virStorageLVMPV *pv = &pvs->pvs[i];

        if (!pv->vgName || pv->missing)
            continue;
        /* lvm2 makes no VG it would refuse; should one show up, it is
         * not offered as a pool source */
        if (virStorageLVMNameCharsetProblem(pv->vgName)) {
            VIR_WARN("volume group '%s' of physical volume '%s' has a name lvm2 refuses: not listed",
                     pv->vgName, pv->name);
            continue;
        }
        virStoragePoolLogicalSourceListAddPV(list, pv->vgName, pv->name);
    }

    return virStoragePoolSourceListFormat(list);
}
