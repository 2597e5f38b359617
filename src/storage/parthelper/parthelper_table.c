/*
 * parthelper_table.c: what the libparted helper reads from a table:
 * partition kinds, aligned free regions, sizes in sectors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This file is part of libvirt_storage_parthelper, which links libparted
 * (GPL-3.0-or-later): the executable as a whole is GPL-3.0-or-later.
 */

#include <config.h>

#include "parthelper_table.h"


PedSector
phAlignSectors(const PedDisk *disk)
{
    PedSector mib = MAX(PH_ALIGN_BYTES / disk->dev->sector_size, 1);
    g_autoptr(PedAlignment) label = ped_disk_get_partition_alignment(disk);

    if (label && label->grain_size > 1 && mib % label->grain_size != 0)
        return label->grain_size;

    return mib;
}


PedSector
phSizeToSectors(const PedDisk *disk,
                unsigned long long bytes)
{
    const PedDevice *dev = disk->dev;
    unsigned long long align = phAlignSectors(disk);
    unsigned long long sectors;

    sectors = bytes / dev->sector_size + (bytes % dev->sector_size != 0);
    if (sectors > (unsigned long long) dev->length)
        return dev->length + 1;

    return (sectors + align - 1) / align * align;
}


bool
phRegionFromFree(const PedDisk *disk,
                 PedSector start,
                 PedSector end,
                 bool logical,
                 phRegion *region)
{
    PedSector align = phAlignSectors(disk);
    PedSector first = MAX(start + (logical ? 1 : 0), 1);
    PedSector alignedStart = (first + align - 1) / align * align;
    PedSector alignedEnd = (end + 1) / align * align - 1;

    if (end < start || alignedEnd < alignedStart ||
        alignedEnd - alignedStart + 1 < align)
        return false;

    region->start = alignedStart;
    region->end = alignedEnd;
    region->logical = logical;
    return true;
}


GArray *
phFreeRegions(const PedDisk *disk)
{
    GArray *regions = g_array_new(FALSE, FALSE, sizeof(phRegion));
    PedPartition *part;

    for (part = ped_disk_next_partition(disk, NULL); part;
         part = ped_disk_next_partition(disk, part)) {
        phRegion region;

        if (!(part->type & PED_PARTITION_FREESPACE))
            continue;

        if (phRegionFromFree(disk, part->geom.start, part->geom.end,
                             (part->type & PED_PARTITION_LOGICAL) != 0,
                             &region))
            g_array_append_val(regions, region);
    }

    return regions;
}


const char *
phPartitionKindName(const PedPartition *part)
{
    if (part->type & PED_PARTITION_EXTENDED)
        return "extended";
    if (part->type & PED_PARTITION_LOGICAL)
        return "logical";
    return "primary";
}


PedSector
phPartitionMaxEnd(const PedPartition *part)
{
    PedPartition *next = part->next;
    PedSector align = phAlignSectors(part->disk);
    PedSector end;

    if (!next || !(next->type & PED_PARTITION_FREESPACE))
        return part->geom.end;

    end = (next->geom.end + 1) / align * align - 1;
    return end > part->geom.end ? end : part->geom.end;
}
