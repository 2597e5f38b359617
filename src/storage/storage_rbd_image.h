/*
 * storage_rbd_image.h: what an RBD image is (sizes, features, snapshots),
 * one image or every image of a RADOS pool at once
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <rados/librados.h>
#include <rbd/librbd.h>

#include "internal.h"
#include "storage_conf.h"

/* Images read at once by virStorageRBDImageReadAll. */
#define VIR_STORAGE_RBD_IMAGE_READERS 32

typedef struct _virStorageRBDImageInfo virStorageRBDImageInfo;
struct _virStorageRBDImageInfo {
    char *name;
    unsigned long long capacity;     /* bytes */
    unsigned long long allocation;   /* bytes of objects that exist */
    unsigned long long objectSize;   /* bytes, 1 << order */
    int order;
    uint64_t features;               /* RBD_FEATURE_* */
    uint64_t flags;                  /* RBD_FLAG_* */
    size_t nsnaps;
};

void
virStorageRBDImageInfoClear(virStorageRBDImageInfo *info);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(virStorageRBDImageInfo, virStorageRBDImageInfoClear);

typedef struct _virStorageRBDImageList virStorageRBDImageList;
struct _virStorageRBDImageList {
    size_t nimages;
    virStorageRBDImageInfo *images;
};

void
virStorageRBDImageListFree(virStorageRBDImageList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageRBDImageList, virStorageRBDImageListFree);

/* How virStorageRBDImageRead* fill in the allocation. */
typedef enum {
    /* the objects that exist: from the object map when the image has a
     * valid fast-diff map, else by asking the OSDs (rbd_diff_iterate2) */
    VIR_STORAGE_RBD_IMAGE_ALLOCATION_REAL,
    /* the capacity, as libvirt 9.0 shows it */
    VIR_STORAGE_RBD_IMAGE_ALLOCATION_CAPACITY,
} virStorageRBDImageAllocation;

/*
 * Opens image @name of @io read-only and fills @info (its name too).
 * Returns 0, or -errno of librbd (-ENOENT: no such image) without
 * reporting; @info is written only on success.
 */
int
virStorageRBDImageReadQuiet(rados_ioctx_t io,
                            const char *name,
                            virStorageRBDImageAllocation allocation,
                            virStorageRBDImageInfo *info);

/* The same, reporting a failure as a sentence naming the image and the
 * RADOS pool @poolname. */
int
virStorageRBDImageRead(rados_ioctx_t io,
                       const char *poolname,
                       const char *name,
                       virStorageRBDImageAllocation allocation,
                       virStorageRBDImageInfo *info);

/*
 * The names of the images of @io (rbd_list2), NULL-terminated.  Reports
 * and returns NULL on failure.
 */
char **
virStorageRBDImageListNames(rados_ioctx_t io,
                            const char *poolname);

/*
 * Every image of @io: listed once (rbd_list2), then each format 2
 * image's header object and, with fast-diff, its object map read by
 * asynchronous RADOS operations all in flight at once; the images that
 * cannot be read so (format 1, no fast-diff, an invalid object map) are
 * opened through librbd by up to VIR_STORAGE_RBD_IMAGE_READERS threads
 * at once.  An image removed between the list and its read is left out.
 * Reports and returns NULL when the list or a read fails otherwise.
 */
virStorageRBDImageList *
virStorageRBDImageReadAll(rados_ioctx_t io,
                          const char *poolname,
                          virStorageRBDImageAllocation allocation);

/*
 * Applies @info of an image of RADOS pool @poolname to @vol as libvirt
 * 9.0 shows an RBD volume: type network, format raw, the sizes, and key
 * and target path "POOLNAME/IMAGE".  The name of @vol is left as it is.
 */
void
virStorageRBDImageApply(const char *poolname,
                        const virStorageRBDImageInfo *info,
                        virStorageVolDef *vol);
