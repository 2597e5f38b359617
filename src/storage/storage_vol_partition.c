/*
 * storage_vol_partition.c: volumes that are partitions of a disk
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A volume is named as the kernel names its partition (sdb1, nvme0n1p1,
 * loop0p5), so a new volume must carry the name of the partition that
 * will be made: the next primary one, or on a dos label the next logical
 * one inside the extended partition.  Creating and deleting are one run
 * of our helper each, which checks before it writes: an add names the
 * number the partition must get, a delete the start the volume
 * describes (storage_partition.h).  Only when the helper refuses is the
 * table read, to say why in the terms of the volume.  Resizing finds the
 * partition by name in a fresh table.  Deleting and resizing refuse
 * while the kernel says the partition is in use (mounted, held by
 * another device, or opened exclusively); a delete also stops when the
 * kernel refuses to drop the partition because a process such as qemu
 * holds it open (the helper asks the kernel before it writes).
 */

#include <config.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "storage_vol_partition.h"
#include "storage_disk_table.h"
#include "storage_blockdev.h"
#include "storage_mount.h"
#include "storage_size.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"
#include "virstring.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_partition");

#define VIR_STORAGE_VOL_PARTITION_ALIGN (1024ULL * 1024ULL)
#define VIR_STORAGE_VOL_PARTITION_NODE_WAIT_MS 10
#define VIR_STORAGE_VOL_PARTITION_NODE_WAIT_TRIES 500


/* ------------------------------------------------------------ pure */

const char *
virStorageVolPartitionFsType(int format)
{
    switch ((virStorageVolFormatDisk) format) {
    case VIR_STORAGE_VOL_DISK_NONE:
    case VIR_STORAGE_VOL_DISK_EXTENDED:
        return "none";
    case VIR_STORAGE_VOL_DISK_LINUX:
        return "ext2";
    case VIR_STORAGE_VOL_DISK_FAT16:
        return "fat16";
    case VIR_STORAGE_VOL_DISK_FAT32:
        return "fat32";
    case VIR_STORAGE_VOL_DISK_LINUX_SWAP:
        return "linux-swap";
    case VIR_STORAGE_VOL_DISK_LINUX_LVM:
        return "none,lvm";
    case VIR_STORAGE_VOL_DISK_LINUX_RAID:
        return "none,raid";
    case VIR_STORAGE_VOL_DISK_LAST:
        break;
    }
    return NULL;
}


int
virStorageVolPartitionFormat(const virStoragePartition *part)
{
    static const char *const linuxFs[] = {
        "ext2", "ext3", "ext4", "xfs", "btrfs", "jfs", "reiserfs",
        "nilfs2", "f2fs", NULL,
    };

    if (part->kind == VIR_STORAGE_PARTITION_EXTENDED)
        return VIR_STORAGE_VOL_DISK_EXTENDED;
    if (part->lvm)
        return VIR_STORAGE_VOL_DISK_LINUX_LVM;
    if (part->raid)
        return VIR_STORAGE_VOL_DISK_LINUX_RAID;
    if (!part->fs)
        return VIR_STORAGE_VOL_DISK_NONE;
    if (STRPREFIX(part->fs, "linux-swap"))
        return VIR_STORAGE_VOL_DISK_LINUX_SWAP;
    if (STREQ(part->fs, "fat16"))
        return VIR_STORAGE_VOL_DISK_FAT16;
    if (STREQ(part->fs, "fat32"))
        return VIR_STORAGE_VOL_DISK_FAT32;
    if (g_strv_contains(linuxFs, part->fs))
        return VIR_STORAGE_VOL_DISK_LINUX;
    return VIR_STORAGE_VOL_DISK_NONE;
}


