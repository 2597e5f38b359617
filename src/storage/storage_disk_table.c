/*
 * storage_disk_table.c: the partition table of a disk pool's disk
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the disk pool and its partition volumes both need of the disk:
 * its kernel path, its table read by one run of our libparted helper and
 * checked against the pool's format, the path of a partition in the
 * pool's target directory, and the pool's sizes from a table.
 */

#include <config.h>

#include <dirent.h>
#include <sys/stat.h>

#include "storage_disk_table.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_disk_table");


const char *
virStorageDiskTableLabelName(int format)
{
    switch ((virStoragePoolFormatDisk) format) {
    case VIR_STORAGE_POOL_DISK_UNKNOWN:
    case VIR_STORAGE_POOL_DISK_DOS:
        return "msdos";
    case VIR_STORAGE_POOL_DISK_DVH:
        return "dvh";
    case VIR_STORAGE_POOL_DISK_GPT:
        return "gpt";
    case VIR_STORAGE_POOL_DISK_MAC:
        return "mac";
    case VIR_STORAGE_POOL_DISK_BSD:
        return "bsd";
    case VIR_STORAGE_POOL_DISK_PC98:
        return "pc98";
    case VIR_STORAGE_POOL_DISK_SUN:
        return "sun";
    case VIR_STORAGE_POOL_DISK_LVM2:
    case VIR_STORAGE_POOL_DISK_LAST:
        break;
    }
    return NULL;
}


/* libvirt's name of the libparted label @label, for messages */
static const char *
virStorageDiskTableLabelUserName(const char *label)
{
    if (!label)
        return "none";
    if (STREQ(label, "msdos"))
        return "dos";
    return label;
}


static const char *
virStorageDiskTableFormatName(virStoragePoolDef *def)
{
    if (def->source.format == VIR_STORAGE_POOL_DISK_UNKNOWN)
        return "dos";
    return virStoragePoolFormatDiskTypeToString(def->source.format);
}


const char *
virStorageDiskTableRequireLabel(virStoragePoolDef *def)
{
    const char *label = virStorageDiskTableLabelName(def->source.format);

    if (!label) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("pool '%s' has format '%s', which is not a partition table label: use dos, gpt, mac, bsd, pc98, sun or dvh"),
                       def->name, NULLSTR(virStorageDiskTableFormatName(def)));
    }
    return label;
}


char *
virStorageDiskTableDevice(virStoragePoolDef *def)
{
    const char *path = def->source.devices[0].path;
    g_autofree char *real = NULL;
    struct stat sb;

    if (virFileResolveLink(path, &real) < 0 || stat(real, &sb) < 0) {
        virReportSystemError(errno,
                             _("device '%s' of pool '%s' is not available: attach the disk or correct the pool's source path"),
                             path, def->name);
        return NULL;
    }
    if (!S_ISBLK(sb.st_mode) && !S_ISREG(sb.st_mode)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("source '%s' of pool '%s' is not a block device: give the path of a disk"),
                       path, def->name);
        return NULL;
    }
    return g_steal_pointer(&real);
}


virStoragePartitionTable *
virStorageDiskTableReadAny(virStoragePoolDef *def)
{
    g_autofree char *helper = NULL;
    g_autofree char *device = NULL;
    g_autoptr(virCommand) cmd = NULL;

    if (!(device = virStorageDiskTableDevice(def)) ||
        !(helper = virStoragePartitionHelperPath()))
        return NULL;

    cmd = virStoragePartitionBuildRead(helper, def->source.devices[0].path);
    return virStoragePartitionRun(cmd, def->source.devices[0].path);
}


/* A pool of format unknown takes the label @table has, when it has one
 * libvirt knows; the label is then checked as for any other format. */
static int
virStorageDiskTableAdoptLabel(virStoragePoolDef *def,
                              const virStoragePartitionTable *table)
{
    int format;

    if (def->source.format != VIR_STORAGE_POOL_DISK_UNKNOWN || !table->label)
        return 0;

    if (STREQ(table->label, "msdos"))
        format = VIR_STORAGE_POOL_DISK_DOS;
    else
        format = virStoragePoolFormatDiskTypeFromString(table->label);

    if (STREQ(table->label, "loop")) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("device '%s' of pool '%s' holds a file system on the whole disk, not a partition table: use another disk, or relabel this one with 'virsh pool-build %s --overwrite' (destroys the file system)"),
                       def->source.devices[0].path, def->name, def->name);
        return -1;
    }

    if (format <= VIR_STORAGE_POOL_DISK_UNKNOWN ||
        !virStorageDiskTableLabelName(format)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("device '%s' of pool '%s' has a '%s' partition table, which disk pools cannot manage: relabel the disk with 'virsh pool-build %s --overwrite' (destroys its partitions)"),
                       def->source.devices[0].path, def->name,
                       table->label, def->name);
        return -1;
    }

    VIR_INFO("pool '%s' of format unknown takes the '%s' label of device '%s'",
             def->name, table->label, def->source.devices[0].path);
    def->source.format = format;
    return 0;
}


