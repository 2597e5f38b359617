/*
 * storage_vol_backing.c: which backing stores a file volume may have
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See storage_vol_backing.h.
 */

#include <config.h>

#include <fcntl.h>
#include <stdlib.h>

#include "storage_vol_backing.h"
#include "storage_vol_open.h"
#include "storage_vol_probe.h"
#include "datatypes.h"
#include "virerror.h"
#include "virfile.h"
#include "virjson.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_backing");


/* Is @path a volume of an active pool?  Asks the daemon's own storage
 * driver, as a client would. */
static bool
virStorageVolBackingIsPoolVolume(const char *path)
{
    g_autoptr(virConnect) conn = NULL;
    virStorageVolPtr found;

    if (!(conn = virGetConnectStorage())) {
        virResetLastError();
        return false;
    }

    if (!(found = virStorageVolLookupByPath(conn, path))) {
        virResetLastError();
        return false;
    }
    virObjectUnref(found);
    return true;
}


int
virStorageVolBackingCheck(virStoragePoolDef *def,
                          virStorageVolDef *vol,
                          virStorageSource *backing)
{
    g_autofree char *real = NULL;
    const char *path = backing->path;

    if (!path || !virStorageSourceIsLocalStorage(backing) || *path != '/') {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("backing store '%s' of volume '%s' in pool '%s' is not the absolute path of a volume: give the path of a volume of a pool (create the backing volume in a pool first)"),
                       NULLSTR(path), vol->name, def->name);
        return -1;
    }

    /* block devices are named by the system's links (/dev/vg/lv) */
    if (STRPREFIX(path, "/dev/"))
        goto lookup;

    if (!(real = realpath(path, NULL))) {
        virReportSystemError(errno,
                             _("backing store '%s' of volume '%s' in pool '%s' cannot be used: create the backing volume in a pool first"),
                             path, vol->name, def->name);
        return -1;
    }

    if (STRNEQ(real, path)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("backing store '%s' of volume '%s' in pool '%s' goes through a symbolic link (it is '%s'): give the path of the volume itself"),
                       path, vol->name, def->name, real);
        return -1;
    }

 lookup:
    if (!virStorageVolBackingIsPoolVolume(path)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("backing store '%s' of volume '%s' in pool '%s' is not a volume of any active pool: create the backing volume in a pool first, or refresh the pool that holds it"),
                       path, vol->name, def->name);
        return -1;
    }
    return 0;
}


/* Longer chains are refused rather than walked. */
#define VIR_STORAGE_VOL_BACKING_MAX_DEPTH 16


/* Can an image of @format have a backing file? */
static bool
virStorageVolBackingFormatHasBacking(int format)
{
    return format == VIR_STORAGE_FILE_QCOW2 ||
           format == VIR_STORAGE_FILE_QCOW ||
           format == VIR_STORAGE_FILE_QED ||
           format == VIR_STORAGE_FILE_VMDK;
}


/* qemu's driver for an image of @format, or NULL. */
static const char *
virStorageVolBackingDriver(int format)
{
    switch ((virStorageFileFormat) format) {
    case VIR_STORAGE_FILE_NONE:
    case VIR_STORAGE_FILE_RAW:
    case VIR_STORAGE_FILE_ISO:
        return "raw";
    case VIR_STORAGE_FILE_BOCHS:
    case VIR_STORAGE_FILE_CLOOP:
    case VIR_STORAGE_FILE_DMG:
    case VIR_STORAGE_FILE_VPC:
    case VIR_STORAGE_FILE_VDI:
    case VIR_STORAGE_FILE_QCOW:
    case VIR_STORAGE_FILE_QCOW2:
    case VIR_STORAGE_FILE_QED:
    case VIR_STORAGE_FILE_VMDK:
    case VIR_STORAGE_FILE_VHD:
        return virStorageFileFormatTypeToString(format);
    case VIR_STORAGE_FILE_AUTO_SAFE:
    case VIR_STORAGE_FILE_AUTO:
    case VIR_STORAGE_FILE_DIR:
    case VIR_STORAGE_FILE_FAT:
    case VIR_STORAGE_FILE_PLOOP:
    case VIR_STORAGE_FILE_COW:
    case VIR_STORAGE_FILE_LAST:
        break;
    }
    return NULL;
}


