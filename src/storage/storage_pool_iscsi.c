/*
 * storage_pool_iscsi.c: iscsi pools, a kernel initiator session each
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An iscsi pool is a session of the kernel's initiator to one target at
 * one portal; its volumes are the target's LUNs as the SCSI layer shows
 * them.  The pool logs in through an interface record and a node record
 * named after its UUID ("libvirt-pool-UUID"), so that it never changes
 * or logs out the administrator's records and sessions, and finds its
 * session again (after a daemon restart) by target and interface.
 */

#include <config.h>

#include "storage_pool_iscsi.h"
#include "storage_iscsi_session.h"
#include "storage_pool_scsi_luns.h"
#include "storage_scsi_host.h"
#include "storage_udev.h"
#include "datatypes.h"
#include "driver.h"
#include "viridentity.h"
#include "virerror.h"
#include "virlog.h"
#include "virsecret.h"
#include "virsecureerase.h"
#include "viruuid.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_pool_iscsi");

#define VIR_STORAGE_POOL_ISCSI_SYSFS "/sys"
/* Seconds a refresh waits for the block devices of the LUNs it found,
 * then for udev to make their links. */
#define VIR_STORAGE_POOL_ISCSI_DISK_WAIT 15
#define VIR_STORAGE_POOL_ISCSI_SETTLE 30


/* The portal of @source's only host. */
static char *
virStoragePoolISCSISourcePortal(const char *poolname,
                                virStoragePoolSource *source)
{
    if (source->nhost != 1 || !source->hosts[0].name) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("iscsi pool '%s' needs exactly one <host name='...'/> (the portal): it has %zu"),
                       poolname, source->nhost);
        return NULL;
    }

    return virStorageISCSIPortal(source->hosts[0].name, source->hosts[0].port);
}


/* Reads the CHAP secret of @def's <auth> from the secret driver, as the
 * daemon (a private secret's value is given to no client). */
static int
virStoragePoolISCSIReadChap(virStoragePoolDef *def,
                            virStorageISCSINode *node)
{
    virStorageAuthDef *auth = def->source.auth;
    VIR_IDENTITY_AUTORESTORE virIdentity *oldident = NULL;
    g_autoptr(virConnect) conn = NULL;
    g_autofree uint8_t *secret = NULL;
    size_t secretlen = 0;

    if (auth->authType != VIR_STORAGE_AUTH_TYPE_CHAP) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("iscsi pool '%s' has an <auth> type other than 'chap', the only one iscsi pools know"),
                       def->name);
        return -1;
    }

    if (virStorageISCSIValidateChap(auth->username, "username") < 0)
        return -1;

    if (!(oldident = virIdentityElevateCurrent()))
        return -1;

    if (!(conn = virGetConnectSecret()))
        return -1;

    if (virSecretGetSecretString(conn, &auth->seclookupdef,
                                 VIR_SECRET_USAGE_TYPE_ISCSI,
                                 &secret, &secretlen) < 0)
        return -1;

    node->chapSecret = g_new0(char, secretlen + 1);
    memcpy(node->chapSecret, secret, secretlen);
    virSecureErase(secret, secretlen);

    if (strlen(node->chapSecret) != secretlen ||
        virStorageISCSIValidateChap(node->chapSecret, "secret") < 0) {
        if (strlen(node->chapSecret) != secretlen)
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("the CHAP secret of iscsi pool '%s' holds a NUL byte: iscsiadm's node records cannot hold it"),
                           def->name);
        return -1;
    }

    node->chapUser = g_strdup(auth->username);
    return 0;
}


