/*
 * storage_vol_gluster.h: what is done to one file of a gluster pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every function works through a glfs_t the caller keeps connected (the
 * pool's connection, storage_pool_gluster.h), on the pool's directory
 * @dir inside the Gluster volume ("/" or "/sub/dir", as gfapi paths take
 * it), and is given the libvirt pool's name for its messages; none takes
 * a pool object, so none locks one.
 *
 * Entries are reached by handle, one name at a time, never following a
 * link (a guest can plant links, FIFOs and devices in a Gluster volume
 * as in any directory): a volume is opened only when it is a regular
 * file, and the descriptor is checked to be the inode looked up.
 *
 * What each operation leaves behind, also when it fails, is written at
 * the top of storage_vol_gluster.c.
 */

#pragma once

#include <sys/stat.h>
#include <glusterfs/api/glfs.h>
#include <glusterfs/api/glfs-handles.h>

#include "internal.h"
#include "storage_conf.h"

static inline void
virStorageVolGlusterFdClose(glfs_fd_t *fd)
{
    if (fd)
        glfs_close(fd);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(glfs_fd_t, virStorageVolGlusterFdClose);

static inline void
virStorageVolGlusterObjectClose(struct glfs_object *obj)
{
    if (obj)
        glfs_h_close(obj);
}
typedef struct glfs_object virStorageVolGlusterObject;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageVolGlusterObject, virStorageVolGlusterObjectClose);

/*
 * Opens volume @name of directory @dir of @fs with @flags (O_RDONLY or
 * O_RDWR), only if it is a regular file: a link is not followed
 * (VIR_ERR_OPERATION_INVALID), a missing entry is VIR_ERR_NO_STORAGE_VOL
 * (refresh the pool), and the descriptor must be the inode looked up.
 * @sb (if not NULL) gets its fstat.  Returns the descriptor, or NULL with
 * an error reported.
 */
glfs_fd_t *
virStorageVolGlusterOpen(glfs_t *fs,
                         const char *poolname,
                         const char *dir,
                         const char *name,
                         int flags,
                         struct stat *sb);

/*
 * createVol: checks @vol (name, a format qemu-img can create, no
 * encryption, no backing store), refuses an entry of that name that
 * exists already (VIR_ERR_STORAGE_VOL_EXIST, even one the pool has not
 * listed yet), and fills its type, path and key from @source and @dir.
 * Nothing is made in the volume.
 */
int
virStorageVolGlusterDefine(glfs_t *fs,
                           const char *poolname,
                           const char *dir,
                           virStoragePoolSource *source,
                           virStorageVolDef *vol);

/*
 * buildVol: makes the file of @vol (a copy the caller owns): raw, sparse
 * or with @vol's allocation reserved by glfs_fallocate; any other format
 * an empty image that qemu-img writes into a private local file, copied
 * into the new file.  A capacity larger than the free space of the
 * Gluster volume is refused before anything is made.  On failure what
 * this call made is removed, and nothing else: an entry of that name
 * someone else made meanwhile (VIR_ERR_STORAGE_VOL_EXIST) is left alone.
 */
int
virStorageVolGlusterBuild(glfs_t *fs,
                          const char *poolname,
                          const char *dir,
                          virStorageVolDef *vol,
                          unsigned int flags);

/*
 * buildVolFrom: makes @newvol (a copy the caller owns) from @origvol, a
 * volume of the same directory: a sparse copy of its bytes when both are
 * raw (or of the same format and capacity), else a conversion by
 * qemu-img through private local files (the source opened with no
 * backing file, whatever its header names).  As buildVol for free space
 * and what is left on failure.
 */
int
virStorageVolGlusterBuildFrom(glfs_t *fs,
                              const char *poolname,
                              const char *dir,
                              virStorageVolDef *newvol,
                              virStorageVolDef *origvol,
                              unsigned int flags);

/*
 * deleteVol: removes the entry of @vol (a file, or an empty directory);
 * an entry that is gone already is not an error.
 */
int
virStorageVolGlusterDelete(glfs_t *fs,
                           const char *poolname,
                           const char *dir,
                           virStorageVolDef *vol,
                           unsigned int flags);

/*
 * resizeVol: sets the size of raw volume @vol to @capacity; below its
 * current size only with VIR_STORAGE_VOL_RESIZE_SHRINK; the new space
 * reserved with VIR_STORAGE_VOL_RESIZE_ALLOCATE.  Growth beyond the free
 * space of the Gluster volume is refused.  Other formats are refused
 * (VIR_ERR_OPERATION_UNSUPPORTED).
 */
int
virStorageVolGlusterResize(glfs_t *fs,
                           const char *poolname,
                           const char *dir,
                           virStorageVolDef *vol,
                           unsigned long long capacity,
                           unsigned int flags);

/*
 * wipeVol: "zero" makes every byte read as zero, by ranges: the data
 * extents of a sparse file are discarded (it stays thin), those of a
 * fully allocated one zero-filled (its space stays reserved); "trim"
 * discards the whole file.  Other algorithms are refused with
 * VIR_ERR_CONFIG_UNSUPPORTED.  A volume in an image format is written
 * again as an empty image of the same format and capacity afterwards.
 */
int
virStorageVolGlusterWipe(glfs_t *fs,
                         const char *poolname,
                         const char *dir,
                         virStorageVolDef *vol,
                         unsigned int algorithm,
                         unsigned int flags);

/*
 * refreshVol: probes the entry of @vol again (storage_vol_gluster_probe.h)
 * into @vol: type, format, capacity, allocation, path and key.
 */
int
virStorageVolGlusterRefresh(glfs_t *fs,
                            const char *poolname,
                            const char *dir,
                            virStoragePoolSource *source,
                            virStorageVolDef *vol);
