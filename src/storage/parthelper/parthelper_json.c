/*
 * parthelper_json.c: the libparted helper's output, a partition table
 * as JSON
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This file is part of libvirt_storage_parthelper, which links libparted
 * (GPL-3.0-or-later): the executable as a whole is GPL-3.0-or-later.
 */

#include <config.h>

#include "parthelper_json.h"
#include "parthelper_table.h"


void
phJsonAppendString(GString *out,
                   const char *text)
{
    const unsigned char *p;

    if (!text) {
        g_string_append(out, "null");
        return;
    }

    g_string_append_c(out, '"');
    for (p = (const unsigned char *) text; *p; p++) {
        switch (*p) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                g_string_append_printf(out, "\\u%04x", *p);
            else
                g_string_append_c(out, *p);
        }
    }
    g_string_append_c(out, '"');
}


/* Byte offsets of sector @start and of the last byte of sector @end. */
static unsigned long long
phStartByte(const PedDevice *dev,
            PedSector start)
{
    return (unsigned long long) start * dev->sector_size;
}


static unsigned long long
phEndByte(const PedDevice *dev,
          PedSector end)
{
    return (unsigned long long) (end + 1) * dev->sector_size - 1;
}


static void
phJsonAppendFlags(GString *out,
                  const PedPartition *part)
{
    PedPartitionFlag flag = 0;
    bool first = true;

    g_string_append_c(out, '[');
    while ((flag = ped_partition_flag_next(flag)) != 0) {
        if (!ped_partition_is_flag_available(part, flag) ||
            !ped_partition_get_flag(part, flag))
            continue;
        if (!first)
            g_string_append(out, ", ");
        phJsonAppendString(out, ped_partition_flag_get_name(flag));
        first = false;
    }
    g_string_append_c(out, ']');
}


static void
phJsonAppendPartition(GString *out,
                      const PedPartition *part)
{
    const PedDevice *dev = part->disk->dev;

    g_string_append_printf(out, "    { \"number\": %d, \"kind\": ", part->num);
    phJsonAppendString(out, phPartitionKindName(part));
    g_string_append_printf(out, ", \"start\": %llu, \"end\": %llu, \"fs\": ",
                           phStartByte(dev, part->geom.start),
                           phEndByte(dev, part->geom.end));
    phJsonAppendString(out, part->fs_type ? part->fs_type->name : NULL);
    g_string_append(out, ", \"flags\": ");
    phJsonAppendFlags(out, part);
    g_string_append(out, " }");
}


/* Real partitions by number (free space and metadata have none). */
static void
phJsonAppendPartitions(GString *out,
                       const PedDisk *disk)
{
    int last = disk ? ped_disk_get_last_partition_num(disk) : 0;
    bool first = true;
    int num;

    g_string_append(out, "  \"partitions\": [");
    for (num = 1; num <= last; num++) {
        PedPartition *part = ped_disk_get_partition(disk, num);

        if (!part || !ped_partition_is_active(part))
            continue;
        g_string_append(out, first ? "\n" : ",\n");
        phJsonAppendPartition(out, part);
        first = false;
    }
    g_string_append(out, first ? "],\n" : "\n  ],\n");
}


static void
phJsonAppendFree(GString *out,
                 const PedDisk *disk)
{
    g_autoptr(GArray) regions = disk ? phFreeRegions(disk) : NULL;
    size_t nregions = regions ? regions->len : 0;
    size_t i;

    g_string_append(out, "  \"free\": [");
    for (i = 0; i < nregions; i++) {
        const phRegion *region = &g_array_index(regions, phRegion, i);

        g_string_append_printf(out,
                               "%s    { \"start\": %llu, \"end\": %llu, \"kind\": \"%s\" }",
                               i == 0 ? "\n" : ",\n",
                               phStartByte(disk->dev, region->start),
                               phEndByte(disk->dev, region->end),
                               region->logical ? "logical" : "primary");
    }
    g_string_append(out, nregions == 0 ? "]" : "\n  ]");
}


char *
phJsonFormatTable(const PedDevice *dev,
                  const PedDisk *disk,
                  int added)
{
    g_autoptr(GString) out = g_string_new("{\n  \"device\": ");

    phJsonAppendString(out, dev->path);
    g_string_append(out, ",\n  \"label\": ");
    phJsonAppendString(out, disk ? disk->type->name : NULL);
    g_string_append_printf(out, ",\n  \"sector-size\": %lld", dev->sector_size);
    g_string_append_printf(out, ",\n  \"size\": %llu",
                           (unsigned long long) dev->length * dev->sector_size);
    g_string_append_printf(out, ",\n  \"max-partitions\": %d",
                           disk ? ped_disk_get_max_primary_partition_count(disk) : 0);
    if (added > 0)
        g_string_append_printf(out, ",\n  \"new\": %d", added);
    g_string_append(out, ",\n");
    phJsonAppendPartitions(out, disk);
    phJsonAppendFree(out, disk);
    g_string_append(out, "\n}\n");

    return g_string_free(g_steal_pointer(&out), FALSE);
}


char *
phJsonFormatBusy(int number,
                 const char *path)
{
    GString *out = g_string_new(NULL);

    g_string_append_printf(out, "{\"busy\": {\"number\": %d, \"path\": ", number);
    phJsonAppendString(out, path);
    g_string_append(out, "}}\n");

    return g_string_free(out, FALSE);
}