/* What @def logs in to, checked; the CHAP secret only if @withSecret. */
static virStorageISCSINode *
virStoragePoolISCSINodeNew(virStoragePoolDef *def,
                           bool withSecret)
{
    g_autoptr(virStorageISCSINode) node = g_new0(virStorageISCSINode, 1);
    char uuid[VIR_UUID_STRING_BUFLEN];

    if (!(node->portal = virStoragePoolISCSISourcePortal(def->name, &def->source)))
        return NULL;

    if (def->source.ndevice != 1 || !def->source.devices[0].path) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("iscsi pool '%s' needs exactly one <device path='IQN'/> (the target)"),
                       def->name);
        return NULL;
    }

    if (virStorageISCSIValidateName(def->source.devices[0].path, "target") < 0)
        return NULL;
    node->target = g_strdup(def->source.devices[0].path);

    if (def->source.initiator.iqn) {
        if (virStorageISCSIValidateName(def->source.initiator.iqn, "initiator") < 0)
            return NULL;
        node->initiator = g_strdup(def->source.initiator.iqn);
    }

    virUUIDFormat(def->uuid, uuid);
    node->iface = g_strdup_printf("libvirt-pool-%s", uuid);

    if (withSecret && def->source.auth &&
        def->source.auth->authType != VIR_STORAGE_AUTH_TYPE_NONE &&
        virStoragePoolISCSIReadChap(def, node) < 0)
        return NULL;

    return g_steal_pointer(&node);
}


char *
virStoragePoolISCSIFindSources(const char *srcSpec,
                               unsigned int flags)
{
    g_autoptr(virStoragePoolSource) source = NULL;
    g_autoptr(virStoragePoolSourceList) list = NULL;
    g_auto(GStrv) targets = NULL;
    g_autofree char *portal = NULL;
    size_t i;

    virCheckFlags(0, NULL);

    if (!srcSpec) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("iscsi source discovery needs the portal: give <source><host name='...'/></source>"));
        return NULL;
    }

    if (!(source = virStoragePoolDefParseSourceString(srcSpec,
                                                      VIR_STORAGE_POOL_ISCSI)))
        return NULL;

    if (!(portal = virStoragePoolISCSISourcePortal("(discovery)", source)))
        return NULL;

    if (virStorageISCSIDiscover(portal, &targets) < 0)
        return NULL;

    list = g_new0(virStoragePoolSourceList, 1);
    list->type = VIR_STORAGE_POOL_ISCSI;

    for (i = 0; targets[i]; i++) {
        virStoragePoolSource *src = virStoragePoolSourceListNewSource(list);

        src->hosts = g_new0(virStoragePoolSourceHost, 1);
        src->nhost = 1;
        src->hosts[0].name = g_strdup(source->hosts[0].name);
        src->hosts[0].port = source->hosts[0].port ? source->hosts[0].port :
                                                     VIR_STORAGE_ISCSI_DEFAULT_PORT;
        src->devices = g_new0(virStoragePoolSourceDevice, 1);
        src->ndevice = 1;
        src->devices[0].path = g_strdup(targets[i]);
        src->initiator.iqn = g_strdup(source->initiator.iqn);
    }

    return virStoragePoolSourceListFormat(list);
}


int
virStoragePoolISCSICheck(virStoragePoolObj *pool,
                         bool *active)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStorageISCSINode) node = NULL;
    unsigned int session;

    if (!(node = virStoragePoolISCSINodeNew(def, false)))
        return -1;

    *active = virStorageISCSISessionFind(VIR_STORAGE_POOL_ISCSI_SYSFS,
                                         node, &session) > 0;
    return 0;
}


int
virStoragePoolISCSIStart(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStorageISCSINode) node = NULL;
    unsigned int session;

    if (!(node = virStoragePoolISCSINodeNew(def, true)))
        return -1;

    if (virStorageISCSISessionFind(VIR_STORAGE_POOL_ISCSI_SYSFS, node, &session) > 0) {
        VIR_DEBUG("iscsi pool '%s': session %u is there already", def->name, session);
        return 0;
    }

    return virStorageISCSILogin(def->name, node);
}