/* Opens the checked backing store @path: a block device under /dev by
 * its path, anything else as the entry of its directory, never followed. */
static int
virStorageVolBackingOpenQuiet(const char *path,
                              struct stat *sb)
{
    g_autofree char *dir = NULL;
    g_autofree char *name = NULL;
    VIR_AUTOCLOSE dirFd = -1;

    if (STRPREFIX(path, "/dev/"))
        return virStorageVolOpenBlockQuiet(path, O_RDONLY, sb);

    dir = g_path_get_dirname(path);
    name = g_path_get_basename(path);
    if ((dirFd = virStorageVolOpenDirQuiet(dir)) < 0)
        return dirFd;

    return virStorageVolOpenAtQuiet(dirFd, name, O_RDONLY,
                                    VIR_STORAGE_VOL_OPEN_REG |
                                    VIR_STORAGE_VOL_OPEN_BLOCK, NULL, sb);
}


static void
virStorageVolBackingCloseFD(gpointer opaque)
{
    int *fd = opaque;

    VIR_FORCE_CLOSE(*fd);
}


void
virStorageVolBackingPassFDs(virCommand *cmd,
                            GArray *fds)
{
    size_t i;

    for (i = 0; i < fds->len; i++)
        virCommandPassFD(cmd, g_array_index(fds, int, i), 0);
}


GArray *
virStorageVolBackingFDsNew(void)
{
    GArray *fds = g_array_new(FALSE, FALSE, sizeof(int));

    g_array_set_clear_func(fds, virStorageVolBackingCloseFD);
    return fds;
}


/* The blockdev node of the image open as @fd (inode @sb, path @path,
 * format @format) and, with @chain, of the backing chain its headers
 * name, each element checked and opened by us. */
static virJSONValue *
virStorageVolBackingNode(virStoragePoolDef *def,
                         virStorageVolDef *vol,
                         int fd,
                         const struct stat *sb,
                         const char *path,
                         int format,
                         bool chain,
                         GArray *fds,
                         unsigned int depth)
{
    g_autoptr(virJSONValue) node = virJSONValueNewObject();
    g_autoptr(virJSONValue) file = virJSONValueNewObject();
    g_autoptr(virJSONValue) child = NULL;
    g_autoptr(virStorageSource) src = NULL;
    g_autofree char *fdPath = g_strdup_printf("/dev/fd/%d", fd);
    g_auto(virStorageVolProbeResult) probed = { 0 };
    const char *backing;
    const char *driver;
    struct stat bsb;
    int bfd;
    int rc;

    if (!(driver = virStorageVolBackingDriver(format))) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("'%s' in the chain of volume '%s' of pool '%s' is in format '%s', which qemu-img cannot read"),
                       path, vol->name, def->name,
                       NULLSTR(virStorageFileFormatTypeToString(format)));
        return NULL;
    }

    if (virJSONValueObjectAppendString(file, "driver",
                                       S_ISBLK(sb->st_mode) ? "host_device" : "file") < 0 ||
        virJSONValueObjectAppendString(file, "filename", fdPath) < 0 ||
        virJSONValueObjectAppendString(node, "driver", driver) < 0 ||
        virJSONValueObjectAppend(node, "file", &file) < 0)
        return NULL;

    if (!virStorageVolBackingFormatHasBacking(format))
        return g_steal_pointer(&node);

    if (!chain) {
        if (virJSONValueObjectAppendNull(node, "backing") < 0)
            return NULL;
        return g_steal_pointer(&node);
    }

    if ((rc = virStorageVolProbeFdQuiet(fd, sb, path,
                                        VIR_STORAGE_VOL_PROBE_DEVICE_HEADER,
                                        &probed)) < 0) {
        virReportSystemError(-rc,
                             _("cannot read the image header of '%s' in the chain of volume '%s' of pool '%s'"),
                             path, vol->name, def->name);
        return NULL;
    }

    if (!(backing = probed.backingPath)) {
        if (virJSONValueObjectAppendNull(node, "backing") < 0)
            return NULL;
        return g_steal_pointer(&node);
    }

    if (depth >= VIR_STORAGE_VOL_BACKING_MAX_DEPTH) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("the backing chain of volume '%s' of pool '%s' is longer than %d images: flatten it first"),
                       vol->name, def->name, VIR_STORAGE_VOL_BACKING_MAX_DEPTH);
        return NULL;
    }

    src = virStorageSourceNew();
    src->type = strchr(backing, ':') ? VIR_STORAGE_TYPE_NETWORK : VIR_STORAGE_TYPE_FILE;
    src->path = g_strdup(backing);
    if (virStorageVolBackingCheck(def, vol, src) < 0)
        return NULL;

    if ((bfd = virStorageVolBackingOpenQuiet(backing, &bsb)) < 0) {
        virReportSystemError(-bfd,
                             _("cannot open backing store '%s' of volume '%s' in pool '%s' (links, FIFOs and devices are not followed)"),
                             backing, vol->name, def->name);
        return NULL;
    }
    g_array_append_val(fds, bfd);

    /* a header that names no backing format: raw, never probed */
    if (!(child = virStorageVolBackingNode(def, vol, bfd, &bsb, backing,
                                           probed.backingFormat > VIR_STORAGE_FILE_NONE ?
                                           probed.backingFormat : VIR_STORAGE_FILE_RAW,
                                           true, fds, depth + 1)))
        return NULL;

    if (virJSONValueObjectAppend(node, "backing", &child) < 0)
        return NULL;
    return g_steal_pointer(&node);
}


