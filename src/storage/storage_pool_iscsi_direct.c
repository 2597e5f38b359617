/*
 * storage_pool_iscsi_direct.c: iscsi-direct pools, one iSCSI session
 * per active pool, through libiscsi
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * libvirt 9.0 has no start or stop for these pools: every refresh and
 * every wipe logs in to the target and out again, with libiscsi's
 * synchronous calls (no time limit).  Here the start logs in once
 * (a wrong portal, target, initiator or CHAP secret fails the start,
 * within VIR_STORAGE_ISCSI_DIRECT_LOGIN_SECONDS) and the session is kept
 * for the refreshes; a session the target dropped is opened again by
 * the next refresh.  Wipes and streams open sessions of their own (they
 * run on other threads, for longer).
 */

#include <config.h>

#include "storage_pool_iscsi_direct.h"
#include "storage_conn_table.h"
#include "storage_iscsi_direct_lun.h"
#include "storage_vol_iscsi_direct.h"
#include "datatypes.h"
#include "viridentity.h"
#include "virsecret.h"
#include "virsecureerase.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_pool_iscsi_direct");

struct _virStoragePoolISCSIDirectConn {
    gint refs;
    virStorageISCSIDirectLogin *login;
    GMutex lock;
    virStorageISCSIDirectSession *sess;     /* under @lock; NULL: log in again */
};


void
virStoragePoolISCSIDirectConnPut(virStoragePoolISCSIDirectConn *conn)
{
    if (!conn || !g_atomic_int_dec_and_test(&conn->refs))
        return;
    virStorageISCSIDirectSessionClose(conn->sess);
    virStorageISCSIDirectLoginFree(conn->login);
    g_mutex_clear(&conn->lock);
    g_free(conn);
}


static void
virStoragePoolISCSIDirectConnRef(virStoragePoolISCSIDirectConn *conn)
{
    g_atomic_int_inc(&conn->refs);
}


/* the connections of the active pools, by UUID */
static virStorageConnTable virStoragePoolISCSIDirectConns =
    VIR_STORAGE_CONN_TABLE_INIT(virStoragePoolISCSIDirectConnRef,
                                virStoragePoolISCSIDirectConnPut);


const virStorageISCSIDirectLogin *
virStoragePoolISCSIDirectConnLogin(virStoragePoolISCSIDirectConn *conn)
{
    return conn->login;
}


virStoragePoolISCSIDirectConn *
virStoragePoolISCSIDirectConnGet(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    virStoragePoolISCSIDirectConn *conn;

    if (!(conn = virStorageConnTableGet(&virStoragePoolISCSIDirectConns, def->uuid))) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("iscsi-direct pool '%s' is not logged in to its target: start the pool first"),
                       def->name);
    }
    return conn;
}


/* The CHAP password of @source's <auth>, read by the daemon itself from
 * the secret driver (a private secret's value is given to no client). */
static char *
virStoragePoolISCSIDirectPassword(virStoragePoolDef *def)
{
    virStorageAuthDef *auth = def->source.auth;
    VIR_IDENTITY_AUTORESTORE virIdentity *oldident = NULL;
    g_autoptr(virConnect) conn = NULL;
    g_autofree uint8_t *secret = NULL;
    size_t secretlen = 0;
    char *password;

    if (!(oldident = virIdentityElevateCurrent()))
        return NULL;
    if (!(conn = virGetConnectSecret()))
        return NULL;
    if (virSecretGetSecretString(conn, &auth->seclookupdef, VIR_SECRET_USAGE_TYPE_ISCSI,
                                 &secret, &secretlen) < 0)
        return NULL;

    if (secretlen == 0 || memchr(secret, '\0', secretlen)) {
        virSecureErase(secret, secretlen);
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("the CHAP secret of iscsi-direct pool '%s' is empty or holds a NUL byte: set its value to the CHAP password"),
                       def->name);
        return NULL;
    }
    password = g_new0(char, secretlen + 1);
    memcpy(password, secret, secretlen);
    virSecureErase(secret, secretlen);
    return password;
}


