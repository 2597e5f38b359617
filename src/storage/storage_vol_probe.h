/*
 * storage_vol_probe.h: reading what a volume file is
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sys/stat.h>

#include "internal.h"
#include "storage_conf.h"

/*
 * Fills @vol->type, target format, capacity (from the image header),
 * allocation (from the blocks in use), backing store (its name, as the
 * header gives it), encryption and permissions from the entry @name of
 * the directory open as @dirFd, opened without following a link (see
 * storage_vol_open.h).  @sb gets the inode.
 * Quiet: returns -errno, -ELOOP for a link, -ENOTSUP for a FIFO, socket
 * or character device, -EINVAL for an unreadable image header, and
 * reports nothing, so that a pool refresh can log and skip one entry.
 */
int
virStorageVolProbeAtQuiet(virStorageVolDef *vol,
                          int dirFd,
                          const char *name,
                          struct stat *sb);

/* The same for the volume @vol of the pool @def (refreshVol), opened as
 * the pool listed it; reports errors naming the volume and the pool. */
int
virStorageVolProbe(virStoragePoolDef *def,
                   virStorageVolDef *vol);

/*
 * What the header of the image open as @fd (whose path is @path) says
 * now: its @format, and the backing file it names (@backing, NULL when
 * none; a relative name is resolved next to @path, a name holding ':'
 * is returned as is) with the format it gives (@backingFormat,
 * VIR_STORAGE_FILE_NONE when none).  Nothing named is opened.
 * Quiet: 0, -EINVAL for an unreadable header, -errno.
 */
int
virStorageVolProbeBackingQuiet(const char *path,
                               int fd,
                               int *format,
                               char **backing,
                               int *backingFormat);
