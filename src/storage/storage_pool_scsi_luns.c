/*
 * storage_pool_scsi_luns.c: the LUNs of a SCSI host as the volumes of a pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One pass over sysfs gives the LUNs (storage_scsi_host.c), one pass over
 * the pool's target directory the links udev made, by device number:
 * nothing waits per LUN.  A link that is not there after udev settled is
 * not waited for: the LUN is left out, and the next refresh lists it.
 */

#include <config.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "storage_pool_scsi_luns.h"
#include "storage_scsi_host.h"
#include "storage_udev.h"
#include "storage_vol_open.h"
#include "storage_vol_probe.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"
#include "virstoragefile.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_pool_scsi_luns");

#define VIR_STORAGE_SCSI_SYSFS "/sys"

/* How long a refresh waits for udev to make the links of new LUNs. */
#define VIR_STORAGE_SCSI_SETTLE_SECONDS 10


/* Whether the pool's target directory is /dev itself. */
static bool
virStoragePoolSCSITargetIsDev(const char *target)
{
    return STREQ(target, "/dev") || STREQ(target, "/dev/");
}


/* The pool's target must be /dev or a directory under it, where udev
 * puts its links. */
static int
virStoragePoolSCSICheckTarget(virStoragePoolDef *def)
{
    if (def->target.path &&
        (virStoragePoolSCSITargetIsDev(def->target.path) ||
         STRPREFIX(def->target.path, "/dev/")))
        return 0;

    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("target path '%s' of pool '%s' is not /dev or a directory under it: use /dev/disk/by-path, /dev/disk/by-id or /dev"),
                   NULLSTR(def->target.path), def->name);
    return -1;
}


/* The entries of the directory @dir that lead to a block device, by its
 * device number (dev_t, as gint64) -> name; of several links to one
 * device the smallest name, so that the path stays the same from one
 * refresh to the next.  A missing directory has none. */
static GHashTable *
virStoragePoolSCSILinksByDevice(virStoragePoolDef *def)
{
    g_autoptr(GHashTable) links = g_hash_table_new_full(g_int64_hash, g_int64_equal,
                                                        g_free, g_free);
    g_autoptr(DIR) dh = NULL;
    struct dirent *ent;
    int rc;

    if (virDirOpenQuiet(&dh, def->target.path) < 0) {
        if (errno == ENOENT) {
            VIR_WARN("target path '%s' of pool '%s' does not exist: no LUN has a link there",
                     def->target.path, def->name);
            return g_steal_pointer(&links);
        }
        virReportSystemError(errno,
                             _("cannot read target path '%s' of pool '%s'"),
                             def->target.path, def->name);
        return NULL;
    }

    while ((rc = virDirRead(dh, &ent, def->target.path)) > 0) {
        const char *known;
        struct stat sb;
        gint64 rdev;
        gint64 *key;

        /* the links are udev's, in a directory of the system: followed */
        if (fstatat(dirfd(dh), ent->d_name, &sb, 0) < 0 || !S_ISBLK(sb.st_mode))
            continue;
        rdev = sb.st_rdev;
        if ((known = g_hash_table_lookup(links, &rdev)) &&
            strcmp(known, ent->d_name) <= 0)
            continue;
        key = g_new(gint64, 1);
        *key = rdev;
        g_hash_table_replace(links, key, g_strdup(ent->d_name));
    }
    if (rc < 0)
        return NULL;

    return g_steal_pointer(&links);
}


/* The key of the LUN at @path: its SCSI id (for an NPIV LUN, serial and
 * target port), or @path when scsi_id gives none. */
static char *
virStoragePoolSCSILunKey(const char *path,
                         bool npiv)
{
    g_autofree char *key = NULL;
    int rc;

    if (npiv)
        rc = virStorageFileGetNPIVKey(path, &key);
    else
        rc = virStorageFileGetSCSIKey(path, &key, true);

    if (rc < 0) {
        VIR_WARN("no SCSI id for '%s': %s", path, virGetLastErrorMessage());
        virResetLastError();
    }
    if (rc < 0 || !key)
        return g_strdup(path);
    return g_steal_pointer(&key);
}


/* scsi_id runs at most this many at once in a refresh: each is a fork
 * and exec, and a host may have hundreds of LUNs */
#define VIR_STORAGE_SCSI_KEY_THREADS 8


static void
virStoragePoolSCSIKeyWorker(gpointer data,
                            gpointer opaque)
{
    virStorageVolDef *vol = data;
    const bool *npiv = opaque;

    vol->key = virStoragePoolSCSILunKey(vol->target.path, *npiv);
}


/* Gives every volume of @vols its key, running scsi_id for several at
 * once; serially where no thread can be made. */
static void
virStoragePoolSCSIFillKeys(GPtrArray *vols,
                           bool npiv)
{
    GThreadPool *workers = NULL;
    size_t i;

    if (vols->len > 1)
        workers = g_thread_pool_new(virStoragePoolSCSIKeyWorker, &npiv,
                                    MIN(vols->len, VIR_STORAGE_SCSI_KEY_THREADS),
                                    FALSE, NULL);
    if (workers) {
        for (i = 0; i < vols->len; i++)
            g_thread_pool_push(workers, g_ptr_array_index(vols, i), NULL);
        /* returns once every volume pushed was handled */
        g_thread_pool_free(workers, FALSE, TRUE);
    }

    for (i = 0; i < vols->len; i++) {
        virStorageVolDef *vol = g_ptr_array_index(vols, i);

        if (!vol->key)
            vol->key = virStoragePoolSCSILunKey(vol->target.path, npiv);
    }
}


