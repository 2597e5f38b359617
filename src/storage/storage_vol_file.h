/*
 * storage_vol_file.h: volumes that are files in a directory
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The callbacks of the dir, fs and netfs backends for volumes.  Each
 * follows the contract of its typedef in libvirt's storage_backend.h:
 * a failed build removes what it created; upload, download and wipe run
 * with the pool unlocked.
 */

#pragma once

#include "storage_backend.h"
#include "vircommand.h"

/* storage_vol_file.c */
int virStorageVolFileCreate(virStoragePoolObj *pool, virStorageVolDef *vol);
int virStorageVolFileBuild(virStoragePoolObj *pool, virStorageVolDef *vol,
                           unsigned int flags);
int virStorageVolFileRefresh(virStoragePoolObj *pool, virStorageVolDef *vol);
int virStorageVolFileDelete(virStoragePoolObj *pool, virStorageVolDef *vol,
                            unsigned int flags);
int virStorageVolFileResize(virStoragePoolObj *pool, virStorageVolDef *vol,
                            unsigned long long capacity, unsigned int flags);

/* Are @vol's bytes plain data, rather than an image container?  True of
 * raw files and of every block volume (a partition's or LV's format says
 * what it is for, not how its bytes are laid out). */
bool virStorageVolIsRawData(virStorageVolDef *vol);

/* What running qemu-img on a volume needs: the binary, and for an
 * encrypted volume the file holding its passphrase. */
typedef struct _virStorageVolQemuImg virStorageVolQemuImg;
struct _virStorageVolQemuImg {
    char *binary;
    char *secretPath;
};

/* Finds qemu-img and writes @vol's passphrase, if any; reports errors. */
int virStorageVolQemuImgInit(virStorageVolQemuImg *img, virStorageVolDef *vol);
void virStorageVolQemuImgClear(virStorageVolQemuImg *img);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(virStorageVolQemuImg, virStorageVolQemuImgClear);

/* qemu-img create of @vol's image (no owner or mode applied). */
int virStorageVolFileCreateImage(virStorageVolDef *vol, unsigned int flags);

/* Runs a qemu-img @cmd for @vol; its stderr becomes the error message,
 * @what says what it did ("create", "resize", "convert"). */
int virStorageVolFileRunQemuImg(virCommand *cmd, virStorageVolDef *vol,
                                const char *what);

/* storage_vol_clone.c: the driver passes the new volume first, then the
 * volume it is made from (libvirt's typedef names them the other way). */
int virStorageVolFileBuildFrom(virStoragePoolObj *pool,
                               virStorageVolDef *vol,
                               virStorageVolDef *inputvol,
                               unsigned int flags);

/* storage_vol_stream.c */
int virStorageVolFileUpload(virStoragePoolObj *pool, virStorageVolDef *vol,
                            virStreamPtr stream, unsigned long long offset,
                            unsigned long long len, unsigned int flags);
int virStorageVolFileDownload(virStoragePoolObj *pool, virStorageVolDef *vol,
                              virStreamPtr stream, unsigned long long offset,
                              unsigned long long len, unsigned int flags);

/* storage_vol_wipe.c */
int virStorageVolFileWipe(virStoragePoolObj *pool, virStorageVolDef *vol,
                          unsigned int algorithm, unsigned int flags);

/* The volume callbacks of every backend whose volumes are files. */
#define VIR_STORAGE_BACKEND_FILE_VOL_CALLBACKS \
    .createVol = virStorageVolFileCreate, \
    .buildVol = virStorageVolFileBuild, \
    .buildVolFrom = virStorageVolFileBuildFrom, \
    .refreshVol = virStorageVolFileRefresh, \
    .deleteVol = virStorageVolFileDelete, \
    .resizeVol = virStorageVolFileResize, \
    .uploadVol = virStorageVolFileUpload, \
    .downloadVol = virStorageVolFileDownload, \
    .wipeVol = virStorageVolFileWipe
