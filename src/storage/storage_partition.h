/*
 * storage_partition.h: partition tables, through our libparted helper
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * libparted is GPL-3.0+, so the module never links it: every read or
 * write of a partition table is one run of our helper executable
 * (src/storage/parthelper/), which prints the resulting table as JSON on
 * stdout.  This unit builds the helper's argv (pure), parses its JSON
 * (pure), runs it, and names partitions as the kernel does (pure).
 *
 * The helper's protocol (one run per operation; exit 0 and the table as
 * JSON on stdout on success; exit 1 and one line of error text on stderr
 * on failure; exit 2 (VIR_STORAGE_PARTITION_EXIT_BUSY) when a delete
 * found a partition open, see below; libparted's exceptions never
 * prompt):
 *
 *   libvirt_storage_parthelper read    DEVICE
 *   libvirt_storage_parthelper mklabel DEVICE LABEL
 *   libvirt_storage_parthelper add     DEVICE KIND FSTYPE SIZE [NUMBER]
 *   libvirt_storage_parthelper delete  DEVICE NUMBER [START]
 *   libvirt_storage_parthelper resize  DEVICE NUMBER SIZE
 *
 * The optional last arguments let one run both check and change:
 * with NUMBER, add refuses (exit 1, nothing written) when the new
 * partition would get another number; with START (bytes), delete
 * refuses (exit 1, nothing written) unless partition NUMBER starts at
 * byte START, so a partition that is no longer the one the caller saw
 * is never removed.
 *
 * A delete tells the kernel before it writes, and never leaves the disk
 * and the kernel disagreeing: every partition the delete removes or
 * renumbers (the logical ones after a deleted logical one, on dos
 * labels) is first dropped from the kernel (BLKPG_DEL_PARTITION).  The
 * kernel refuses to drop a partition anyone holds open (EBUSY), also
 * without O_EXCL, as qemu opens a guest's disk: the helper then adds
 * back what it had dropped, writes nothing, prints
 *   { "busy": { "number": 6, "path": "/dev/sdb6" } }
 * (the partition found open) on stdout, the error line on stderr, and
 * exits 2.  Only once the kernel dropped them all is the table written;
 * if that fails, they are added back to the kernel.  (libparted's own
 * order, write then tell the kernel, would leave an open partition in
 * the kernel and gone from the disk.)
 * LABEL is a libparted label name (msdos, gpt, mac, bsd, pc98, sun, dvh,
 * loop ...).  KIND is primary, logical or extended.  FSTYPE is a
 * libparted file system type name (ext2, linux-swap, fat16, fat32 ...) or
 * "none", optionally followed by ",lvm" or ",raid" to set that flag.
 * FSTYPE is ignored for an extended partition; on sun, bsd and atari
 * labels "none" makes an unused slot, which the helper reports as an
 * error after the write: give a type there.
 * SIZE is in bytes; add puts the partition, aligned to 1 MiB, in the first
 * free region that holds SIZE (for logical partitions: inside the extended
 * one), resize moves only the end.  Both round SIZE up to a whole MiB, so
 * a partition starting on a MiB boundary also ends on one (sun labels that
 * need cylinder-aligned starts use their cylinder instead of the MiB).
 * A grow only uses the free space right after the partition.  Writes are
 * committed to the disk and to the kernel (BLKPG) before the helper exits,
 * and read back: the JSON is what the disk then holds.  (The read-back
 * probes only the partitions the change made or moved for their file
 * system; the others keep what the read before the change found.)  The helper never
 * lets libparted "fix" a table: a read writes nothing, a change on a
 * damaged table fails, and a grown gpt disk keeps its old usable end
 * (its new space is listed free but an add there fails).
 *
 * The JSON:
 *   { "device": "/dev/loop0",
 *     "label": "gpt",                  (null when the disk has none)
 *     "sector-size": 512,
 *     "size": 1073741824,              (bytes, whole disk)
 *     "max-partitions": 128,           (primary ones, for the label)
 *     "partitions": [
 *       { "number": 1, "kind": "primary",   (primary|logical|extended)
 *         "start": 1048576, "end": 105906175, (bytes, end inclusive)
 *         "fs": "ext4",                     (libparted's probe, or null)
 *         "flags": ["lvm"] } ],             (set flags libparted names)
 *     "free": [
 *       { "start": ..., "end": ..., "kind": "primary" } ] }
 *                   (aligned free regions of at least 1 MiB, where add
 *                    can put a partition of that kind: kind logical for
 *                    free space inside an extended partition, its start
 *                    leaving room for the partition's EBR)
 *   "add" also prints "new": NUMBER at the top level.
 */

#pragma once

#include "internal.h"
#include "storage_conf.h"
#include "vircommand.h"

typedef enum {
    VIR_STORAGE_PARTITION_PRIMARY,
    VIR_STORAGE_PARTITION_LOGICAL,
    VIR_STORAGE_PARTITION_EXTENDED,

    VIR_STORAGE_PARTITION_LAST
} virStoragePartitionKind;

