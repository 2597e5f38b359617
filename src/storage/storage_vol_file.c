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
#include "storage_vol_backing.h"
#include "storage_vol_job.h"
#include "storage_vol_name.h"
#include "storage_vol_open.h"
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


/*
 * Creates the file of the new volume @vol as the entry of the pool's
 * directory @dirFd: O_CREAT | O_EXCL | O_NOFOLLOW, so nothing is written
 * through a link or into an entry someone else made; then the mode and
 * owner of the volume's XML are set on the descriptor, and copy-on-write
 * is turned off while the file is empty when <nocow/> asks.  @made gets
 * the new inode: the only one a failed build may remove.
 * Returns the descriptor (O_RDWR) or -1 with an error reported.
 */
int
virStorageVolFileCreateFile(virStoragePoolDef *def,
                            int dirFd,
                            virStorageVolDef *vol,
                            struct stat *made)
{
    g_autofree char *name = g_path_get_basename(vol->target.path);
    mode_t mode = virStorageVolFileMode(vol, VIR_STORAGE_VOL_FILE_DEFAULT_MODE);
    uid_t uid = virStorageVolFileUid(vol);
    gid_t gid = virStorageVolFileGid(vol);
    VIR_AUTOCLOSE fd = -1;
    int rc;

    if ((fd = virStorageVolCreateAtQuiet(dirFd, name, O_RDWR, mode, made)) < 0) {
        if (fd == -EEXIST)
            virReportError(VIR_ERR_STORAGE_VOL_EXIST,
                           _("'%s' of pool '%s' (an entry '%s' appeared in the pool's directory: run 'virsh pool-refresh %s' or choose another name)"),
                           vol->name, def->name, vol->target.path, def->name);
        else
            virReportSystemError(-fd, _("cannot create volume '%s' of pool '%s' at '%s'"),
                                 vol->name, def->name, vol->target.path);
        return -1;
    }

    if ((uid != (uid_t) -1 || gid != (gid_t) -1) && fchown(fd, uid, gid) < 0) {
        virReportSystemError(errno, _("cannot set the owner of volume '%s' of pool '%s'"),
                             vol->name, def->name);
        goto undo;
    }

    /* the mode of the XML, whatever the umask took away */
    if (fchmod(fd, mode) < 0) {
        virReportSystemError(errno, _("cannot set the mode of volume '%s' of pool '%s'"),
                             vol->name, def->name);
        goto undo;
    }

    /* copy-on-write must be off before the first byte lands (btrfs) */
    if (vol->target.nocow) {
        g_autofree char *fdPath = virStorageVolFdPath(fd);

        if (virFileSetCOW(fdPath, VIR_TRISTATE_BOOL_NO) < 0)
            goto undo;
    }

    rc = fd;
    fd = -1;
    return rc;

 undo:
    virStorageVolFileRemoveMade(def, dirFd, vol, made);
    return -1;
}


void
virStorageVolFileRemoveMade(virStoragePoolDef *def,
                            int dirFd,
                            virStorageVolDef *vol,
                            const struct stat *made)
{
    g_autofree char *name = g_path_get_basename(vol->target.path);
    virErrorPtr saved = NULL;
    int rc;

    virErrorPreserveLast(&saved);
    rc = virStorageVolUnlinkAtQuiet(dirFd, name, made, S_ISDIR(made->st_mode));
    if (rc == -ESTALE)
        VIR_WARN("'%s' of pool '%s' was replaced during a failed build of volume '%s': left alone",
                 vol->target.path, def->name, vol->name);
    else if (rc < 0 && rc != -ENOENT)
        VIR_WARN("cannot remove '%s' of pool '%s' after a failed build: %s",
                 vol->target.path, def->name, g_strerror(-rc));
    virErrorRestore(&saved);
}