char *
virStorageVolBackingImageSpec(virStoragePoolDef *def,
                              virStorageVolDef *vol,
                              int fd,
                              int format,
                              bool chain,
                              GArray *fds)
{
    g_autoptr(virJSONValue) node = NULL;
    g_autofree char *json = NULL;
    struct stat sb;

    if (fstat(fd, &sb) < 0) {
        virReportSystemError(errno, _("cannot stat volume '%s' of pool '%s'"),
                             vol->name, def->name);
        return NULL;
    }

    if (!(node = virStorageVolBackingNode(def, vol, fd, &sb,
                                          vol->target.path, format, chain,
                                          fds, 0)) ||
        !(json = virJSONValueToString(node, false)))
        return NULL;

    return g_strdup_printf("json:%s", json);
}


/* What a build was asked for, per volume key. */
typedef struct {
    char *path;
    int format;
} virStorageVolBackingEntry;

static GHashTable *virStorageVolBackings;
G_LOCK_DEFINE_STATIC(virStorageVolBackings);


static void
virStorageVolBackingEntryFree(gpointer opaque)
{
    virStorageVolBackingEntry *entry = opaque;

    g_free(entry->path);
    g_free(entry);
}


void
virStorageVolBackingRemember(virStorageVolDef *vol)
{
    virStorageSource *backing = vol->target.backingStore;
    virStorageVolBackingEntry *entry;

    if (!vol->key)
        return;

    if (!backing || !backing->path) {
        virStorageVolBackingForget(vol->key);
        return;
    }

    entry = g_new0(virStorageVolBackingEntry, 1);
    entry->path = g_strdup(backing->path);
    entry->format = backing->format;

    G_LOCK(virStorageVolBackings);
    if (!virStorageVolBackings)
        virStorageVolBackings = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                      g_free,
                                                      virStorageVolBackingEntryFree);
    g_hash_table_replace(virStorageVolBackings, g_strdup(vol->key), entry);
    G_UNLOCK(virStorageVolBackings);
}


virStorageSource *
virStorageVolBackingRecall(virStorageVolDef *vol)
{
    virStorageVolBackingEntry *entry = NULL;
    virStorageSource *backing = NULL;

    if (!vol->key)
        return NULL;

    G_LOCK(virStorageVolBackings);
    if (virStorageVolBackings &&
        (entry = g_hash_table_lookup(virStorageVolBackings, vol->key))) {
        backing = virStorageSourceNew();
        backing->type = VIR_STORAGE_TYPE_FILE;
        backing->path = g_strdup(entry->path);
        backing->format = entry->format;
    }
    G_UNLOCK(virStorageVolBackings);

    return backing;
}


void
virStorageVolBackingForget(const char *key)
{
    if (!key)
        return;

    G_LOCK(virStorageVolBackings);
    if (virStorageVolBackings)
        g_hash_table_remove(virStorageVolBackings, key);
    G_UNLOCK(virStorageVolBackings);
}
