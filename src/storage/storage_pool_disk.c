/*
 * storage_pool_disk.c: pools that are a whole disk with a partition table
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The pool's format is the disk's label.  Building writes a new label
 * (after libblkid found the disk blank, or on request wiped it); starting
 * and checking require the label the pool names; a refresh turns the
 * table, read by one run of our libparted helper, into the volumes and
 * the sizes of the pool.
 */

#include <config.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage_pool_disk.h"
#include "storage_vol_partition.h"
#include "storage_disk_table.h"
#include "storage_blkid.h"
#include "storage_blockdev.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_pool_disk");


int
virStoragePoolDiskCheck(virStoragePoolObj *pool,
                        bool *active)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePartitionTable) table = NULL;

    *active = false;
    if (!virFileExists(def->source.devices[0].path))
        return 0;

    if (!(table = virStorageDiskTableRead(def)))
        return -1;

    *active = true;
    return 0;
}


/* Fails when a partition of the disk, or the disk itself, is in use: the
 * kernel refuses an exclusive open of a disk one of whose partitions is
 * mounted or held by device-mapper, md... */
static int
virStoragePoolDiskRequireUnused(virStoragePoolDef *def,
                                const char *device)
{
    int rc = virStorageBlockDevOpenExclusiveQuiet(device);

    if (rc == 0)
        return 0;
    if (rc == -EBUSY) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("device '%s' of pool '%s' is in use (a partition is mounted or held by another device): release it first"),
                       device, def->name);
    } else {
        virReportSystemError(-rc, _("cannot open device '%s' of pool '%s'"),
                             device, def->name);
    }
    return -1;
}


/* With neither flag or with no-overwrite, a disk that holds anything is
 * left alone; overwrite erases every signature first. */
static int
virStoragePoolDiskPrepareForLabel(virStoragePoolDef *def,
                                  const char *device,
                                  unsigned int flags)
{
    bool overwrite = !!(flags & VIR_STORAGE_POOL_BUILD_OVERWRITE);

    if (overwrite && virStoragePoolDiskRequireUnused(def, device) < 0)
        return -1;
    return virStorageBlkidRefuseOrWipe(def->name, device, overwrite);
}


/* Writes the empty table @label on the pool's disk; a pool of format
 * unknown becomes dos, the label written for it. */
static virStoragePartitionTable *
virStoragePoolDiskWriteLabel(virStoragePoolDef *def,
                             const char *helper,
                             const char *label)
{
    g_autoptr(virCommand) cmd = NULL;
    virStoragePartitionTable *table;

    cmd = virStoragePartitionBuildMklabel(helper, def->source.devices[0].path,
                                          label);
    if (!(table = virStoragePartitionRun(cmd, def->source.devices[0].path)))
        return NULL;

    if (def->source.format == VIR_STORAGE_POOL_DISK_UNKNOWN)
        def->source.format = VIR_STORAGE_POOL_DISK_DOS;
    return table;
}


int
virStoragePoolDiskBuild(virStoragePoolObj *pool,
                        unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePartitionTable) table = NULL;
    g_autofree char *device = NULL;
    g_autofree char *helper = NULL;
    const char *label;

    virCheckFlags(VIR_STORAGE_POOL_BUILD_OVERWRITE |
                  VIR_STORAGE_POOL_BUILD_NO_OVERWRITE, -1);

    VIR_EXCLUSIVE_FLAGS_RET(VIR_STORAGE_POOL_BUILD_OVERWRITE,
                            VIR_STORAGE_POOL_BUILD_NO_OVERWRITE, -1);

    if (!(label = virStorageDiskTableRequireLabel(def)) ||
        !(device = virStorageDiskTableDevice(def)) ||
        !(helper = virStoragePartitionHelperPath()))
        return -1;

    if (virStoragePoolDiskPrepareForLabel(def, device, flags) < 0 ||
        !(table = virStoragePoolDiskWriteLabel(def, helper, label)))
        return -1;
    return 0;
}


/* Bytes at each end of a disk that a new label may write: dos uses the
 * first sector, gpt the first 34 and the last 33, and libparted clears
 * other labels' signatures near both ends. */
#define VIR_STORAGE_POOL_DISK_LABEL_SPAN (1024 * 1024)

/*
 * Whether starting the pool may write its label on @device, which has
 * no partition table: only when libblkid finds no signature at all, the
 * ends of the disk that a label takes read as zeros (so writing it
 * overwrites nothing but zeros) and nobody uses the disk.  1 when it
 * may, 0 when not (the caller's error then says why there is no table),
 * -1 with an error reported.
 */
