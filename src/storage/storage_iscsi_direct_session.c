/*
 * storage_iscsi_direct_session.c: iSCSI sessions of libiscsi, every wait
 * bounded
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * libiscsi's synchronous calls wait for the target as long as it takes:
 * a portal that accepts the connection and never answers, or an address
 * that drops packets, blocks them for minutes (the kernel's TCP
 * time-outs) or forever.  Here every call is asynchronous and the
 * session is served with poll() until the call is done or its deadline
 * has passed; then the context is destroyed on the spot (its outstanding
 * commands with it) and the session is dead: every later call fails at
 * once.  libiscsi's reconnection is off, so that a dropped connection
 * fails the call instead of retrying behind our back.
 */

#include <config.h>

#include <poll.h>

#include "storage_iscsi_direct_session.h"
#include "virerror.h"
#include "virlog.h"
#include "virsecureerase.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_iscsi_direct_session");

#define VIR_STORAGE_ISCSI_DIRECT_DEFAULT_PORT 3260

/* iSCSI login status (RFC 7143 11.13.5), class and detail, as libiscsi
 * gives it at the end of its error: "... Status: ...(NNN)" */
#define VIR_STORAGE_ISCSI_DIRECT_LOGIN_AUTH_FAILED 0x0201
#define VIR_STORAGE_ISCSI_DIRECT_LOGIN_FORBIDDEN 0x0202
#define VIR_STORAGE_ISCSI_DIRECT_LOGIN_NOT_FOUND 0x0203

struct _virStorageISCSIDirectSession {
    struct iscsi_context *iscsi;        /* NULL once dead */
    virStorageISCSIDirectLogin *login;
    virStorageISCSIDirectWait connect;  /* libiscsi may call it again when
                                         * the connection drops */
    char *lastError;
};


virStorageISCSIDirectLogin *
virStorageISCSIDirectLoginCopy(const virStorageISCSIDirectLogin *login)
{
    virStorageISCSIDirectLogin *copy = g_new0(virStorageISCSIDirectLogin, 1);

    copy->pool = g_strdup(login->pool);
    copy->portal = g_strdup(login->portal);
    copy->target = g_strdup(login->target);
    copy->initiator = g_strdup(login->initiator);
    copy->user = g_strdup(login->user);
    copy->password = g_strdup(login->password);
    return copy;
}


void
virStorageISCSIDirectLoginFree(virStorageISCSIDirectLogin *login)
{
    if (!login)
        return;
    g_free(login->pool);
    g_free(login->portal);
    g_free(login->target);
    g_free(login->initiator);
    g_free(login->user);
    virSecureEraseString(login->password);
    g_free(login->password);
    g_free(login);
}


char *
virStorageISCSIDirectPortal(const char *host,
                            int port)
{
    if (port <= 0)
        port = VIR_STORAGE_ISCSI_DIRECT_DEFAULT_PORT;
    if (strchr(host, ':'))
        return g_strdup_printf("[%s]:%d", host, port);
    return g_strdup_printf("%s:%d", host, port);
}


const virStorageISCSIDirectLogin *
virStorageISCSIDirectSessionLogin(virStorageISCSIDirectSession *sess)
{
    return sess->login;
}


struct iscsi_context *
virStorageISCSIDirectSessionContext(virStorageISCSIDirectSession *sess)
{
    return sess->iscsi;
}


bool
virStorageISCSIDirectSessionAlive(virStorageISCSIDirectSession *sess)
{
    return sess && sess->iscsi && !(sess->connect.done &&
                                    sess->connect.status != SCSI_STATUS_GOOD);
}


const char *
virStorageISCSIDirectSessionError(virStorageISCSIDirectSession *sess)
{
    if (sess->iscsi)
        return NULLSTR_EMPTY(iscsi_get_error(sess->iscsi));
    return NULLSTR_EMPTY(sess->lastError);
}


void
virStorageISCSIDirectSessionDone(struct iscsi_context *iscsi G_GNUC_UNUSED,
                                 int status,
                                 void *command_data,
                                 void *opaque)
{
    virStorageISCSIDirectWait *w = opaque;

    w->done = true;
    w->status = status;
    w->data = command_data;
}