/* The SCSI host of @def's session: 0, or -1 with an error reported. */
static int
virStoragePoolISCSIHost(virStoragePoolDef *def,
                        virStorageISCSINode *node,
                        unsigned int *host)
{
    unsigned int session;
    int rc;

    if (virStorageISCSISessionFind(VIR_STORAGE_POOL_ISCSI_SYSFS, node, &session) <= 0) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("iscsi pool '%s' has no session to target '%s' at portal '%s' (the target logged it out, or someone else did): stop and start the pool"),
                       def->name, node->target, node->portal);
        return -1;
    }

    if ((rc = virStorageISCSISessionHostQuiet(VIR_STORAGE_POOL_ISCSI_SYSFS,
                                              session, host)) < 0) {
        virReportSystemError(-rc,
                             _("cannot find the SCSI host of iSCSI session %u of pool '%s' in /sys/class/iscsi_session"),
                             session, def->name);
        return -1;
    }

    return 0;
}


int
virStoragePoolISCSIRefresh(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStorageISCSINode) node = NULL;
    unsigned int host;
    size_t pending;
    int rc;

    if (!(node = virStoragePoolISCSINodeNew(def, false)))
        return -1;

    if (virStoragePoolISCSIHost(def, node, &host) < 0)
        return -1;

    /* LUNs the target added since the login appear on a scan */
    if ((rc = virStorageISCSIHostScanQuiet(VIR_STORAGE_POOL_ISCSI_SYSFS, host)) < 0) {
        virReportSystemError(-rc,
                             _("cannot scan SCSI host %u of iscsi pool '%s' for LUNs"),
                             host, def->name);
        return -1;
    }

    /* the disks the scan found get their block devices asynchronously,
     * then udev makes their /dev/disk/by-path links: both waits are
     * bounded, a LUN not ready by then shows at the next refresh */
    if ((pending = virStorageISCSIHostWaitDisks(VIR_STORAGE_POOL_ISCSI_SYSFS, host,
                                                VIR_STORAGE_POOL_ISCSI_DISK_WAIT)) > 0)
        VIR_WARN("iscsi pool '%s': %zu LUNs of SCSI host %u still have no block device after %d seconds",
                 def->name, pending, host, VIR_STORAGE_POOL_ISCSI_DISK_WAIT);
    virStorageUdevSettle(VIR_STORAGE_POOL_ISCSI_SETTLE);

    return virStoragePoolSCSIRefreshHost(pool, host);
}


/* Refuses to log out while a LUN of SCSI host @host is in use. */
static int
virStoragePoolISCSICheckUnused(virStoragePoolDef *def,
                               unsigned int host)
{
    g_autoptr(virStorageSCSILun) lun = NULL;
    g_autofree char *holder = NULL;
    g_autofree char *addr = NULL;
    g_autofree char *dev = NULL;
    int rc;

    if ((rc = virStorageSCSIHostBusyLunQuiet(VIR_STORAGE_POOL_ISCSI_SYSFS, "/dev", host,
                                             &lun, &holder)) < 0) {
        virReportSystemError(-rc,
                             _("cannot stop iscsi pool '%s': the LUNs of its SCSI host%u cannot be listed to check that none is in use"),
                             def->name, host);
        return -1;
    }
    if (rc == 0)
        return 0;

    addr = g_strdup_printf("%u:%u:%u:%u", lun->host, lun->bus, lun->target, lun->lun);
    dev = virStorageSCSILunDevPath("/dev", lun);
    if (holder) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot stop iscsi pool '%s': its LUN %s (%s) is held by device '%s': remove that device first"),
                       def->name, addr, dev, holder);
    } else {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot stop iscsi pool '%s': its LUN %s (%s) is in use (mounted, or opened exclusively by a program or a guest): unmount or release it first"),
                       def->name, addr, dev);
    }
    return -1;
}


int
virStoragePoolISCSIStop(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStorageISCSINode) node = NULL;
    unsigned int session;
    unsigned int host;

    if (!(node = virStoragePoolISCSINodeNew(def, false)))
        return -1;

    if (virStorageISCSISessionFind(VIR_STORAGE_POOL_ISCSI_SYSFS, node, &session) > 0 &&
        virStorageISCSISessionHostQuiet(VIR_STORAGE_POOL_ISCSI_SYSFS, session, &host) == 0 &&
        virStoragePoolISCSICheckUnused(def, host) < 0)
        return -1;

    return virStorageISCSILogout(def->name, node);
}
