/*
 * storage_gluster_sources.h: the volumes of a Gluster server, from
 * 'gluster --xml volume info', as sources of gluster and netfs pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"
#include "storage_conf.h"
#include "vircommand.h"

/* Seconds the gluster CLI may take before it is stopped (SIGTERM, then
 * SIGKILL); its own --timeout makes it give up earlier. */
#define VIR_STORAGE_GLUSTER_SOURCES_TIME_LIMIT 30

/* Pure: 'gluster --xml --log-file=/dev/null --timeout=20 volume info
 *  --remote-host=HOST'. */
virCommand *
virStorageGlusterBuildVolumeInfo(const char *host);

/*
 * Pure: parses 'gluster --xml volume info' output into @list, one source
 * per volume on host @host: for a netfs pool (@type
 * VIR_STORAGE_POOL_NETFS) format glusterfs and <dir path> the volume's
 * name, for a gluster pool (VIR_STORAGE_POOL_GLUSTER) <name> the volume's
 * name and <dir path='/'/>, as libvirt 9.0 gives them.  -1 with an error
 * on malformed output or a CLI error (its opErrstr).
 */
int
virStorageGlusterParseVolumeInfo(const char *output,
                                 const char *host,
                                 virStoragePoolType type,
                                 virStoragePoolSourceList *list);

/*
 * Runs the gluster CLI against @host within
 * VIR_STORAGE_GLUSTER_SOURCES_TIME_LIMIT and adds its volumes to @list
 * as virStorageGlusterParseVolumeInfo does.  Reports (the CLI missing,
 * failed, or stopped at its limit, naming the host) and returns -1.
 */
int
virStorageGlusterListVolumes(const char *host,
                             virStoragePoolType type,
                             virStoragePoolSourceList *list);

/* The findPoolSources callback of gluster pools: @srcSpec names one
 * host; no volume found is an error, as with libvirt 9.0. */
char *
virStorageGlusterFindPoolSources(const char *srcSpec,
                                 unsigned int flags);
