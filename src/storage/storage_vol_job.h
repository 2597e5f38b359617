/*
 * storage_vol_job.h: volumes a job works on with the pool unlocked
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * libvirt's driver unlocks the pool while a volume is built, cloned,
 * wiped, uploaded or downloaded, and marks the volume (building, or
 * in_use > 0).  Meanwhile other clients may call vol-info and
 * vol-dumpxml, which run the backend's refreshVol on the same definition.
 * Worse, the definition a build gets is a SHALLOW copy of the pool's
 * (storageVolCreateXML and storageVolCreateXMLFrom memcpy it): the
 * permissions, encryption and backing store are the pool's own.  A
 * refresh during a build then rewrote the owner and mode the build was
 * about to apply with what the half-made file had (0:0 0644).  So:
 *
 *   - refreshVol leaves a volume that is building or in use untouched:
 *     vol-info shows its definition until the job ends, and the driver
 *     refreshes it then;
 *   - a build works on its own deep copy of the definition, made when it
 *     starts, and never writes to the pool's.
 */

#pragma once

#include "internal.h"
#include "storage_conf.h"
#include "virstorageobj.h"

/* Is a job of the driver (build, clone, wipe, stream) running on @vol? */
bool
virStorageVolJobRunning(const virStorageVolDef *vol);

/* A deep copy of @vol for a build of pool @pool (formatted and parsed
 * again by libvirt), or NULL with an error reported. */
virStorageVolDef *
virStorageVolJobDefCopy(virStoragePoolObj *pool,
                        virStorageVolDef *vol);
