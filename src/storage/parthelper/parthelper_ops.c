/*
 * parthelper_ops.c: the operations of the libparted helper
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This file is part of libvirt_storage_parthelper, which links libparted
 * (GPL-3.0-or-later): the executable as a whole is GPL-3.0-or-later.
 */

#include <config.h>

#include <string.h>

#include "parthelper_error.h"
#include "parthelper_json.h"
#include "parthelper_kernel.h"
#include "parthelper_ops.h"
#include "parthelper_table.h"


static void
phDeviceClose(PedDevice *dev)
{
    ped_device_close(dev);
    ped_device_destroy(dev);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PedDevice, phDeviceClose);


/* Opens @path read-write when it can (libparted falls back to
 * read-only); a read never commits, so it never writes. */
static PedDevice *
phDeviceOpen(const char *path)
{
    PedDevice *dev = ped_device_get(path);

    if (!dev) {
        phReportError("cannot use %s", path);
        return NULL;
    }

    if (!ped_device_open(dev)) {
        phReportError("cannot open %s", path);
        ped_device_destroy(dev);
        return NULL;
    }

    return dev;
}


/* Partitions may start on any 1 MiB boundary, not only on cylinders. */
static void
phDiskPrepare(PedDisk *disk)
{
    if (ped_disk_is_flag_available(disk, PED_DISK_CYLINDER_ALIGNMENT))
        ped_disk_set_flag(disk, PED_DISK_CYLINDER_ALIGNMENT, 0);
}


/* Can a @type label be set up on @dev at all?  libparted 3.5 crashes
 * (NULL dereference in ped_disk_new) reading a label found on a device
 * too small for one, as whatever wrote the device's first sectors may
 * leave it (a gpt signature on fewer than 68 sectors, dvh on one): an
 * empty table of that type, which libparted refuses cleanly there, tells
 * first.  Nothing is written. */
static bool
phLabelFits(PedDevice *dev,
            const PedDiskType *type)
{
    PedDisk *fresh = ped_disk_new_fresh(dev, type);

    if (!fresh)
        return false;
    ped_disk_destroy(fresh);
    return true;
}


/* The table on @dev in @disk, or NULL there when @dev has no label
 * libparted recognises. */
static int
phDiskRead(PedDevice *dev,
           PedDisk **disk)
{
    PedDiskType *type;
    PedDisk *found;

    phForgetPedFailure();
    if (!(type = ped_disk_probe(dev))) {
        if (phPedFailed()) {
            phReportError("cannot probe the partition table of %s",
                          dev->path);
            return -1;
        }
        *disk = NULL;
        return 0;
    }

    if (!phLabelFits(dev, type)) {
        phReportError("cannot read the %s partition table of %s: the device (%lld sectors) is too small to hold one",
                      type->name, dev->path, (long long) dev->length);
        return -1;
    }

    if (!(found = ped_disk_new(dev))) {
        phReportError("cannot read the %s partition table of %s",
                      type->name, dev->path);
        return -1;
    }

    phDiskPrepare(found);
    *disk = found;
    return 0;
}


/* Like phDiskRead, for a change: @dev must have a label. */
static int
phDiskReadLabelled(PedDevice *dev,
                   PedDisk **disk)
{
    if (phDiskRead(dev, disk) < 0)
        return -1;

    if (!*disk) {
        phReportError("%s has no partition table: make one with mklabel first",
                      dev->path);
        return -1;
    }

    return 0;
}


static int
phDiskWrite(PedDisk *disk)
{
    if (!ped_disk_commit(disk)) {
        phReportError("cannot write the partition table of %s",
                      disk->dev->path);
        return -1;
    }

    return 0;
}


/* What a change must leave on the disk: partition @number exactly at
 * sectors @start..@end. */
typedef struct {
    int number;
    PedSector start;
    PedSector end;
} phExpected;


static int
phExpectedCheck(const PedDevice *dev,
                const PedDisk *disk,
                const phExpected *expected)
{
    PedPartition *part = NULL;

    if (!expected)
        return 0;

    if (disk)
        part = ped_disk_get_partition(disk, expected->number);

    if (!part ||
        part->geom.start != expected->start ||
        part->geom.end != expected->end) {
        phReportError("the partition table read back from %s does not hold partition %d at sectors %lld-%lld (some labels drop a partition without a file system type: give one)",
                      dev->path, expected->number,
                      expected->start, expected->end);
        return -1;
    }

    return 0;
}


