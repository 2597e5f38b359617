/*
 * storage_vol_open.c: opening volumes without following what a guest
 * may have planted
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See storage_vol_open.h for the rules.  The inode table is ours: libvirt's
 * volume definition has no field for it.  It is keyed by the volume key
 * (the path, for file volumes), shared by every pool of the daemon and
 * guarded by one mutex; a refresh replaces what it held for the pool.
 */

#include <config.h>

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "storage_scsi_host.h"
#include "storage_vol_open.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_open");


/* The descriptor in *@fd, which no longer closes it (g_steal_fd is
 * newer than the GLib libvirt builds against). */
static int
virStorageVolOpenStealFD(int *fd)
{
    int ret = *fd;

    *fd = -1;
    return ret;
}


int
virStorageVolOpenDirQuiet(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int err = errno;
    struct stat sb;

    if (fd >= 0)
        return fd;

    /* O_DIRECTORY wins over O_NOFOLLOW: a link says ENOTDIR */
    if (err == ENOTDIR && lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
        return -ELOOP;
    return -err;
}


static bool
virStorageVolOpenTypeAccepted(mode_t mode,
                              unsigned int types)
{
    if (S_ISREG(mode))
        return types & VIR_STORAGE_VOL_OPEN_REG;
    if (S_ISDIR(mode))
        return types & VIR_STORAGE_VOL_OPEN_DIR;
    if (S_ISBLK(mode))
        return types & VIR_STORAGE_VOL_OPEN_BLOCK;
    return false;
}


static bool
virStorageVolOpenSameInode(const struct stat *a,
                           const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}


/* Opens the inode @pathFd (an O_PATH descriptor) again with @flags, and
 * checks that it is still that inode.  Returns the descriptor or -errno. */
static int
virStorageVolOpenReopenQuiet(int pathFd,
                             const struct stat *checked,
                             int flags,
                             struct stat *sb)
{
    g_autofree char *proc = virStorageVolFdPath(pathFd);
    VIR_AUTOCLOSE fd = -1;
    int fl;

    /* the magic link must be followed: no O_NOFOLLOW here */
    if ((fd = open(proc, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0)
        return -errno;

    if (fstat(fd, sb) < 0)
        return -errno;
    if (!virStorageVolOpenSameInode(sb, checked))
        return -ESTALE;

    /* O_NONBLOCK only kept the open from blocking; callers of regular
     * files and directories want blocking I/O */
    if (!(flags & O_NONBLOCK) && !S_ISBLK(sb->st_mode) &&
        ((fl = fcntl(fd, F_GETFL)) < 0 ||
         fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0))
        return -errno;

    return virStorageVolOpenStealFD(&fd);
}


int
virStorageVolOpenAtQuiet(int dirFd,
                         const char *name,
                         int flags,
                         unsigned int types,
                         const virStorageVolIdentity *expect,
                         struct stat *sb)
{
    VIR_AUTOCLOSE pathFd = -1;
    struct stat checked;
    struct stat opened;

    if (!name || !*name || strchr(name, '/') ||
        STREQ(name, ".") || STREQ(name, "..") || (flags & O_CREAT))
        return -EINVAL;

    /* O_PATH: no side effect of opening a device, no wait on a FIFO;
     * O_NOFOLLOW with O_PATH gives the link itself */
    if ((pathFd = openat(dirFd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return -errno;

    if (fstat(pathFd, &checked) < 0)
        return -errno;

    if (S_ISLNK(checked.st_mode))
        return -ELOOP;
    if (!virStorageVolOpenTypeAccepted(checked.st_mode, types))
        return -ENOTSUP;
    if (expect &&
        (expect->dev != checked.st_dev || expect->ino != checked.st_ino))
        return -ESTALE;

    if ((flags & O_PATH)) {
        if (sb)
            *sb = checked;
        return virStorageVolOpenStealFD(&pathFd);
    }

    {
        int fd = virStorageVolOpenReopenQuiet(pathFd, &checked, flags, &opened);

        if (fd >= 0 && sb)
            *sb = opened;
        return fd;
    }
}


int
virStorageVolCreateAtQuiet(int dirFd,
                           const char *name,
                           int flags,
                           mode_t mode,
                           struct stat *sb)
{
    VIR_AUTOCLOSE fd = -1;

    if (!name || !*name || strchr(name, '/') ||
        STREQ(name, ".") || STREQ(name, ".."))
        return -EINVAL;

    /* O_EXCL makes O_CREAT fail on any existing entry, a dangling link
     * included; O_NOFOLLOW says so once more */
    if ((fd = openat(dirFd, name,
                     flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                     mode)) < 0)
        return -errno;

    if (fstat(fd, sb) < 0)
        return -errno;

    return virStorageVolOpenStealFD(&fd);
}


int
virStorageVolUnlinkAtQuiet(int dirFd,
                           const char *name,
                           const struct stat *made,
                           bool isDir)
{
    struct stat sb;

    if (fstatat(dirFd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
        return -errno;

    if (!virStorageVolOpenSameInode(&sb, made))
        return -ESTALE;

    if (unlinkat(dirFd, name, isDir ? AT_REMOVEDIR : 0) < 0)
        return -errno;
    return 0;
}


int
virStorageVolOpenBlockQuiet(const char *path,
                            int flags,
                            struct stat *sb)
{
    VIR_AUTOCLOSE pathFd = -1;
    struct stat checked;
    struct stat opened;
    int fd;

    if ((pathFd = open(path, O_PATH | O_CLOEXEC)) < 0)
        return -errno;
    if (fstat(pathFd, &checked) < 0)
        return -errno;
    if (!S_ISBLK(checked.st_mode))
        return -ENOTBLK;

    if ((fd = virStorageVolOpenReopenQuiet(pathFd, &checked, flags,
                                           &opened)) >= 0 && sb)
        *sb = opened;
    return fd;
}


char *
virStorageVolFdPath(int fd)
{
    return g_strdup_printf("/proc/self/fd/%d", fd);
}


char *
virStorageVolCommandPassFD(virCommand *cmd,
                           int fd)
{
    virCommandPassFD(cmd, fd, 0);
    return g_strdup_printf("/dev/fd/%d", fd);
}


/* The inode table. */
static GHashTable *virStorageVolIdentities;
G_LOCK_DEFINE_STATIC(virStorageVolIdentities);


void
virStorageVolIdentityRemember(const char *key,
                              const struct stat *sb)
{
    virStorageVolIdentity *id;

    if (!key)
        return;

    id = g_new0(virStorageVolIdentity, 1);
    id->dev = sb->st_dev;
    id->ino = sb->st_ino;

    G_LOCK(virStorageVolIdentities);
    if (!virStorageVolIdentities)
        virStorageVolIdentities = g_hash_table_new_full(g_str_hash,
                                                        g_str_equal,
                                                        g_free, g_free);
    g_hash_table_replace(virStorageVolIdentities, g_strdup(key), id);
    G_UNLOCK(virStorageVolIdentities);
}


bool
virStorageVolIdentityLookup(const char *key,
                            virStorageVolIdentity *id)
{
    virStorageVolIdentity *found = NULL;

    if (!key)
        return false;

    G_LOCK(virStorageVolIdentities);
    if (virStorageVolIdentities &&
        (found = g_hash_table_lookup(virStorageVolIdentities, key)))
        *id = *found;
    G_UNLOCK(virStorageVolIdentities);

    return found != NULL;
}


void
virStorageVolIdentityForget(const char *key)
{
    if (!key)
        return;

    G_LOCK(virStorageVolIdentities);
    if (virStorageVolIdentities)
        g_hash_table_remove(virStorageVolIdentities, key);
    G_UNLOCK(virStorageVolIdentities);
}


static gboolean
virStorageVolIdentityIsUnder(gpointer key,
                             gpointer value G_GNUC_UNUSED,
                             gpointer opaque)
{
    const char *path = key;
    const char *dir = opaque;
    size_t len = strlen(dir);

    return STREQLEN(path, dir, len) && path[len] == '/' &&
           !strchr(path + len + 1, '/');
}


void
virStorageVolIdentityForgetUnder(const char *dirPath)
{
    G_LOCK(virStorageVolIdentities);
    if (virStorageVolIdentities)
        g_hash_table_foreach_remove(virStorageVolIdentities,
                                    virStorageVolIdentityIsUnder,
                                    (gpointer) dirPath);
    G_UNLOCK(virStorageVolIdentities);
}


/* The device table: path -> virStorageVolDevice. */
#define VIR_STORAGE_VOL_OPEN_SYSFS "/sys"

typedef struct _virStorageVolDevice virStorageVolDevice;
struct _virStorageVolDevice {
    dev_t rdev;
    char *lun;      /* "H:B:T:L", NULL when the device is no SCSI LUN */
    char *wwid;     /* "" when the LUN has none; NULL with lun */
};


static void
virStorageVolDeviceFree(virStorageVolDevice *dev)
{
    if (!dev)
        return;
    g_free(dev->lun);
    g_free(dev->wwid);
    g_free(dev);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageVolDevice, virStorageVolDeviceFree);


static GHashTable *virStorageVolDevices;
G_LOCK_DEFINE_STATIC(virStorageVolDevices);


/* What the device @rdev is now (lun and wwid stay NULL unless it is a
 * SCSI LUN: the lookup leaves them untouched when it fails). */
static virStorageVolDevice *
virStorageVolDeviceRead(dev_t rdev)
{
    virStorageVolDevice *dev = g_new0(virStorageVolDevice, 1);

    dev->rdev = rdev;
    ignore_value(virStorageSCSIBlockLunQuiet(VIR_STORAGE_VOL_OPEN_SYSFS, rdev,
                                             &dev->lun, &dev->wwid));
    return dev;
}


void
virStorageVolDeviceRemember(const char *path,
                            const struct stat *sb)
{
    virStorageVolDevice *dev;

    if (!path || !S_ISBLK(sb->st_mode))
        return;

    dev = virStorageVolDeviceRead(sb->st_rdev);

    G_LOCK(virStorageVolDevices);
    if (!virStorageVolDevices)
        virStorageVolDevices = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                     (GDestroyNotify) virStorageVolDeviceFree);
    g_hash_table_replace(virStorageVolDevices, g_strdup(path), dev);
    G_UNLOCK(virStorageVolDevices);
}


/* A copy of what was recorded for @path, or NULL. */
static virStorageVolDevice *
virStorageVolDeviceLookup(const char *path)
{
    virStorageVolDevice *found;
    virStorageVolDevice *copy = NULL;

    G_LOCK(virStorageVolDevices);
    if (virStorageVolDevices &&
        (found = g_hash_table_lookup(virStorageVolDevices, path))) {
        copy = g_new0(virStorageVolDevice, 1);
        copy->rdev = found->rdev;
        copy->lun = g_strdup(found->lun);
        copy->wwid = g_strdup(found->wwid);
    }
    G_UNLOCK(virStorageVolDevices);

    return copy;
}


/* Whether the device open as @sb is the one the pool listed at the path
 * of @vol; reports when it is not. */
static int
virStorageVolDeviceCheck(virStoragePoolDef *def,
                         virStorageVolDef *vol,
                         const struct stat *sb)
{
    g_autoptr(virStorageVolDevice) listed = virStorageVolDeviceLookup(vol->target.path);
    g_autoptr(virStorageVolDevice) now = NULL;

    if (!listed)
        return 0;

    if (sb->st_rdev != listed->rdev) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("'%s' of volume '%s' in pool '%s' is now device %u:%u, not device %u:%u that the pool listed: the LUN was removed or renumbered; run 'virsh pool-refresh %s' and check which volume is the LUN you want"),
                       vol->target.path, vol->name, def->name,
                       major(sb->st_rdev), minor(sb->st_rdev),
                       major(listed->rdev), minor(listed->rdev), def->name);
        return -1;
    }

    if (!listed->lun)
        return 0;

    now = virStorageVolDeviceRead(sb->st_rdev);
    if (!now->lun) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("'%s' of volume '%s' in pool '%s' is no longer SCSI LUN %s that the pool listed: run 'virsh pool-refresh %s' and check which volume is the LUN you want"),
                       vol->target.path, vol->name, def->name, listed->lun, def->name);
        return -1;
    }
    if (STRNEQ(now->lun, listed->lun) || STRNEQ(now->wwid, listed->wwid)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("'%s' of volume '%s' in pool '%s' is now SCSI LUN %s (wwid '%s'), not LUN %s (wwid '%s') that the pool listed: the LUN was removed or renumbered; run 'virsh pool-refresh %s' and check which volume is the LUN you want"),
                       vol->target.path, vol->name, def->name,
                       now->lun, now->wwid, listed->lun, listed->wwid, def->name);
        return -1;
    }
    return 0;
}


static unsigned int
virStorageVolOpenTypesOf(virStorageVolDef *vol)
{
    switch ((virStorageVolType) vol->type) {
    case VIR_STORAGE_VOL_DIR:
        return VIR_STORAGE_VOL_OPEN_DIR;
    case VIR_STORAGE_VOL_BLOCK:
        return VIR_STORAGE_VOL_OPEN_BLOCK;
    case VIR_STORAGE_VOL_FILE:
    case VIR_STORAGE_VOL_NETWORK:
    case VIR_STORAGE_VOL_NETDIR:
    case VIR_STORAGE_VOL_PLOOP:
    case VIR_STORAGE_VOL_LAST:
        break;
    }
    return VIR_STORAGE_VOL_OPEN_REG;
}


int
virStorageVolOpenPoolDir(virStoragePoolDef *def)
{
    int fd = virStorageVolOpenDirQuiet(def->target.path);

    if (fd == -ELOOP) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("target path '%s' of pool '%s' is a symbolic link, which is not followed: point the pool at the directory itself"),
                       def->target.path, def->name);
        return -1;
    }
    if (fd < 0) {
        virReportSystemError(-fd,
                             _("cannot open target directory '%s' of pool '%s'"),
                             def->target.path, def->name);
        return -1;
    }
    return fd;
}


