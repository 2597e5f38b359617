/*
 * storage_pool_iscsi.h: iscsi pools, a kernel initiator session each
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"
#include "virstorageobj.h"

/* The pool callbacks of storage_backend.h. */
char *
virStoragePoolISCSIFindSources(const char *srcSpec,
                               unsigned int flags);

int
virStoragePoolISCSICheck(virStoragePoolObj *pool,
                         bool *active);

int
virStoragePoolISCSIStart(virStoragePoolObj *pool);

int
virStoragePoolISCSIRefresh(virStoragePoolObj *pool);

int
virStoragePoolISCSIStop(virStoragePoolObj *pool);
