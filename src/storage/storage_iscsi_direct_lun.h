/*
 * storage_iscsi_direct_lun.h: the LUNs of an iSCSI target through a
 * libiscsi session: listed, sized, read, written and zeroed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "storage_iscsi_direct_session.h"

typedef struct _virStorageISCSIDirectLun virStorageISCSIDirectLun;
struct _virStorageISCSIDirectLun {
    int lun;
    bool disk;                  /* direct-access block device */
    uint32_t blockSize;
    uint64_t blocks;            /* the LUN's size in blocks */
    bool thin;                  /* LBPME: logical block provisioning */
    bool writeSameUnmap;        /* LBPWS: WRITE SAME (16) with UNMAP */
    uint64_t maxWriteSame;      /* blocks per WRITE SAME, 0: no limit */
    uint32_t maxTransfer;       /* blocks per READ/WRITE, 0: no limit */
};

/* The LUNs the target reports (REPORT LUNS), sorted.  Reports. */
int
virStorageISCSIDirectLunList(virStorageISCSIDirectSession *sess,
                             int **luns,
                             size_t *nluns);

/* Fills @info of LUN @lun: INQUIRY, and for a disk READ CAPACITY (16)
 * and its block limits and provisioning VPD pages.  Reports. */
int
virStorageISCSIDirectLunInspect(virStorageISCSIDirectSession *sess,
                                int lun,
                                virStorageISCSIDirectLun *info);

/* The quiet I/O of streams and wipes: 0 (or bytes) or -errno (-EIO for
 * a SCSI error, -ETIMEDOUT, -EINVAL outside the LUN). */

/* Reads @nblocks blocks at @lba into @buf. */
int
virStorageISCSIDirectLunReadQuiet(virStorageISCSIDirectSession *sess,
                                  const virStorageISCSIDirectLun *info,
                                  uint64_t lba,
                                  uint32_t nblocks,
                                  unsigned char *buf);

/* Writes @nblocks blocks of @buf at @lba. */
int
virStorageISCSIDirectLunWriteQuiet(virStorageISCSIDirectSession *sess,
                                   const virStorageISCSIDirectLun *info,
                                   uint64_t lba,
                                   uint32_t nblocks,
                                   unsigned char *buf);

/* Makes @nblocks blocks at @lba read as zeros: WRITE SAME (16) of a
 * zero block, with UNMAP where the LUN does it, in ranges of at most
 * maxWriteSame; falls back to WRITE (16) of zero buffers when the LUN
 * refuses WRITE SAME. */
int
virStorageISCSIDirectLunZeroQuiet(virStorageISCSIDirectSession *sess,
                                  const virStorageISCSIDirectLun *info,
                                  uint64_t lba,
                                  uint64_t nblocks);

/* SYNCHRONIZE CACHE (16) of the whole LUN. */
int
virStorageISCSIDirectLunFlushQuiet(virStorageISCSIDirectSession *sess,
                                   const virStorageISCSIDirectLun *info);
