/*
 * storage_pool_fs_mount_options.h: the mount options fs and netfs pools accept
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"
#include "storage_conf.h"

/* Checks one <fs:option name='...'/> of pool @poolname of type @type
 * (fs or netfs) against the allow-list: options that tune performance,
 * caching, journaling or the network protocol, and never options that
 * undo nodev,nosuid,noexec, change what or how mount(8) mounts (remount,
 * bind, loop, X-mount.*, helpers), name host files (credentials=,
 * log-file=) or set security labels (context=...).  Reports
 * VIR_ERR_CONFIG_UNSUPPORTED naming the pool, the option and what is
 * accepted, and returns -1, when @option is not accepted. */
int
virStoragePoolFSMountOptionCheck(virStoragePoolType type,
                                 const char *poolname,
                                 const char *option);

/* A comma-separated list of what @type pools accept ("noatime, ...,
 * rsize=N, ..."), the list the error above quotes. */
char *
virStoragePoolFSMountOptionsAccepted(virStoragePoolType type);

/* For tests: an example of each accepted option of @type pools, one
 * per accepted name, which virStoragePoolFSMountOptionCheck accepts. */
GStrv
virStoragePoolFSMountOptionsExamples(virStoragePoolType type);
