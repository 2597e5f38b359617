/*
 * storage_scsi_host.c: SCSI hosts and their LUNs, as sysfs shows them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "storage_scsi_host.h"
#include "storage_blockdev.h"
#include "virfile.h"
#include "virlog.h"
#include "virstring.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_scsi_host");

/* sysfs attributes are one short line; more is not an attribute */
#define VIR_STORAGE_SCSI_ATTR_MAX 4096


void
virStorageSCSILunFree(virStorageSCSILun *lun)
{
    if (!lun)
        return;
    g_free(lun->block);
    g_free(lun);
}


/* The content of the attribute @path, trailing newline and blanks
 * stripped, in @value. */
static int
virStorageSCSIReadAttrQuiet(const char *path,
                            char **value)
{
    VIR_AUTOCLOSE fd = -1;
    g_autofree char *buf = g_new0(char, VIR_STORAGE_SCSI_ATTR_MAX + 1);
    ssize_t got;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -errno;
    if ((got = saferead(fd, buf, VIR_STORAGE_SCSI_ATTR_MAX)) < 0)
        return -errno;
    buf[got] = '\0';
    g_strchomp(buf);
    *value = g_steal_pointer(&buf);
    return 0;
}


/* Writes @value to the attribute @path: one write, as sysfs wants it. */
static int
virStorageSCSIWriteAttrQuiet(const char *path,
                             const char *value)
{
    VIR_AUTOCLOSE fd = -1;
    size_t len = strlen(value);

    if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
        return -errno;
    if (safewrite(fd, value, len) != (ssize_t) len)
        return errno ? -errno : -EIO;
    if (VIR_CLOSE(fd) < 0)
        return -errno;
    return 0;
}


static int
virStorageSCSIReadUintQuiet(const char *path,
                            unsigned int *value)
{
    g_autofree char *str = NULL;
    int rc;

    if ((rc = virStorageSCSIReadAttrQuiet(path, &str)) < 0)
        return rc;
    if (virStrToLong_uip(str, NULL, 0, value) < 0)
        return -EINVAL;
    return 0;
}


int
virStorageSCSIHostNumberQuiet(const char *name,
                              unsigned int *host)
{
    const char *num;
    unsigned int n;

    if (!(num = STRSKIP(name, "scsi_host")) && !(num = STRSKIP(name, "host")))
        return -EINVAL;
    if (!g_ascii_isdigit(*num) || virStrToLong_uip(num, NULL, 10, &n) < 0)
        return -EINVAL;
    *host = n;
    return 0;
}


bool
virStorageSCSIHostExists(const char *sysfs,
                         unsigned int host)
{
    g_autofree char *path = g_strdup_printf("%s/class/scsi_host/host%u",
                                            sysfs, host);

    return virFileExists(path);
}


static gint
virStorageSCSICompareUint(gconstpointer a,
                          gconstpointer b)
{
    unsigned int x = *(const unsigned int *) a;
    unsigned int y = *(const unsigned int *) b;

    return x < y ? -1 : x > y;
}


/* The numbers N of the entries "hostN" of @dir, ascending. */
static int
virStorageSCSIListHostsQuiet(const char *dir,
                             GArray **hosts)
{
    g_autoptr(DIR) dh = NULL;
    g_autoptr(GArray) found = g_array_new(FALSE, FALSE, sizeof(unsigned int));
    struct dirent *ent;
    int rc;

    if (virDirOpenQuiet(&dh, dir) < 0)
        return -errno;
    while ((rc = virDirRead(dh, &ent, NULL)) > 0) {
        unsigned int n;

        if (STRPREFIX(ent->d_name, "host") &&
            virStorageSCSIHostNumberQuiet(ent->d_name, &n) == 0)
            g_array_append_val(found, n);
    }
    if (rc < 0)
        return -EIO;

    g_array_sort(found, virStorageSCSICompareUint);
    *hosts = g_steal_pointer(&found);
    return 0;
}


/* The device path of SYSFS/class/scsi_host/hostN (its link resolved). */
static int
virStorageSCSIHostDevicePathQuiet(const char *sysfs,
                                  unsigned int host,
                                  char **devpath)
{
    g_autofree char *path = g_strdup_printf("%s/class/scsi_host/host%u",
                                            sysfs, host);
    char *real;

    if (!(real = realpath(path, NULL)))
        return -errno;
    *devpath = real;
    return 0;
}