int
virStorageVolFileCheckMade(virStoragePoolDef *def,
                           int dirFd,
                           virStorageVolDef *vol,
                           const struct stat *made)
{
    g_autofree char *name = g_path_get_basename(vol->target.path);
    struct stat sb;

    if (fstatat(dirFd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
        sb.st_dev == made->st_dev && sb.st_ino == made->st_ino)
        return 0;

    virReportError(VIR_ERR_OPERATION_INVALID,
                   _("volume '%s' of pool '%s' was not created: '%s' was removed or replaced by another entry while the volume was built; remove what stands there or choose another name"),
                   vol->name, def->name, vol->target.path);
    return -1;
}


static int
virStorageVolFileBuildRaw(virStoragePoolDef *def,
                          virStorageVolDef *vol,
                          int fd,
                          unsigned int flags)
{
    unsigned long long allocation = MIN(vol->target.allocation,
                                        vol->target.capacity);

    if (flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("raw volume '%s' has no metadata to preallocate: drop --prealloc-metadata"),
                       vol->name);
        return -1;
    }

    if (virStorageVolFileAllocate(fd, vol->target.path, 0, allocation) < 0)
        return -1;

    if (ftruncate(fd, vol->target.capacity) < 0) {
        virReportSystemError(errno, _("cannot set the size of volume '%s' of pool '%s'"),
                             vol->name, def->name);
        return -1;
    }

    if (allocation && g_fsync(fd) < 0) {
        virReportSystemError(errno, _("cannot sync volume '%s' of pool '%s'"),
                             vol->name, def->name);
        return -1;
    }
    return 0;
}


/* A directory volume: mkdirat (never through a link), then mode and owner
 * on its descriptor.  @made gets its inode. */
static int
virStorageVolFileBuildDir(virStoragePoolDef *def,
                          int dirFd,
                          virStorageVolDef *vol,
                          struct stat *made)
{
    g_autofree char *name = g_path_get_basename(vol->target.path);
    mode_t mode = virStorageVolFileMode(vol, VIR_STORAGE_VOL_DIR_DEFAULT_MODE);
    uid_t uid = virStorageVolFileUid(vol);
    gid_t gid = virStorageVolFileGid(vol);
    VIR_AUTOCLOSE fd = -1;

    if (mkdirat(dirFd, name, mode) < 0) {
        virReportSystemError(errno, _("cannot create directory volume '%s' of pool '%s' at '%s'"),
                             vol->name, def->name, vol->target.path);
        return -1;
    }

    if ((fd = virStorageVolOpenAtQuiet(dirFd, name, O_RDONLY | O_DIRECTORY,
                                       VIR_STORAGE_VOL_OPEN_DIR, NULL, made)) < 0) {
        /* swapped right after mkdirat: not ours to remove any more */
        virReportSystemError(-fd, _("cannot open directory volume '%s' of pool '%s' that was just created"),
                             vol->name, def->name);
        return -1;
    }

