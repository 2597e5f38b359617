/*
 * storage_vol_file.c: volumes that are files in a directory
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Raw files are made here with ftruncate and fallocate; every other image
 * format through qemu-img (storage_qemuimg.c builds its argv).  A build
 * that fails removes the file it created.
 */

#include <config.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "storage_vol_file.h"
#include "storage_vol_job.h"
#include "storage_vol_name.h"
#include "storage_vol_probe.h"
#include "storage_vol_secret.h"
#include "storage_qemuimg.h"
#include "storage_command.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_file");

#define VIR_STORAGE_VOL_FILE_DEFAULT_MODE 0600
#define VIR_STORAGE_VOL_DIR_DEFAULT_MODE 0755


/* Refuses a volume whose path already holds an entry of any kind.  A
 * dangling symbolic link counts: creating through it would write outside
 * the pool.  The error reads "storage volume ... exists already". */
static int
virStorageVolFileRequireFreePath(virStoragePoolDef *def,
                             virStorageVolDef *vol)
{
    struct stat sb;

    if (lstat(vol->target.path, &sb) < 0) {
        if (errno == ENOENT)
            return 0;
        virReportSystemError(errno,
                             _("cannot check whether volume '%s' already exists in pool '%s'"),
                             vol->name, def->name);
        return -1;
    }

    virReportError(VIR_ERR_STORAGE_VOL_EXIST,
                   _("'%s' of pool '%s' (file '%s' is in the pool's directory but not listed: run 'virsh pool-refresh %s' or choose another name)"),
                   vol->name, def->name, vol->target.path, def->name);
    return -1;
}


int
virStorageVolFileCreate(virStoragePoolObj *pool,
                        virStorageVolDef *vol)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);

    if (virStorageVolNameValidate(def->name, vol->name) < 0)
        return -1;

    vol->type = vol->target.format == VIR_STORAGE_FILE_DIR ?
                VIR_STORAGE_VOL_DIR : VIR_STORAGE_VOL_FILE;

    g_free(vol->target.path);
    vol->target.path = g_strdup_printf("%s/%s", def->target.path, vol->name);

    if (virStorageVolFileRequireFreePath(def, vol) < 0)
        return -1;

    g_free(vol->key);
    vol->key = g_strdup(vol->target.path);
    return 0;
}


static mode_t
virStorageVolFileMode(virStorageVolDef *vol,
                      mode_t fallback)
{
    if (vol->target.perms && vol->target.perms->mode != (mode_t) -1)
        return vol->target.perms->mode;
    return fallback;
}


static uid_t
virStorageVolFileUid(virStorageVolDef *vol)
{
    return vol->target.perms ? vol->target.perms->uid : (uid_t) -1;
}


static gid_t
virStorageVolFileGid(virStorageVolDef *vol)
{
    return vol->target.perms ? vol->target.perms->gid : (gid_t) -1;
}


/* Refuses an allocation the pool's file system cannot hold, before any
 * byte is written. */
static int
virStorageVolFileCheckSpace(virStoragePoolDef *def,
                            virStorageVolDef *vol,
                            unsigned long long allocation)
{
    struct statvfs sb;
    unsigned long long avail;

    if (allocation == 0 || statvfs(def->target.path, &sb) < 0)
        return 0;

    avail = (unsigned long long) sb.f_frsize * sb.f_bavail;
    if (allocation > avail) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume '%s' needs %llu bytes but pool '%s' has only %llu bytes available: create it smaller or sparse (allocation 0)"),
                       vol->name, allocation, def->name, avail);
        return -1;
    }
    return 0;
}


/* Reserves @len bytes from @offset: fallocate where the file system can,
 * else zeros written in large blocks. */
static int
virStorageVolFileAllocate(int fd,
                          const char *path,
                          off_t offset,
                          off_t len)
{
    g_autofree char *zeros = NULL;
    const size_t chunk = 1024 * 1024;

    if (len <= 0)
        return 0;

    if (fallocate(fd, 0, offset, len) == 0)
        return 0;

    if (errno != EOPNOTSUPP && errno != ENOSYS) {
        virReportSystemError(errno, _("cannot allocate %lld bytes for '%s'"),
                             (long long) len, path);
        return -1;
    }

    zeros = g_new0(char, chunk);
    while (len > 0) {
        size_t n = MIN((off_t) chunk, len);
        ssize_t done = pwrite(fd, zeros, n, offset);

        if (done < 0) {
            if (errno == EINTR)
                continue;
            virReportSystemError(errno, _("cannot write zeros to '%s'"), path);
            return -1;
        }
        offset += done;
        len -= done;
    }
    return 0;
}


