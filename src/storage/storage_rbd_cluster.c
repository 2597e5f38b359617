/*
 * storage_rbd_cluster.c: connecting to the Ceph cluster of an rbd pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * No ceph.conf is read: everything librados needs comes from the pool
 * XML (monitors, user, RADOS pool, <rbd:config_opts>) and the libvirt
 * secret holding the user's cephx key.  Every librados call returns
 * -errno; the errors that a user can act on (monitor silent, key
 * refused, RADOS pool missing) get a sentence of their own.
 */

#include <config.h>

#include "storage_rbd_cluster.h"
#include "storage_pool_rbd_namespace.h"
#include "datatypes.h"
#include "driver.h"
#include "virerror.h"
#include "viridentity.h"
#include "virlog.h"
#include "virsecret.h"
#include "virsecureerase.h"
#include "virsocketaddr.h"
#include "viruuid.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_rbd_cluster");

/* librados' options that bound every wait on the cluster; 0 would mean
 * "wait forever", so a config option setting one to 0 is overridden. */
static const char *virStorageRBDClusterTimeoutOptions[] = {
    "client_mount_timeout", "rados_mon_op_timeout", "rados_osd_op_timeout",
};


/* A DNS name or an IP address: letters, digits, '.', '-', '_', ':'. */
static bool
virStorageRBDClusterHostNameValid(const char *name)
{
    const char *p;

    if (!name || !*name)
        return false;

    for (p = name; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr(".-_:", *p))
            return false;
    }

    return true;
}


char *
virStorageRBDClusterMonHost(const virStoragePoolDef *def)
{
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    size_t i;

    if (def->source.nhost == 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("rbd pool '%s' names no monitor: add <host name='...' port='...'/> to its <source> for each monitor of the Ceph cluster"),
                       def->name);
        return NULL;
    }

    for (i = 0; i < def->source.nhost; i++) {
        const virStoragePoolSourceHost *host = &def->source.hosts[i];
        bool v6;

        if (!virStorageRBDClusterHostNameValid(host->name)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("monitor '%s' of rbd pool '%s' is not a host name or an IP address: give each monitor in a <host> of its own"),
                           NULLSTR(host->name), def->name);
            return NULL;
        }

        if (i > 0)
            virBufferAddChar(&buf, ',');

        /* an IPv6 address goes in brackets, with or without a port */
        v6 = strchr(host->name, ':') != NULL;
        virBufferAsprintf(&buf, v6 ? "[%s]" : "%s", host->name);
        if (host->port)
            virBufferAsprintf(&buf, ":%d", host->port);
    }

    return virBufferContentAndReset(&buf);
}


static int
virStorageRBDClusterSetOption(virStoragePoolDef *def,
                              rados_t cluster,
                              const char *name,
                              const char *value)
{
    int rc;

    VIR_DEBUG("rbd pool '%s': librados option '%s' = '%s'", def->name, name, value);
    if ((rc = rados_conf_set(cluster, name, value)) < 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("librados refuses option '%s' with value '%s' of rbd pool '%s': %s"),
                       name, value, def->name, g_strerror(-rc));
        return -1;
    }

    return 0;
}


/* Sets the cephx key of @def's <auth> user on @cluster, read from the
 * secret driver by the daemon itself (a private secret's value is given
 * to no client).  The key is erased from memory once librados has it. */