int
virStorageVolOpenFileAt(virStoragePoolDef *def,
                        int dirFd,
                        virStorageVolDef *vol,
                        int flags,
                        struct stat *sb)
{
    g_autofree char *name = g_path_get_basename(vol->target.path);
    virStorageVolIdentity id;
    bool known = virStorageVolIdentityLookup(vol->key, &id);
    int fd;

    fd = virStorageVolOpenAtQuiet(dirFd, name, flags,
                                  virStorageVolOpenTypesOf(vol),
                                  known ? &id : NULL, sb);
    if (fd >= 0)
        return fd;

    switch (fd) {
    case -ELOOP:
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("'%s' of volume '%s' in pool '%s' is a symbolic link, which is never followed: remove it, or run 'virsh pool-refresh %s'"),
                       vol->target.path, vol->name, def->name, def->name);
        break;
    case -ENOTSUP:
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("'%s' of volume '%s' in pool '%s' is no longer of the type the pool listed (a FIFO, socket or device is never opened): run 'virsh pool-refresh %s'"),
                       vol->target.path, vol->name, def->name, def->name);
        break;
    case -ESTALE:
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("'%s' of volume '%s' in pool '%s' was replaced by another file since the pool listed it: run 'virsh pool-refresh %s'"),
                       vol->target.path, vol->name, def->name, def->name);
        break;
    case -ENOENT:
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("'%s' of volume '%s' in pool '%s' no longer exists: run 'virsh pool-refresh %s'"),
                       vol->target.path, vol->name, def->name, def->name);
        break;
    default:
        virReportSystemError(-fd,
                             _("cannot open volume '%s' of pool '%s' at '%s'"),
                             vol->name, def->name, vol->target.path);
        break;
    }
    return -1;
}


