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
#include "storage_blkid.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_pool_disk");


const char *
virStoragePoolDiskLabelName(int format)
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
poolDiskLabelUserName(const char *label)
{
    if (!label)
        return "none";
    if (STREQ(label, "msdos"))
        return "dos";
    return label;
}


static const char *
poolDiskFormatName(virStoragePoolDef *def)
{
    if (def->source.format == VIR_STORAGE_POOL_DISK_UNKNOWN)
        return "dos";
    return virStoragePoolFormatDiskTypeToString(def->source.format);
}


static const char *
poolDiskRequireLabel(virStoragePoolDef *def)
{
    const char *label = virStoragePoolDiskLabelName(def->source.format);

    if (!label) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("pool '%s' has format '%s', which is not a partition table label: use dos, gpt, mac, bsd, pc98, sun or dvh"),
                       def->name, NULLSTR(poolDiskFormatName(def)));
    }
    return label;
}


char *
virStoragePoolDiskDevice(virStoragePoolDef *def)
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
                       _("source '%s' of pool '%s' is not a block device"),
                       path, def->name);
        return NULL;
    }
    return g_steal_pointer(&real);
}


static virStoragePartitionTable *
poolDiskRead(virStoragePoolDef *def)
{
    g_autofree char *helper = NULL;
    g_autofree char *device = NULL;
    g_autoptr(virCommand) cmd = NULL;

    if (!(device = virStoragePoolDiskDevice(def)) ||
        !(helper = virStoragePartitionHelperPath()))
        return NULL;

    cmd = virStoragePartitionBuildRead(helper, def->source.devices[0].path);
    return virStoragePartitionRun(cmd, def->source.devices[0].path);
}


static int
poolDiskCheckLabel(virStoragePoolDef *def,
                   const virStoragePartitionTable *table)
{
    const char *expected = poolDiskRequireLabel(def);

    if (!expected)
        return -1;

    if (!table->label) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("device '%s' of pool '%s' has no partition table: write a '%s' label with 'virsh pool-build %s'"),
                       def->source.devices[0].path, def->name,
                       poolDiskFormatName(def), def->name);
        return -1;
    }

    if (STRNEQ(table->label, expected)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("device '%s' of pool '%s' has a '%s' partition table, but the pool's format is '%s': correct the pool's source format, or relabel the disk with 'virsh pool-build %s --overwrite' (destroys its partitions)"),
                       def->source.devices[0].path, def->name,
                       poolDiskLabelUserName(table->label),
                       poolDiskFormatName(def), def->name);
        return -1;
    }
    return 0;
}


virStoragePartitionTable *
virStoragePoolDiskReadTable(virStoragePoolDef *def)
{
    g_autoptr(virStoragePartitionTable) table = NULL;

    if (!(table = poolDiskRead(def)))
        return NULL;
    if (poolDiskCheckLabel(def, table) < 0)
        return NULL;
    return g_steal_pointer(&table);
}


int
virStoragePoolDiskCheck(virStoragePoolObj *pool,
                        bool *active)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePartitionTable) table = NULL;

    *active = false;
    if (!virFileExists(def->source.devices[0].path))
        return 0;

    if (!(table = virStoragePoolDiskReadTable(def)))
        return -1;

    *active = true;
    return 0;
}


int
virStoragePoolDiskStart(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePartitionTable) table = NULL;

    if (!(table = virStoragePoolDiskReadTable(def)))
        return -1;
    return 0;
}


/* Fails when a partition of the disk, or the disk itself, is in use: the
 * kernel refuses an exclusive open of a disk one of whose partitions is
 * mounted or held by device-mapper, md... */
static int
poolDiskRequireUnused(virStoragePoolDef *def,
                      const char *device)
{
    int fd = open(device, O_RDONLY | O_EXCL | O_CLOEXEC);

    if (fd >= 0) {
        VIR_FORCE_CLOSE(fd);
        return 0;
    }
    if (errno == EBUSY) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("device '%s' of pool '%s' is in use (a partition is mounted or held by another device): release it first"),
                       device, def->name);
    } else {
        virReportSystemError(errno, _("cannot open device '%s' of pool '%s'"),
                             device, def->name);
    }
    return -1;
}


/* With neither flag or with no-overwrite, a disk that holds anything is
 * left alone; overwrite erases every signature first. */
static int
poolDiskPrepareForLabel(virStoragePoolDef *def,
                        const char *device,
                        unsigned int flags)
{
    bool overwrite = !!(flags & VIR_STORAGE_POOL_BUILD_OVERWRITE);

    if (overwrite && poolDiskRequireUnused(def, device) < 0)
        return -1;
    return virStorageBlkidRefuseOrWipe(def->name, device, overwrite);
}