    if (((uid != (uid_t) -1 || gid != (gid_t) -1) && fchown(fd, uid, gid) < 0) ||
        fchmod(fd, mode) < 0) {
        virReportSystemError(errno, _("cannot set the mode and owner of directory volume '%s' of pool '%s'"),
                             vol->name, def->name);
        virStorageVolFileRemoveMade(def, dirFd, vol, made);
        return -1;
    }
    return 0;
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
                             int fd,
                             unsigned int flags)
{
    g_auto(virStorageVolQemuImg) img = { 0 };
    g_autoptr(virCommand) cmd = NULL;
    g_autofree char *fdPath = NULL;
    virStorageVolDef view;

    if (virStorageVolQemuImgInit(&img, vol) < 0)
        return -1;

    /* qemu-img writes into the inode @fd is open on, through /dev/fd/N:
     * @view is @vol with that path, nothing else changed or owned */
    view = *vol;
    fdPath = g_strdup_printf("/dev/fd/%d", fd);
    view.target.path = fdPath;

    if (!(cmd = virStorageQemuImgBuildCreate(img.binary, &view,
                                             img.secretPath, flags)))
        return -1;
    virCommandPassFD(cmd, fd, 0);

    return virStorageCommandRun(cmd, _("qemu-img cannot create the image of volume '%s'"),
                                vol->name);
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
    VIR_AUTOCLOSE dirFd = -1;
    VIR_AUTOCLOSE fd = -1;
    struct stat made;
    int rc;

    virCheckFlags(VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA |
                  VIR_STORAGE_VOL_CREATE_VALIDATE, -1);

    /* the driver's copy shares its pointers with the pool's definition:
     * build from our own (storage_vol_job.h) */
    if (!(vol = virStorageVolJobDefCopy(pool, shared)))
        return -1;

    if ((dirFd = virStorageVolOpenPoolDir(def)) < 0)
        return -1;

    if (vol->target.format == VIR_STORAGE_FILE_DIR) {
        vol->type = VIR_STORAGE_VOL_DIR;
        if (virStorageVolFileBuildDir(def, dirFd, vol, &made) < 0)
            return -1;
        virStorageVolIdentityRemember(vol->key, &made);
        return 0;
    }

    if (virStorageVolFileIsPlainRaw(vol) &&
        virStorageVolFileCheckSpace(def, vol, MIN(vol->target.allocation,
                                                  vol->target.capacity)) < 0)
        return -1;

    if (vol->target.backingStore &&
        virStorageVolBackingCheck(def, vol, vol->target.backingStore) < 0)
        return -1;

    if ((fd = virStorageVolFileCreateFile(def, dirFd, vol, &made)) < 0)
        return -1;

    if (virStorageVolFileIsPlainRaw(vol))
        rc = virStorageVolFileBuildRaw(def, vol, fd, flags);
    else
        rc = virStorageVolFileCreateImage(vol, fd, flags);

    if (rc == 0 && VIR_CLOSE(fd) < 0) {
        virReportSystemError(errno, _("cannot close volume '%s' of pool '%s'"),
                             vol->name, def->name);
        rc = -1;
    }

    if (rc == 0)
        rc = virStorageVolFileCheckMade(def, dirFd, vol, &made);

    if (rc < 0) {
        virStorageVolFileRemoveMade(def, dirFd, vol, &made);
        return -1;
    }

    virStorageVolIdentityRemember(vol->key, &made);
    virStorageVolBackingRemember(vol);
    return 0;
}


int
virStorageVolFileRefresh(virStoragePoolObj *pool,
                         virStorageVolDef *vol)
{
    /* a build, clone, wipe or stream is using the definition */
    if (virStorageVolJobRunning(vol))
        return 0;

    return virStorageVolProbe(virStoragePoolObjGetDef(pool), vol);
}


int
virStorageVolFileDelete(virStoragePoolObj *pool,
                        virStorageVolDef *vol,
                        unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autofree char *name = g_path_get_basename(vol->target.path);
    VIR_AUTOCLOSE dirFd = -1;
    VIR_AUTOCLOSE fd = -1;
    virStorageVolIdentity id;
    struct stat sb;
    int rc;

    virCheckFlags(0, -1);

    if (vol->in_use) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' of pool '%s' is busy with an upload, download or wipe: try again when it ends"),
                       vol->name, def->name);
        return -1;
    }

    if ((dirFd = virStorageVolOpenPoolDir(def)) < 0)
        return -1;

    /* a volume whose inode the pool never recorded is one whose build
     * failed (the driver deletes it then): what stands at its path is
     * not ours */
    if (!virStorageVolIdentityLookup(vol->key, &id)) {
        if (faccessat(dirFd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
            VIR_WARN("volume '%s' of pool '%s' was never listed or made here: '%s' is left alone",
                     vol->name, def->name, vol->target.path);
        return 0;
    }

    if ((fd = virStorageVolOpenFileAt(def, dirFd, vol, O_PATH, &sb)) < 0) {
        virErrorPtr err = virGetLastError();

        /* gone already: nothing to delete */
        if (err && err->code == VIR_ERR_OPERATION_INVALID &&
            faccessat(dirFd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
            errno == ENOENT) {
            virResetLastError();
            virStorageVolIdentityForget(vol->key);
            return 0;
        }
        return -1;
    }

    rc = virStorageVolUnlinkAtQuiet(dirFd, name, &sb, S_ISDIR(sb.st_mode));
    if (rc == -ENOTEMPTY || rc == -EEXIST) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("directory volume '%s' of pool '%s' is not empty: empty it first"),
                       vol->name, def->name);
        return -1;
    }
    if (rc == -ESTALE) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("'%s' of volume '%s' in pool '%s' was replaced by another file since the pool listed it: run 'virsh pool-refresh %s'"),
                       vol->target.path, vol->name, def->name, def->name);
        return -1;
    }
    if (rc < 0 && rc != -ENOENT) {
        virReportSystemError(-rc, _("cannot delete volume '%s' of pool '%s'"),
                             vol->name, def->name);
        return -1;
    }

    virStorageVolIdentityForget(vol->key);
    virStorageVolBackingForget(vol->key);
    return 0;
}


