/*
 * storage_vol_stream.c: uploading and downloading file volumes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Both directions hand the volume to a libvirt FD stream, which moves
 * the bytes in its own thread.  What this file decides is the window
 * of the volume a stream may touch, so an upload can never write past
 * the end of the volume:
 *
 *  - the end of a raw volume (a raw file, or any block volume) is the
 *    end of its data: the size of the file or of the block device;
 *  - a volume in another format (qcow2...) is an image container whose
 *    file is usually smaller than its virtual size.  Users upload an
 *    image into a volume created with the image's virtual size, so the
 *    end is the larger of the capacity and the current file size.  An
 *    image bigger than that (a fully preallocated one) must go to a
 *    volume created with a large enough capacity.
 *
 * The offset must lie inside the volume; a length of 0 means "up to the
 * end" and becomes exactly that window, so the stream refuses any byte
 * past the end; an explicit upload length that does not fit is refused
 * before anything is written, a download length is cut at the end.
 *
 * A sparse upload into a file turns each hole into lseek + ftruncate
 * (inside the FD stream), so a stream that ends in data before the end
 * of the volume leaves the file shorter than it was; it never makes it
 * longer.  The pool refresh that follows every upload reports the new
 * size.
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/fs.h>
#include <linux/magic.h>

#include "storage_vol_file.h"
#include "storage_stream_sync.h"
#include "virerror.h"
#include "virfdstream.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_stream");


/* The path whose bytes the stream moves, or NULL with an error. */
static const char *
streamVolumePath(virStorageVolDef *vol, const char *what)
{
    if (virStorageVolIsRawData(vol))
        return vol->target.path;

    switch ((virStorageFileFormat) vol->target.format) {
    case VIR_STORAGE_FILE_DIR:
    case VIR_STORAGE_FILE_PLOOP:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("cannot %s volume '%s': %s volumes are not a "
                         "single file"),
                       what, vol->name,
                       virStorageFileFormatTypeToString(vol->target.format));
        return NULL;
    case VIR_STORAGE_FILE_AUTO_SAFE:
    case VIR_STORAGE_FILE_AUTO:
    case VIR_STORAGE_FILE_NONE:
    case VIR_STORAGE_FILE_RAW:
    case VIR_STORAGE_FILE_BOCHS:
    case VIR_STORAGE_FILE_CLOOP:
    case VIR_STORAGE_FILE_DMG:
    case VIR_STORAGE_FILE_ISO:
    case VIR_STORAGE_FILE_VPC:
    case VIR_STORAGE_FILE_VDI:
    case VIR_STORAGE_FILE_FAT:
    case VIR_STORAGE_FILE_VHD:
    case VIR_STORAGE_FILE_COW:
    case VIR_STORAGE_FILE_QCOW:
    case VIR_STORAGE_FILE_QCOW2:
    case VIR_STORAGE_FILE_QED:
    case VIR_STORAGE_FILE_VMDK:
    case VIR_STORAGE_FILE_LAST:
        break;
    }
    return vol->target.path;
}


/* Size in bytes of the file or block device at @path. */
static int
streamPathSize(virStorageVolDef *vol, unsigned long long *size)
{
    VIR_AUTOCLOSE fd = -1;
    struct stat st;

    if ((fd = open(vol->target.path, O_RDONLY | O_CLOEXEC)) < 0 ||
        fstat(fd, &st) < 0) {
        virReportSystemError(errno, _("cannot open volume '%s' at '%s'"),
                             vol->name, vol->target.path);
        return -1;
    }

    if (S_ISBLK(st.st_mode)) {
        if (ioctl(fd, BLKGETSIZE64, size) < 0) {
            virReportSystemError(errno,
                                 _("cannot get the size of device '%s' of "
                                   "volume '%s'"),
                                 vol->target.path, vol->name);
            return -1;
        }
        return 0;
    }

    if (!S_ISREG(st.st_mode)) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("volume '%s' at '%s' is neither a file nor a block "
                         "device"),
                       vol->name, vol->target.path);
        return -1;
    }

    *size = st.st_size;
    return 0;
}