int
virStoragePoolDiskBuild(virStoragePoolObj *pool,
                        unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePartitionTable) table = NULL;
    g_autoptr(virCommand) cmd = NULL;
    g_autofree char *device = NULL;
    g_autofree char *helper = NULL;
    const char *label;

    virCheckFlags(VIR_STORAGE_POOL_BUILD_OVERWRITE |
                  VIR_STORAGE_POOL_BUILD_NO_OVERWRITE, -1);

    VIR_EXCLUSIVE_FLAGS_RET(VIR_STORAGE_POOL_BUILD_OVERWRITE,
                            VIR_STORAGE_POOL_BUILD_NO_OVERWRITE, -1);

    if (!(label = poolDiskRequireLabel(def)) ||
        !(device = virStoragePoolDiskDevice(def)) ||
        !(helper = virStoragePartitionHelperPath()))
        return -1;

    if (poolDiskPrepareForLabel(def, device, flags) < 0)
        return -1;

    cmd = virStoragePartitionBuildMklabel(helper, def->source.devices[0].path,
                                          label);
    if (!(table = virStoragePartitionRun(cmd, def->source.devices[0].path)))
        return -1;

    if (def->source.format == VIR_STORAGE_POOL_DISK_UNKNOWN)
        def->source.format = VIR_STORAGE_POOL_DISK_DOS;
    return 0;
}


int
virStoragePoolDiskDelete(virStoragePoolObj *pool,
                         unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autofree char *device = NULL;

    virCheckFlags(0, -1);

    if (!(device = virStoragePoolDiskDevice(def)) ||
        poolDiskRequireUnused(def, device) < 0)
        return -1;

    return virStorageBlkidWipeSignatures(device);
}


/* ------------------------------------------------------------ refresh */

static bool
poolDiskTargetIsDev(virStoragePoolDef *def)
{
    g_autofree char *real = NULL;

    if (!def->target.path)
        return true;
    if (virFileResolveLink(def->target.path, &real) < 0)
        return false;
    return STREQ(real, "/dev");
}


char *
virStoragePoolDiskVolPath(virStoragePoolDef *def,
                          const char *kname)
{
    g_autofree char *devpath = g_strdup_printf("/dev/%s", kname);
    g_autoptr(DIR) dir = NULL;
    struct dirent *ent;

    if (poolDiskTargetIsDev(def))
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
poolDiskRegionUsable(const virStoragePartitionTable *table,
                     const virStoragePartitionFree *region)
{
    return virStoragePartitionNextNumber(table, region->kind) != 0;
}


static unsigned long long
poolDiskAllocation(const virStoragePartitionTable *table)
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
poolDiskVolIsExtended(virStorageVolDef *vol,
                      const void *opaque G_GNUC_UNUSED)
{
    return vol->source.partType == VIR_STORAGE_VOL_DISK_TYPE_EXTENDED;
}


static unsigned long long
poolDiskLogicalAllocation(const virStoragePartitionTable *table)
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
virStoragePoolDiskUpdateSizes(virStoragePoolObj *pool,
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

        if (poolDiskRegionUsable(table, region))
            largest = MAX(largest, region->end - region->start + 1);
    }

    def->capacity = table->size;
    def->allocation = poolDiskAllocation(table);
    def->available = largest;

    if ((extended = virStoragePoolObjSearchVolume(pool, poolDiskVolIsExtended,
                                                  NULL)))
        extended->target.allocation = poolDiskLogicalAllocation(table);
}


int
virStoragePoolDiskLoadVols(virStoragePoolObj *pool,
                           const virStoragePartitionTable *table)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autofree char *device = NULL;
    size_t i;

    if (!(device = virStoragePoolDiskDevice(def)))
        return -1;

    virStoragePoolObjClearVols(pool);

    for (i = 0; i < table->npartitions; i++) {
        const virStoragePartition *part = &table->partitions[i];
        g_autofree char *kname = virStoragePartitionKernelName(device, part->number);
        g_autofree char *path = virStoragePoolDiskVolPath(def, kname);
        virStorageVolDef *vol = virStorageVolPartitionNew(table, part,
                                                          def->source.devices[0].path,
                                                          path);

        vol->name = g_steal_pointer(&kname);
        if (virStoragePoolObjAddVol(pool, vol) < 0) {
            virStorageVolDefFree(vol);
            return -1;
        }
    }

    virStoragePoolDiskUpdateSizes(pool, table);
    return 0;
}


int
virStoragePoolDiskRefresh(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePartitionTable) table = NULL;

    if (!(table = virStoragePoolDiskReadTable(def)))
        return -1;

    return virStoragePoolDiskLoadVols(pool, table);
}