/* What libparted's probe found in a partition when a change read the
 * table, before it changed anything. */
typedef struct {
    int number;
    PedSector start;
    PedSector end;
    const PedFileSystemType *fs;
} phProbed;


static GArray *
phProbedRemember(const PedDisk *disk)
{
    GArray *probed = g_array_new(FALSE, FALSE, sizeof(phProbed));
    PedPartition *part;

    for (part = ped_disk_next_partition(disk, NULL); part;
         part = ped_disk_next_partition(disk, part)) {
        phProbed entry = { part->num, part->geom.start, part->geom.end,
                           part->fs_type };

        if (ped_partition_is_active(part))
            g_array_append_val(probed, entry);
    }
    return probed;
}


/* Reads the table on @dev into @disk while no file system type is
 * registered, so libparted probes no partition (each probe reads the
 * partition, and a table of a hundred partitions takes as long to probe
 * as the whole change).  The types are registered again afterwards, in
 * their order (registering puts a type first). */
static int
phDiskReadUnprobed(PedDevice *dev,
                   PedDisk **disk)
{
    g_autoptr(GPtrArray) types = g_ptr_array_new();
    PedFileSystemType *type;
    size_t i;
    int rc;

    for (type = ped_file_system_type_get_next(NULL); type;
         type = ped_file_system_type_get_next(type))
        g_ptr_array_add(types, type);
    for (i = 0; i < types->len; i++)
        ped_file_system_type_unregister(g_ptr_array_index(types, i));

    rc = phDiskRead(dev, disk);

    for (i = types->len; i > 0; i--)
        ped_file_system_type_register(g_ptr_array_index(types, i - 1));
    return rc;
}


/* The file system of each partition of @disk, read back after a change
 * without probes: a partition the change left where it was holds what
 * the read before the change found (writing a table never writes inside
 * a partition); one the change made or moved is probed now. */
static void
phProbedRestore(PedDisk *disk,
                const GArray *probed)
{
    PedPartition *part;
    size_t i;

    for (part = ped_disk_next_partition(disk, NULL); part;
         part = ped_disk_next_partition(disk, part)) {
        const phProbed *found = NULL;

        if (!ped_partition_is_active(part) ||
            part->type & PED_PARTITION_EXTENDED)
            continue;

        for (i = 0; i < probed->len && !found; i++) {
            const phProbed *entry = &g_array_index(probed, phProbed, i);

            if (entry->number == part->num &&
                entry->start == part->geom.start &&
                entry->end == part->geom.end)
                found = entry;
        }
        part->fs_type = found ? found->fs : ped_file_system_probe(&part->geom);
    }
}


/* The table as it now is on @dev, as JSON, once it holds what
 * @expected (if any) says.  With @probed (what the read before a change
 * found), partitions the change did not touch are not probed again. */
static int
phFormatFromDisk(PedDevice *dev,
                 const GArray *probed,
                 const phExpected *expected,
                 bool added,
                 char **json)
{
    g_autoptr(PedDisk) disk = NULL;

    if (probed) {
        if (phDiskReadUnprobed(dev, &disk) < 0)
            return -1;
        if (disk)
            phProbedRestore(disk, probed);
    } else if (phDiskRead(dev, &disk) < 0) {
        return -1;
    }

    if (phExpectedCheck(dev, disk, expected) < 0)
        return -1;

    *json = phJsonFormatTable(dev, disk, added ? expected->number : 0);
    return 0;
}


static PedPartition *
phPartitionFind(PedDisk *disk,
                int number)
{
    PedPartition *part = ped_disk_get_partition(disk, number);

    if (!part || !ped_partition_is_active(part)) {
        phReportError("%s has no partition %d", disk->dev->path, number);
        return NULL;
    }

    return part;
}


int
phRead(const char *path,
       char **json)
{
    g_autoptr(PedDevice) dev = NULL;

    if (!(dev = phDeviceOpen(path)))
        return -1;

    return phFormatFromDisk(dev, NULL, NULL, false, json);
}


static int
phCompareNames(gconstpointer a,
               gconstpointer b)
{
    return strcmp(*(const char * const *) a, *(const char * const *) b);
}