int
virStorageSCSIHostByParentaddrQuiet(const char *sysfs,
                                    const virPCIDeviceAddress *addr,
                                    unsigned int uniqueId,
                                    unsigned int *host)
{
    g_autofree char *dir = g_strdup_printf("%s/class/scsi_host", sysfs);
    g_autofree char *pci = g_strdup_printf("/%04x:%02x:%02x.%x/",
                                           addr->domain, addr->bus,
                                           addr->slot, addr->function);
    g_autoptr(GArray) hosts = NULL;
    size_t i;
    int rc;

    if ((rc = virStorageSCSIListHostsQuiet(dir, &hosts)) < 0)
        return rc;

    for (i = 0; i < hosts->len; i++) {
        unsigned int n = g_array_index(hosts, unsigned int, i);
        g_autofree char *devpath = NULL;
        g_autofree char *idpath = NULL;
        unsigned int id;

        if (virStorageSCSIHostDevicePathQuiet(sysfs, n, &devpath) < 0 ||
            !strstr(devpath, pci))
            continue;
        idpath = g_strdup_printf("%s/host%u/unique_id", dir, n);
        if (virStorageSCSIReadUintQuiet(idpath, &id) < 0 || id != uniqueId)
            continue;
        *host = n;
        return 0;
    }
    return -ENOENT;
}


int
virStorageSCSIHostScanQuiet(const char *sysfs,
                            unsigned int host)
{
    g_autofree char *path = g_strdup_printf("%s/class/scsi_host/host%u/scan",
                                            sysfs, host);

    VIR_DEBUG("scanning SCSI host%u through '%s'", host, path);
    return virStorageSCSIWriteAttrQuiet(path, "- - -");
}


/* The kernel name of the block device of the LUN whose sysfs directory
 * is @lunpath: the entry of its block/ directory, or the NAME of an
 * old kernel's "block:NAME" entry.  NULL when it has none. */
static char *
virStorageSCSILunBlockName(const char *lunpath)
{
    g_autofree char *blockdir = g_strdup_printf("%s/block", lunpath);
    g_autoptr(DIR) dh = NULL;
    struct dirent *ent;

    if (virDirOpenQuiet(&dh, blockdir) > 0) {
        if (virDirRead(dh, &ent, NULL) > 0)
            return g_strdup(ent->d_name);
        return NULL;
    }

    if (virDirOpenQuiet(&dh, lunpath) < 0)
        return NULL;
    while (virDirRead(dh, &ent, NULL) > 0) {
        const char *name = STRSKIP(ent->d_name, "block:");

        if (name && *name)
            return g_strdup(name);
    }
    return NULL;
}


static gint
virStorageSCSILunCompare(gconstpointer a,
                         gconstpointer b)
{
    const virStorageSCSILun *x = *(virStorageSCSILun * const *) a;
    const virStorageSCSILun *y = *(virStorageSCSILun * const *) b;

    if (x->bus != y->bus)
        return x->bus < y->bus ? -1 : 1;
    if (x->target != y->target)
        return x->target < y->target ? -1 : 1;
    if (x->lun != y->lun)
        return x->lun < y->lun ? -1 : 1;
    return 0;
}


int
virStorageSCSIHostLunsQuiet(const char *sysfs,
                            unsigned int host,
                            GPtrArray **luns)
{
    g_autofree char *dir = g_strdup_printf("%s/bus/scsi/devices", sysfs);
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func((GDestroyNotify) virStorageSCSILunFree);
    g_autoptr(DIR) dh = NULL;
    struct dirent *ent;
    int rc;

    if (virDirOpenQuiet(&dh, dir) < 0)
        return -errno;

    while ((rc = virDirRead(dh, &ent, NULL)) > 0) {
        g_autoptr(virStorageSCSILun) lun = NULL;
        g_autofree char *lunpath = NULL;
        g_autofree char *typepath = NULL;
        unsigned int h, b, t, l, type;
        int end = 0;

        if (sscanf(ent->d_name, "%u:%u:%u:%u%n", &h, &b, &t, &l, &end) != 4 ||
            ent->d_name[end] != '\0' || h != host)
            continue;

        lun = g_new0(virStorageSCSILun, 1);
        lun->host = h;
        lun->bus = b;
        lun->target = t;
        lun->lun = l;
        lunpath = g_strdup_printf("%s/%s", dir, ent->d_name);
        typepath = g_strdup_printf("%s/type", lunpath);
        lun->type = virStorageSCSIReadUintQuiet(typepath, &type) == 0 ? (int) type : -1;
        lun->block = virStorageSCSILunBlockName(lunpath);
        g_ptr_array_add(found, g_steal_pointer(&lun));
    }
    if (rc < 0)
        return -EIO;

    g_ptr_array_sort(found, virStorageSCSILunCompare);
    *luns = g_steal_pointer(&found);
    return 0;
}


