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

#include <sys/stat.h>

#include "storage_backend.h"
#include "vircommand.h"

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

/* qemu-img create of @vol's image into the file @fd is open on (through
 * /dev/fd/N: qemu-img writes that inode, keeping its owner and mode). */
int virStorageVolFileCreateImage(virStorageVolDef *vol, int fd,
                                 unsigned int flags);

/* Creates the file of the new volume @vol in the pool directory @dirFd
 * with O_CREAT | O_EXCL | O_NOFOLLOW, sets the owner and mode of its XML
 * on the descriptor (and nocow); @made gets its inode.  Returns the
 * descriptor (O_RDWR) or -1 with an error reported. */
int virStorageVolFileCreateFile(virStoragePoolDef *def, int dirFd,
                                virStorageVolDef *vol, struct stat *made);

/* At the end of a build: the entry of @vol must still be the inode @made
 * (a link or another file renamed over it meanwhile is not the volume
 * that was built).  Reports VIR_ERR_OPERATION_INVALID and returns -1 if
 * not. */
int virStorageVolFileCheckMade(virStoragePoolDef *def, int dirFd,
                               virStorageVolDef *vol,
                               const struct stat *made);

/* Undo of a failed build: removes the entry of @vol only if it is still
 * the inode @made; keeps the error being reported. */
void virStorageVolFileRemoveMade(virStoragePoolDef *def, int dirFd,
                                 virStorageVolDef *vol,
                                 const struct stat *made);

/* The volume callbacks of every backend whose volumes are files: those
 * above, and those of storage_vol_clone.h, storage_vol_stream.h and
 * storage_vol_wipe.h, which a backend using this macro includes too. */
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
