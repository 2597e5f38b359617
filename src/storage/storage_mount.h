/*
 * storage_mount.h: mounting the source of fs and netfs pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"
#include "storage_conf.h"
#include "vircommand.h"

/* What the pool mounts: "/dev/sdb1", "host:/export", "//host/share",
 * "host:volume" (glusterfs).  Reports an error and returns NULL when
 * the source is incomplete. */
char *
virStorageMountSourceString(const virStoragePoolDef *def);

/* Pure: mount of @def's source on its target, with nodev,nosuid,noexec,
 * the protocol version of nfs pools and the fs:mount_opts options. */
virCommand *
virStorageMountBuildCommand(const virStoragePoolDef *def,
                            const char *source);

/* Pure: umount of @target. */
virCommand *
virStorageUmountBuildCommand(const char *target);

/* Pure: in /proc/self/mountinfo @text, is something mounted on @target?
 * Returns 1 and sets @source (if not NULL) when it is, 0 when not. */
int
virStorageMountInfoFindTarget(const char *text,
                              const char *target,
                              char **source);

/* Reads /proc/self/mountinfo: 1 when @target is a mount point, 0 when
 * not, -1 with an error reported. */
int
virStorageMountIsMounted(const char *target);