char *
virStorageSCSILunDevPath(const char *devdir,
                         const virStorageSCSILun *lun)
{
    char *path;

    if (!lun->block)
        return NULL;
    path = g_strdup_printf("%s/%s", devdir, lun->block);
    g_strdelimit(path + strlen(devdir) + 1, "!", '/');
    return path;
}


int
virStorageSCSIHostBusyLunQuiet(const char *sysfs,
                               const char *devdir,
                               unsigned int host,
                               virStorageSCSILun **lun,
                               char **holder)
{
    g_autoptr(GPtrArray) luns = NULL;
    size_t i;
    int rc;

    if ((rc = virStorageSCSIHostLunsQuiet(sysfs, host, &luns)) < 0)
        return rc;

    for (i = 0; i < luns->len; i++) {
        virStorageSCSILun *cur = g_ptr_array_index(luns, i);
        g_autofree char *dev = NULL;
        g_autofree char *by = NULL;

        if (!cur->block)
            continue;
        if (virStorageBlockDevHolderQuiet(sysfs, cur->block, &by) == 0) {
            dev = virStorageSCSILunDevPath(devdir, cur);
            if (virStorageBlockDevOpenExclusiveQuiet(dev) != -EBUSY)
                continue;
        }

        *lun = g_steal_pointer(&g_ptr_array_index(luns, i));
        *holder = g_steal_pointer(&by);
        return 1;
    }
    return 0;
}


int
virStorageSCSIBlockLunQuiet(const char *sysfs,
                            dev_t rdev,
                            char **address,
                            char **wwid)
{
    g_autofree char *devlink = g_strdup_printf("%s/dev/block/%u:%u/device", sysfs,
                                               major(rdev), minor(rdev));
    g_autofree char *wwidpath = g_strdup_printf("%s/wwid", devlink);
    g_autofree char *target = NULL;
    g_autofree char *name = NULL;
    g_autofree char *id = NULL;
    unsigned int h, b, t, l;
    int end = 0;

    if (!(target = g_file_read_link(devlink, NULL)))
        return -ENOENT;
    name = g_path_get_basename(target);
    if (sscanf(name, "%u:%u:%u:%u%n", &h, &b, &t, &l, &end) != 4 ||
        name[end] != '\0')
        return -ENOENT;

    /* a LUN without a designator has no such file, or one whose read
     * fails (EINVAL) */
    if (virStorageSCSIReadAttrQuiet(wwidpath, &id) < 0)
        id = g_strdup("");

    *address = g_steal_pointer(&name);
    *wwid = g_steal_pointer(&id);
    return 0;
}


bool
virStorageSCSIWWNEqual(const char *a,
                       const char *b)
{
    if (STRPREFIX(a, "0x") || STRPREFIX(a, "0X"))
        a += 2;
    if (STRPREFIX(b, "0x") || STRPREFIX(b, "0X"))
        b += 2;
    return *a && g_ascii_strcasecmp(a, b) == 0;
}


/* Whether the attribute @attr of fc_host @host is the world wide name @wwn. */
static bool
virStorageSCSIFCHostAttrIs(const char *sysfs,
                           unsigned int host,
                           const char *attr,
                           const char *wwn)
{
    g_autofree char *path = g_strdup_printf("%s/class/fc_host/host%u/%s",
                                            sysfs, host, attr);
    g_autofree char *value = NULL;

    return virStorageSCSIReadAttrQuiet(path, &value) == 0 &&
        virStorageSCSIWWNEqual(value, wwn);
}


static int
virStorageSCSIListFCHostsQuiet(const char *sysfs,
                               GArray **hosts)
{
    g_autofree char *dir = g_strdup_printf("%s/class/fc_host", sysfs);

    return virStorageSCSIListHostsQuiet(dir, hosts);
}


int
virStorageSCSIFCHostByWWNQuiet(const char *sysfs,
                               const char *wwnn,
                               const char *wwpn,
                               unsigned int *host)
{
    g_autoptr(GArray) hosts = NULL;
    size_t i;
    int rc;

    if ((rc = virStorageSCSIListFCHostsQuiet(sysfs, &hosts)) < 0)
        return rc;
    for (i = 0; i < hosts->len; i++) {
        unsigned int n = g_array_index(hosts, unsigned int, i);

        if (virStorageSCSIFCHostAttrIs(sysfs, n, "node_name", wwnn) &&
            virStorageSCSIFCHostAttrIs(sysfs, n, "port_name", wwpn)) {
            *host = n;
            return 0;
        }
    }
    return -ENOENT;
}


