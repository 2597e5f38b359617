/*
 * storage_pool_disk.h: pools that are a whole disk with a partition table
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "storage_backend.h"
#include "storage_partition.h"

int virStoragePoolDiskCheck(virStoragePoolObj *pool, bool *active);
int virStoragePoolDiskStart(virStoragePoolObj *pool);
int virStoragePoolDiskBuild(virStoragePoolObj *pool, unsigned int flags);
int virStoragePoolDiskRefresh(virStoragePoolObj *pool);
int virStoragePoolDiskDelete(virStoragePoolObj *pool, unsigned int flags);

/* Pure: libparted's label name for the pool format @format
 * (virStoragePoolFormatDisk; unknown means dos), or NULL when libparted
 * cannot write it. */
const char *virStoragePoolDiskLabelName(int format);

/* The kernel's path of the pool's disk (its source path with every
 * symlink resolved); an error naming the pool when it is gone. */
char *virStoragePoolDiskDevice(virStoragePoolDef *def);

/* The table of the pool's disk, after checking that its label is the
 * pool's format.  One helper run. */
virStoragePartitionTable *virStoragePoolDiskReadTable(virStoragePoolDef *def);

/* The path of the partition the kernel names @kname, in the pool's
 * target directory: /dev/NAME, or the link of a /dev/disk/by-* target
 * that points to it (else /dev/NAME). */
char *virStoragePoolDiskVolPath(virStoragePoolDef *def, const char *kname);

/* Capacity, allocation, available and free extents of the pool, and the
 * allocation of its extended partition, from @table. */
void virStoragePoolDiskUpdateSizes(virStoragePoolObj *pool,
                                   const virStoragePartitionTable *table);

/* Replaces the pool's volumes with the partitions of @table. */
int virStoragePoolDiskLoadVols(virStoragePoolObj *pool,
                               const virStoragePartitionTable *table);
