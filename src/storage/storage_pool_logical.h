/*
 * storage_pool_logical.h: pools that are LVM volume groups
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "storage_backend.h"

int virStoragePoolLogicalCheck(virStoragePoolObj *pool, bool *active);
int virStoragePoolLogicalStart(virStoragePoolObj *pool);
int virStoragePoolLogicalStop(virStoragePoolObj *pool);
int virStoragePoolLogicalBuild(virStoragePoolObj *pool, unsigned int flags);
int virStoragePoolLogicalRefresh(virStoragePoolObj *pool);
int virStoragePoolLogicalDelete(virStoragePoolObj *pool, unsigned int flags);
char *virStoragePoolLogicalFindSources(const char *srcSpec, unsigned int flags);
