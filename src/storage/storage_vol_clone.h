/*
 * storage_vol_clone.h: a new volume made from an existing one
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * buildVolFrom of file volumes (storage_vol_clone.c), and the opening of
 * the source volume that the block volumes' clone shares.
 */

#pragma once

#include <sys/stat.h>

#include "storage_backend.h"

/* Opens (O_RDONLY) the volume @origvol that a
 * volume of the pool @def is cloned from, which may belong to another
 * pool: a block device under /dev by its path, a file as the entry of its
 * directory, never followed, the inode its pool listed.  Reports errors;
 * returns the descriptor or -1. */
int virStorageVolFileOpenSource(virStoragePoolDef *def,
                                virStorageVolDef *origvol,
                                struct stat *sb);

/* The driver passes the new volume first, then the
 * volume it is made from (libvirt's typedef names them the other way). */
int virStorageVolFileBuildFrom(virStoragePoolObj *pool,
                               virStorageVolDef *vol,
                               virStorageVolDef *inputvol,
                               unsigned int flags);