/* The login of @def's XML, the CHAP password read. */
static virStorageISCSIDirectLogin *
virStoragePoolISCSIDirectLoginOf(virStoragePoolDef *def)
{
    virStoragePoolSource *source = &def->source;
    g_autoptr(virStorageISCSIDirectLogin) login = g_new0(virStorageISCSIDirectLogin, 1);

    if (source->nhost != 1 || !source->hosts[0].name) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("iscsi-direct pool '%s' needs exactly one <host name=> (its portal), it has %zu"),
                       def->name, source->nhost);
        return NULL;
    }
    if (source->ndevice != 1 || !source->devices[0].path) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("iscsi-direct pool '%s' needs exactly one <device path=> (its target's IQN)"),
                       def->name);
        return NULL;
    }
    if (!source->initiator.iqn) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("iscsi-direct pool '%s' needs its initiator's IQN: add <initiator><iqn name=.../></initiator> to its <source>"),
                       def->name);
        return NULL;
    }

    login->pool = g_strdup(def->name);
    login->portal = virStorageISCSIDirectPortal(source->hosts[0].name, source->hosts[0].port);
    login->target = g_strdup(source->devices[0].path);
    login->initiator = g_strdup(source->initiator.iqn);

    if (source->auth && source->auth->authType != VIR_STORAGE_AUTH_TYPE_NONE) {
        if (source->auth->authType != VIR_STORAGE_AUTH_TYPE_CHAP) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("iscsi-direct pool '%s' has an <auth> other than 'chap': iSCSI targets authenticate with CHAP only"),
                           def->name);
            return NULL;
        }
        login->user = g_strdup(source->auth->username);
        if (!(login->password = virStoragePoolISCSIDirectPassword(def)))
            return NULL;
    }
    return g_steal_pointer(&login);
}


static int
virStoragePoolISCSIDirectConnect(virStoragePoolDef *def)
{
    virStoragePoolISCSIDirectConn *conn;
    g_autoptr(virStorageISCSIDirectLogin) login = NULL;
    virStorageISCSIDirectSession *sess;

    if (!(login = virStoragePoolISCSIDirectLoginOf(def)))
        return -1;
    if (!(sess = virStorageISCSIDirectSessionOpen(login)))
        return -1;

    conn = g_new0(virStoragePoolISCSIDirectConn, 1);
    conn->refs = 1;
    conn->login = g_steal_pointer(&login);
    conn->sess = sess;
    g_mutex_init(&conn->lock);
    virStorageConnTableSet(&virStoragePoolISCSIDirectConns, def->uuid, conn);
    return 0;
}


int
virStoragePoolISCSIDirectCheck(virStoragePoolObj *pool,
                               bool *active)
{
    /* only a pool that was active when the daemon stopped logs in again */
    if (!virStoragePoolObjIsActive(pool)) {
        *active = false;
        return 0;
    }
    if (virStoragePoolISCSIDirectConnect(virStoragePoolObjGetDef(pool)) < 0)
        return -1;
    *active = true;
    return 0;
}


int
virStoragePoolISCSIDirectStart(virStoragePoolObj *pool)
{
    return virStoragePoolISCSIDirectConnect(virStoragePoolObjGetDef(pool));
}


int
virStoragePoolISCSIDirectStop(virStoragePoolObj *pool)
{
    virStorageConnTableSet(&virStoragePoolISCSIDirectConns,
                           virStoragePoolObjGetDef(pool)->uuid, NULL);
    return 0;
}


/* Adds a volume per disk LUN of the target. */
static int
virStoragePoolISCSIDirectAddLuns(virStoragePoolObj *pool,
                                 virStorageISCSIDirectSession *sess,
                                 const virStorageISCSIDirectLogin *login)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autofree int *luns = NULL;
    size_t nluns = 0;
    size_t i;

    if (virStorageISCSIDirectLunList(sess, &luns, &nluns) < 0)
        return -1;

    for (i = 0; i < nluns; i++) {
        virStorageISCSIDirectLun info;
        g_autoptr(virStorageVolDef) vol = NULL;

        if (virStorageISCSIDirectLunInspect(sess, luns[i], &info) < 0)
            return -1;
        if (!info.disk || info.blocks == 0)
            continue;

        vol = g_new0(virStorageVolDef, 1);
        virStorageVolISCSIDirectApply(login, &info, vol);
        def->capacity += vol->target.capacity;
        def->allocation += vol->target.allocation;
        if (virStoragePoolObjAddVol(pool, vol) < 0) {
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("cannot add volume '%s' to iscsi-direct pool '%s'"),
                           vol->name, def->name);
            return -1;
        }
        vol = NULL;
    }
    VIR_DEBUG("iscsi-direct pool '%s': %zu LUNs", def->name, nluns);
    return 0;
}


