/*
 * storage_pool_mount.h: fs and netfs pools, a directory on a mount
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "storage_backend.h"

int virStoragePoolMountCheck(virStoragePoolObj *pool, bool *active);
int virStoragePoolMountStart(virStoragePoolObj *pool);
int virStoragePoolMountStop(virStoragePoolObj *pool);
int virStoragePoolNetfsRefresh(virStoragePoolObj *pool);
int virStoragePoolFsBuild(virStoragePoolObj *pool, unsigned int flags);