int
virStorageVolOpenFile(virStoragePoolDef *def,
                      virStorageVolDef *vol,
                      int flags,
                      struct stat *sb)
{
    VIR_AUTOCLOSE dirFd = -1;

    if ((dirFd = virStorageVolOpenPoolDir(def)) < 0)
        return -1;

    return virStorageVolOpenFileAt(def, dirFd, vol, flags, sb);
}


int
virStorageVolOpenBlock(virStoragePoolDef *def,
                       virStorageVolDef *vol,
                       int flags,
                       struct stat *sb)
{
    struct stat opened;
    VIR_AUTOCLOSE fd = virStorageVolOpenBlockQuiet(vol->target.path, flags, &opened);

    if (fd == -ENOTBLK) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("'%s' of volume '%s' in pool '%s' is not a block device: run 'virsh pool-refresh %s'"),
                       vol->target.path, vol->name, def->name, def->name);
        return -1;
    }
    if (fd < 0) {
        virReportSystemError(-fd,
                             _("cannot open volume '%s' of pool '%s' at '%s'"),
                             vol->name, def->name, vol->target.path);
        return -1;
    }
    if (virStorageVolDeviceCheck(def, vol, &opened) < 0)
        return -1;

    if (sb)
        *sb = opened;
    return virStorageVolOpenStealFD(&fd);
}


int
virStorageVolOpen(virStoragePoolDef *def,
                  virStorageVolDef *vol,
                  int flags,
                  struct stat *sb)
{
    switch ((virStoragePoolType) def->type) {
    case VIR_STORAGE_POOL_DIR:
    case VIR_STORAGE_POOL_FS:
    case VIR_STORAGE_POOL_NETFS:
        return virStorageVolOpenFile(def, vol, flags, sb);
    case VIR_STORAGE_POOL_LOGICAL:
    case VIR_STORAGE_POOL_DISK:
    case VIR_STORAGE_POOL_ISCSI:
    case VIR_STORAGE_POOL_ISCSI_DIRECT:
    case VIR_STORAGE_POOL_SCSI:
    case VIR_STORAGE_POOL_MPATH:
    case VIR_STORAGE_POOL_RBD:
    case VIR_STORAGE_POOL_SHEEPDOG:
    case VIR_STORAGE_POOL_GLUSTER:
    case VIR_STORAGE_POOL_ZFS:
    case VIR_STORAGE_POOL_VSTORAGE:
    case VIR_STORAGE_POOL_LAST:
        break;
    }
    return virStorageVolOpenBlock(def, vol, flags, sb);
}