/* Destroys the context (and every command still queued on it), keeping
 * its last error for messages. */
static void
virStorageISCSIDirectSessionKill(virStorageISCSIDirectSession *sess)
{
    if (!sess->iscsi)
        return;
    g_free(sess->lastError);
    sess->lastError = g_strdup(iscsi_get_error(sess->iscsi));
    iscsi_destroy_context(sess->iscsi);
    sess->iscsi = NULL;
}


typedef bool (*virStorageISCSIDirectCond)(void *opaque);

static bool
virStorageISCSIDirectWaitDone(void *opaque)
{
    return ((virStorageISCSIDirectWait *) opaque)->done;
}


typedef struct _virStorageISCSIDirectPending virStorageISCSIDirectPending;
struct _virStorageISCSIDirectPending {
    size_t *pending;
    size_t upto;
};

static bool
virStorageISCSIDirectPendingDone(void *opaque)
{
    virStorageISCSIDirectPending *p = opaque;

    return *p->pending <= p->upto;
}


static int
virStorageISCSIDirectServe(virStorageISCSIDirectSession *sess,
                           virStorageISCSIDirectCond cond,
                           void *opaque,
                           int seconds)
{
    gint64 deadline = g_get_monotonic_time() + (gint64) seconds * G_USEC_PER_SEC;

    while (!cond(opaque)) {
        struct pollfd pfd = { 0 };
        gint64 left;
        int rc;

        if (!sess->iscsi)
            return -EIO;

        if ((left = deadline - g_get_monotonic_time()) <= 0) {
            VIR_DEBUG("iSCSI session to %s: no answer within %d s",
                      sess->login->portal, seconds);
            virStorageISCSIDirectSessionKill(sess);
            return -ETIMEDOUT;
        }

        pfd.fd = iscsi_get_fd(sess->iscsi);
        pfd.events = iscsi_which_events(sess->iscsi);
        if (pfd.fd < 0) {
            virStorageISCSIDirectSessionKill(sess);
            return -EIO;
        }
        rc = poll(&pfd, 1, MIN(left / 1000 + 1, 1000));
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            virStorageISCSIDirectSessionKill(sess);
            return -EIO;
        }
        if (iscsi_service(sess->iscsi, pfd.revents) < 0) {
            virStorageISCSIDirectSessionKill(sess);
            return -EIO;
        }
        if (sess->connect.done && sess->connect.status != SCSI_STATUS_GOOD &&
            !cond(opaque)) {
            virStorageISCSIDirectSessionKill(sess);
            return -EIO;
        }
    }
    return 0;
}


int
virStorageISCSIDirectSessionRun(virStorageISCSIDirectSession *sess,
                                virStorageISCSIDirectWait *w,
                                int seconds)
{
    return virStorageISCSIDirectServe(sess, virStorageISCSIDirectWaitDone, w, seconds);
}


int
virStorageISCSIDirectSessionRunMany(virStorageISCSIDirectSession *sess,
                                    size_t *pending,
                                    size_t upto,
                                    int seconds)
{
    virStorageISCSIDirectPending p = { pending, upto };

    return virStorageISCSIDirectServe(sess, virStorageISCSIDirectPendingDone, &p, seconds);
}


/* The login status at the end of libiscsi's message, or -1. */
static int
virStorageISCSIDirectLoginStatus(const char *msg)
{
    const char *open = strrchr(msg, '(');
    unsigned int status;
    char end;

    if (!open || sscanf(open, "(%u%c", &status, &end) != 2 || end != ')')
        return -1;
    return status;
}