static const PedDiskType *
phLabelTypeGet(const char *label)
{
    const PedDiskType *type = ped_disk_type_get(label);
    g_autoptr(GPtrArray) names = NULL;
    g_autofree char *known = NULL;

    if (type)
        return type;

    names = g_ptr_array_new();
    for (type = ped_disk_type_get_next(NULL); type;
         type = ped_disk_type_get_next(type))
        g_ptr_array_add(names, (gpointer) type->name);
    g_ptr_array_sort(names, phCompareNames);
    g_ptr_array_add(names, NULL);
    known = g_strjoinv(" ", (char **) names->pdata);

    phReportError("unknown partition table type '%s' (known: %s)",
                  label, known);
    return NULL;
}


int
phMklabel(const char *path,
          const char *label,
          char **json)
{
    const PedDiskType *type;
    g_autoptr(PedDevice) dev = NULL;
    g_autoptr(PedDisk) disk = NULL;

    if (!(type = phLabelTypeGet(label)))
        return -1;

    if (!(dev = phDeviceOpen(path)))
        return -1;

    if (!(disk = ped_disk_new_fresh(dev, type))) {
        phReportError("cannot make a %s partition table on %s", label, path);
        return -1;
    }
    phDiskPrepare(disk);

    if (phDiskWrite(disk) < 0)
        return -1;

    return phFormatFromDisk(dev, NULL, NULL, false, json);
}


static int
phKindParse(const char *kind,
            PedPartitionType *type)
{
    if (strcmp(kind, "primary") == 0)
        *type = PED_PARTITION_NORMAL;
    else if (strcmp(kind, "logical") == 0)
        *type = PED_PARTITION_LOGICAL;
    else if (strcmp(kind, "extended") == 0)
        *type = PED_PARTITION_EXTENDED;
    else {
        phReportError("unknown partition kind '%s' (primary, logical or extended)",
                      kind);
        return -1;
    }
    return 0;
}


/* FSTYPE[,lvm|,raid]: @fs is NULL for "none", @flag 0 for no flag. */
static int
phFsTypeParse(const char *spec,
              const PedFileSystemType **fs,
              PedPartitionFlag *flag)
{
    g_autofree char *name = g_strdup(spec);
    char *suffix = strchr(name, ',');

    *flag = 0;
    if (suffix) {
        *suffix++ = '\0';
        if (strcmp(suffix, "lvm") == 0) {
            *flag = PED_PARTITION_LVM;
        } else if (strcmp(suffix, "raid") == 0) {
            *flag = PED_PARTITION_RAID;
        } else {
            phReportError("unknown partition flag '%s' in '%s' (lvm or raid)",
                          suffix, spec);
            return -1;
        }
    }

    if (strcmp(name, "none") == 0) {
        *fs = NULL;
        return 0;
    }

    if (!(*fs = ped_file_system_type_get(name))) {
        phReportError("unknown file system type '%s'", name);
        return -1;
    }
    return 0;
}


/* Whether @disk's label and its current partitions leave room for one
 * more partition of @type. */
static int
phKindCheck(PedDisk *disk,
            PedPartitionType type)
{
    const char *path = disk->dev->path;
    PedPartition *extended = NULL;
    int primaries = ped_disk_get_primary_partition_count(disk);
    int maxPrimaries = ped_disk_get_max_primary_partition_count(disk);

    if (type != PED_PARTITION_NORMAL) {
        if (!ped_disk_type_check_feature(disk->type, PED_DISK_TYPE_EXTENDED)) {
            phReportError("%s partition tables (on %s) have no extended or logical partitions",
                          disk->type->name, path);
            return -1;
        }
        extended = ped_disk_extended_partition(disk);
    }

    if (type == PED_PARTITION_LOGICAL) {
        if (!extended) {
            phReportError("%s has no extended partition to hold a logical one",
                          path);
            return -1;
        }
        return 0;
    }

    if (type == PED_PARTITION_EXTENDED && extended) {
        phReportError("%s already has an extended partition (number %d)",
                      path, extended->num);
        return -1;
    }

    if (primaries >= maxPrimaries) {
        phReportError("%s already has the %d primary partitions its %s label allows",
                      path, maxPrimaries, disk->type->name);
        return -1;
    }

    return 0;
}


