/*
 * storage_vol_lv.h: volumes that are LVM logical volumes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The volume callbacks of the logical backend that differ from those of
 * every block-device volume.  createVol makes the LV itself (it is quick,
 * and the LV's uuid becomes the volume's key), so there is no buildVol.
 * Wipe runs with the pool unlocked, as its typedef in storage_backend.h
 * says.
 */

#pragma once

#include "storage_backend.h"
#include "storage_lvm.h"

int virStorageVolLVCreate(virStoragePoolObj *pool, virStorageVolDef *vol);
int virStorageVolLVRefresh(virStoragePoolObj *pool, virStorageVolDef *vol);
int virStorageVolLVDelete(virStoragePoolObj *pool, virStorageVolDef *vol,
                          unsigned int flags);
int virStorageVolLVResize(virStoragePoolObj *pool, virStorageVolDef *vol,
                          unsigned long long capacity, unsigned int flags);
int virStorageVolLVWipe(virStoragePoolObj *pool, virStorageVolDef *vol,
                        unsigned int algorithm, unsigned int flags);

/* The algorithm a wipe of an LV of @kind runs for *@algorithm: a thin
 * LV is trimmed instead of zeroed (its discarded blocks read as zeros and
 * go back to the thin pool).  false when an LV of @kind cannot be wiped
 * (an old-style sparse LV: writing fills its snapshot area). */
bool virStorageVolLVWipeAlgorithm(virStorageLVMLVKind kind,
                                  unsigned int *algorithm);

/* An LV name lvm2 accepts: [A-Za-z0-9+_.-], not starting with '-', not
 * "." or "..", none of the names lvm2 keeps for its own LVs.  Reports
 * VIR_ERR_INVALID_ARG naming @poolname otherwise. */
int virStorageVolLVNameValidate(const char *poolname, const char *volname);

/* Fills @vol (a block volume in pool @def) from @lv. */
void virStorageVolLVFromLV(virStoragePoolDef *def,
                           const virStorageLVMLV *lv,
                           virStorageVolDef *vol);