VIR_ENUM_DECL(virStoragePartitionKind);

typedef struct _virStoragePartition virStoragePartition;
struct _virStoragePartition {
    unsigned int number;
    virStoragePartitionKind kind;
    unsigned long long start;       /* bytes */
    unsigned long long end;         /* bytes, inclusive */
    char *fs;                       /* libparted's name, or NULL */
    bool lvm;
    bool raid;
};

typedef struct _virStoragePartitionFree virStoragePartitionFree;
struct _virStoragePartitionFree {
    virStoragePartitionKind kind;   /* primary or logical */
    unsigned long long start;
    unsigned long long end;
};

typedef struct _virStoragePartitionTable virStoragePartitionTable;
struct _virStoragePartitionTable {
    char *device;
    char *label;                    /* libparted's name, NULL if none */
    unsigned int sectorSize;
    unsigned long long size;
    unsigned int maxPartitions;
    size_t npartitions;
    virStoragePartition *partitions;
    size_t nfree;
    virStoragePartitionFree *free;
    unsigned int added;             /* "new" of an add, else 0 */
};

void virStoragePartitionTableFree(virStoragePartitionTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStoragePartitionTable,
                              virStoragePartitionTableFree);

/* Pure: parses the helper's JSON.  NULL with VIR_ERR_INTERNAL_ERROR
 * naming @device on malformed output. */
virStoragePartitionTable *
virStoragePartitionTableParse(const char *json,
                              const char *device);

/* Pure: argv of the helper; @helper is its path. */
virCommand *virStoragePartitionBuildRead(const char *helper,
                                         const char *device);
virCommand *virStoragePartitionBuildMklabel(const char *helper,
                                            const char *device,
                                            const char *label);
/* @number: 0, or the number the new partition must get. */
virCommand *virStoragePartitionBuildAdd(const char *helper,
                                        const char *device,
                                        virStoragePartitionKind kind,
                                        const char *fstype,
                                        unsigned long long size,
                                        unsigned int number);
/* @start: NULL, or the byte partition @number must start at. */
virCommand *virStoragePartitionBuildDelete(const char *helper,
                                           const char *device,
                                           unsigned int number,
                                           const unsigned long long *start);
virCommand *virStoragePartitionBuildResize(const char *helper,
                                           const char *device,
                                           unsigned int number,
                                           unsigned long long size);

/* Pure: the kernel's name of partition @number of the disk @device:
 * sdb -> sdb1, vdb -> vdb1, nvme0n1 -> nvme0n1p1, mmcblk0 -> mmcblk0p1,
 * loop0 -> loop0p1 (a 'p' when the disk's name ends in a digit). */
char *virStoragePartitionKernelName(const char *device,
                                    unsigned int number);

/* Pure: the inverse of virStoragePartitionKernelName: the number of the
 * partition of @device that the kernel names @name, or 0 when @name is
 * no such name. */
unsigned int virStoragePartitionNumberFromName(const char *device,
                                               const char *name);

/* Pure: the number the next partition of @kind will get on @table
 * (gpt and the others: the lowest free number; dos primary: lowest free
 * of 1-4; dos logical: one past the highest logical, from 5), or 0 when
 * the label has no room for one. */
unsigned int virStoragePartitionNextNumber(const virStoragePartitionTable *table,
                                           virStoragePartitionKind kind);

/* Pure: the partition numbered @number in @table, or NULL. */
const virStoragePartition *
virStoragePartitionFind(const virStoragePartitionTable *table,
                        unsigned int number);

/* Path of our helper executable: next to the module that runs it. */
char *virStoragePartitionHelperPath(void);

/* The helper's exit status when a delete found a partition open. */
#define VIR_STORAGE_PARTITION_EXIT_BUSY 2

/* Seconds a run of the helper may take: a table of a local disk is read
 * or written in well under one; a device that stops answering must not
 * hold the pool's lock for ever. */
#define VIR_STORAGE_PARTITION_TIME_LIMIT 120

/* Runs a delete built above for volume @volname of pool @poolname,
 * partition @number, and parses the table it prints.  A partition found
 * open (VIR_STORAGE_PARTITION_EXIT_BUSY; nothing was written) is
 * VIR_ERR_OPERATION_INVALID naming the volume and the partition's
 * device; other failures are VIR_ERR_OPERATION_FAILED with the helper's
 * error line. */
virStoragePartitionTable *
virStoragePartitionRunDelete(virCommand *cmd,
                             const char *device,
                             const char *poolname,
                             const char *volname,
                             unsigned int number);

/* Runs @cmd (built above) and parses what it prints; the helper's stderr
 * becomes the error message, naming @device. */
virStoragePartitionTable *
virStoragePartitionRun(virCommand *cmd,
                       const char *device);
