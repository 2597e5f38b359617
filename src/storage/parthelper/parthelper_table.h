/*
 * parthelper_table.h: what the libparted helper reads from a table:
 * partition kinds, aligned free regions, sizes in sectors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This file is part of libvirt_storage_parthelper, which links libparted
 * (GPL-3.0-or-later): the executable as a whole is GPL-3.0-or-later.
 */

#pragma once

#include <stdbool.h>
#include <glib.h>
#include <parted/parted.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PedDisk, ped_disk_destroy);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PedConstraint, ped_constraint_destroy);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PedAlignment, ped_alignment_destroy);

/* Partitions start and end on 1 MiB boundaries... */
#define PH_ALIGN_BYTES (1024 * 1024)

/* A stretch of free space where a partition can go: both ends aligned
 * (end + 1 is a boundary), at least one alignment unit long, never at
 * sector 0; @logical when it lies inside the extended partition. */
typedef struct {
    PedSector start;
    PedSector end;
    bool logical;
} phRegion;

/* The alignment unit of @disk, in sectors: 1 MiB, unless its label
 * demands a unit that 1 MiB is not a multiple of (sun: cylinders),
 * then that unit. */
PedSector phAlignSectors(const PedDisk *disk);

/* @bytes as whole sectors of @disk, rounded up to a whole alignment
 * unit; more sectors than the device has when @bytes does not fit. */
PedSector phSizeToSectors(const PedDisk *disk,
                          unsigned long long bytes);

/* The aligned part of the free space @start..@end (sectors), in
 * @region; false when less than one alignment unit of it is aligned.
 * A logical region keeps one sector before its start for the
 * partition's EBR. */
bool phRegionFromFree(const PedDisk *disk,
                      PedSector start,
                      PedSector end,
                      bool logical,
                      phRegion *region);

/* The free regions of @disk, in disk order. */
GArray *phFreeRegions(const PedDisk *disk);

/* "primary", "logical" or "extended": the kind of a real partition. */
const char *phPartitionKindName(const PedPartition *part);

/* The last sector @part may end at without moving another partition:
 * the aligned end of the free space right after it, or its own end. */
PedSector phPartitionMaxEnd(const PedPartition *part);