static int
virStorageVolPartitionTypeOfKind(virStoragePartitionKind kind)
{
    switch (kind) {
    case VIR_STORAGE_PARTITION_PRIMARY:
        return VIR_STORAGE_VOL_DISK_TYPE_PRIMARY;
    case VIR_STORAGE_PARTITION_LOGICAL:
        return VIR_STORAGE_VOL_DISK_TYPE_LOGICAL;
    case VIR_STORAGE_PARTITION_EXTENDED:
        return VIR_STORAGE_VOL_DISK_TYPE_EXTENDED;
    case VIR_STORAGE_PARTITION_LAST:
        break;
    }
    return VIR_STORAGE_VOL_DISK_TYPE_NONE;
}


static void
virStorageVolPartitionFill(virStorageVolDef *vol,
                           const virStoragePartition *part,
                           const char *device)
{
    unsigned long long size = part->end - part->start + 1;

    vol->type = VIR_STORAGE_VOL_BLOCK;
    vol->target.capacity = size;
    /* an extended partition holds the logical ones: the pool sets it */
    vol->target.allocation = part->kind == VIR_STORAGE_PARTITION_EXTENDED ? 0 : size;
    vol->source.partType = virStorageVolPartitionTypeOfKind(part->kind);

    if (vol->source.nextent == 0) {
        vol->source.extents = g_new0(virStorageVolSourceExtent, 1);
        vol->source.nextent = 1;
    }
    g_free(vol->source.extents[0].path);
    vol->source.extents[0].path = g_strdup(device);
    vol->source.extents[0].start = part->start;
    vol->source.extents[0].end = part->end + 1;
}


virStorageVolDef *
virStorageVolPartitionNew(const virStoragePartitionTable *table G_GNUC_UNUSED,
                          const virStoragePartition *part,
                          const char *device,
                          const char *path)
{
    virStorageVolDef *vol = g_new0(virStorageVolDef, 1);

    vol->target.path = g_strdup(path);
    vol->key = g_strdup(path);
    vol->target.format = virStorageVolPartitionFormat(part);
    virStorageVolPartitionFill(vol, part, device);
    return vol;
}


/* ------------------------------------------------------------ helpers */

/* The partition of @table that the volume @vol describes: the kernel
 * name matches and, when the volume knows it, so does the start. */
static const virStoragePartition *
virStorageVolPartitionLookup(virStoragePoolDef *def,
                             const virStoragePartitionTable *table,
                             const char *device,
                             virStorageVolDef *vol)
{
    size_t i;

    for (i = 0; i < table->npartitions; i++) {
        const virStoragePartition *part = &table->partitions[i];
        g_autofree char *kname = virStoragePartitionKernelName(device, part->number);

        if (STRNEQ(kname, vol->name))
            continue;

        if (vol->source.nextent > 0 &&
            vol->source.extents[0].start != part->start) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("partition '%s' of pool '%s' is not the one the volume describes any more (the table was changed): refresh the pool"),
                           vol->name, def->name);
            return NULL;
        }
        return part;
    }

    virReportError(VIR_ERR_NO_STORAGE_VOL,
                   _("partition '%s' no longer exists on device '%s' of pool '%s': refresh the pool"),
                   vol->name, def->source.devices[0].path, def->name);
    return NULL;
}


/* Reads the pool's partition table and finds @vol's partition in it;
 * the table and the path of our helper go to the caller. */
static const virStoragePartition *
virStorageVolPartitionLocate(virStoragePoolDef *def,
                             virStorageVolDef *vol,
                             virStoragePartitionTable **table,
                             char **helper)
{
    g_autoptr(virStoragePartitionTable) found = NULL;
    g_autofree char *device = NULL;
    g_autofree char *path = NULL;
    const virStoragePartition *part;

    if (!(found = virStorageDiskTableRead(def)) ||
        !(device = virStorageDiskTableDevice(def)) ||
        !(path = virStoragePartitionHelperPath()) ||
        !(part = virStorageVolPartitionLookup(def, found, device, vol)))
        return NULL;

    *table = g_steal_pointer(&found);
    *helper = g_steal_pointer(&path);
    return part;
}


