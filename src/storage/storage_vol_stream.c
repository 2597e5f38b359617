/*
 * storage_vol_stream.c: uploading and downloading volumes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The callbacks of every backend whose volumes are files or block
 * devices (dir, fs, netfs, disk, logical).  The bytes move through the
 * stream unit (storage_stream.c); what this file decides is:
 *
 * Which inode.  A file volume is opened relative to its pool's
 * directory without following links and must still be a regular file
 * (a FIFO swapped in after the refresh is refused at once, never opened
 * for reading, which would block); a block volume is opened by its path
 * and must be a block device.  The stream then works on that descriptor
 * only.
 *
 * The window of the volume a stream may touch, so an upload can never
 * write past the end of the volume:
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
 * before anything is written, a download length is cut at the end.  A
 * hole of a sparse upload reads as zeros afterwards and never changes
 * the size of the volume.
 *
 * The guard.  libvirt's driver counts the volume in use (and its pool
 * as running a job) only while this callback runs.  We count it again
 * for as long as the stream is open, until its finish or abort: then
 * the driver itself refuses a second upload, a delete, a wipe and a
 * resize of the volume ("volume '...' is still in use"), and a refresh,
 * destroy or delete of the pool ("has asynchronous jobs running").  The
 * driver does not check a download against an upload in flight: we
 * refuse it here, while downloads may run side by side.
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/fs.h>
#include <linux/magic.h>

#include "storage_vol_stream.h"
#include "storage_blockdev.h"
#include "storage_vol_file.h"
#include "storage_stream.h"
#include "storage_stream_fd.h"
#include "storage_vol_open.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_stream");


/* Refuses volumes that are not a single file of data. */
static int
virStorageVolStreamCheckFormat(virStorageVolDef *vol)
{
    if (virStorageVolIsRawData(vol))
        return 0;

    switch ((virStorageFileFormat) vol->target.format) {
    case VIR_STORAGE_FILE_DIR:
    case VIR_STORAGE_FILE_PLOOP:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("volume '%s' cannot be streamed: %s volumes are not a single file"),
                       vol->name,
                       virStorageFileFormatTypeToString(vol->target.format));
        return -1;
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
    return 0;
}


/* ------------------------------------------------------------ guard */

struct _virStorageVolStreamGuard {
    virStoragePoolObj *pool;    /* referenced */
    virStorageVolDef *vol;      /* alive while in_use > 0 */
    bool upload;
};

/* Volumes with an upload stream open; under streamUploadsLock. */
static GHashTable *streamUploads;
static GMutex streamUploadsLock;


static bool
virStorageVolStreamUploadIsOpen(virStorageVolDef *vol)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&streamUploadsLock);

    return streamUploads && g_hash_table_contains(streamUploads, vol);
}


static void
virStorageVolStreamUploadSet(virStorageVolDef *vol,
                             bool open)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&streamUploadsLock);

    if (!streamUploads)
        streamUploads = g_hash_table_new(NULL, NULL);
    if (open)
        g_hash_table_add(streamUploads, vol);
    else
        g_hash_table_remove(streamUploads, vol);
}


/*
 * Counts @vol in use and its pool as running a job until the guard is
 * released.  @pool is unlocked (the driver unlocked it to call us) and
 * referenced by the driver until we return.
 */
virStorageVolStreamGuard *
virStorageVolStreamGuardTake(virStoragePoolObj *pool,
                             virStorageVolDef *vol,
                             bool upload)
{
    virStorageVolStreamGuard *guard;

    virObjectLock(pool);
    /* the driver refused an upload into a volume in use, then unlocked
     * the pool: a download may have started since */
    if (upload && vol->in_use > 1) {
        virObjectUnlock(pool);
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' is still in use: try again when the other operations on it have finished"),
                       vol->name);
        return NULL;
    }
    if (!upload && virStorageVolStreamUploadIsOpen(vol)) {
        virObjectUnlock(pool);
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' is still in use: an upload into it is in progress, try again when it has finished"),
                       vol->name);
        return NULL;
    }
    vol->in_use++;
    virStoragePoolObjIncrAsyncjobs(pool);
    if (upload)
        virStorageVolStreamUploadSet(vol, true);
    virObjectUnlock(pool);

    guard = g_new0(virStorageVolStreamGuard, 1);
    guard->pool = virObjectRef(pool);
    guard->vol = vol;
    guard->upload = upload;
    return guard;
}