/* The volume of @lun, without its key, or NULL (nothing reported) when
 * it is left out:
 * not a disk, no block device, no link in the pool's target directory,
 * or a device that cannot be opened (no medium). */
static virStorageVolDef *
virStoragePoolSCSILunVolume(virStoragePoolDef *def,
                            const virStorageSCSILun *lun,
                            GHashTable *links)
{
    g_autoptr(virStorageVolDef) vol = NULL;
    g_auto(virStorageVolProbeResult) result = { 0 };
    g_autofree char *devnode = NULL;
    g_autofree char *path = NULL;
    VIR_AUTOCLOSE fd = -1;
    struct stat sb;
    int rc;

    if ((lun->type != VIR_STORAGE_SCSI_TYPE_DISK &&
         lun->type != VIR_STORAGE_SCSI_TYPE_ROM) || !lun->block)
        return NULL;

    /* the kernel writes '/' in a block device's name as '!' */
    devnode = g_strdup_printf("/dev/%s", lun->block);
    g_strdelimit(devnode + strlen("/dev/"), "!", '/');

    if ((fd = virStorageVolOpenBlockQuiet(devnode, O_RDONLY, &sb)) < 0) {
        VIR_WARN("LUN %u:%u:%u:%u of pool '%s' left out: cannot open '%s': %s",
                 lun->host, lun->bus, lun->target, lun->lun, def->name,
                 devnode, g_strerror(-fd));
        return NULL;
    }

    if (links) {
        gint64 rdev = sb.st_rdev;
        const char *name = g_hash_table_lookup(links, &rdev);

        if (!name) {
            VIR_DEBUG("LUN %u:%u:%u:%u ('%s') has no link in '%s'",
                      lun->host, lun->bus, lun->target, lun->lun,
                      devnode, def->target.path);
            return NULL;
        }
        path = g_build_filename(def->target.path, name, NULL);
    } else {
        path = g_steal_pointer(&devnode);
    }

    if ((rc = virStorageVolProbeFdQuiet(fd, &sb, path, 0, &result)) < 0) {
        VIR_WARN("LUN %u:%u:%u:%u of pool '%s' left out: cannot read '%s': %s",
                 lun->host, lun->bus, lun->target, lun->lun, def->name,
                 path, g_strerror(-rc));
        return NULL;
    }

    /* /dev/sdX, and the link to it, may name another LUN after this one
     * goes: upload, download and wipe check it is still this one */
    virStorageVolDeviceRemember(path, &sb);

    vol = g_new0(virStorageVolDef, 1);
    vol->type = VIR_STORAGE_VOL_BLOCK;
    vol->name = g_strdup_printf("unit:%u:%u:%u", lun->bus, lun->target, lun->lun);
    virStorageVolProbeApply(&result, vol);
    vol->target.path = g_steal_pointer(&path);
    return g_steal_pointer(&vol);
}


int
virStoragePoolSCSIRefreshHost(virStoragePoolObj *pool,
                              unsigned int host)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    bool npiv = def->source.adapter.type == VIR_STORAGE_ADAPTER_TYPE_FC_HOST;
    g_autoptr(GHashTable) links = NULL;
    g_autoptr(GPtrArray) luns = NULL;
    g_autoptr(GPtrArray) vols = NULL;
    size_t i;
    int rc;

    if (virStoragePoolSCSICheckTarget(def) < 0)
        return -1;

    virStorageUdevSettle(VIR_STORAGE_SCSI_SETTLE_SECONDS);

    if ((rc = virStorageSCSIHostLunsQuiet(VIR_STORAGE_SCSI_SYSFS, host, &luns)) < 0) {
        virReportSystemError(-rc,
                             _("cannot list the LUNs of SCSI host%u for pool '%s'"),
                             host, def->name);
        return -1;
    }

    if (!virStoragePoolSCSITargetIsDev(def->target.path) &&
        !(links = virStoragePoolSCSILinksByDevice(def)))
        return -1;

    vols = g_ptr_array_new_with_free_func((GDestroyNotify) virStorageVolDefFree);
    for (i = 0; i < luns->len; i++) {
        virStorageVolDef *vol = virStoragePoolSCSILunVolume(def, g_ptr_array_index(luns, i),
                                                            links);

        if (vol)
            g_ptr_array_add(vols, vol);
    }

    virStoragePoolSCSIFillKeys(vols, npiv);

    def->capacity = 0;
    def->allocation = 0;
    def->available = 0;

    for (i = 0; i < vols->len; i++) {
        virStorageVolDef *vol = g_ptr_array_index(vols, i);
        unsigned long long capacity = vol->target.capacity;
        unsigned long long allocation = vol->target.allocation;

        /* refused for a key listed already: the same SCSI id on two LUNs
         * of the host, which is one LU reached through two target ports */
        if (virStoragePoolObjAddVol(pool, vol) < 0) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("cannot list LUN '%s' (%s) of pool '%s': another LUN of SCSI host%u has the same key '%s' (one LU seen through two paths): use a multipath pool for it, or map it to the host once"),
                           vol->name, vol->target.path, def->name, host, vol->key);
            return -1;
        }
        /* the pool owns it now */
        g_ptr_array_index(vols, i) = NULL;
        def->capacity += capacity;
        def->allocation += allocation;
    }

    VIR_DEBUG("pool '%s': %zu volumes from the %u LUNs of SCSI host%u",
              def->name, virStoragePoolObjGetVolumesCount(pool), luns->len, host);
    return 0;
}
