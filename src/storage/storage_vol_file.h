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

/* Undo of a failed build: removes the entry of @vol only if it is still
 * the inode @made; keeps the error being reported. */
void virStorageVolFileRemoveMade(virStoragePoolDef *def, int dirFd,
                                 virStorageVolDef *vol,
                                 const struct stat *made);

/* storage_vol_clone.c: opens (O_RDONLY) the volume @origvol that a
 * volume of the pool @def is cloned from, which may belong to another
 * pool: a block device under /dev by its path, a file as the entry of its
 * directory, never followed, the inode its pool listed.  Reports errors;
 * returns the descriptor or -1. */
int virStorageVolFileOpenSource(virStoragePoolDef *def,
                                virStorageVolDef *origvol,
                                struct stat *sb);

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