static int
virStorageVolFileBuildRaw(virStoragePoolDef *def,
                          virStorageVolDef *vol,
                          unsigned int flags)
{
    unsigned long long allocation = MIN(vol->target.allocation,
                                        vol->target.capacity);
    VIR_AUTOCLOSE fd = -1;

    if (flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("raw volume '%s' has no metadata to preallocate: drop --prealloc-metadata"),
                       vol->name);
        return -1;
    }

    if (virStorageVolFileCheckSpace(def, vol, allocation) < 0)
        return -1;

    if ((fd = virFileOpenAs(vol->target.path, O_RDWR | O_CREAT | O_EXCL,
                            virStorageVolFileMode(vol, VIR_STORAGE_VOL_FILE_DEFAULT_MODE),
                            virStorageVolFileUid(vol),
                            virStorageVolFileGid(vol),
                            VIR_FILE_OPEN_FORCE_OWNER |
                            VIR_FILE_OPEN_FORCE_MODE)) < 0) {
        virReportSystemError(-fd, _("cannot create volume '%s' at '%s'"),
                             vol->name, vol->target.path);
        return -1;
    }

    /* copy-on-write must be off before the first byte lands (btrfs) */
    if (vol->target.nocow &&
        virFileSetCOW(vol->target.path, VIR_TRISTATE_BOOL_NO) < 0)
        return -1;

    if (virStorageVolFileAllocate(fd, vol->target.path, 0, allocation) < 0)
        return -1;

    if (ftruncate(fd, vol->target.capacity) < 0) {
        virReportSystemError(errno, _("cannot set the size of volume '%s'"),
                             vol->name);
        return -1;
    }

    if (allocation && g_fsync(fd) < 0) {
        virReportSystemError(errno, _("cannot sync volume '%s'"), vol->name);
        return -1;
    }

    if (VIR_CLOSE(fd) < 0) {
        virReportSystemError(errno, _("cannot close volume '%s'"), vol->name);
        return -1;
    }
    return 0;
}


static int
virStorageVolFileBuildDir(virStorageVolDef *vol)
{
    if (virDirCreate(vol->target.path,
                     virStorageVolFileMode(vol, VIR_STORAGE_VOL_DIR_DEFAULT_MODE),
                     virStorageVolFileUid(vol), virStorageVolFileGid(vol),
                     VIR_DIR_CREATE_NONE) < 0)
        return -1;
    return 0;
}


/* Gives the file qemu-img made the mode and owner of the volume's XML. */
static int
virStorageVolFileApplyPerms(virStorageVolDef *vol)
{
    uid_t uid = virStorageVolFileUid(vol);
    gid_t gid = virStorageVolFileGid(vol);

    if ((uid != (uid_t) -1 || gid != (gid_t) -1) &&
        chown(vol->target.path, uid, gid) < 0) {
        virReportSystemError(errno, _("cannot set the owner of volume '%s'"),
                             vol->name);
        return -1;
    }

    if (chmod(vol->target.path,
              virStorageVolFileMode(vol, VIR_STORAGE_VOL_FILE_DEFAULT_MODE)) < 0) {
        virReportSystemError(errno, _("cannot set the mode of volume '%s'"),
                             vol->name);
        return -1;
    }
    return 0;
}


/* Runs a qemu-img command; its stderr becomes the error message. */
int
virStorageVolFileRunQemuImg(virCommand *cmd,
                            virStorageVolDef *vol,
                            const char *what)
{
    return virStorageCommandRun(cmd, _("qemu-img could not %s volume '%s'"),
                                what, vol->name);
}


int
virStorageVolQemuImgInit(virStorageVolQemuImg *img,
                         virStorageVolDef *vol)
{
    if (!(img->binary = virStorageQemuImgFind()))
        return -1;
    return virStorageVolSecretFileCreate(vol, &img->secretPath);
}


