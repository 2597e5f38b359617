/*
 * storage_vol_rbd.h: what is done to one RBD image of a pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every function works on an I/O context the caller keeps open (the
 * pool's connection, storage_pool_rbd.c) and is given the libvirt pool's
 * name for its messages; none takes a pool object, so none locks one.
 * A volume's path and key are "RADOSPOOL/IMAGE".
 *
 * What each operation leaves behind, also when it fails, is written at
 * the top of storage_vol_rbd.c.
 */

#pragma once

#include <rados/librados.h>

#include "internal.h"
#include "storage_conf.h"
#include "storage_rbd_image.h"

/* An image name must be one name of a RADOS pool: not empty, no '/'
 * (a pool or namespace separator to Ceph's tools) nor '@' (a snapshot
 * separator), not "." or "..".  Reports VIR_ERR_INVALID_ARG naming the
 * volume and @poolname, and returns -1 otherwise. */
int
virStorageVolRBDNameValidate(const char *poolname,
                             const char *volname);

/* Opens image @name of @io, read-only when @readonly.  A missing image
 * is VIR_ERR_NO_STORAGE_VOL (refresh the pool), any other failure a
 * system error naming the volume and @poolname.  Returns 0 or -1. */
int
virStorageVolRBDOpen(rados_ioctx_t io,
                     const char *poolname,
                     const char *name,
                     bool readonly,
                     rbd_image_t *image);

/* createVol: checks @vol (name, raw format, no encryption), refuses an
 * image of that name that exists already (VIR_ERR_STORAGE_VOL_EXIST,
 * even one the pool has not listed yet), and fills its type, path and
 * key.  Nothing is made on the cluster. */
int
virStorageVolRBDDefine(rados_ioctx_t io,
                       const char *poolname,
                       virStorageVolDef *vol);

/* buildVol: makes the image of @vol's capacity, with the features,
 * order, striping and data pool the cluster's configuration gives new
 * images (the pool's rbd:config_opts included).  A capacity larger than
 * the free space of the RADOS pool is refused before anything is made. */
int
virStorageVolRBDBuild(rados_ioctx_t io,
                      const char *poolname,
                      virStorageVolDef *vol,
                      unsigned int flags);

/* buildVolFrom: makes @newvol from @origvol, an image of the same RADOS
 * pool: a copy-on-write clone of a new protected snapshot where
 * @origvol has the layering feature, a copy of its data otherwise
 * (VIR_STORAGE_VOL_CREATE_REFLINK: the clone or an error).  The new
 * image has exactly @newvol's capacity.  On failure nothing new is left
 * (no image, no snapshot); *@existed is set when the failure is that an
 * image named like @newvol exists, which must then not be removed. */
int
virStorageVolRBDBuildFrom(rados_ioctx_t io,
                          const char *poolname,
                          virStorageVolDef *newvol,
                          virStorageVolDef *origvol,
                          unsigned int flags,
                          bool *existed);

/* deleteVol: removes the image.  Refused, with nothing removed, when a
 * Ceph client has it open, when it is the parent of a clone (the clone
 * is named), and when it has snapshots unless
 * VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS is given (they are then
 * unprotected and removed first).  An image that is gone already is
 * not an error.  A snapshot this unit made on a parent to clone @vol
 * goes with @vol, when no other clone uses it. */
int
virStorageVolRBDDelete(rados_ioctx_t io,
                       const char *poolname,
                       virStorageVolDef *vol,
                       unsigned int flags);

/* resizeVol: sets the image's size to @capacity; a size below the
 * image's current one only with VIR_STORAGE_VOL_RESIZE_SHRINK.  Growth
 * beyond the free space of the RADOS pool is refused. */
int
virStorageVolRBDResize(rados_ioctx_t io,
                       const char *poolname,
                       virStorageVolDef *vol,
                       unsigned long long capacity,
                       unsigned int flags);

/* wipeVol: "zero" makes every byte of the image read as zero (its data
 * extents, the parent's included for a clone, are zeroed by ranges and
 * their objects released); "trim" discards the whole image.  Other
 * algorithms are refused with VIR_ERR_CONFIG_UNSUPPORTED. */
int
virStorageVolRBDWipe(rados_ioctx_t io,
                     const char *poolname,
                     virStorageVolDef *vol,
                     unsigned int algorithm,
                     unsigned int flags);

/* refreshVol: reads the image's capacity and allocation (@allocation:
 * storage_rbd_image.h) into @vol, with its type, format, path and key. */
int
virStorageVolRBDRefresh(rados_ioctx_t io,
                        const char *poolname,
                        virStorageVolDef *vol,
                        virStorageRBDImageAllocation allocation);