void
virStorageVolStreamGuardRelease(void *opaque)
{
    virStorageVolStreamGuard *guard = opaque;

    virObjectLock(guard->pool);
    if (guard->upload)
        virStorageVolStreamUploadSet(guard->vol, false);
    guard->vol->in_use--;
    virStoragePoolObjDecrAsyncjobs(guard->pool);
    virObjectUnlock(guard->pool);

    virObjectUnref(guard->pool);
    g_free(guard);
}


/* What a stream of a connection-backed volume holds until it ends. */
typedef struct _virStorageVolStreamConnHold virStorageVolStreamConnHold;
struct _virStorageVolStreamConnHold {
    virStorageVolStreamGuard *guard;
    void *conn;
    GDestroyNotify connRelease;
};

static void
virStorageVolStreamConnRelease(void *opaque)
{
    virStorageVolStreamConnHold *hold = opaque;

    virStorageVolStreamGuardRelease(hold->guard);
    hold->connRelease(hold->conn);
    g_free(hold);
}


int
virStorageVolStreamOpenWithConn(virStoragePoolObj *pool,
                                virStorageVolDef *vol,
                                virStreamPtr stream,
                                virStorageStreamTarget *target,
                                bool upload,
                                void *conn,
                                GDestroyNotify connRelease)
{
    virStorageVolStreamConnHold *hold;
    virStorageVolStreamGuard *guard;
    int rc;

    if (!(guard = virStorageVolStreamGuardTake(pool, vol, upload))) {
        target->io->close(target->opaque);
        connRelease(conn);
        return -1;
    }

    hold = g_new0(virStorageVolStreamConnHold, 1);
    hold->guard = guard;
    hold->conn = conn;
    hold->connRelease = connRelease;

    if (upload)
        rc = virStorageStreamOpenUpload(stream, target,
                                        virStorageVolStreamConnRelease, hold);
    else
        rc = virStorageStreamOpenDownload(stream, target,
                                          virStorageVolStreamConnRelease, hold);
    if (rc < 0) {
        virStorageVolStreamConnRelease(hold);
        return -1;
    }
    return 0;
}


/* ------------------------------------------------------- the inode */

/*
 * Opens @vol of @pool with @flags (storage_vol_open.h): a file volume
 * relative to the pool's directory, never following a link, which must
 * be the regular file the pool listed; a block volume by its path, which
 * must be a block device.  Fills @sb.  Returns the descriptor or -1 with
 * an error reported.
 */
static int
virStorageVolStreamOpenVolume(virStoragePoolObj *pool,
                              virStorageVolDef *vol,
                              int flags,
                              struct stat *sb)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    bool filePool = def->type == VIR_STORAGE_POOL_DIR ||
                    def->type == VIR_STORAGE_POOL_FS ||
                    def->type == VIR_STORAGE_POOL_NETFS;

    if (filePool && vol->type != VIR_STORAGE_VOL_FILE) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' of pool '%s' is not a file: only files are uploaded and downloaded"),
                       vol->name, def->name);
        return -1;
    }
    return virStorageVolOpen(def, vol, flags, sb);
}


