/*
 * storage_blkid.h: probing signatures with libblkid
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"

/*
 * Looks for any signature (file system, partition table, LVM, RAID) on
 * @device.  Returns 1 and sets @type (e.g. "ext4", "gpt", "LVM2_member")
 * when one is found, 0 when the device is blank, -1 with an error
 * reported when the device cannot be probed.
 */
int
virStorageBlkidFindSignature(const char *device,
                             char **type);

/* Erases every signature libblkid finds on @device.  -1 on error. */
int
virStorageBlkidWipeSignatures(const char *device);

/*
 * Before a build writes to @device of pool @poolname: a blank device is
 * left as it is; one that holds a signature is refused
 * (VIR_ERR_STORAGE_POOL_BUILT, naming the signature and how to overwrite
 * it) unless @overwrite, when every signature is erased.  Returns 0 when
 * the device may be written, -1 with an error reported.
 */
int
virStorageBlkidRefuseOrWipe(const char *poolname,
                            const char *device,
                            bool overwrite);