static int
virStorageVolPartitionCheckHolders(const char *kname)
{
    g_autofree char *holder = NULL;

    if (virStorageBlockDevHolderQuiet("/sys", kname, &holder) > 0) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("partition '%s' is in use: it is held by device '%s'; release it first"),
                       kname, holder);
        return -1;
    }
    return 0;
}


static int
virStorageVolPartitionCheckMounted(const char *kname,
                                   const char *devpath)
{
    g_autofree char *target = NULL;
    struct stat sb;
    int rc;

    if (stat(devpath, &sb) < 0 || !S_ISBLK(sb.st_mode))
        return 0;

    if ((rc = virStorageMountTableFindDevice(VIR_STORAGE_MOUNT_TABLE,
                                             sb.st_rdev, &target)) < 0)
        return -1;

    if (rc == 1) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("partition '%s' is in use: it is mounted on '%s'; unmount it first"),
                       kname, target);
        return -1;
    }
    return 0;
}


static int
virStorageVolPartitionCheckExclusive(const char *kname,
                                     const char *devpath)
{
    int rc = virStorageBlockDevOpenExclusiveQuiet(devpath);

    if (rc == 0)
        return 0;
    if (rc == -EBUSY) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("partition '%s' is in use (the kernel refuses to open it exclusively): release it first"),
                       kname);
        return -1;
    }
    /* a node missing or not openable is not "in use" */
    return 0;
}


static int
virStorageVolPartitionRequireUnused(const char *kname)
{
    g_autofree char *devpath = g_strdup_printf("/dev/%s", kname);

    if (virStorageVolPartitionCheckHolders(kname) < 0 ||
        virStorageVolPartitionCheckMounted(kname, devpath) < 0 ||
        virStorageVolPartitionCheckExclusive(kname, devpath) < 0)
        return -1;
    return 0;
}


/* @size rounded up to whole MiB in *@aligned; a size a client gave
 * near 2^64, which would wrap to 0, is refused. */
static int
virStorageVolPartitionAlignUp(virStorageVolDef *vol,
                              unsigned long long size,
                              unsigned long long *aligned)
{
    if (!virStorageSizeRoundUp(size, VIR_STORAGE_VOL_PARTITION_ALIGN, aligned)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("size %llu of partition '%s' is larger than any disk: give a smaller capacity"),
                       size, vol->name);
        return -1;
    }
    return 0;
}


static unsigned long long
virStorageVolPartitionLargestFree(const virStoragePartitionTable *table,
                                  virStoragePartitionKind kind)
{
    unsigned long long largest = 0;
    size_t i;

    for (i = 0; i < table->nfree; i++) {
        if (table->free[i].kind == kind)
            largest = MAX(largest, table->free[i].end - table->free[i].start + 1);
    }
    return largest;
}


/* ------------------------------------------------------------ create */

/* The kind of the new partition: the one whose next kernel name is the
 * volume's name (primary first; an extended partition when the format
 * says so). */