static int
virStorageRBDClusterSetKey(virStoragePoolDef *def,
                           rados_t cluster)
{
    virStorageAuthDef *auth = def->source.auth;
    VIR_IDENTITY_AUTORESTORE virIdentity *oldident = NULL;
    g_autoptr(virConnect) conn = NULL;
    g_autofree uint8_t *secret = NULL;
    size_t secretlen = 0;
    g_autofree char *key = NULL;
    int rc;

    if (!(oldident = virIdentityElevateCurrent()))
        return -1;

    if (!(conn = virGetConnectSecret()))
        return -1;

    if (virSecretGetSecretString(conn, &auth->seclookupdef,
                                 VIR_SECRET_USAGE_TYPE_CEPH,
                                 &secret, &secretlen) < 0)
        return -1;

    /* librados takes the key base64-encoded, as ceph-authtool prints it */
    key = g_base64_encode(secret, secretlen);
    virSecureErase(secret, secretlen);

    rc = rados_conf_set(cluster, "key", key);
    virSecureEraseString(key);
    if (rc < 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("librados refuses the cephx key of user '%s' of rbd pool '%s': check that the pool's secret holds the key as 'ceph auth get-key' prints it"),
                       auth->username, def->name);
        return -1;
    }

    return 0;
}


/* The pool's <rbd:config_opts>, then our limits on any timeout they set
 * to 0 (no limit). */
static int
virStorageRBDClusterSetConfigOpts(virStoragePoolDef *def,
                                  rados_t cluster)
{
    const virStoragePoolRBDConfigOpts *opts = virStoragePoolRBDConfigOptsGet(def);
    g_autofree char *limit = g_strdup_printf("%d", VIR_STORAGE_RBD_OP_TIME_LIMIT);
    size_t i;

    if (!opts)
        return 0;

    for (i = 0; i < opts->noptions; i++) {
        if (virStorageRBDClusterSetOption(def, cluster, opts->names[i],
                                          opts->values[i]) < 0)
            return -1;
    }

    for (i = 0; i < G_N_ELEMENTS(virStorageRBDClusterTimeoutOptions); i++) {
        char value[32] = "";

        if (rados_conf_get(cluster, virStorageRBDClusterTimeoutOptions[i],
                           value, sizeof(value)) < 0)
            continue;
        if (g_ascii_strtod(value, NULL) <= 0 &&
            virStorageRBDClusterSetOption(def, cluster,
                                          virStorageRBDClusterTimeoutOptions[i],
                                          limit) < 0)
            return -1;
    }

    return 0;
}


/* A handle on @def's cluster, configured but not connected. */
static int
virStorageRBDClusterCreate(virStoragePoolDef *def,
                           const char *monhost,
                           rados_t *cluster)
{
    g_autofree char *mountLimit = g_strdup_printf("%d", VIR_STORAGE_RBD_CONNECT_TIME_LIMIT);
    g_autofree char *opLimit = g_strdup_printf("%d", VIR_STORAGE_RBD_OP_TIME_LIMIT);
    const char *user = def->source.auth ? def->source.auth->username : NULL;
    rados_t handle = NULL;
    int rc;

    if ((rc = rados_create(&handle, user)) < 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot create a librados handle for rbd pool '%s': %s"),
                       def->name, g_strerror(-rc));
        return -1;
    }

    if (virStorageRBDClusterSetOption(def, handle, "mon_host", monhost) < 0 ||
        virStorageRBDClusterSetOption(def, handle, "client_mount_timeout", mountLimit) < 0 ||
        virStorageRBDClusterSetOption(def, handle, "rados_mon_op_timeout", opLimit) < 0 ||
        virStorageRBDClusterSetOption(def, handle, "rados_osd_op_timeout", opLimit) < 0 ||
        virStorageRBDClusterSetOption(def, handle, "auth_client_required",
                                      def->source.auth ? "cephx" : "none") < 0 ||
        /* images that librbd creates are format 2 */
        virStorageRBDClusterSetOption(def, handle, "rbd_default_format", "2") < 0 ||
        (def->source.auth && virStorageRBDClusterSetKey(def, handle) < 0) ||
        virStorageRBDClusterSetConfigOpts(def, handle) < 0) {
        rados_shutdown(handle);
        return -1;
    }

    *cluster = handle;
    return 0;
}


