/*
 * storage_vol_probe.h: reading what a volume file is
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"
#include "storage_conf.h"

/*
 * Fills @vol->type, target format, capacity (from the image header),
 * allocation (from the blocks in use), backing store, encryption and
 * permissions from the file, directory or block device at @vol->target.path.
 * Quiet: returns -errno (or -EINVAL for an unreadable image header) and
 * reports nothing, so that a pool refresh can log and skip one bad entry.
 */
int
virStorageVolProbeQuiet(virStorageVolDef *vol);

/* As virStorageVolProbeQuiet, for the entry @name of the directory open
 * as @dirFd (a refresh looks each entry up relative to its directory). */
int
virStorageVolProbeAtQuiet(virStorageVolDef *vol,
                          int dirFd,
                          const char *name);

/* As virStorageVolProbeQuiet, but reports the failure naming the volume. */
int
virStorageVolProbe(virStorageVolDef *vol);