static int
virStorageVolPartitionChooseKind(virStoragePoolDef *def,
                                 const virStoragePartitionTable *table,
                                 const char *device,
                                 virStorageVolDef *vol,
                                 virStoragePartitionKind *kind,
                                 unsigned int *number)
{
    g_autofree char *primaryName = NULL;
    g_autofree char *logicalName = NULL;
    unsigned int primary;
    unsigned int logical;

    if (vol->target.format == VIR_STORAGE_VOL_DISK_EXTENDED) {
        if (STRNEQ(table->label, "msdos")) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("volume '%s': extended partitions exist only on dos labels, and pool '%s' is '%s'"),
                           vol->name, def->name, table->label);
            return -1;
        }
        *kind = VIR_STORAGE_PARTITION_EXTENDED;
        primary = virStoragePartitionNextNumber(table, *kind);
        logical = 0;
    } else {
        *kind = VIR_STORAGE_PARTITION_PRIMARY;
        primary = virStoragePartitionNextNumber(table, *kind);
        logical = virStoragePartitionNextNumber(table, VIR_STORAGE_PARTITION_LOGICAL);
    }

    if (!primary && !logical) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("device '%s' of pool '%s' has no room for another %s partition in its '%s' table: delete a partition first"),
                       def->source.devices[0].path, def->name,
                       virStoragePartitionKindTypeToString(*kind), table->label);
        return -1;
    }

    if (primary) {
        primaryName = virStoragePartitionKernelName(device, primary);
        if (STREQ(vol->name, primaryName)) {
            *number = primary;
            return 0;
        }
    }
    if (logical) {
        logicalName = virStoragePartitionKernelName(device, logical);
        if (STREQ(vol->name, logicalName)) {
            *kind = VIR_STORAGE_PARTITION_LOGICAL;
            *number = logical;
            return 0;
        }
    }

    if (primaryName && logicalName) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume name '%s' is not the name the kernel will give the new partition: name it '%s' (primary) or '%s' (logical)"),
                       vol->name, primaryName, logicalName);
    } else {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume name '%s' is not the name the kernel will give the new partition: name it '%s'"),
                       vol->name, primaryName ? primaryName : logicalName);
    }
    return -1;
}


static int
virStorageVolPartitionRequireRoom(virStoragePoolDef *def,
                                  const virStoragePartitionTable *table,
                                  virStorageVolDef *vol,
                                  virStoragePartitionKind kind,
                                  unsigned long long size)
{
    virStoragePartitionKind where = kind == VIR_STORAGE_PARTITION_LOGICAL ?
                                    VIR_STORAGE_PARTITION_LOGICAL :
                                    VIR_STORAGE_PARTITION_PRIMARY;
    unsigned long long largest = virStorageVolPartitionLargestFree(table, where);

    if (size > largest) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume '%s' needs %llu bytes but the largest free extent for a %s partition on device '%s' of pool '%s' is %llu bytes: create it smaller"),
                       vol->name, size, virStoragePartitionKindTypeToString(kind),
                       def->source.devices[0].path, def->name, largest);
        return -1;
    }
    return 0;
}


/* The kind and number of the partition to make for @vol, from a fresh
 * table: the checks of name and room that explain a refusal. */
static int
virStorageVolPartitionPlanFromTable(virStoragePoolDef *def,
                                    const char *device,
                                    virStorageVolDef *vol,
                                    unsigned long long size,
                                    virStoragePartitionKind *kind,
                                    unsigned int *number)
{
    g_autoptr(virStoragePartitionTable) table = NULL;

    if (!(table = virStorageDiskTableRead(def)) ||
        virStorageVolPartitionChooseKind(def, table, device, vol, kind, number) < 0 ||
        virStorageVolPartitionRequireRoom(def, table, vol, *kind, size) < 0)
        return -1;
    return 0;
}


/* The kind and number of the partition to make for @vol, from its name
 * alone: the helper checks that the number is the one the partition
 * gets.  On a dos label numbers past 4 are logical partitions. */
static int
virStorageVolPartitionPlan(virStoragePoolDef *def,
                           const char *device,
                           virStorageVolDef *vol,
                           unsigned long long size,
                           virStoragePartitionKind *kind,
                           unsigned int *number)
{
    bool dos = STREQ_NULLABLE(virStorageDiskTableLabelName(def->source.format),
                              "msdos");

    if (!(*number = virStoragePartitionNumberFromName(device, vol->name))) {
        /* no partition name of this disk: the table says what to use */
        return virStorageVolPartitionPlanFromTable(def, device, vol, size, kind, number);
    }

    if (vol->target.format == VIR_STORAGE_VOL_DISK_EXTENDED)
        *kind = VIR_STORAGE_PARTITION_EXTENDED;
    else if (dos && *number > 4)
        *kind = VIR_STORAGE_PARTITION_LOGICAL;
    else
        *kind = VIR_STORAGE_PARTITION_PRIMARY;
    return 0;
}


