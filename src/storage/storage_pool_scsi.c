/*
 * storage_pool_scsi.c: scsi pools, the LUNs of one SCSI host
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_pool_scsi.h"
#include "storage_pool_scsi_luns.h"
#include "storage_scsi_host.h"
#include "storage_scsi_vhba.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_pool_scsi");

#define VIR_STORAGE_SCSI_SYSFS "/sys"

/* How long pool start waits for a vHBA it created to appear. */
#define VIR_STORAGE_SCSI_VHBA_WAIT_MS (10 * 1000)


/* The host of a scsi_host adapter: 0 and @host, -ENOENT when it does not
 * exist (now), -1 (reported) for an adapter that cannot name one. */
static int
virStoragePoolSCSIHostOfAdapter(virStoragePoolDef *def,
                                unsigned int *host)
{
    virStorageAdapterSCSIHost *scsi = &def->source.adapter.data.scsi_host;
    unsigned int n;

    if (scsi->has_parent) {
        if (scsi->unique_id < 0 ||
            virStorageSCSIHostByParentaddrQuiet(VIR_STORAGE_SCSI_SYSFS,
                                                &scsi->parentaddr,
                                                scsi->unique_id, &n) < 0)
            return -ENOENT;
        *host = n;
        return 0;
    }

    if (!scsi->name || virStorageSCSIHostNumberQuiet(scsi->name, &n) < 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("adapter name '%s' of pool '%s' is not a SCSI host name such as 'host2': 'virsh nodedev-list --cap scsi_host' lists them"),
                       NULLSTR(scsi->name), def->name);
        return -1;
    }
    if (!virStorageSCSIHostExists(VIR_STORAGE_SCSI_SYSFS, n))
        return -ENOENT;
    *host = n;
    return 0;
}


/* The SCSI host of @def's adapter, reporting one that does not exist. */
static int
virStoragePoolSCSIHost(virStoragePoolDef *def,
                       unsigned int *host)
{
    virStorageAdapter *adapter = &def->source.adapter;
    int rc;

    switch ((virStorageAdapterType) adapter->type) {
    case VIR_STORAGE_ADAPTER_TYPE_SCSI_HOST:
        if ((rc = virStoragePoolSCSIHostOfAdapter(def, host)) != -ENOENT)
            return rc;
        if (adapter->data.scsi_host.has_parent) {
            g_autofree char *addr = virPCIDeviceAddressAsString(&adapter->data.scsi_host.parentaddr);

            virReportError(VIR_ERR_INVALID_ARG,
                           _("no SCSI host with unique_id %d on PCI device %s for pool '%s': 'virsh nodedev-dumpxml scsi_hostN' shows a host's parent and unique_id"),
                           adapter->data.scsi_host.unique_id, addr, def->name);
        } else {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("SCSI host '%s' of pool '%s' does not exist: 'virsh nodedev-list --cap scsi_host' lists the hosts"),
                           adapter->data.scsi_host.name, def->name);
        }
        return -1;

    case VIR_STORAGE_ADAPTER_TYPE_FC_HOST:
        if (virStorageSCSIFCHostByWWNQuiet(VIR_STORAGE_SCSI_SYSFS,
                                           adapter->data.fchost.wwnn,
                                           adapter->data.fchost.wwpn, host) == 0)
            return 0;
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("no vHBA with wwnn '%s' and wwpn '%s' for pool '%s': start the pool to create it"),
                       adapter->data.fchost.wwnn, adapter->data.fchost.wwpn, def->name);
        return -1;

    case VIR_STORAGE_ADAPTER_TYPE_DEFAULT:
    case VIR_STORAGE_ADAPTER_TYPE_LAST:
        break;
    }

    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("pool '%s' has no adapter of type scsi_host or fc_host"),
                   def->name);
    return -1;
}


int
virStoragePoolSCSICheck(virStoragePoolObj *pool,
                        bool *active)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    virStorageAdapter *adapter = &def->source.adapter;
    unsigned int host;

    *active = false;

    switch ((virStorageAdapterType) adapter->type) {
    case VIR_STORAGE_ADAPTER_TYPE_SCSI_HOST:
        /* a host that is gone, or a name that cannot be one: inactive */
        if (virStoragePoolSCSIHostOfAdapter(def, &host) < 0)
            virResetLastError();
        else
            *active = true;
        return 0;

    case VIR_STORAGE_ADAPTER_TYPE_FC_HOST:
        *active = virStorageSCSIFCHostByWWNQuiet(VIR_STORAGE_SCSI_SYSFS,
                                                 adapter->data.fchost.wwnn,
                                                 adapter->data.fchost.wwpn,
                                                 &host) == 0;
        return 0;

    case VIR_STORAGE_ADAPTER_TYPE_DEFAULT:
    case VIR_STORAGE_ADAPTER_TYPE_LAST:
        break;
    }
    return 0;
}


/* An fc_host adapter: the vHBA, made if it does not exist; a vHBA the
 * pool made is the pool's to remove (managed), as the saved definition
 * then says. */
static int
virStoragePoolSCSIStartFC(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    virStorageAdapterFCHost *fchost = &def->source.adapter.data.fchost;
    const char *configFile = virStoragePoolObjGetConfigFile(pool);
    unsigned int host;
    bool created;

    if (virStorageSCSIVHBAGet(VIR_STORAGE_SCSI_SYSFS, def->name, fchost,
                              VIR_STORAGE_SCSI_VHBA_WAIT_MS, &host, &created) < 0)
        return -1;

    if (created && fchost->managed != VIR_TRISTATE_BOOL_YES) {
        fchost->managed = VIR_TRISTATE_BOOL_YES;
        if (configFile && virStoragePoolSaveConfig(configFile, def) < 0) {
            virErrorPtr saved = NULL;

            virErrorPreserveLast(&saved);
            virStorageSCSIVHBADelete(VIR_STORAGE_SCSI_SYSFS, "/dev", def->name, fchost);
            virErrorRestore(&saved);
            return -1;
        }
    }
    VIR_DEBUG("pool '%s': vHBA host%u%s", def->name, host, created ? " created" : "");
    return 0;
}


int
virStoragePoolSCSIStart(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    unsigned int host;

    if (def->source.adapter.type == VIR_STORAGE_ADAPTER_TYPE_FC_HOST)
        return virStoragePoolSCSIStartFC(pool);

    return virStoragePoolSCSIHost(def, &host);
}


int
virStoragePoolSCSIRefresh(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    unsigned int host;
    int rc;

    if (virStoragePoolSCSIHost(def, &host) < 0)
        return -1;

    if ((rc = virStorageSCSIHostScanQuiet(VIR_STORAGE_SCSI_SYSFS, host)) < 0) {
        virReportSystemError(-rc,
                             _("cannot scan SCSI host%u of pool '%s'"),
                             host, def->name);
        return -1;
    }

    return virStoragePoolSCSIRefreshHost(pool, host);
}


int
virStoragePoolSCSIStop(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    virStorageAdapter *adapter = &def->source.adapter;

    if (adapter->type != VIR_STORAGE_ADAPTER_TYPE_FC_HOST ||
        adapter->data.fchost.managed != VIR_TRISTATE_BOOL_YES)
        return 0;

    return virStorageSCSIVHBADelete(VIR_STORAGE_SCSI_SYSFS, "/dev", def->name,
                                    &adapter->data.fchost);
}