/* The first free region of the right kind holding @sectors. */
static int
phRegionFind(PedDisk *disk,
             PedPartitionType type,
             PedSector sectors,
             unsigned long long size,
             phRegion *found)
{
    g_autoptr(GArray) regions = phFreeRegions(disk);
    bool logical = type == PED_PARTITION_LOGICAL;
    PedSector largest = 0;
    size_t i;

    for (i = 0; i < regions->len; i++) {
        const phRegion *region = &g_array_index(regions, phRegion, i);
        PedSector length = region->end - region->start + 1;

        if (region->logical != logical)
            continue;

        if (length >= sectors) {
            *found = *region;
            return 0;
        }
        largest = MAX(largest, length);
    }

    phReportError("no free region of %llu bytes on %s (largest is %llu bytes)",
                  size, disk->dev->path,
                  (unsigned long long) largest * disk->dev->sector_size);
    return -1;
}


/* Adds a partition covering exactly @start..@end; its number is put
 * in @number. */
static int
phPartitionCreate(PedDisk *disk,
                  PedPartitionType type,
                  const PedFileSystemType *fs,
                  PedPartitionFlag flag,
                  PedSector start,
                  PedSector end,
                  int *number)
{
    PedPartition *part;
    g_autoptr(PedConstraint) exact = NULL;

    if (!(part = ped_partition_new(disk, type, fs, start, end))) {
        phReportError("cannot make a partition at sectors %lld-%lld of %s",
                      start, end, disk->dev->path);
        return -1;
    }

    if (!(exact = ped_constraint_exact(&part->geom)) ||
        !ped_disk_add_partition(disk, part, exact)) {
        phReportError("cannot add a partition at sectors %lld-%lld of %s",
                      start, end, disk->dev->path);
        ped_partition_destroy(part);
        return -1;
    }

    if (flag != 0) {
        if (!ped_partition_is_flag_available(part, flag)) {
            phReportError("%s partitions (on %s) have no %s flag",
                          disk->type->name, disk->dev->path,
                          ped_partition_flag_get_name(flag));
            return -1;
        }
        if (!ped_partition_set_flag(part, flag, 1)) {
            phReportError("cannot set the %s flag of the new partition on %s",
                          ped_partition_flag_get_name(flag), disk->dev->path);
            return -1;
        }
    }

    *number = part->num;
    return 0;
}


/* Whether the partition just made in memory got the number the caller
 * named (@wanted, 0 for any); nothing is written yet. */
static int
phNumberCheck(const PedDisk *disk,
              int made,
              int wanted)
{
    if (wanted == 0 || made == wanted)
        return 0;

    phReportError("the new partition on %s would be number %d, not %d: nothing was written",
                  disk->dev->path, made, wanted);
    return -1;
}


int
phAdd(const char *path,
      const char *kind,
      const char *fstype,
      unsigned long long size,
      int number,
      char **json)
{
    PedPartitionType type;
    const PedFileSystemType *fs = NULL;
    PedPartitionFlag flag = 0;
    PedSector sectors;
    phRegion region;
    phExpected expected;
    g_autoptr(PedDevice) dev = NULL;
    g_autoptr(PedDisk) disk = NULL;
    g_autoptr(GArray) probed = NULL;

    if (phKindParse(kind, &type) < 0)
        return -1;

    /* An extended partition is only a container: FSTYPE is ignored. */
    if (type != PED_PARTITION_EXTENDED &&
        phFsTypeParse(fstype, &fs, &flag) < 0)
        return -1;

    if (!(dev = phDeviceOpen(path)) ||
        phDiskReadLabelled(dev, &disk) < 0)
        return -1;
    probed = phProbedRemember(disk);

    sectors = phSizeToSectors(disk, size);
    if (phKindCheck(disk, type) < 0 ||
        phRegionFind(disk, type, sectors, size, &region) < 0)
        return -1;

    expected.start = region.start;
    expected.end = region.start + sectors - 1;
    if (phPartitionCreate(disk, type, fs, flag, expected.start,
                          expected.end, &expected.number) < 0 ||
        phNumberCheck(disk, expected.number, number) < 0 ||
        phDiskWrite(disk) < 0)
        return -1;

    return phFormatFromDisk(dev, probed, &expected, true, json);
}