/* After the helper refused to make @vol's partition: when the table
 * shows a reason in the terms of the volume (its name, its size), that
 * is the error; otherwise the helper's stays. */
static void
virStorageVolPartitionExplainAddRefusal(virStoragePoolDef *def,
                                        const char *device,
                                        virStorageVolDef *vol,
                                        unsigned long long size)
{
    virStoragePartitionKind kind;
    unsigned int number;
    virErrorPtr helperError;

    virErrorPreserveLast(&helperError);
    if (virStorageVolPartitionPlanFromTable(def, device, vol, size, &kind, &number) < 0) {
        VIR_DEBUG("the helper's own reason: %s",
                  helperError ? NULLSTR(helperError->message) : "none");
        virFreeError(helperError);
        return;
    }
    virErrorRestore(&helperError);
}


/* Removes the partition @number we just made, after a later step failed;
 * the error of that step is kept. */
static void
virStorageVolPartitionUndoAdd(const char *helper,
                              const char *disk,
                              unsigned int number)
{
    g_autoptr(virCommand) cmd = virStoragePartitionBuildDelete(helper, disk,
                                                               number, NULL);
    g_autoptr(virStoragePartitionTable) table = NULL;
    virErrorPtr saved;

    virErrorPreserveLast(&saved);
    if (!(table = virStoragePartitionRun(cmd, disk)))
        VIR_WARN("cannot remove partition %u of '%s' after a failed create",
                 number, disk);
    virErrorRestore(&saved);
}


int
virStorageVolPartitionCreate(virStoragePoolObj *pool,
                             virStorageVolDef *vol)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    const char *disk = def->source.devices[0].path;
    g_autoptr(virStoragePartitionTable) result = NULL;
    g_autoptr(virCommand) cmd = NULL;
    g_autofree char *device = NULL;
    g_autofree char *helper = NULL;
    g_autofree char *devpath = NULL;
    const virStoragePartition *part;
    virStoragePartitionKind kind;
    unsigned long long size;
    unsigned int number;
    const char *fstype;

    if (vol->target.encryption) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s': partitions of pool '%s' cannot be encrypted by libvirt; encrypt inside the guest"),
                       vol->name, def->name);
        return -1;
    }
    if (!(fstype = virStorageVolPartitionFsType(vol->target.format))) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s' has an unknown partition format %d"),
                       vol->name, vol->target.format);
        return -1;
    }

    if (!(device = virStorageDiskTableDevice(def)) ||
        !(helper = virStoragePartitionHelperPath()))
        return -1;

    if (virStorageVolPartitionAlignUp(vol, MAX(vol->target.capacity, 1), &size) < 0 ||
        virStorageVolPartitionPlan(def, device, vol, size, &kind, &number) < 0)
        return -1;

    cmd = virStoragePartitionBuildAdd(helper, disk, kind, fstype, size, number);
    if (!(result = virStoragePartitionRun(cmd, disk))) {
        virStorageVolPartitionExplainAddRefusal(def, device, vol, size);
        return -1;
    }

    if (result->added != number || !(part = virStoragePartitionFind(result, number))) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("the partition helper made partition %u on '%s' where %u was expected"),
                       result->added, disk, number);
        if (result->added)
            virStorageVolPartitionUndoAdd(helper, disk, result->added);
        return -1;
    }

    /* the kernel knows the partition (BLKPG); devtmpfs makes its node */
    devpath = g_strdup_printf("/dev/%s", vol->name);
    if (virFileWaitForExists(devpath, VIR_STORAGE_VOL_PARTITION_NODE_WAIT_MS,
                             VIR_STORAGE_VOL_PARTITION_NODE_WAIT_TRIES) < 0) {
        virReportSystemError(errno,
                             _("the device node '%s' of the new partition did not appear"),
                             devpath);
        virStorageVolPartitionUndoAdd(helper, disk, number);
        return -1;
    }

    g_free(vol->target.path);
    vol->target.path = virStorageDiskTableVolPath(def, vol->name);
    g_free(vol->key);
    vol->key = g_strdup(vol->target.path);
    virStorageVolPartitionFill(vol, part, disk);

    virStorageDiskTableUpdateSizes(pool, result);
    return 0;
}