static void
virStorageRBDClusterReportConnect(virStoragePoolDef *def,
                                  const char *monhost,
                                  int rc)
{
    const char *user = def->source.auth ? def->source.auth->username : "(none)";

    switch (-rc) {
    case ETIMEDOUT:
        virReportError(VIR_ERR_OPERATION_TIMEOUT,
                       _("no monitor of the Ceph cluster of rbd pool '%s' answered within %d seconds (monitors: %s): check that they run and that the pool's hosts and ports are right"),
                       def->name, VIR_STORAGE_RBD_CONNECT_TIME_LIMIT, monhost);
        return;
    case EACCES:
    case EPERM:
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("the Ceph cluster of rbd pool '%s' (monitors: %s) refused user '%s' and its key: check the <auth> username and that the pool's secret holds that user's key"),
                       def->name, monhost, user);
        return;
    default:
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot connect to the Ceph cluster of rbd pool '%s' (monitors: %s): %s"),
                       def->name, monhost, g_strerror(-rc));
        return;
    }
}


static void
virStorageRBDClusterReportIoctx(virStoragePoolDef *def,
                                const char *monhost,
                                int rc)
{
    if (rc == -ENOENT) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("the Ceph cluster of rbd pool '%s' (monitors: %s) has no RADOS pool '%s': create it ('ceph osd pool create %s', then 'rbd pool init %s') or name an existing one in <source><name>"),
                       def->name, monhost, def->source.name,
                       def->source.name, def->source.name);
        return;
    }

    virReportError(VIR_ERR_OPERATION_FAILED,
                   _("cannot open RADOS pool '%s' of rbd pool '%s' (monitors: %s): %s"),
                   def->source.name, def->name, monhost, g_strerror(-rc));
}


int
virStorageRBDClusterConnect(virStoragePoolDef *def,
                            rados_t *cluster,
                            rados_ioctx_t *ioctx)
{
    g_autofree char *monhost = NULL;
    rados_t handle = NULL;
    rados_ioctx_t io = NULL;
    gint64 start;
    int rc;

    if (!(monhost = virStorageRBDClusterMonHost(def)))
        return -1;

    if (virStorageRBDClusterCreate(def, monhost, &handle) < 0)
        return -1;

    start = g_get_monotonic_time();
    if ((rc = rados_connect(handle)) < 0) {
        virStorageRBDClusterReportConnect(def, monhost, rc);
        rados_shutdown(handle);
        return -1;
    }

    if ((rc = rados_ioctx_create(handle, def->source.name, &io)) < 0) {
        virStorageRBDClusterReportIoctx(def, monhost, rc);
        rados_shutdown(handle);
        return -1;
    }

    VIR_DEBUG("rbd pool '%s' connected to %s in %lld ms",
              def->name, monhost,
              (long long) (g_get_monotonic_time() - start) / 1000);

    *cluster = handle;
    *ioctx = io;
    return 0;
}


void
virStorageRBDClusterClose(rados_t cluster,
                          rados_ioctx_t ioctx)
{
    if (ioctx)
        rados_ioctx_destroy(ioctx);
    if (cluster)
        rados_shutdown(cluster);
}


int
virStorageRBDClusterStat(virStoragePoolDef *def,
                         rados_t cluster,
                         rados_ioctx_t ioctx)
{
    struct rados_cluster_stat_t cstat;
    struct rados_pool_stat_t pstat;
    int rc;

    if ((rc = rados_cluster_stat(cluster, &cstat)) < 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot read the space of the Ceph cluster of rbd pool '%s': %s"),
                       def->name, g_strerror(-rc));
        return -1;
    }

    if ((rc = rados_ioctx_pool_stat(ioctx, &pstat)) < 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot read the usage of RADOS pool '%s' of rbd pool '%s': %s"),
                       def->source.name, def->name, g_strerror(-rc));
        return -1;
    }

    def->capacity = cstat.kb * 1024;
    def->available = cstat.kb_avail * 1024;
    def->allocation = pstat.num_bytes;
    return 0;
}
