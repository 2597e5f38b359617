/*
 * storage_qemuimg.h: pure builders of qemu-img command lines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Builders do no I/O: they turn volume definitions into a virCommand that
 * the caller runs.  Tests compare their output with .argv fixtures.
 */

#pragma once

#include "internal.h"
#include "storage_conf.h"
#include "vircommand.h"

/* Alias of the secret object that carries an encryption passphrase. */
#define VIR_STORAGE_QEMUIMG_SECRET_ALIAS "sec0"

/*
 * qemu-img create for @vol (format, capacity, features, compat,
 * cluster size, preallocation from @vol->target and the
 * VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA @flags bit; backing store from
 * @vol->target.backingStore).  @secretPath is the file holding the
 * passphrase of an encrypted volume, or NULL.
 * Reports an error and returns NULL for what qemu-img cannot do.
 */
virCommand *
virStorageQemuImgBuildCreate(const char *qemuimg,
                             virStorageVolDef *vol,
                             const char *secretPath,
                             unsigned int flags);

/*
 * qemu-img convert of @inputvol (read from @inputvol->target.path) into a
 * new image for @vol, with the output options of
 * virStorageQemuImgBuildCreate.  The backing store of @vol is ignored:
 * the copy is standalone.  An encrypted @inputvol is refused.
 */
virCommand *
virStorageQemuImgBuildConvert(const char *qemuimg,
                              virStorageVolDef *vol,
                              virStorageVolDef *inputvol,
                              const char *secretPath,
                              unsigned int flags);

/*
 * Both builders refuse (VIR_ERR_INVALID_ARG) a capacity that, rounded
 * up to a whole KiB (create) or 512 bytes (resize), is past 2^63 - 1.
 *
 * qemu-img resize of @vol to @capacity bytes (rounded up to 512); @shrink
 * adds --shrink, @preallocate asks for falloc preallocation of the new
 * space (qcow2 and raw only).  An encrypted volume is named by a json:
 * name with the secret in @secretPath and, for qcow2, "backing": null:
 * qemu-img opens no backing file its header names.
 */
virCommand *
virStorageQemuImgBuildResize(const char *qemuimg,
                             virStorageVolDef *vol,
                             unsigned long long capacity,
                             bool shrink,
                             bool preallocate,
                             const char *secretPath);

/*
 * qemu-img convert of the image at @srcpath in @srcformat (a
 * qemu-img format name) onto the existing block device @dstpath, as raw
 * data, without creating or truncating it.
 */
virCommand *
virStorageQemuImgBuildConvertToDevice(const char *qemuimg,
                                      const char *srcpath,
                                      const char *srcformat,
                                      const char *dstpath);

/* Path of the qemu-img binary, or NULL with an error reported. */
char *
virStorageQemuImgFind(void);
