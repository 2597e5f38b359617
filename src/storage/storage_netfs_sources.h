/*
 * storage_netfs_sources.h: finding netfs pool sources (nfs exports,
 * gluster volumes) for virsh find-storage-pool-sources
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"
#include "storage_conf.h"
#include "vircommand.h"

/* Seconds showmount may take before it is stopped (SIGTERM, then
 * SIGKILL): showmount waits 2 minutes on a host that
 * accepts its connection and never answers. */
#define VIR_STORAGE_NETFS_SOURCES_TIME_LIMIT 30

/* The findPoolSources callback of netfs pools. */
char *
virStorageNetfsFindPoolSources(const char *srcSpec,
                               unsigned int flags);

/* Pure: 'showmount --no-headers -e HOST'. */
virCommand *
virStorageNetfsBuildShowmount(const char *host);

/* Pure: parses showmount output into @list (one source per export,
 * format nfs, host @host).  -1 with an error on malformed output. */
int
virStorageNetfsParseShowmount(const char *output,
                              const char *host,
                              virStoragePoolSourceList *list);