static void
virStorageISCSIDirectReportLogin(virStorageISCSIDirectSession *sess)
{
    const virStorageISCSIDirectLogin *login = sess->login;
    const char *msg = virStorageISCSIDirectSessionError(sess);

    switch (virStorageISCSIDirectLoginStatus(msg)) {
    case VIR_STORAGE_ISCSI_DIRECT_LOGIN_AUTH_FAILED:
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("iSCSI target '%s' at %s of pool '%s' refused the CHAP credentials of user '%s': check the pool's <auth> user and the value of its secret"),
                       NULLSTR(login->target), login->portal, login->pool,
                       NULLSTR(login->user));
        return;
    case VIR_STORAGE_ISCSI_DIRECT_LOGIN_FORBIDDEN:
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("iSCSI target '%s' at %s of pool '%s' does not let initiator '%s' log in: check the target's access list (and CHAP, if it asks for it)"),
                       NULLSTR(login->target), login->portal, login->pool,
                       login->initiator);
        return;
    case VIR_STORAGE_ISCSI_DIRECT_LOGIN_NOT_FOUND:
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("iSCSI portal %s of pool '%s' has no target '%s': check the pool's <device path=> (find-storage-pool-sources lists the portal's targets)"),
                       login->portal, login->pool, NULLSTR(login->target));
        return;
    }

    virReportError(VIR_ERR_OPERATION_FAILED,
                   _("cannot log in to iSCSI target '%s' at %s for pool '%s': %s"),
                   NULLSTR(login->target), login->portal, login->pool, msg);
}


static int
virStorageISCSIDirectSessionSetup(virStorageISCSIDirectSession *sess)
{
    const virStorageISCSIDirectLogin *login = sess->login;
    struct iscsi_context *iscsi = sess->iscsi;
    enum iscsi_session_type type = login->target ? ISCSI_SESSION_NORMAL :
                                                   ISCSI_SESSION_DISCOVERY;

    if (iscsi_set_session_type(iscsi, type) < 0 ||
        (login->target && iscsi_set_targetname(iscsi, login->target) < 0) ||
        iscsi_set_header_digest(iscsi, ISCSI_HEADER_DIGEST_NONE_CRC32C) < 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("libiscsi refuses the session settings of pool '%s' (target '%s'): %s"),
                       login->pool, NULLSTR(login->target), iscsi_get_error(iscsi));
        return -1;
    }

    iscsi_set_noautoreconnect(iscsi, 1);

    if (login->user &&
        iscsi_set_initiator_username_pwd(iscsi, login->user, login->password) < 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("libiscsi refuses the CHAP user '%s' of pool '%s': %s"),
                       login->user, login->pool, iscsi_get_error(iscsi));
        return -1;
    }
    return 0;
}


static int
virStorageISCSIDirectSessionConnect(virStorageISCSIDirectSession *sess)
{
    const virStorageISCSIDirectLogin *login = sess->login;
    virStorageISCSIDirectWait w = { 0 };
    gint64 start = g_get_monotonic_time();
    int left;
    int rc;

    if (iscsi_connect_async(sess->iscsi, login->portal,
                            virStorageISCSIDirectSessionDone, &sess->connect) < 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot connect to iSCSI portal %s of pool '%s': %s"),
                       login->portal, login->pool, iscsi_get_error(sess->iscsi));
        return -1;
    }

    rc = virStorageISCSIDirectSessionRun(sess, &sess->connect,
                                         VIR_STORAGE_ISCSI_DIRECT_LOGIN_SECONDS);
    if (rc == -ETIMEDOUT) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("iSCSI portal %s of pool '%s' did not accept a connection within %d seconds: check the pool's host and port, and that the target runs and is reachable"),
                       login->portal, login->pool, VIR_STORAGE_ISCSI_DIRECT_LOGIN_SECONDS);
        return -1;
    }
    if (rc < 0 || sess->connect.status != SCSI_STATUS_GOOD) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot connect to iSCSI portal %s of pool '%s': %s"),
                       login->portal, login->pool, virStorageISCSIDirectSessionError(sess));
        return -1;
    }

    left = VIR_STORAGE_ISCSI_DIRECT_LOGIN_SECONDS -
        (g_get_monotonic_time() - start) / G_USEC_PER_SEC;
    if (iscsi_login_async(sess->iscsi, virStorageISCSIDirectSessionDone, &w) < 0) {
        virStorageISCSIDirectReportLogin(sess);
        return -1;
    }
    rc = virStorageISCSIDirectSessionRun(sess, &w, MAX(left, 1));
    if (rc == -ETIMEDOUT) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("iSCSI portal %s of pool '%s' accepted the connection but did not answer the login within %d seconds: check that it is an iSCSI target that runs"),
                       login->portal, login->pool, VIR_STORAGE_ISCSI_DIRECT_LOGIN_SECONDS);
        return -1;
    }
    if (rc < 0 || w.status != SCSI_STATUS_GOOD) {
        virStorageISCSIDirectReportLogin(sess);
        return -1;
    }
    return 0;
}