void
virStorageVolQemuImgClear(virStorageVolQemuImg *img)
{
    g_clear_pointer(&img->binary, g_free);
    virStorageVolSecretFileRemove(g_steal_pointer(&img->secretPath));
}


int
virStorageVolFileCreateImage(virStorageVolDef *vol,
                             unsigned int flags)
{
    g_auto(virStorageVolQemuImg) img = { 0 };
    g_autoptr(virCommand) cmd = NULL;

    if (virStorageVolQemuImgInit(&img, vol) < 0)
        return -1;

    if (!(cmd = virStorageQemuImgBuildCreate(img.binary, vol,
                                             img.secretPath, flags)))
        return -1;

    return virStorageVolFileRunQemuImg(cmd, vol, "create");
}


static int
virStorageVolFileBuildImage(virStorageVolDef *vol,
                            unsigned int flags)
{
    if (virStorageVolFileCreateImage(vol, flags) < 0)
        return -1;

    return virStorageVolFileApplyPerms(vol);
}


/* Removes what a failed build left at the volume's path. */
static void
virStorageVolFileUndoBuild(virStorageVolDef *vol)
{
    int rc;

    if (vol->type == VIR_STORAGE_VOL_DIR)
        rc = rmdir(vol->target.path);
    else
        rc = virFileRemove(vol->target.path, virStorageVolFileUid(vol),
                           virStorageVolFileGid(vol));

    if (rc < 0 && errno != ENOENT)
        VIR_WARN("cannot remove '%s' after a failed build", vol->target.path);
}


bool
virStorageVolIsRawData(virStorageVolDef *vol)
{
    return vol->type == VIR_STORAGE_VOL_BLOCK ||
           vol->target.format == VIR_STORAGE_FILE_RAW ||
           vol->target.format == VIR_STORAGE_FILE_NONE;
}


static bool
virStorageVolFileIsPlainRaw(virStorageVolDef *vol)
{
    return virStorageVolIsRawData(vol) &&
           !vol->target.encryption &&
           !vol->target.backingStore;
}


int
virStorageVolFileBuild(virStoragePoolObj *pool,
                       virStorageVolDef *shared,
                       unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStorageVolDef) vol = NULL;
    int rc;

    virCheckFlags(VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA |
                  VIR_STORAGE_VOL_CREATE_VALIDATE, -1);

    /* the driver's copy shares its pointers with the pool's definition:
     * build from our own (storage_vol_job.h) */
    if (!(vol = virStorageVolJobDefCopy(pool, shared)))
        return -1;

    if (vol->target.format == VIR_STORAGE_FILE_DIR) {
        vol->type = VIR_STORAGE_VOL_DIR;
        rc = virStorageVolFileBuildDir(vol);
    } else if (virStorageVolFileIsPlainRaw(vol)) {
        rc = virStorageVolFileBuildRaw(def, vol, flags);
    } else {
        rc = virStorageVolFileBuildImage(vol, flags);
    }

    if (rc < 0) {
        virErrorPtr saved = NULL;

        virErrorPreserveLast(&saved);
        virStorageVolFileUndoBuild(vol);
        virErrorRestore(&saved);
        return -1;
    }
    return 0;
}


int
virStorageVolFileRefresh(virStoragePoolObj *pool G_GNUC_UNUSED,
                         virStorageVolDef *vol)
{
    /* a build, clone, wipe or stream is using the definition */
    if (virStorageVolJobRunning(vol))
        return 0;

    return virStorageVolProbe(vol);
}