/* ------------------------------------------------------------ delete */

static bool
virStorageVolPartitionHasLogical(const virStoragePartitionTable *table)
{
    size_t i;

    for (i = 0; i < table->npartitions; i++) {
        if (table->partitions[i].kind == VIR_STORAGE_PARTITION_LOGICAL)
            return true;
    }
    return false;
}


/* The checks of a fresh table that explain why @vol's partition cannot
 * be deleted: it is gone, it is not the one the volume describes any
 * more, or it is an extended partition that still holds logical ones.
 * Fills @number when none applies. */
static int
virStorageVolPartitionCheckDeletable(virStoragePoolDef *def,
                                     virStorageVolDef *vol,
                                     unsigned int *number)
{
    g_autoptr(virStoragePartitionTable) table = NULL;
    g_autofree char *helper = NULL;
    const virStoragePartition *part;

    if (!(part = virStorageVolPartitionLocate(def, vol, &table, &helper)))
        return -1;

    if (part->kind == VIR_STORAGE_PARTITION_EXTENDED &&
        virStorageVolPartitionHasLogical(table)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("extended partition '%s' of pool '%s' still holds logical partitions: delete them first"),
                       vol->name, def->name);
        return -1;
    }

    *number = part->number;
    return 0;
}


/* After the helper refused to delete @vol's partition: when the table
 * shows a reason in the terms of the volume, that is the error;
 * otherwise the helper's stays. */
static void
virStorageVolPartitionExplainDeleteRefusal(virStoragePoolDef *def,
                                           virStorageVolDef *vol)
{
    unsigned int number;
    virErrorPtr helperError;

    virErrorPreserveLast(&helperError);
    if (virStorageVolPartitionCheckDeletable(def, vol, &number) < 0) {
        VIR_DEBUG("the helper's own reason: %s",
                  helperError ? NULLSTR(helperError->message) : "none");
        virFreeError(helperError);
        return;
    }
    virErrorRestore(&helperError);
}


int
virStorageVolPartitionDelete(virStoragePoolObj *pool,
                             virStorageVolDef *vol,
                             unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    const char *disk = def->source.devices[0].path;
    g_autoptr(virStoragePartitionTable) result = NULL;
    g_autoptr(virCommand) cmd = NULL;
    g_autofree char *device = NULL;
    g_autofree char *helper = NULL;
    const unsigned long long *start = NULL;
    unsigned int number;

    virCheckFlags(0, -1);

    if (!(device = virStorageDiskTableDevice(def)) ||
        !(helper = virStoragePartitionHelperPath()))
        return -1;

    /* a name that is no partition of this disk: the table says why */
    if (!(number = virStoragePartitionNumberFromName(device, vol->name)) &&
        virStorageVolPartitionCheckDeletable(def, vol, &number) < 0)
        return -1;

    if (virStorageVolPartitionRequireUnused(vol->name) < 0)
        return -1;

    /* the helper removes the partition only where the volume says it is */
    if (vol->source.nextent > 0)
        start = &vol->source.extents[0].start;

    /* the helper tells the kernel first and stops, writing nothing,
     * when the partition (or one it would renumber) is held open, as
     * qemu holds a guest's disk without O_EXCL */
    cmd = virStoragePartitionBuildDelete(helper, disk, number, start);
    if (!(result = virStoragePartitionRunDelete(cmd, disk, def->name,
                                                vol->name, number))) {
        virStorageVolPartitionExplainDeleteRefusal(def, vol);
        return -1;
    }

    /* for disk pools the driver leaves the pool's bookkeeping to us */
    virStoragePoolObjRemoveVol(pool, vol);
    virStorageDiskTableUpdateSizes(pool, result);
    return 0;
}


