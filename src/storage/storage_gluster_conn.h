/*
 * storage_gluster_conn.h: connecting libgfapi to the Gluster volume of a
 * gluster pool, and releasing the connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glusterfs/api/glfs.h>

#include "internal.h"
#include "storage_conf.h"

/* Seconds glfs_init may take to fetch the volume's description from
 * glusterd and reach its bricks: a server that does not answer makes the
 * connect fail after this long, never hang the daemon. */
#define VIR_STORAGE_GLUSTER_CONNECT_TIME_LIMIT 10

/* Seconds a brick may stay silent once connected (the client's
 * ping-timeout, 42 by default) before its calls fail with ENOTCONN. */
#define VIR_STORAGE_GLUSTER_PING_TIME_LIMIT 10

/*
 * The directory of pool @def inside its Gluster volume as gfapi paths
 * take it: "/" without <dir>, else "/sub/dir" (no trailing '/', no empty,
 * '.' or '..' component).  Reports VIR_ERR_CONFIG_UNSUPPORTED and returns
 * NULL for a <dir> that is not absolute or holds '.' or '..', and for a
 * pool without a volume name or with a '/' in it.
 */
char *
virStorageGlusterPoolDir(const virStoragePoolDef *def);

/* "HOST" or "HOST:PORT" of the first <host> of @def, for messages. */
char *
virStorageGlusterServerName(const virStoragePoolDef *def);

/*
 * Connects a glfs_t to the volume <source><name> of pool @def served by
 * its first <host> (TCP, its port or glusterd's 24007), within
 * VIR_STORAGE_GLUSTER_CONNECT_TIME_LIMIT: glfs_init runs on a thread of
 * its own, and when it does not return in time the caller gets an error
 * while that thread finishes (and releases the handle) in the background.
 * On success sets @fs, which the caller gives back with
 * virStorageGlusterRelease.  Reports a sentence naming the pool, the
 * host and the volume, and returns -1.
 */
int
virStorageGlusterConnect(const virStoragePoolDef *def,
                         glfs_t **fs);

/*
 * Releases @fs (NULL is fine): glfs_fini takes seconds (it waits for
 * gfapi's timers), so it runs on a detached thread and this returns at
 * once.  No call may use @fs afterwards.
 */
void
virStorageGlusterRelease(glfs_t *fs);
