/*
 * storage_vol_block.c: data of volumes that are block devices
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Upload, download and wipe go through the file volume code
 * (storage_vol_stream.c, storage_vol_wipe.c), which handles a block
 * device by its path, treats its bytes as raw data whatever its format
 * says (virStorageVolIsRawData) and never moves a byte past its end.
 *
 * A clone writes the source into the existing device with qemu-img
 * convert -n, which neither creates nor truncates its target and also
 * reads non-raw images; the source must fit.
 *
 * An extended partition is only a container of logical ones: none of
 * this applies to it.
 */

#include <config.h>

#include <sys/stat.h>

#include "storage_vol_block.h"
#include "storage_vol_backing.h"
#include "storage_command.h"
#include "storage_vol_file.h"
#include "storage_vol_clone.h"
#include "storage_vol_stream.h"
#include "storage_vol_wipe.h"
#include "storage_qemuimg.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_block");


/* What a caller of virStorageVolBlockRequireData is about to do. */
typedef enum {
    VIR_STORAGE_VOL_BLOCK_JOB_UPLOAD,
    VIR_STORAGE_VOL_BLOCK_JOB_DOWNLOAD,
    VIR_STORAGE_VOL_BLOCK_JOB_WIPE,
    VIR_STORAGE_VOL_BLOCK_JOB_CLONE_INTO,
} virStorageVolBlockJob;


/* Refuses @job on an extended partition, which holds no data of its own. */
static int
virStorageVolBlockRequireData(virStorageVolDef *vol,
                              virStorageVolBlockJob job)
{
    if (vol->source.partType != VIR_STORAGE_VOL_DISK_TYPE_EXTENDED)
        return 0;

    switch (job) {
    case VIR_STORAGE_VOL_BLOCK_JOB_UPLOAD:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("cannot upload to volume '%s': it is an extended partition, which only holds logical partitions; upload to one of those"),
                       vol->name);
        break;
    case VIR_STORAGE_VOL_BLOCK_JOB_DOWNLOAD:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("cannot download from volume '%s': it is an extended partition, which only holds logical partitions; download from one of those"),
                       vol->name);
        break;
    case VIR_STORAGE_VOL_BLOCK_JOB_WIPE:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("cannot wipe volume '%s': it is an extended partition, which only holds logical partitions; wipe those"),
                       vol->name);
        break;
    case VIR_STORAGE_VOL_BLOCK_JOB_CLONE_INTO:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("cannot clone into volume '%s': it is an extended partition, which only holds logical partitions; clone into one of those"),
                       vol->name);
        break;
    }
    return -1;
}


int
virStorageVolBlockUpload(virStoragePoolObj *pool,
                         virStorageVolDef *vol,
                         virStreamPtr stream,
                         unsigned long long offset,
                         unsigned long long len,
                         unsigned int flags)
{
    if (virStorageVolBlockRequireData(vol, VIR_STORAGE_VOL_BLOCK_JOB_UPLOAD) < 0)
        return -1;
    return virStorageVolFileUpload(pool, vol, stream, offset, len, flags);
}


int
virStorageVolBlockDownload(virStoragePoolObj *pool,
                           virStorageVolDef *vol,
                           virStreamPtr stream,
                           unsigned long long offset,
                           unsigned long long len,
                           unsigned int flags)
{
    if (virStorageVolBlockRequireData(vol, VIR_STORAGE_VOL_BLOCK_JOB_DOWNLOAD) < 0)
        return -1;
    return virStorageVolFileDownload(pool, vol, stream, offset, len, flags);
}


int
virStorageVolBlockWipe(virStoragePoolObj *pool,
                       virStorageVolDef *vol,
                       unsigned int algorithm,
                       unsigned int flags)
{
    if (virStorageVolBlockRequireData(vol, VIR_STORAGE_VOL_BLOCK_JOB_WIPE) < 0)
        return -1;
    return virStorageVolFileWipe(pool, vol, algorithm, flags);
}


/* qemu-img's name of the format of @inputvol: a block volume of any pool
 * holds raw data; a file volume says its image format. */
static const char *
virStorageVolBlockInputFormat(virStorageVolDef *inputvol)
{
    switch ((virStorageVolType) inputvol->type) {
    case VIR_STORAGE_VOL_BLOCK:
        return "raw";
    case VIR_STORAGE_VOL_FILE:
        if (inputvol->target.format == VIR_STORAGE_FILE_NONE)
            return "raw";
        return virStorageFileFormatTypeToString(inputvol->target.format);
    case VIR_STORAGE_VOL_DIR:
    case VIR_STORAGE_VOL_NETWORK:
    case VIR_STORAGE_VOL_NETDIR:
    case VIR_STORAGE_VOL_PLOOP:
    case VIR_STORAGE_VOL_LAST:
        break;
    }
    return NULL;
}


int
virStorageVolBlockBuildFrom(virStoragePoolObj *pool,
                            virStorageVolDef *vol,
                            virStorageVolDef *inputvol,
                            unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virCommand) cmd = NULL;
    g_autoptr(GArray) fds = virStorageVolBackingFDsNew();
    g_autofree char *qemuimg = NULL;
    g_autofree char *srcspec = NULL;
    const char *srcformat;
    VIR_AUTOCLOSE srcfd = -1;
    struct stat sb;

    virCheckFlags(0, -1);

    if (virStorageVolBlockRequireData(vol, VIR_STORAGE_VOL_BLOCK_JOB_CLONE_INTO) < 0)
        return -1;

    if (inputvol->target.encryption) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("cannot clone encrypted volume '%s' into partition '%s'"),
                       inputvol->name, vol->name);
        return -1;
    }
    if (!(srcformat = virStorageVolBlockInputFormat(inputvol))) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s' is not a file or a block device and cannot be cloned into partition '%s'"),
                       inputvol->name, vol->name);
        return -1;
    }
    if (inputvol->target.capacity > vol->target.capacity) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume '%s' (%llu bytes) does not fit in partition '%s' (%llu bytes): create the partition larger"),
                       inputvol->name, inputvol->target.capacity,
                       vol->name, vol->target.capacity);
        return -1;
    }

    if (!(qemuimg = virStorageQemuImgFind()))
        return -1;

    /* the source as its pool listed it, and its backing chain given
     * explicitly: qemu-img opens nothing a header names */
    if ((srcfd = virStorageVolFileOpenSource(def, inputvol, &sb)) < 0 ||
        !(srcspec = virStorageVolBackingImageSpec(def, inputvol, srcfd,
                                                  virStorageFileFormatTypeFromString(srcformat),
                                                  true, fds)))
        return -1;

    cmd = virStorageQemuImgBuildConvertToDevice(qemuimg, srcspec,
                                                srcformat, vol->target.path);
    virCommandPassFD(cmd, srcfd, 0);
    virStorageVolBackingPassFDs(cmd, fds);
    return virStorageCommandRun(cmd, _("qemu-img cannot copy volume '%s' into volume '%s' of pool '%s'"),
                                inputvol->name, vol->name, def->name);
}
