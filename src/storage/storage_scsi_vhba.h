/*
 * storage_scsi_vhba.h: the NPIV vHBA of an fc_host adapter
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A pool whose adapter is <adapter type='fc_host' wwnn wwpn> uses the
 * vHBA with those world wide names: an existing one, or one made at
 * pool start on its parent fc_host (the adapter's parent, parent_wwnn
 * and parent_wwpn, parent_fabric_wwn, or else the first fc_host that
 * can make one more vport), and removed at pool stop when the adapter is
 * managed.  Everything goes through the sysfs root @sysfs ("/sys" in the
 * daemon, a fixture tree in tests/storagescsivhbatest.c); every function
 * reports its errors naming the pool @poolname.
 */

#pragma once

#include "internal.h"
#include "storage_adapter_conf.h"

/*
 * The SCSI host of the vHBA of @fchost: an existing one (*@created
 * false; when the adapter names a parent it must be the vHBA's), or a
 * new one (*@created true): "WWPN:WWNN" written to the parent's
 * vport_create, then waited for at most @waitMs milliseconds; a vHBA
 * that does not appear in time is deleted again.  Returns 0 and @host.
 */
int
virStorageSCSIVHBAGet(const char *sysfs,
                      const char *poolname,
                      const virStorageAdapterFCHost *fchost,
                      unsigned int waitMs,
                      unsigned int *host,
                      bool *created);

/*
 * Deletes the vHBA of @fchost through its parent's vport_delete; 0 when
 * there is none (deleted already).  Refuses (VIR_ERR_OPERATION_INVALID,
 * naming the LUN and its device) while one of its LUNs is in use:
 * mounted, held by device-mapper or md, or opened exclusively (a guest),
 * its block device looked for under @devdir ("/dev"), as an iSCSI pool's
 * logout does (virStorageSCSIHostBusyLunQuiet).
 */
int
virStorageSCSIVHBADelete(const char *sysfs,
                         const char *devdir,
                         const char *poolname,
                         const virStorageAdapterFCHost *fchost);