int
virStorageSCSIFCHostByFabricQuiet(const char *sysfs,
                                  const char *fabric,
                                  unsigned int *host)
{
    g_autoptr(GArray) hosts = NULL;
    size_t i;
    int rc;

    if ((rc = virStorageSCSIListFCHostsQuiet(sysfs, &hosts)) < 0)
        return rc;
    for (i = 0; i < hosts->len; i++) {
        unsigned int n = g_array_index(hosts, unsigned int, i);

        if (virStorageSCSIFCHostAttrIs(sysfs, n, "fabric_name", fabric)) {
            *host = n;
            return 0;
        }
    }
    return -ENOENT;
}


bool
virStorageSCSIFCHostIsVportCapable(const char *sysfs,
                                   unsigned int host)
{
    g_autofree char *path = g_strdup_printf("%s/class/fc_host/host%u/vport_create",
                                            sysfs, host);

    return virFileExists(path);
}


int
virStorageSCSIFCHostFindVportCapableQuiet(const char *sysfs,
                                          unsigned int *host)
{
    g_autoptr(GArray) hosts = NULL;
    size_t i;
    int rc;

    if ((rc = virStorageSCSIListFCHostsQuiet(sysfs, &hosts)) < 0)
        return rc;
    for (i = 0; i < hosts->len; i++) {
        unsigned int n = g_array_index(hosts, unsigned int, i);
        g_autofree char *base = g_strdup_printf("%s/class/fc_host/host%u", sysfs, n);
        g_autofree char *statepath = g_strdup_printf("%s/port_state", base);
        g_autofree char *maxpath = g_strdup_printf("%s/max_npiv_vports", base);
        g_autofree char *usedpath = g_strdup_printf("%s/npiv_vports_inuse", base);
        g_autofree char *state = NULL;
        unsigned int max;
        unsigned int used;

        if (!virStorageSCSIFCHostIsVportCapable(sysfs, n) ||
            virStorageSCSIReadAttrQuiet(statepath, &state) < 0 ||
            STRNEQ(state, "Online") ||
            virStorageSCSIReadUintQuiet(maxpath, &max) < 0 ||
            virStorageSCSIReadUintQuiet(usedpath, &used) < 0 ||
            used >= max)
            continue;
        *host = n;
        return 0;
    }
    return -ENOENT;
}


int
virStorageSCSIHostVportParentQuiet(const char *sysfs,
                                   unsigned int host,
                                   unsigned int *parent)
{
    g_autofree char *devpath = NULL;
    g_auto(GStrv) parts = NULL;
    size_t i;
    int rc;

    if ((rc = virStorageSCSIHostDevicePathQuiet(sysfs, host, &devpath)) < 0)
        return rc;

    parts = g_strsplit(devpath, "/", 0);
    for (i = 1; parts[i]; i++) {
        if (STRPREFIX(parts[i], "vport-") &&
            virStorageSCSIHostNumberQuiet(parts[i - 1], parent) == 0)
            return 0;
    }
    return -ENOENT;
}


static int
virStorageSCSIFCHostVportWriteQuiet(const char *sysfs,
                                    unsigned int parent,
                                    const char *attr,
                                    const char *wwnn,
                                    const char *wwpn)
{
    g_autofree char *path = g_strdup_printf("%s/class/fc_host/host%u/%s",
                                            sysfs, parent, attr);
    g_autofree char *value = g_strdup_printf("%s:%s", wwpn, wwnn);

    VIR_DEBUG("writing '%s' to '%s'", value, path);
    return virStorageSCSIWriteAttrQuiet(path, value);
}


int
virStorageSCSIFCHostVportCreateQuiet(const char *sysfs,
                                     unsigned int parent,
                                     const char *wwnn,
                                     const char *wwpn)
{
    return virStorageSCSIFCHostVportWriteQuiet(sysfs, parent, "vport_create",
                                               wwnn, wwpn);
}


int
virStorageSCSIFCHostVportDeleteQuiet(const char *sysfs,
                                     unsigned int parent,
                                     const char *wwnn,
                                     const char *wwpn)
{
    return virStorageSCSIFCHostVportWriteQuiet(sysfs, parent, "vport_delete",
                                               wwnn, wwpn);
}
