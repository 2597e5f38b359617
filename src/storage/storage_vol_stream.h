/*
 * storage_vol_stream.h: upload and download of volumes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The uploadVol and downloadVol callbacks of file volumes
 * (storage_vol_stream.c), which block volumes share.  Both run with the
 * pool unlocked, as their typedefs in storage_backend.h say.
 */

#pragma once

#include "storage_backend.h"

int virStorageVolFileUpload(virStoragePoolObj *pool, virStorageVolDef *vol,
                            virStreamPtr stream, unsigned long long offset,
                            unsigned long long len, unsigned int flags);
int virStorageVolFileDownload(virStoragePoolObj *pool, virStorageVolDef *vol,
                              virStreamPtr stream, unsigned long long offset,
                              unsigned long long len, unsigned int flags);
