/*
 * storage_scsi_vhba.c: the NPIV vHBA of an fc_host adapter
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_scsi_vhba.h"
#include "storage_scsi_host.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_scsi_vhba");

/* how often a new vHBA is looked for while it is waited for */
#define VIR_STORAGE_SCSI_VHBA_POLL_MS 50


/* The fc_host the adapter names as the vHBA's parent: 1 and @parent, 0
 * when it names none, -1 (reported) when the one it names is not there. */
static int
virStorageSCSIVHBANamedParent(const char *sysfs,
                              const char *poolname,
                              const virStorageAdapterFCHost *fchost,
                              unsigned int *parent)
{
    if (fchost->parent) {
        if (virStorageSCSIHostNumberQuiet(fchost->parent, parent) < 0) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("parent '%s' of the fc_host adapter of pool '%s' is not a SCSI host name such as 'host5'"),
                           fchost->parent, poolname);
            return -1;
        }
        if (!virStorageSCSIHostExists(sysfs, *parent)) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("parent '%s' of the fc_host adapter of pool '%s' does not exist: 'virsh nodedev-list --cap vports' lists the hosts that can create a vHBA"),
                           fchost->parent, poolname);
            return -1;
        }
        return 1;
    }

    if (fchost->parent_wwnn && fchost->parent_wwpn) {
        if (virStorageSCSIFCHostByWWNQuiet(sysfs, fchost->parent_wwnn,
                                           fchost->parent_wwpn, parent) < 0) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("no fc_host has the parent_wwnn '%s' and parent_wwpn '%s' of the adapter of pool '%s'"),
                           fchost->parent_wwnn, fchost->parent_wwpn, poolname);
            return -1;
        }
        return 1;
    }

    if (fchost->parent_fabric_wwn) {
        if (virStorageSCSIFCHostByFabricQuiet(sysfs, fchost->parent_fabric_wwn,
                                              parent) < 0) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("no fc_host is on the fabric '%s' (parent_fabric_wwn of the adapter of pool '%s')"),
                           fchost->parent_fabric_wwn, poolname);
            return -1;
        }
        return 1;
    }

    return 0;
}


/* The fc_host a new vHBA is made on. */
static int
virStorageSCSIVHBAParentForCreate(const char *sysfs,
                                  const char *poolname,
                                  const virStorageAdapterFCHost *fchost,
                                  unsigned int *parent)
{
    int rc;

    if ((rc = virStorageSCSIVHBANamedParent(sysfs, poolname, fchost, parent)) < 0)
        return -1;

    if (rc == 0) {
        if (virStorageSCSIFCHostFindVportCapableQuiet(sysfs, parent) < 0) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("no online fc_host can create the vHBA with wwnn '%s' and wwpn '%s' of pool '%s': name its parent in the adapter"),
                           fchost->wwnn, fchost->wwpn, poolname);
            return -1;
        }
        return 0;
    }

    if (!virStorageSCSIFCHostIsVportCapable(sysfs, *parent)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("host%u, the parent of the fc_host adapter of pool '%s', cannot create vHBAs (it has no vport_create)"),
                       *parent, poolname);
        return -1;
    }
    return 0;
}


/* The existing vHBA @host of @fchost must be on the parent the adapter
 * names, if it names one, and must be a vHBA, not an HBA. */
static int
virStorageSCSIVHBACheckExisting(const char *sysfs,
                                const char *poolname,
                                const virStorageAdapterFCHost *fchost,
                                unsigned int host)
{
    unsigned int actual;
    unsigned int named;
    int rc;

    if (virStorageSCSIHostVportParentQuiet(sysfs, host, &actual) < 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("wwnn '%s' and wwpn '%s' of pool '%s' are those of host%u, an HBA, not a vHBA: give the names of a vHBA or new ones"),
                       fchost->wwnn, fchost->wwpn, poolname, host);
        return -1;
    }

    if ((rc = virStorageSCSIVHBANamedParent(sysfs, poolname, fchost, &named)) < 0)
        return -1;
    if (rc > 0 && named != actual) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("the vHBA host%u with wwnn '%s' and wwpn '%s' of pool '%s' was created on host%u, not on the parent host%u the adapter names"),
                       host, fchost->wwnn, fchost->wwpn, poolname, actual, named);
        return -1;
    }
    return 0;
}