/* Whether @part starts at byte @start of its disk. */
static int
phStartCheck(const PedPartition *part,
             unsigned long long start)
{
    const PedDevice *dev = part->disk->dev;
    unsigned long long found = (unsigned long long) part->geom.start * dev->sector_size;

    if (found == start)
        return 0;

    phReportError("partition %d of %s starts at byte %llu, not at %llu: the partition table was changed, nothing was written",
                  part->num, dev->path, found, start);
    return -1;
}


int
phDelete(const char *path,
         int number,
         bool checkStart,
         unsigned long long start,
         char **json)
{
    PedPartition *part;
    g_autoptr(PedDevice) dev = NULL;
    g_autoptr(PedDisk) disk = NULL;
    g_autoptr(GArray) probed = NULL;
    g_autoptr(GArray) before = NULL;
    g_autoptr(GArray) after = NULL;
    g_autoptr(GArray) gone = NULL;
    g_autoptr(GArray) dropped = NULL;

    if (!(dev = phDeviceOpen(path)) ||
        phDiskReadLabelled(dev, &disk) < 0 ||
        !(part = phPartitionFind(disk, number)) ||
        (checkStart && phStartCheck(part, start) < 0))
        return -1;
    probed = phProbedRemember(disk);

    if (part->type == PED_PARTITION_EXTENDED) {
        PedPartition *inner;

        for (inner = part->part_list; inner; inner = inner->next) {
            if (ped_partition_is_active(inner)) {
                phReportError("partition %d of %s is the extended partition and still holds logical partition %d: delete the logical partitions first",
                              number, path, inner->num);
                return -1;
            }
        }
    }

    before = phKernelPartitions(disk);
    if (!ped_disk_delete_partition(disk, part)) {
        phReportError("cannot delete partition %d of %s", number, path);
        return -1;
    }

    /* the kernel first, then the disk (parthelper_kernel.h): a partition
     * held open stops the delete before anything is written */
    after = phKernelPartitions(disk);
    gone = phKernelGone(before, after);
    dropped = phKernelPartsNew();
    if (phKernelDrop(path, gone, dropped) < 0)
        return -1;

    if (!ped_disk_commit_to_dev(disk)) {
        phReportError("cannot write the partition table of %s", path);
        phKernelRestore(path, dropped);
        return -1;
    }

    /* adds the logical partitions a dos label renumbered */
    if (!ped_disk_commit_to_os(disk)) {
        phReportError("the partition table of %s was written, but the kernel could not be told about the partitions renumbered after %d: run 'partprobe %s'",
                      path, number, path);
        return -1;
    }

    return phFormatFromDisk(dev, probed, NULL, false, json);
}


int
phResize(const char *path,
         int number,
         unsigned long long size,
         char **json)
{
    PedPartition *part;
    PedSector sectors;
    PedSector end;
    PedSector maxEnd;
    PedGeometry geom;
    phExpected expected;
    g_autoptr(PedConstraint) exact = NULL;
    g_autoptr(PedDevice) dev = NULL;
    g_autoptr(PedDisk) disk = NULL;
    g_autoptr(GArray) probed = NULL;

    if (!(dev = phDeviceOpen(path)) ||
        phDiskReadLabelled(dev, &disk) < 0 ||
        !(part = phPartitionFind(disk, number)))
        return -1;
    probed = phProbedRemember(disk);

    sectors = phSizeToSectors(disk, size);
    end = part->geom.start + sectors - 1;
    maxEnd = phPartitionMaxEnd(part);
    if (end > maxEnd) {
        phReportError("partition %d of %s cannot grow to %llu bytes: only %llu bytes free after it",
                      number, path, size,
                      (unsigned long long) (maxEnd - part->geom.end) * dev->sector_size);
        return -1;
    }

    if (!ped_geometry_init(&geom, dev, part->geom.start, sectors) ||
        !(exact = ped_constraint_exact(&geom)) ||
        !ped_disk_set_partition_geom(disk, part, exact,
                                     geom.start, geom.end)) {
        phReportError("cannot resize partition %d of %s to %llu bytes",
                      number, path, size);
        return -1;
    }

    if (phDiskWrite(disk) < 0)
        return -1;

    expected.number = number;
    expected.start = geom.start;
    expected.end = geom.end;
    return phFormatFromDisk(dev, probed, &expected, false, json);
}