virStorageISCSIDirectSession *
virStorageISCSIDirectSessionOpen(const virStorageISCSIDirectLogin *login)
{
    g_autoptr(virStorageISCSIDirectSession) sess = g_new0(virStorageISCSIDirectSession, 1);

    sess->login = virStorageISCSIDirectLoginCopy(login);

    if (!(sess->iscsi = iscsi_create_context(login->initiator))) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("libiscsi cannot make a session of initiator '%s' for pool '%s'"),
                       login->initiator, login->pool);
        return NULL;
    }

    if (virStorageISCSIDirectSessionSetup(sess) < 0 ||
        virStorageISCSIDirectSessionConnect(sess) < 0)
        return NULL;

    VIR_DEBUG("pool '%s': logged in to '%s' at %s", login->pool,
              NULLSTR(login->target), login->portal);
    return g_steal_pointer(&sess);
}


void
virStorageISCSIDirectSessionClose(virStorageISCSIDirectSession *sess)
{
    if (!sess)
        return;

    if (virStorageISCSIDirectSessionAlive(sess) && iscsi_is_logged_in(sess->iscsi)) {
        virStorageISCSIDirectWait w = { 0 };

        if (iscsi_logout_async(sess->iscsi, virStorageISCSIDirectSessionDone, &w) == 0)
            ignore_value(virStorageISCSIDirectSessionRun(sess, &w,
                                                         VIR_STORAGE_ISCSI_DIRECT_LOGOUT_SECONDS));
    }
    virStorageISCSIDirectSessionKill(sess);
    virStorageISCSIDirectLoginFree(sess->login);
    g_free(sess->lastError);
    g_free(sess);
}


/* The discovery's reply lives only during its callback: the names are
 * copied there. */
typedef struct _virStorageISCSIDirectDiscovery virStorageISCSIDirectDiscovery;
struct _virStorageISCSIDirectDiscovery {
    virStorageISCSIDirectWait w;
    GPtrArray *names;
};

static void
virStorageISCSIDirectDiscoveryDone(struct iscsi_context *iscsi,
                                   int status,
                                   void *command_data,
                                   void *opaque)
{
    virStorageISCSIDirectDiscovery *d = opaque;
    struct iscsi_discovery_address *addr;

    if (status == SCSI_STATUS_GOOD) {
        for (addr = command_data; addr; addr = addr->next) {
            if (addr->target_name)
                g_ptr_array_add(d->names, g_strdup(addr->target_name));
        }
    }
    virStorageISCSIDirectSessionDone(iscsi, status, NULL, &d->w);
}


char **
virStorageISCSIDirectDiscover(const virStorageISCSIDirectLogin *login)
{
    g_autoptr(virStorageISCSIDirectSession) sess = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    virStorageISCSIDirectDiscovery d = { .names = names };
    int rc;

    if (!(sess = virStorageISCSIDirectSessionOpen(login)))
        return NULL;

    if (iscsi_discovery_async(sess->iscsi, virStorageISCSIDirectDiscoveryDone, &d) < 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot ask iSCSI portal %s for its targets: %s"),
                       login->portal, virStorageISCSIDirectSessionError(sess));
        return NULL;
    }
    rc = virStorageISCSIDirectSessionRun(sess, &d.w, VIR_STORAGE_ISCSI_DIRECT_COMMAND_SECONDS);
    if (rc == -ETIMEDOUT) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("iSCSI portal %s did not list its targets within %d seconds"),
                       login->portal, VIR_STORAGE_ISCSI_DIRECT_COMMAND_SECONDS);
        return NULL;
    }
    if (rc < 0 || d.w.status != SCSI_STATUS_GOOD) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot ask iSCSI portal %s for its targets: %s"),
                       login->portal, virStorageISCSIDirectSessionError(sess));
        return NULL;
    }

    g_ptr_array_set_free_func(names, NULL);
    g_ptr_array_add(names, NULL);
    return (char **) g_ptr_array_free(g_steal_pointer(&names), FALSE);
}