/* The end of @vol, open as @fd, as described at the top of this file. */
static int
virStorageVolStreamVolumeEnd(virStorageVolDef *vol,
                             int fd,
                             const struct stat *sb,
                             unsigned long long *end)
{
    unsigned long long size = sb->st_size;
    int rc;

    if (S_ISBLK(sb->st_mode) && (rc = virStorageBlockDevSizeQuiet(fd, &size)) < 0) {
        virReportSystemError(-rc,
                             _("cannot get the size of device '%s' of volume '%s'"),
                             vol->target.path, vol->name);
        return -1;
    }

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
virStorageVolStreamWindow(virStorageVolDef *vol,
                          unsigned long long end,
                          unsigned long long offset,
                          unsigned long long len,
                          bool forUpload,
                          unsigned long long *window)
{
    if (offset > end || (forUpload && offset == end)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("offset %llu is beyond the end of volume '%s', which is %llu bytes long"),
                       offset, vol->name, end);
        return -1;
    }

    if (len > end - offset) {
        if (forUpload) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("cannot upload %llu bytes at offset %llu of volume '%s': it is %llu bytes long; resize the volume first"),
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
virStorageVolStreamFdIsRemote(int fd)
{
    struct statfs sb;

    if (fstatfs(fd, &sb) < 0)
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
virStorageVolStreamUploadNeedsSync(virStorageVolDef *vol,
                                   int fd,
                                   bool isBlock)
{
    if (isBlock)
        return vol->target.sparse;
    return virStorageVolStreamFdIsRemote(fd);
}


/* Opens @vol and fills @target for a stream of @offset, @len: the
 * stream unit's descriptor I/O on the checked inode. */
static int
virStorageVolStreamTargetInit(virStoragePoolObj *pool,
                              virStorageVolDef *vol,
                              unsigned long long offset,
                              unsigned long long len,
                              bool upload,
                              virStorageStreamTarget *target)
{
    VIR_AUTOCLOSE fd = -1;
    unsigned long long end;
    struct stat sb;
    bool isBlock;
    bool sync;

    if (virStorageVolStreamCheckFormat(vol) < 0)
        return -1;
    if ((fd = virStorageVolStreamOpenVolume(pool, vol, upload ? O_WRONLY : O_RDONLY,
                                            &sb)) < 0)
        return -1;
    if (virStorageVolStreamVolumeEnd(vol, fd, &sb, &end) < 0 ||
        virStorageVolStreamWindow(vol, end, offset, len, upload, &target->window) < 0)
        return -1;

    isBlock = S_ISBLK(sb.st_mode);
    sync = upload && virStorageVolStreamUploadNeedsSync(vol, fd, isBlock);

    VIR_DEBUG("%s '%s': offset=%llu window=%llu sparse=%d sync=%d",
              upload ? "upload to" : "download from", vol->target.path,
              offset, target->window, target->sparse, sync);

    target->volname = vol->name;
    target->offset = offset;
    target->io = &virStorageStreamFdIO;
    target->opaque = virStorageStreamFdNew(fd, isBlock, sync);
    fd = -1;
    return 0;
}


/* Takes the guard and opens the stream; closes @target's storage and
 * drops the guard on failure. */
static int
virStorageVolStreamStart(virStoragePoolObj *pool,
                         virStorageVolDef *vol,
                         virStreamPtr stream,
                         virStorageStreamTarget *target,
                         bool upload)
{
    virStorageVolStreamGuard *guard;
    int rc;

    if (!(guard = virStorageVolStreamGuardTake(pool, vol, upload))) {
        target->io->close(target->opaque);
        return -1;
    }
    if (upload)
        rc = virStorageStreamOpenUpload(stream, target,
                                        virStorageVolStreamGuardRelease, guard);
    else
        rc = virStorageStreamOpenDownload(stream, target,
                                          virStorageVolStreamGuardRelease, guard);
    if (rc < 0) {
        virStorageVolStreamGuardRelease(guard);
        return -1;
    }
    return 0;
}


int
virStorageVolFileUpload(virStoragePoolObj *pool,
                        virStorageVolDef *vol,
                        virStreamPtr stream,
                        unsigned long long offset,
                        unsigned long long len,
                        unsigned int flags)
{
    virStorageStreamTarget target = { 0 };

    virCheckFlags(VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM, -1);
    target.sparse = flags & VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM;

    if (virStorageVolStreamTargetInit(pool, vol, offset, len, true, &target) < 0)
        return -1;
    return virStorageVolStreamStart(pool, vol, stream, &target, true);
}


int
virStorageVolFileDownload(virStoragePoolObj *pool,
                          virStorageVolDef *vol,
                          virStreamPtr stream,
                          unsigned long long offset,
                          unsigned long long len,
                          unsigned int flags)
{
    virStorageStreamTarget target = { 0 };

    virCheckFlags(VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM, -1);
    target.sparse = flags & VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM;

    /* an empty window (the offset at the end) sends nothing */
    if (virStorageVolStreamTargetInit(pool, vol, offset, len, false, &target) < 0)
        return -1;
    return virStorageVolStreamStart(pool, vol, stream, &target, false);
}