static int
virStorageVolFileResizeRaw(virStoragePoolDef *def,
                           virStorageVolDef *vol,
                           int fd,
                           unsigned long long capacity,
                           bool allocate)
{
    struct stat sb;

    if (fstat(fd, &sb) < 0) {
        virReportSystemError(errno, _("cannot read the size of volume '%s' of pool '%s'"),
                             vol->name, def->name);
        return -1;
    }

    if (allocate && capacity > (unsigned long long) sb.st_size &&
        virStorageVolFileAllocate(fd, vol->target.path, sb.st_size,
                                  capacity - sb.st_size) < 0)
        return -1;

    if (ftruncate(fd, capacity) < 0) {
        virReportSystemError(errno, _("cannot resize volume '%s' of pool '%s' to %llu bytes"),
                             vol->name, def->name, capacity);
        return -1;
    }
    return 0;
}


/* qemu-img resize of the inode @fd is open on, given as a json: name
 * with "backing": null, so qemu-img opens no backing file the header
 * names (resize runs with the pool locked: no chain is walked).  An
 * encrypted image is named by the builder, as /dev/fd/N in a json: name
 * with its secret and "backing": null too. */
static int
virStorageVolFileResizeImage(virStoragePoolDef *def,
                             virStorageVolDef *vol,
                             int fd,
                             unsigned long long capacity,
                             bool shrink,
                             bool allocate)
{
    g_auto(virStorageVolQemuImg) img = { 0 };
    g_autoptr(virCommand) cmd = NULL;
    g_autoptr(GArray) fds = virStorageVolBackingFDsNew();
    g_autofree char *spec = NULL;
    virStorageVolDef view;

    if (virStorageVolQemuImgInit(&img, vol) < 0)
        return -1;

    if (vol->target.encryption)
        spec = g_strdup_printf("/dev/fd/%d", fd);
    else if (!(spec = virStorageVolBackingImageSpec(def, vol, fd,
                                                    vol->target.format,
                                                    false, fds)))
        return -1;

    view = *vol;
    view.target.path = spec;

    if (!(cmd = virStorageQemuImgBuildResize(img.binary, &view, capacity, shrink,
                                             allocate, img.secretPath)))
        return -1;
    virCommandPassFD(cmd, fd, 0);
    virStorageVolBackingPassFDs(cmd, fds);

    return virStorageCommandRun(cmd, _("qemu-img cannot resize volume '%s' of pool '%s' to %llu bytes"),
                                vol->name, def->name, capacity);
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
    VIR_AUTOCLOSE fd = -1;
    int rc;

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

    if ((fd = virStorageVolOpenFile(def, vol, O_RDWR, NULL)) < 0)
        return -1;

    if (virStorageVolFileIsPlainRaw(vol))
        rc = virStorageVolFileResizeRaw(def, vol, fd, capacity, allocate);
    else
        rc = virStorageVolFileResizeImage(def, vol, fd, capacity, shrink, allocate);

    if (rc == 0 && VIR_CLOSE(fd) < 0) {
        virReportSystemError(errno, _("cannot close volume '%s' of pool '%s'"),
                             vol->name, def->name);
        return -1;
    }
    return rc;
}