int
virStorageSCSIVHBAGet(const char *sysfs,
                      const char *poolname,
                      const virStorageAdapterFCHost *fchost,
                      unsigned int waitMs,
                      unsigned int *host,
                      bool *created)
{
    unsigned int parent;
    unsigned int n;
    gint64 deadline;
    int rc;

    if (virStorageSCSIFCHostByWWNQuiet(sysfs, fchost->wwnn, fchost->wwpn, &n) == 0) {
        if (virStorageSCSIVHBACheckExisting(sysfs, poolname, fchost, n) < 0)
            return -1;
        *host = n;
        *created = false;
        return 0;
    }

    if (virStorageSCSIVHBAParentForCreate(sysfs, poolname, fchost, &parent) < 0)
        return -1;

    VIR_DEBUG("pool '%s': creating vHBA %s:%s on host%u",
              poolname, fchost->wwpn, fchost->wwnn, parent);
    if ((rc = virStorageSCSIFCHostVportCreateQuiet(sysfs, parent, fchost->wwnn,
                                                   fchost->wwpn)) < 0) {
        virReportSystemError(-rc,
                             _("cannot create the vHBA with wwnn '%s' and wwpn '%s' of pool '%s' on host%u"),
                             fchost->wwnn, fchost->wwpn, poolname, parent);
        return -1;
    }

    deadline = g_get_monotonic_time() + (gint64) waitMs * 1000;
    while (virStorageSCSIFCHostByWWNQuiet(sysfs, fchost->wwnn, fchost->wwpn, &n) < 0) {
        if (g_get_monotonic_time() >= deadline) {
            if ((rc = virStorageSCSIFCHostVportDeleteQuiet(sysfs, parent, fchost->wwnn,
                                                           fchost->wwpn)) < 0)
                VIR_WARN("cannot delete the vport %s:%s of host%u again: %s",
                         fchost->wwpn, fchost->wwnn, parent, g_strerror(-rc));
            virReportError(VIR_ERR_OPERATION_TIMEOUT,
                           _("the vHBA with wwnn '%s' and wwpn '%s' of pool '%s' did not appear on host%u within %u ms: check the fabric, the names and the HBA's log"),
                           fchost->wwnn, fchost->wwpn, poolname, parent, waitMs);
            return -1;
        }
        g_usleep(VIR_STORAGE_SCSI_VHBA_POLL_MS * 1000);
    }

    *host = n;
    *created = true;
    return 0;
}


int
virStorageSCSIVHBADelete(const char *sysfs,
                         const char *devdir,
                         const char *poolname,
                         const virStorageAdapterFCHost *fchost)
{
    g_autoptr(virStorageSCSILun) lun = NULL;
    g_autofree char *holder = NULL;
    unsigned int host;
    unsigned int parent;
    int rc;

    if (virStorageSCSIFCHostByWWNQuiet(sysfs, fchost->wwnn, fchost->wwpn, &host) < 0) {
        VIR_DEBUG("pool '%s': no vHBA %s:%s to delete",
                  poolname, fchost->wwpn, fchost->wwnn);
        return 0;
    }

    if (virStorageSCSIHostVportParentQuiet(sysfs, host, &parent) < 0) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("host%u with wwnn '%s' and wwpn '%s' of pool '%s' is an HBA, not a vHBA, and is not deleted"),
                       host, fchost->wwnn, fchost->wwpn, poolname);
        return -1;
    }

    if ((rc = virStorageSCSIHostBusyLunQuiet(sysfs, devdir, host, &lun, &holder)) < 0) {
        virReportSystemError(-rc,
                             _("cannot delete the vHBA host%u of pool '%s': its LUNs cannot be listed to check that none is in use"),
                             host, poolname);
        return -1;
    }
    if (rc > 0) {
        g_autofree char *dev = virStorageSCSILunDevPath(devdir, lun);

        if (holder) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("cannot delete the vHBA host%u of pool '%s': its LUN %u:%u:%u:%u (%s) is held by device '%s': remove that device first"),
                           host, poolname, lun->host, lun->bus, lun->target, lun->lun,
                           dev, holder);
        } else {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("cannot delete the vHBA host%u of pool '%s': its LUN %u:%u:%u:%u (%s) is in use (mounted, or opened exclusively by a program or a guest): unmount or release it first"),
                           host, poolname, lun->host, lun->bus, lun->target, lun->lun,
                           dev);
        }
        return -1;
    }

    if ((rc = virStorageSCSIFCHostVportDeleteQuiet(sysfs, parent, fchost->wwnn,
                                                   fchost->wwpn)) < 0) {
        virReportSystemError(-rc,
                             _("cannot delete the vHBA host%u of pool '%s' from host%u"),
                             host, poolname, parent);
        return -1;
    }
    return 0;
}
