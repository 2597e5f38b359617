/*
 * storage_blkid.c: probing signatures with libblkid
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Before anything writes a label, a file system or a physical volume on a
 * device, libblkid looks for every kind of signature it knows: a device
 * that holds one is not blank, and is only written over on request.
 */

#include <config.h>

#include <blkid.h>
#include <fcntl.h>
#include <unistd.h>

#include "storage_blkid.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_blkid");

G_DEFINE_AUTO_CLEANUP_FREE_FUNC(blkid_probe, blkid_free_probe, NULL);


/* A probe of @fd that looks for file systems, RAID and LVM members
 * (superblocks) and partition tables. */
static blkid_probe
virStorageBlkidNewProbe(const char *device,
                        int fd)
{
    blkid_probe pr;

    if (!(pr = blkid_new_probe())) {
        virReportError(VIR_ERR_STORAGE_PROBE_FAILED,
                       _("cannot create a libblkid probe for '%s'"), device);
        return NULL;
    }

    if (blkid_probe_set_device(pr, fd, 0, 0) < 0) {
        virReportError(VIR_ERR_STORAGE_PROBE_FAILED,
                       _("libblkid cannot probe device '%s'"), device);
        blkid_free_probe(pr);
        return NULL;
    }

    blkid_probe_enable_superblocks(pr, 1);
    blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE |
                                      BLKID_SUBLKS_MAGIC |
                                      BLKID_SUBLKS_BADCSUM);
    blkid_probe_enable_partitions(pr, 1);
    blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
    return pr;
}


static int
virStorageBlkidOpen(const char *device,
                    int flags)
{
    int fd;

    if ((fd = open(device, flags | O_CLOEXEC)) < 0) {
        virReportSystemError(errno, _("cannot open device '%s' to probe it"),
                             device);
        return -1;
    }
    return fd;
}


int
virStorageBlkidFindSignature(const char *device,
                             char **type)
{
    g_auto(blkid_probe) pr = NULL;
    VIR_AUTOCLOSE fd = -1;
    const char *value = NULL;
    int rc;

    if ((fd = virStorageBlkidOpen(device, O_RDONLY)) < 0)
        return -1;

    if (!(pr = virStorageBlkidNewProbe(device, fd)))
        return -1;

    /* blkid_do_probe, unlike the safe variant, also reports a device
     * carrying several signatures: the first one found is enough */
    rc = blkid_do_probe(pr);
    if (rc < 0) {
        virReportError(VIR_ERR_STORAGE_PROBE_FAILED,
                       _("libblkid cannot read device '%s'"), device);
        return -1;
    }
    if (rc == 1)
        return 0;

    if (blkid_probe_lookup_value(pr, "TYPE", &value, NULL) < 0 &&
        blkid_probe_lookup_value(pr, "PTTYPE", &value, NULL) < 0)
        value = "unknown";

    *type = g_strdup(value);
    return 1;
}


int
virStorageBlkidWipeSignatures(const char *device)
{
    g_auto(blkid_probe) pr = NULL;
    VIR_AUTOCLOSE fd = -1;
    int rc;

    if ((fd = virStorageBlkidOpen(device, O_RDWR)) < 0)
        return -1;

    if (!(pr = virStorageBlkidNewProbe(device, fd)))
        return -1;

    while ((rc = blkid_do_probe(pr)) == 0) {
        const char *value = NULL;

        if (blkid_probe_lookup_value(pr, "TYPE", &value, NULL) < 0)
            blkid_probe_lookup_value(pr, "PTTYPE", &value, NULL);
        VIR_DEBUG("wiping signature '%s' on '%s'", NULLSTR(value), device);

        if (blkid_do_wipe(pr, 0) < 0) {
            virReportSystemError(errno,
                                 _("cannot erase the '%s' signature on device '%s'"),
                                 NULLSTR(value), device);
            return -1;
        }
    }

    if (rc < 0) {
        virReportError(VIR_ERR_STORAGE_PROBE_FAILED,
                       _("libblkid cannot read device '%s'"), device);
        return -1;
    }

    if (g_fsync(fd) < 0) {
        virReportSystemError(errno, _("cannot flush device '%s'"), device);
        return -1;
    }
    return 0;
}


int
virStorageBlkidRefuseOrWipe(const char *poolname,
                            const char *device,
                            bool overwrite)
{
    g_autofree char *type = NULL;
    int rc;

    if ((rc = virStorageBlkidFindSignature(device, &type)) < 0)
        return -1;
    if (rc == 0)
        return 0;

    if (!overwrite) {
        virReportError(VIR_ERR_STORAGE_POOL_BUILT,
                       _("device '%s' of pool '%s' already holds data (a '%s' signature): nothing was written; 'virsh pool-build %s --overwrite' erases it"),
                       device, poolname, type, poolname);
        return -1;
    }
    return virStorageBlkidWipeSignatures(device);
}