int
virStoragePoolISCSIDirectRefresh(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolISCSIDirectConn) conn = NULL;
    g_autoptr(GMutexLocker) locker = NULL;
    int rc;

    if (!(conn = virStoragePoolISCSIDirectConnGet(pool)))
        return -1;

    locker = g_mutex_locker_new(&conn->lock);
    if (!virStorageISCSIDirectSessionAlive(conn->sess)) {
        g_clear_pointer(&conn->sess, virStorageISCSIDirectSessionClose);
        if (!(conn->sess = virStorageISCSIDirectSessionOpen(conn->login)))
            return -1;
    }

    def->capacity = 0;
    def->allocation = 0;
    def->available = 0;
    rc = virStoragePoolISCSIDirectAddLuns(pool, conn->sess, conn->login);
    if (rc < 0 && !virStorageISCSIDirectSessionAlive(conn->sess)) {
        /* the target dropped the session since the last call (it is
         * noticed only now): log in again, once */
        VIR_DEBUG("iscsi-direct pool '%s': session lost, logging in again", def->name);
        g_clear_pointer(&conn->sess, virStorageISCSIDirectSessionClose);
        virResetLastError();
        virStoragePoolObjClearVols(pool);
        def->capacity = 0;
        def->allocation = 0;
        if (!(conn->sess = virStorageISCSIDirectSessionOpen(conn->login)))
            return -1;
        rc = virStoragePoolISCSIDirectAddLuns(pool, conn->sess, conn->login);
        if (rc < 0 && !virStorageISCSIDirectSessionAlive(conn->sess))
            g_clear_pointer(&conn->sess, virStorageISCSIDirectSessionClose);
    }
    return rc;
}


char *
virStoragePoolISCSIDirectFindSources(const char *srcSpec,
                                     unsigned int flags)
{
    g_autoptr(virStoragePoolSourceList) list = g_new0(virStoragePoolSourceList, 1);
    g_autoptr(virStoragePoolSource) source = NULL;
    g_autoptr(virStorageISCSIDirectLogin) login = g_new0(virStorageISCSIDirectLogin, 1);
    g_auto(GStrv) targets = NULL;
    size_t i;

    virCheckFlags(0, NULL);

    list->type = VIR_STORAGE_POOL_ISCSI_DIRECT;
    if (!srcSpec) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("finding iscsi-direct sources needs a <source> with the portal's <host name=> and the <initiator><iqn name=>"));
        return NULL;
    }
    if (!(source = virStoragePoolDefParseSourceString(srcSpec, list->type)))
        return NULL;
    if (source->nhost != 1 || !source->hosts[0].name) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("finding iscsi-direct sources needs exactly one <host name=> (the portal)"));
        return NULL;
    }
    if (!source->initiator.iqn) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("finding iscsi-direct sources needs the initiator's IQN: add <initiator><iqn name=.../></initiator> to the <source>"));
        return NULL;
    }

    login->pool = g_strdup("(sources)");
    login->portal = virStorageISCSIDirectPortal(source->hosts[0].name, source->hosts[0].port);
    login->initiator = g_strdup(source->initiator.iqn);
    if (!(targets = virStorageISCSIDirectDiscover(login)))
        return NULL;

    list->sources = g_new0(virStoragePoolSource, g_strv_length(targets));
    for (i = 0; targets[i]; i++) {
        virStoragePoolSource *src = &list->sources[list->nsources++];

        src->hosts = g_new0(virStoragePoolSourceHost, 1);
        src->nhost = 1;
        src->hosts[0].name = g_strdup(source->hosts[0].name);
        src->hosts[0].port = source->hosts[0].port;
        virStorageSourceInitiatorCopy(&src->initiator, &source->initiator);
        src->devices = g_new0(virStoragePoolSourceDevice, 1);
        src->ndevice = 1;
        src->devices[0].path = g_strdup(targets[i]);
    }
    return virStoragePoolSourceListFormat(list);
}
