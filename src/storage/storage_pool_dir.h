/*
 * storage_pool_dir.h: pools whose volumes are the entries of a directory
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "storage_backend.h"

int virStoragePoolDirCheck(virStoragePoolObj *pool, bool *active);
int virStoragePoolDirStart(virStoragePoolObj *pool);
int virStoragePoolDirBuild(virStoragePoolObj *pool, unsigned int flags);
int virStoragePoolDirRefresh(virStoragePoolObj *pool);
int virStoragePoolDirDelete(virStoragePoolObj *pool, unsigned int flags);

/* Creates the target directory of @pool with the mode, owner and group
 * of its XML (used by dir, fs and netfs builds). */
int virStoragePoolDirMakeTarget(virStoragePoolObj *pool);

/* Reports a clear error unless the target of @def is a directory. */
int virStoragePoolDirRequireTarget(virStoragePoolDef *def);