/* ------------------------------------------------------------ resize */

/* Whether a partition of @table starts after byte @after and before
 * byte @before. */
static bool
virStorageVolPartitionStartsBetween(const virStoragePartitionTable *table,
                                    unsigned long long after,
                                    unsigned long long before)
{
    size_t i;

    for (i = 0; i < table->npartitions; i++) {
        if (table->partitions[i].start > after &&
            table->partitions[i].start < before)
            return true;
    }
    return false;
}


/* The largest size @part can grow to: up to the end of the free region
 * right after it (regions are aligned, so one may start up to the
 * alignment later, but never past another partition, a 1 MiB one
 * included), or its own size when there is none. */
static unsigned long long
virStorageVolPartitionMaxSize(const virStoragePartitionTable *table,
                              const virStoragePartition *part)
{
    virStoragePartitionKind where = part->kind == VIR_STORAGE_PARTITION_LOGICAL ?
                                    VIR_STORAGE_PARTITION_LOGICAL :
                                    VIR_STORAGE_PARTITION_PRIMARY;
    unsigned long long max = part->end - part->start + 1;
    size_t i;

    for (i = 0; i < table->nfree; i++) {
        const virStoragePartitionFree *region = &table->free[i];

        if (region->kind == where &&
            region->start > part->end &&
            region->start <= part->end + 1 + VIR_STORAGE_VOL_PARTITION_ALIGN &&
            !virStorageVolPartitionStartsBetween(table, part->end, region->start))
            max = MAX(max, region->end - part->start + 1);
    }
    return max;
}


int
virStorageVolPartitionResize(virStoragePoolObj *pool,
                             virStorageVolDef *vol,
                             unsigned long long capacity,
                             unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    const char *disk = def->source.devices[0].path;
    g_autoptr(virStoragePartitionTable) table = NULL;
    g_autoptr(virStoragePartitionTable) result = NULL;
    g_autoptr(virCommand) cmd = NULL;
    g_autofree char *helper = NULL;
    const virStoragePartition *part;
    unsigned long long size;
    unsigned long long current;
    unsigned long long max;

    virCheckFlags(VIR_STORAGE_VOL_RESIZE_ALLOCATE |
                  VIR_STORAGE_VOL_RESIZE_DELTA |
                  VIR_STORAGE_VOL_RESIZE_SHRINK, -1);

    if (virStorageVolPartitionAlignUp(vol, capacity, &size) < 0 ||
        !(part = virStorageVolPartitionLocate(def, vol, &table, &helper)))
        return -1;

    if (part->kind == VIR_STORAGE_PARTITION_EXTENDED) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("extended partition '%s' of pool '%s' cannot be resized"),
                       vol->name, def->name);
        return -1;
    }

    current = part->end - part->start + 1;
    if (size < current && !(flags & VIR_STORAGE_VOL_RESIZE_SHRINK)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("resizing partition '%s' to %llu bytes would shrink it (it has %llu): pass the shrink flag"),
                       vol->name, size, current);
        return -1;
    }
    max = virStorageVolPartitionMaxSize(table, part);
    if (size > max) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("partition '%s' can grow to at most %llu bytes: the space after it is taken"),
                       vol->name, max);
        return -1;
    }
    if (size == current)
        return 0;

    if (virStorageVolPartitionRequireUnused(vol->name) < 0)
        return -1;

    cmd = virStoragePartitionBuildResize(helper, disk, part->number, size);
    if (!(result = virStoragePartitionRun(cmd, disk)))
        return -1;

    if ((part = virStoragePartitionFind(result, part->number)))
        virStorageVolPartitionFill(vol, part, disk);
    virStorageDiskTableUpdateSizes(pool, result);
    return 0;
}
