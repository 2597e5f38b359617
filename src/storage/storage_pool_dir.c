/*
 * storage_pool_dir.c: pools whose volumes are the entries of a directory
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "storage_pool_dir.h"
#include "storage_vol_open.h"
#include "storage_vol_probe.h"
#include "storage_vol_secret.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_pool_dir");

#define VIR_STORAGE_POOL_DIR_DEFAULT_MODE 0711


int
virStoragePoolDirCheck(virStoragePoolObj *pool,
                       bool *active)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);

    *active = virFileIsDir(def->target.path);
    return 0;
}


int
virStoragePoolDirStart(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);

    return virStoragePoolDirRequireTarget(def);
}


int
virStoragePoolDirRequireTarget(virStoragePoolDef *def)
{
    struct stat sb;

    if (stat(def->target.path, &sb) < 0) {
        if (errno == ENOENT) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("target path '%s' of pool '%s' does not exist: create it with 'virsh pool-build %s'"),
                           def->target.path, def->name, def->name);
        } else {
            virReportSystemError(errno,
                                 _("cannot access target path '%s' of pool '%s'"),
                                 def->target.path, def->name);
        }
        return -1;
    }

    if (!S_ISDIR(sb.st_mode)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("target path '%s' of pool '%s' is not a directory: point the pool at a directory"),
                       def->target.path, def->name);
        return -1;
    }

    return 0;
}


int
virStoragePoolDirMakeTarget(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    const virStoragePerms *perms = &def->target.perms;
    mode_t mode = perms->mode;
    g_autofree char *parent = g_path_get_dirname(def->target.path);

    if (mode == (mode_t) -1)
        mode = VIR_STORAGE_POOL_DIR_DEFAULT_MODE;

    if (g_mkdir_with_parents(parent, 0755) < 0) {
        virReportSystemError(errno,
                             _("cannot create parent directory '%s' of pool '%s'"),
                             parent, def->name);
        return -1;
    }

    /* virDirCreate reports its own errors; an existing directory gets
     * the mode and owner of the pool's XML */
    if (virDirCreate(def->target.path, mode, perms->uid, perms->gid,
                     VIR_DIR_CREATE_ALLOW_EXIST) < 0)
        return -1;

    return 0;
}


int
virStoragePoolDirBuild(virStoragePoolObj *pool,
                       unsigned int flags)
{
    virCheckFlags(VIR_STORAGE_POOL_BUILD_OVERWRITE |
                  VIR_STORAGE_POOL_BUILD_NO_OVERWRITE, -1);

    VIR_EXCLUSIVE_FLAGS_RET(VIR_STORAGE_POOL_BUILD_OVERWRITE,
                            VIR_STORAGE_POOL_BUILD_NO_OVERWRITE, -1);

    return virStoragePoolDirMakeTarget(pool);
}


/* Says why the entry @name of the pool's directory is not a volume: the
 * probe failed with @rc.  An entry that vanished since the directory was
 * read is not worth a line. */
static void
virStoragePoolDirLogSkipped(virStoragePoolDef *def,
                            int dirFd,
                            const char *name,
                            const char *path,
                            int rc)
{
    char target[PATH_MAX];
    ssize_t len;

    switch (rc) {
    case -ENOTSUP:
        VIR_DEBUG("'%s' in pool '%s' is not a volume", name, def->name);
        return;
    case -ELOOP:
        if ((len = readlinkat(dirFd, name, target, sizeof(target) - 1)) < 0)
            len = 0;
        target[len] = '\0';
        VIR_WARN("skipping '%s' in pool '%s': symbolic link to '%s', never followed (dangling or not): move the file itself into the pool",
                 path, def->name, target);
        return;
    case -EINVAL:
        VIR_WARN("skipping '%s' in pool '%s': its image header is truncated or corrupt",
                 path, def->name);
        return;
    case -ENOENT:
        /* gone since the directory was read */
        return;
    default:
        VIR_WARN("skipping '%s' in pool '%s': %s",
                 path, def->name, g_strerror(-rc));
        return;
    }
}


