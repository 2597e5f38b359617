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

/* Replaces the pool's volumes with the partitions of @table. */
int virStoragePoolDiskLoadVols(virStoragePoolObj *pool,
                               const virStoragePartitionTable *table);