int
virStorageVolFileDelete(virStoragePoolObj *pool,
                        virStorageVolDef *vol,
                        unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);

    virCheckFlags(0, -1);

    if (vol->in_use) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' of pool '%s' is busy with an upload, download or wipe: try again when it ends"),
                       vol->name, def->name);
        return -1;
    }

    switch ((virStorageVolType) vol->type) {
    case VIR_STORAGE_VOL_DIR:
        if (rmdir(vol->target.path) < 0 && errno != ENOENT) {
            virReportSystemError(errno,
                                 _("cannot remove directory volume '%s' of pool '%s' (it must be empty)"),
                                 vol->name, def->name);
            return -1;
        }
        return 0;

    case VIR_STORAGE_VOL_FILE:
    case VIR_STORAGE_VOL_BLOCK:
    case VIR_STORAGE_VOL_NETWORK:
    case VIR_STORAGE_VOL_NETDIR:
    case VIR_STORAGE_VOL_PLOOP:
    case VIR_STORAGE_VOL_LAST:
        break;
    }

    if (virFileRemove(vol->target.path, virStorageVolFileUid(vol),
                      virStorageVolFileGid(vol)) < 0 && errno != ENOENT) {
        virReportSystemError(errno, _("cannot delete volume '%s' of pool '%s'"),
                             vol->name, def->name);
        return -1;
    }
    return 0;
}


static int
virStorageVolFileResizeRaw(virStorageVolDef *vol,
                           unsigned long long capacity,
                           bool allocate)
{
    VIR_AUTOCLOSE fd = -1;
    struct stat sb;

    if ((fd = open(vol->target.path, O_RDWR | O_CLOEXEC)) < 0 ||
        fstat(fd, &sb) < 0) {
        virReportSystemError(errno, _("cannot open volume '%s' to resize it"),
                             vol->name);
        return -1;
    }

    if (allocate && capacity > (unsigned long long) sb.st_size &&
        virStorageVolFileAllocate(fd, vol->target.path, sb.st_size,
                                  capacity - sb.st_size) < 0)
        return -1;

    if (ftruncate(fd, capacity) < 0) {
        virReportSystemError(errno, _("cannot resize volume '%s' to %llu bytes"),
                             vol->name, capacity);
        return -1;
    }

    if (VIR_CLOSE(fd) < 0) {
        virReportSystemError(errno, _("cannot close volume '%s'"), vol->name);
        return -1;
    }
    return 0;
}


static int
virStorageVolFileResizeImage(virStorageVolDef *vol,
                             unsigned long long capacity,
                             bool shrink,
                             bool allocate)
{
    g_auto(virStorageVolQemuImg) img = { 0 };
    g_autoptr(virCommand) cmd = NULL;

    if (virStorageVolQemuImgInit(&img, vol) < 0)
        return -1;

    if (!(cmd = virStorageQemuImgBuildResize(img.binary, vol, capacity, shrink,
                                             allocate, img.secretPath)))
        return -1;

    return virStorageVolFileRunQemuImg(cmd, vol, "resize");
}


int
virStorageVolFileResize(virStoragePoolObj *pool,
                        virStorageVolDef *vol,
                        unsigned long long capacity,
                        unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    bool shrink = flags & VIR_STORAGE_VOL_RESIZE_SHRINK;
    bool allocate = flags & VIR_STORAGE_VOL_RESIZE_ALLOCATE;

    virCheckFlags(VIR_STORAGE_VOL_RESIZE_ALLOCATE |
                  VIR_STORAGE_VOL_RESIZE_DELTA |
                  VIR_STORAGE_VOL_RESIZE_SHRINK, -1);

    if (capacity < vol->target.capacity && !shrink) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("shrinking volume '%s' of pool '%s' from %llu to %llu bytes loses data: pass --shrink to do it"),
                       vol->name, def->name, vol->target.capacity, capacity);
        return -1;
    }

    switch ((virStorageVolType) vol->type) {
    case VIR_STORAGE_VOL_FILE:
        break;
    case VIR_STORAGE_VOL_DIR:
    case VIR_STORAGE_VOL_BLOCK:
    case VIR_STORAGE_VOL_NETWORK:
    case VIR_STORAGE_VOL_NETDIR:
    case VIR_STORAGE_VOL_PLOOP:
    case VIR_STORAGE_VOL_LAST:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("volume '%s' of pool '%s' is not a file and cannot be resized"),
                       vol->name, def->name);
        return -1;
    }

    if (allocate && capacity > vol->target.capacity &&
        virStorageVolFileCheckSpace(def, vol, capacity - vol->target.capacity) < 0)
        return -1;

    if (virStorageVolFileIsPlainRaw(vol))
        return virStorageVolFileResizeRaw(vol, capacity, allocate);

    return virStorageVolFileResizeImage(vol, capacity, shrink, allocate);
}