/* A volume for the entry @name of the pool's directory, or NULL when the
 * entry is not one (logged, never an error of the pool). */
static virStorageVolDef *
virStoragePoolDirEntryToVol(virStoragePoolDef *def,
                            int dirFd,
                            const char *name)
{
    g_autoptr(virStorageVolDef) vol = g_new0(virStorageVolDef, 1);
    g_auto(virStorageVolProbeResult) probed = { 0 };
    int rc;

    vol->name = g_strdup(name);
    vol->target.path = g_strdup_printf("%s/%s", def->target.path, name);
    vol->key = g_strdup(vol->target.path);

    if ((rc = virStorageVolProbeAtQuiet(dirFd, name, vol->target.path,
                                        &probed)) < 0) {
        virStoragePoolDirLogSkipped(def, dirFd, name, vol->target.path, rc);
        return NULL;
    }
    virStorageVolProbeApply(&probed, vol);

    /* what later operations check the entry against */
    virStorageVolIdentityRemember(vol->key, &probed.sb);
    virStorageVolSecretFindByUsage(vol);

    return g_steal_pointer(&vol);
}


static int
virStoragePoolDirUpdateSizes(virStoragePoolDef *def)
{
    struct statvfs sb;

    if (statvfs(def->target.path, &sb) < 0) {
        virReportSystemError(errno,
                             _("cannot read the file system size of pool '%s' at '%s'"),
                             def->name, def->target.path);
        return -1;
    }

    def->capacity = (unsigned long long) sb.f_frsize * sb.f_blocks;
    def->available = (unsigned long long) sb.f_frsize * sb.f_bavail;
    def->allocation = (unsigned long long) sb.f_frsize *
                      (sb.f_blocks - sb.f_bfree);
    return 0;
}


int
virStoragePoolDirRefresh(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(DIR) dir = NULL;
    struct dirent *ent;
    int dirFd;
    int rc;

    if (virStoragePoolDirRequireTarget(def) < 0)
        return -1;

    if ((dirFd = virStorageVolOpenPoolDir(def)) < 0)
        return -1;
    if (!(dir = fdopendir(dirFd))) {
        virReportSystemError(errno,
                             _("cannot read target directory '%s' of pool '%s'"),
                             def->target.path, def->name);
        VIR_FORCE_CLOSE(dirFd);
        return -1;
    }

    virStorageVolIdentityForgetUnder(def->target.path);

    while ((rc = virDirRead(dir, &ent, def->target.path)) > 0) {
        virStorageVolDef *vol = virStoragePoolDirEntryToVol(def, dirfd(dir),
                                                            ent->d_name);

        if (!vol)
            continue;

        /* refused only for a name, key or path listed already, which
         * the entries of one directory cannot give */
        if (virStoragePoolObjAddVol(pool, vol) < 0) {
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("cannot list volume '%s' of pool '%s': another volume has the same name, key or path '%s'"),
                           vol->name, def->name, vol->target.path);
            virStorageVolDefFree(vol);
            return -1;
        }
    }
    if (rc < 0)
        return -1;

    return virStoragePoolDirUpdateSizes(def);
}


int
virStoragePoolDirDelete(virStoragePoolObj *pool,
                        unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);

    virCheckFlags(0, -1);

    if (rmdir(def->target.path) == 0)
        return 0;

    switch (errno) {
    case ENOENT:
        return 0;
    case ENOTEMPTY:
    case EEXIST:
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("target path '%s' of pool '%s' is not empty: delete its volumes first"),
                       def->target.path, def->name);
        return -1;
    default:
        virReportSystemError(errno,
                             _("cannot remove target path '%s' of pool '%s'"),
                             def->target.path, def->name);
        return -1;
    }
}