/* The end of @vol as described at the top of this file. */
static int
streamVolumeEnd(virStorageVolDef *vol, unsigned long long *end)
{
    unsigned long long size;

    if (streamPathSize(vol, &size) < 0)
        return -1;

    if (virStorageVolIsRawData(vol))
        *end = size;
    else
        *end = MAX(size, vol->target.capacity);
    return 0;
}


/*
 * Check @offset and @len against the end of @vol and turn them into the
 * stream's window: *@window is the number of bytes from @offset the
 * stream may move (never 0 when @forUpload, since 0 means "no limit" to
 * the stream).
 */
static int
streamWindow(virStorageVolDef *vol,
             unsigned long long offset,
             unsigned long long len,
             bool forUpload,
             unsigned long long *window)
{
    unsigned long long end;

    if (streamVolumeEnd(vol, &end) < 0)
        return -1;

    if (offset > end || (forUpload && offset == end)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("offset %llu is beyond the end of volume '%s', "
                         "which is %llu bytes long"),
                       offset, vol->name, end);
        return -1;
    }

    if (len > end - offset) {
        if (forUpload) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("cannot upload %llu bytes at offset %llu of "
                             "volume '%s': it is %llu bytes long; resize "
                             "the volume first"),
                           len, offset, vol->name, end);
            return -1;
        }
        /* a download simply stops at the end, as reading a file does */
        len = end - offset;
    }

    *window = len ? len : end - offset;
    return 0;
}


/* File systems whose writes can fail at writeback, after write(2) said
 * yes: the server runs out of space or quota. */
static bool
streamPathIsRemote(const char *path)
{
    struct statfs sb;

    if (statfs(path, &sb) < 0)
        return false;

    switch ((unsigned long) sb.f_type) {
    case NFS_SUPER_MAGIC:
    case CIFS_SUPER_MAGIC:
    case SMB2_SUPER_MAGIC:
    case FUSE_SUPER_MAGIC:      /* glusterfs */
        return true;
    }
    return false;
}


/*
 * Must the upload's finish flush the data to learn whether it was
 * stored?  Yes where space runs out only at writeback: a sparse block
 * volume (a thin LV, an old-style snapshot) and a file on a network file
 * system.  A local file system refuses a write it has no space for, and
 * a thick block device has all its space.
 */
static bool
streamUploadNeedsSync(virStorageVolDef *vol,
                      const char *path)
{
    if (vol->type == VIR_STORAGE_VOL_BLOCK)
        return vol->target.sparse;
    return streamPathIsRemote(path);
}


int
virStorageVolFileUpload(virStoragePoolObj *pool G_GNUC_UNUSED,
                        virStorageVolDef *vol,
                        virStreamPtr stream,
                        unsigned long long offset,
                        unsigned long long len,
                        unsigned int flags)
{
    bool sparse = flags & VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM;
    unsigned long long window;
    const char *path;

    virCheckFlags(VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM, -1);

    if (!(path = streamVolumePath(vol, "upload to")))
        return -1;
    if (streamWindow(vol, offset, len, true, &window) < 0)
        return -1;

    VIR_DEBUG("upload to '%s': offset=%llu window=%llu sparse=%d",
              path, offset, window, sparse);

    /* the volume exists: no O_CREAT, and no O_TRUNC either */
    if (virFDStreamOpenBlockDevice(stream, path, offset, window,
                                   sparse, O_WRONLY) < 0)
        return -1;

    if (streamUploadNeedsSync(vol, path))
        return virStorageStreamSyncOnFinish(stream, path, vol->name);
    return 0;
}


int
virStorageVolFileDownload(virStoragePoolObj *pool G_GNUC_UNUSED,
                          virStorageVolDef *vol,
                          virStreamPtr stream,
                          unsigned long long offset,
                          unsigned long long len,
                          unsigned int flags)
{
    bool sparse = flags & VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM;
    unsigned long long window;
    const char *path;

    virCheckFlags(VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM, -1);

    if (!(path = streamVolumePath(vol, "download from")))
        return -1;
    if (streamWindow(vol, offset, len, false, &window) < 0)
        return -1;

    VIR_DEBUG("download from '%s': offset=%llu window=%llu sparse=%d",
              path, offset, window, sparse);

    /* an empty window reads to the end of the file: nothing */
    return virFDStreamOpenBlockDevice(stream, path, offset, window,
                                      sparse, O_RDONLY);
}
