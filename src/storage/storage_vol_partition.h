/*
 * storage_vol_partition.h: volumes that are partitions of a disk
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The volume callbacks of the disk backend.  Each follows the contract of
 * its typedef in libvirt's storage_backend.h, with the disk pool's
 * particularity written in storage_driver.c: createVol and deleteVol
 * update the pool's sizes themselves, and deleteVol removes the volume
 * from the pool.  Every change of the table is one run of our helper,
 * with the pool locked (a run takes milliseconds).
 */

#pragma once

#include "storage_backend.h"
#include "storage_partition.h"

/* Pure: the helper's FSTYPE argument for a volume format
 * (virStorageVolFormatDisk), or NULL for a value outside the enum. */
const char *virStorageVolPartitionFsType(int format);

/* Pure: the volume format (virStorageVolFormatDisk) of @part, from its
 * kind, its flags and the file system libparted found on it. */
int virStorageVolPartitionFormat(const virStoragePartition *part);

/* Pure: a new volume for @part of @table, at @path (its stable path in
 * the pool's target), on the disk @device (the pool's source path). */
virStorageVolDef *virStorageVolPartitionNew(const virStoragePartitionTable *table,
                                            const virStoragePartition *part,
                                            const char *device,
                                            const char *path);

int virStorageVolPartitionCreate(virStoragePoolObj *pool,
                                 virStorageVolDef *vol);
int virStorageVolPartitionDelete(virStoragePoolObj *pool,
                                 virStorageVolDef *vol,
                                 unsigned int flags);
int virStorageVolPartitionResize(virStoragePoolObj *pool,
                                 virStorageVolDef *vol,
                                 unsigned long long capacity,
                                 unsigned int flags);