int
virStorageDiskTableCheckLabel(virStoragePoolDef *def,
                              const virStoragePartitionTable *table)
{
    const char *expected;

    if (virStorageDiskTableAdoptLabel(def, table) < 0 ||
        !(expected = virStorageDiskTableRequireLabel(def)))
        return -1;

    if (!table->label) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("device '%s' of pool '%s' has no partition table: write a '%s' label with 'virsh pool-build %s'"),
                       def->source.devices[0].path, def->name,
                       virStorageDiskTableFormatName(def), def->name);
        return -1;
    }

    if (STRNEQ(table->label, expected)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("device '%s' of pool '%s' has a '%s' partition table, but the pool's format is '%s': correct the pool's source format, or relabel the disk with 'virsh pool-build %s --overwrite' (destroys its partitions)"),
                       def->source.devices[0].path, def->name,
                       virStorageDiskTableLabelUserName(table->label),
                       virStorageDiskTableFormatName(def), def->name);
        return -1;
    }
    return 0;
}


virStoragePartitionTable *
virStorageDiskTableRead(virStoragePoolDef *def)
{
    g_autoptr(virStoragePartitionTable) table = NULL;

    if (!(table = virStorageDiskTableReadAny(def)))
        return NULL;
    if (virStorageDiskTableCheckLabel(def, table) < 0)
        return NULL;
    return g_steal_pointer(&table);
}


static bool
virStorageDiskTableTargetIsDev(virStoragePoolDef *def)
{
    g_autofree char *real = NULL;

    if (!def->target.path)
        return true;
    if (virFileResolveLink(def->target.path, &real) < 0)
        return false;
    return STREQ(real, "/dev");
}


char *
virStorageDiskTableVolPath(virStoragePoolDef *def,
                           const char *kname)
{
    g_autofree char *devpath = g_strdup_printf("/dev/%s", kname);
    g_autoptr(DIR) dir = NULL;
    struct dirent *ent;

    if (virStorageDiskTableTargetIsDev(def))
        return g_steal_pointer(&devpath);

    /* a /dev/disk/by-* target: the link that points to the partition */
    if (virDirOpenQuiet(&dir, def->target.path) < 0)
        return g_steal_pointer(&devpath);

    while (virDirRead(dir, &ent, NULL) > 0) {
        g_autofree char *link = g_build_filename(def->target.path,
                                                 ent->d_name, NULL);
        g_autofree char *real = NULL;

        if (virFileResolveLink(link, &real) == 0 && STREQ(real, devpath))
            return g_steal_pointer(&link);
    }
    return g_steal_pointer(&devpath);
}


/* A free region where a new partition can go: a primary one while the
 * label has a primary number left, a logical one inside an extended
 * partition of a dos label. */
static bool
virStorageDiskTableRegionUsable(const virStoragePartitionTable *table,
                                const virStoragePartitionFree *region)
{
    return virStoragePartitionNextNumber(table, region->kind) != 0;
}


static unsigned long long
virStorageDiskTableAllocation(const virStoragePartitionTable *table)
{
    unsigned long long allocation = 0;
    size_t i;

    for (i = 0; i < table->npartitions; i++) {
        const virStoragePartition *part = &table->partitions[i];

        /* logical partitions live inside the extended one */
        if (part->kind != VIR_STORAGE_PARTITION_EXTENDED)
            allocation += part->end - part->start + 1;
    }
    return allocation;
}


static bool
virStorageDiskTableVolIsExtended(virStorageVolDef *vol,
                                 const void *opaque G_GNUC_UNUSED)
{
    return vol->source.partType == VIR_STORAGE_VOL_DISK_TYPE_EXTENDED;
}


static unsigned long long
virStorageDiskTableLogicalAllocation(const virStoragePartitionTable *table)
{
    unsigned long long allocation = 0;
    size_t i;

    for (i = 0; i < table->npartitions; i++) {
        if (table->partitions[i].kind == VIR_STORAGE_PARTITION_LOGICAL)
            allocation += table->partitions[i].end - table->partitions[i].start + 1;
    }
    return allocation;
}


void
virStorageDiskTableUpdateSizes(virStoragePoolObj *pool,
                               const virStoragePartitionTable *table)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    virStoragePoolSourceDevice *dev = &def->source.devices[0];
    virStorageVolDef *extended;
    unsigned long long largest = 0;
    size_t i;

    g_clear_pointer(&dev->freeExtents, g_free);
    dev->nfreeExtent = 0;
    dev->freeExtents = g_new0(virStoragePoolSourceDeviceExtent, table->nfree);

    for (i = 0; i < table->nfree; i++) {
        const virStoragePartitionFree *region = &table->free[i];
        virStoragePoolSourceDeviceExtent *ext = &dev->freeExtents[dev->nfreeExtent++];

        ext->start = region->start;
        ext->end = region->end + 1;
        ext->type = region->kind == VIR_STORAGE_PARTITION_LOGICAL ?
                    VIR_STORAGE_FREE_LOGICAL : VIR_STORAGE_FREE_NORMAL;

        if (virStorageDiskTableRegionUsable(table, region))
            largest = MAX(largest, region->end - region->start + 1);
    }

    def->capacity = table->size;
    def->allocation = virStorageDiskTableAllocation(table);
    def->available = largest;

    if ((extended = virStoragePoolObjSearchVolume(pool,
                                                  virStorageDiskTableVolIsExtended,
                                                  NULL)))
        extended->target.allocation = virStorageDiskTableLogicalAllocation(table);
}
