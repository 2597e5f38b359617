/*
 * storage_pool_scsi_luns.h: the LUNs of a SCSI host as the volumes of a pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Shared by the scsi and iscsi pools: each finds its SCSI host (an
 * adapter, an iSCSI session) and lists its LUNs here.  A LUN is a block
 * device: upload, download and wipe are the block-volume code's
 * (storage_vol_block.h), run with the pool unlocked.
 */

#pragma once

#include "storage_backend.h"
#include "storage_vol_block.h"

/*
 * Scans nothing (the caller asked the kernel to scan, if it wanted).
 * Waits a bounded time for udev to make its links, then adds to @pool
 * one volume per LUN of SCSI host @host whose type is disk (or CD/DVD,
 * as libvirt's own scsi backend lists) and that has a block device:
 *   name         "unit:BUS:TARGET:LUN";
 *   target.path  the link to its device in the pool's target directory
 *                when that is under /dev (/dev/disk/by-path, by-id...):
 *                a LUN with no link there is left out; /dev/NAME when the
 *                target is /dev itself;
 *   key          its SCSI id as /lib/udev/scsi_id gives it (for an
 *                fc_host adapter, the NPIV key: serial and target port),
 *                the path when it has none;
 *   capacity, allocation: the device's size.
 * Records, for each, which device and LUN its path is
 * (virStorageVolDeviceRemember): upload, download and wipe refuse a path
 * that names another LUN since, until the pool is refreshed.
 * Sets the pool's capacity and allocation to their sums, available 0.
 * Reports errors naming the pool; returns 0 or -1.
 */
int
virStoragePoolSCSIRefreshHost(virStoragePoolObj *pool,
                              unsigned int host);

/* The volume callbacks of pools whose volumes are LUNs. */
#define VIR_STORAGE_BACKEND_SCSI_LUN_VOL_CALLBACKS \
    .uploadVol = virStorageVolBlockUpload, \
    .downloadVol = virStorageVolBlockDownload, \
    .wipeVol = virStorageVolBlockWipe
