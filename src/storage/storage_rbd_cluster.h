/*
 * storage_rbd_cluster.h: connecting to the Ceph cluster of an rbd pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <rados/librados.h>

#include "internal.h"
#include "storage_conf.h"

/* Seconds librados may take to reach a monitor and authenticate
 * (client_mount_timeout): a monitor that does not answer makes the
 * connect fail after this long, never hang the daemon. */
#define VIR_STORAGE_RBD_CONNECT_TIME_LIMIT 10

/* Seconds one monitor or OSD operation may take once connected
 * (rados_mon_op_timeout, rados_osd_op_timeout). */
#define VIR_STORAGE_RBD_OP_TIME_LIMIT 30

/*
 * The monitors of @source as librados' mon_host takes them:
 * "host[:port],[v6addr][:port],...".  Reports VIR_ERR_CONFIG_UNSUPPORTED
 * and returns NULL for a pool without hosts, or a host name that is not
 * a DNS name or an IP address (a ',' or a space would add monitors of the
 * client's choosing).
 */
char *
virStorageRBDClusterMonHost(const virStoragePoolDef *def);

/*
 * Connects to the cluster of pool @def: its monitors, the cephx key of
 * its <auth> user read from the secret driver (as the daemon itself), its
 * <rbd:config_opts>, within VIR_STORAGE_RBD_CONNECT_TIME_LIMIT; then
 * opens an I/O context on its RADOS pool (<source><name>).  On success
 * sets @cluster and @ioctx, which the caller releases with
 * virStorageRBDClusterClose.  Reports the failure as a sentence naming
 * the pool and the monitors (unreachable, key refused, RADOS pool
 * missing) and returns -1.  The key is never logged.
 */
int
virStorageRBDClusterConnect(virStoragePoolDef *def,
                            rados_t *cluster,
                            rados_ioctx_t *ioctx);

/* Destroys @ioctx and shuts @cluster down; either may be NULL. */
void
virStorageRBDClusterClose(rados_t cluster,
                          rados_ioctx_t ioctx);

/*
 * The sizes of pool @def as libvirt 9.0 shows them: capacity and
 * available are the cluster's raw space (rados_cluster_stat), allocation
 * the bytes the RADOS pool holds (rados_ioctx_pool_stat).  Ceph's
 * statistics come from its manager daemon: without one they read 0.
 * Reports and returns -1 on failure.
 */
int
virStorageRBDClusterStat(virStoragePoolDef *def,
                         rados_t cluster,
                         rados_ioctx_t ioctx);
