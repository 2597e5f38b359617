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

/* Pure: mount of @def's source on its target, with the protocol version
 * of nfs pools, the fs:mount_opts options and, last so that they win,
 * nodev,nosuid,noexec.  The caller runs it within
 * virStorageMountTimeLimit(@def) seconds. */
virCommand *
virStorageMountBuildCommand(const virStoragePoolDef *def,
                            const char *source);

/* Seconds an NFS mount may take (plus the minutes of a retry=N in
 * fs:mount_opts), a glusterfs mount, any other netfs mount (cifs), and
 * the server of a mounted
 * netfs pool has to answer a probe or a lazy unmount has to finish.
 * Commands are stopped at their limit by virStorageCommandRunLimited. */
#define VIR_STORAGE_MOUNT_NFS_TIME_LIMIT 30
#define VIR_STORAGE_MOUNT_GLUSTER_TIME_LIMIT 30
#define VIR_STORAGE_MOUNT_NETFS_TIME_LIMIT 60
#define VIR_STORAGE_MOUNT_PROBE_TIME_LIMIT 10

/* The seconds @def's mount may take, 0 for no limit (fs pools). */
unsigned int
virStorageMountTimeLimit(const virStoragePoolDef *def);

/* Unmounts what is mounted on @target with umount2(2), in the calling
 * process's mount namespace: no link on @target is followed, no
 * umount.<type> helper runs.  0, or -errno: -EBUSY when a process still
 * uses a file on the mount, -EINVAL when @target is not a mount point. */
int
virStorageUmountQuiet(const char *target);

/* Pure: lazy umount of @target (the mount leaves the namespace at once,
 * the kernel lets the file system go when its last user does), without
 * the umount.<type> helpers; run it within
 * VIR_STORAGE_MOUNT_PROBE_TIME_LIMIT. */
virCommand *
virStorageUmountLazyBuildCommand(const char *target);

/* Stops the glusterfs FUSE clients serving the mount point @target (a
 * resolved path, as mount(8) gave it to mount.glusterfs) in the calling
 * process's mount namespace: SIGTERM, SIGKILL
 * VIR_STORAGE_COMMAND_KILL_GRACE seconds later.  Returns how many there
 * were, or -errno: -ETIMEDOUT when one still runs
 * VIR_STORAGE_COMMAND_KILL_GRACE seconds after its SIGKILL. */
int
virStorageMountStopGlusterClientsQuiet(const char *target);

/* Pure: statfs of the file system mounted on @target in a child, to run
 * within VIR_STORAGE_MOUNT_PROBE_TIME_LIMIT: exit status 0 when the
 * server answered. */
virCommand *
virStorageMountProbeBuildCommand(const char *target);

/* The mount table of the calling process, which the helpers below read
 * through libmount (tests give a captured copy instead).  This unit is
 * the only reader of the mount table. */
#define VIR_STORAGE_MOUNT_TABLE "/proc/self/mountinfo"

/* In the mount table @table, what is mounted on @target, an absolute
 * path compared as it is written (trailing '/' aside; no link resolved):
 * the last mount on it, the one mounted over the others.  1 and @source
 * set (if not NULL) when something is, 0 when not, -1 with an error
 * reported. */
int
virStorageMountTableFindTarget(const char *table,
                               const char *target,
                               char **source);

/* In the mount table @table, the mount point of the file system on the
 * block device @devno (the first mount of it).  1 and @mountpoint set
 * when it is mounted, 0 when not, -1 with an error reported. */
int
virStorageMountTableFindDevice(const char *table,
                               dev_t devno,
                               char **mountpoint);

/* Is @target a mount point?  Its links are resolved first, as the
 * kernel lists mount points by their real path.  1 when it is, 0 when
 * not (also when @target does not exist), -1 with an error reported. */
int
virStorageMountIsMounted(const char *target);
