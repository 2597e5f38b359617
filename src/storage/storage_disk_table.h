/*
 * storage_disk_table.h: the partition table of a disk pool's disk
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "storage_conf.h"
#include "virstorageobj.h"
#include "storage_partition.h"

/* Pure: libparted's label name for the pool format @format
 * (virStoragePoolFormatDisk; unknown means dos), or NULL when libparted
 * cannot write it. */
const char *virStorageDiskTableLabelName(int format);

/* The libparted label of the pool's format, or NULL with
 * VIR_ERR_CONFIG_UNSUPPORTED when the format is not a label. */
const char *virStorageDiskTableRequireLabel(virStoragePoolDef *def);

/* The kernel's path of the pool's disk (its source path with every
 * symlink resolved); an error naming the pool when it is gone. */
char *virStorageDiskTableDevice(virStoragePoolDef *def);

/* The table of the pool's disk as it is (label NULL on a disk without
 * one).  One helper run. */
virStoragePartitionTable *virStorageDiskTableReadAny(virStoragePoolDef *def);

/* Checks that @table's label is the pool's format.  A pool of format
 * unknown (what virt-manager defines) takes the label it finds, so its
 * live XML names the label in use.  An error naming the device, the
 * label found and what to do otherwise. */
int virStorageDiskTableCheckLabel(virStoragePoolDef *def,
                                  const virStoragePartitionTable *table);

/* virStorageDiskTableReadAny, then virStorageDiskTableCheckLabel. */
virStoragePartitionTable *virStorageDiskTableRead(virStoragePoolDef *def);

/* The path of the partition the kernel names @kname, in the pool's
 * target directory: /dev/NAME, or the link of a /dev/disk/by-* target
 * that points to it (else /dev/NAME). */
char *virStorageDiskTableVolPath(virStoragePoolDef *def, const char *kname);

/* Capacity, allocation, available and free extents of the pool, and the
 * allocation of its extended partition, from @table. */
void virStorageDiskTableUpdateSizes(virStoragePoolObj *pool,
                                    const virStoragePartitionTable *table);