static int
virStoragePoolDiskIsBlank(virStoragePoolDef *def,
                          const char *device)
{
    g_autofree char *type = NULL;
    int rc;

    if ((rc = virStorageBlkidFindSignature(device, &type)) != 0)
        return rc < 0 ? -1 : 0;

    rc = virStorageBlockDevEndsZeroQuiet(device, VIR_STORAGE_POOL_DISK_LABEL_SPAN);
    if (rc < 0) {
        virReportSystemError(-rc, _("cannot read device '%s' of pool '%s'"),
                             device, def->name);
        return -1;
    }
    if (rc == 0) {
        VIR_INFO("device '%s' of pool '%s' holds data libblkid does not know: its label is not written at start",
                 device, def->name);
        return 0;
    }
    return virStorageBlockDevOpenExclusiveQuiet(device) == 0;
}


/*
 * pool-start of a disk pool whose disk has no partition table writes the
 * pool's label (dos for format unknown) when the disk is blank, as
 * pool-build would: virt-manager's wizard never builds a disk pool, and
 * undefines the pool when its start fails.  A disk that holds anything
 * is never written.  @table, the disk's table without a label, is
 * replaced by the new one when the label was written.
 */
static int
virStoragePoolDiskLabelBlank(virStoragePoolDef *def,
                             virStoragePartitionTable **table)
{
    g_autofree char *device = NULL;
    g_autofree char *helper = NULL;
    virStoragePartitionTable *written;
    const char *label;
    int blank;

    if (!(label = virStorageDiskTableRequireLabel(def)) ||
        !(device = virStorageDiskTableDevice(def)) ||
        (blank = virStoragePoolDiskIsBlank(def, device)) < 0)
        return -1;
    if (blank == 0)
        return 0;

    if (!(helper = virStoragePartitionHelperPath()))
        return -1;
    VIR_INFO("device '%s' of pool '%s' is blank: writing a '%s' label at start",
             device, def->name, label);
    if (!(written = virStoragePoolDiskWriteLabel(def, helper, label)))
        return -1;
    virStoragePartitionTableFree(*table);
    *table = written;
    return 0;
}


int
virStoragePoolDiskStart(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePartitionTable) table = NULL;

    if (!(table = virStorageDiskTableReadAny(def)))
        return -1;

    if (!table->label && virStoragePoolDiskLabelBlank(def, &table) < 0)
        return -1;

    return virStorageDiskTableCheckLabel(def, table);
}


int
virStoragePoolDiskDelete(virStoragePoolObj *pool,
                         unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autofree char *device = NULL;

    virCheckFlags(0, -1);

    if (!(device = virStorageDiskTableDevice(def)) ||
        virStoragePoolDiskRequireUnused(def, device) < 0)
        return -1;

    return virStorageBlkidWipeSignatures(device);
}


/* ------------------------------------------------------------ refresh */

int
virStoragePoolDiskLoadVols(virStoragePoolObj *pool,
                           const virStoragePartitionTable *table)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autofree char *device = NULL;
    size_t i;

    if (!(device = virStorageDiskTableDevice(def)))
        return -1;

    virStoragePoolObjClearVols(pool);

    for (i = 0; i < table->npartitions; i++) {
        const virStoragePartition *part = &table->partitions[i];
        g_autofree char *kname = virStoragePartitionKernelName(device, part->number);
        g_autofree char *path = virStorageDiskTableVolPath(def, kname);
        virStorageVolDef *vol = virStorageVolPartitionNew(table, part,
                                                          def->source.devices[0].path,
                                                          path);

        vol->name = g_steal_pointer(&kname);
        /* refused only for a name, key or path listed already, which
         * the partitions of one table cannot give */
        if (virStoragePoolObjAddVol(pool, vol) < 0) {
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("cannot list partition '%s' of pool '%s': another volume has the same name, key or path '%s'"),
                           vol->name, def->name, vol->target.path);
            virStorageVolDefFree(vol);
            return -1;
        }
    }

    virStorageDiskTableUpdateSizes(pool, table);
    return 0;
}


int
virStoragePoolDiskRefresh(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePartitionTable) table = NULL;

    if (!(table = virStorageDiskTableRead(def)))
        return -1;

    return virStoragePoolDiskLoadVols(pool, table);
}
