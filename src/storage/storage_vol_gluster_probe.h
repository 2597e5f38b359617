/*
 * storage_vol_gluster_probe.h: what one entry of a gluster pool's
 * directory is, read through libgfapi
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sys/stat.h>
#include <glusterfs/api/glfs.h>

#include "internal.h"
#include "storage_conf.h"

/*
 * Sets what names volume @vol (its name set) of a gluster pool whose
 * source is @source and whose directory in the volume is @dir ("/" or
 * "/sub/dir", as virStoragePoolGlusterConnDir gives it): type NETWORK,
 * target.path "gluster://HOST[:PORT]/VOLUME/DIR/NAME" (the URI qemu's
 * gluster driver opens; an IPv6 host in brackets) and the key, the same
 * string, as libvirt 9.0 gives them.
 */
void
virStorageVolGlusterSetTarget(virStorageVolDef *vol,
                              virStoragePoolSource *source,
                              const char *dir);

/*
 * Fills @vol (its name set) from the entry @name of the directory @dir
 * of @fs (the pool's, whose source is @source), whose inode glfs_readdirplus gave as @sb (no second stat):
 * target (virStorageVolGlusterSetTarget), type (NETWORK, or NETDIR for a
 * directory), format, capacity, allocation and backing store, with the
 * header rules of file volumes (storage_vol_probe.h).  A regular file is
 * opened without following a link, checked to be the inode listed, and
 * its header read; nothing else is opened.
 * Quiet: 0; -ELOOP for a link, -ENOTSUP for an inode that is no volume
 * (FIFO, socket, device), -EINVAL for a header that does not hold
 * together, -ESTALE for a file replaced since the listing, -errno of
 * gfapi; reports nothing (the caller skips the entry and logs why).
 */
int
virStorageVolGlusterProbeQuiet(glfs_t *fs,
                               const char *dir,
                               const char *name,
                               const struct stat *sb,
                               virStoragePoolSource *source,
                               virStorageVolDef *vol);
