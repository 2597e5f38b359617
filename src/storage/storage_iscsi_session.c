/*
 * storage_iscsi_session.c: iSCSI sessions of the kernel initiator,
 * driven through iscsiadm and read from sysfs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * iscsiadm keeps its records (interfaces, nodes) in its own database and
 * asks iscsid to log in.  What a call did is read from its exit status
 * (the ISCSI_ERR_* codes of iscsiadm(8)), never from its messages, which
 * are only appended to our errors.  Sessions, their SCSI hosts and LUNs
 * are read from sysfs.
 */

#include <config.h>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "storage_iscsi_session.h"
#include "storage_command.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"
#include "virsecureerase.h"
#include "virstring.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_iscsi_session");

/* iscsiadm's exit codes (iscsiadm(8), ISCSI_ERR_*) that we tell apart */
enum {
    VIR_ISCSIADM_OK = 0,
    VIR_ISCSIADM_ERR_SESS_NOT_FOUND = 2,
    VIR_ISCSIADM_ERR_TRANS = 4,
    VIR_ISCSIADM_ERR_LOGIN = 5,
    VIR_ISCSIADM_ERR_TRANS_TIMEOUT = 8,
    VIR_ISCSIADM_ERR_PDU_TIMEOUT = 11,
    VIR_ISCSIADM_ERR_TRANS_NOT_FOUND = 12,
    VIR_ISCSIADM_ERR_SESS_EXISTS = 15,
    VIR_ISCSIADM_ERR_FATAL_LOGIN = 19,
    VIR_ISCSIADM_ERR_ISCSID_NOTCONN = 20,
    VIR_ISCSIADM_ERR_NO_OBJS_FOUND = 21,
    VIR_ISCSIADM_ERR_LOGIN_AUTH_FAILED = 24,
};

/* Seconds iscsid waits for one login to complete, and how many logins
 * iscsiadm tries: a portal that does not answer fails within about
 * LOGIN_TIMEOUT * LOGIN_TRIES seconds instead of iscsid's 2 minutes. */
#define VIR_STORAGE_ISCSI_LOGIN_TIMEOUT "10"
#define VIR_STORAGE_ISCSI_LOGIN_TRIES "1"
/* Seconds a session that lost its connection waits for it to come back
 * before failing its I/O (and a logout of it) instead of 2 minutes. */
#define VIR_STORAGE_ISCSI_REPLACEMENT_TIMEOUT "30"
/* Outer limits of whole iscsiadm calls, in seconds. */
#define VIR_STORAGE_ISCSI_LOGIN_LIMIT 60
#define VIR_STORAGE_ISCSI_LOGOUT_LIMIT 60
#define VIR_STORAGE_ISCSI_DISCOVERY_LIMIT 20
#define VIR_STORAGE_ISCSI_RECORD_LIMIT 30

#define VIR_STORAGE_ISCSI_NAME_MAX 223


void
virStorageISCSINodeFree(virStorageISCSINode *node)
{
    if (!node)
        return;
    g_free(node->portal);
    g_free(node->target);
    g_free(node->iface);
    g_free(node->initiator);
    g_free(node->chapUser);
    virSecureEraseString(node->chapSecret);
    g_free(node->chapSecret);
    g_free(node);
}


int
virStorageISCSIValidateName(const char *name,
                            const char *what)
{
    const char *p;

    if (!name || !*name) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("the iSCSI %s name is missing"), what);
        return -1;
    }

    if (strlen(name) > VIR_STORAGE_ISCSI_NAME_MAX) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("the iSCSI %s name '%s' is longer than 223 bytes"),
                       what, name);
        return -1;
    }

    if (!STRCASEPREFIX(name, "iqn.") && !STRCASEPREFIX(name, "eui.") &&
        !STRCASEPREFIX(name, "naa.")) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("the iSCSI %s name '%s' starts with neither 'iqn.', 'eui.' nor 'naa.': give the name as the target lists it (find-storage-pool-sources-as iscsi HOST)"),
                       what, name);
        return -1;
    }

    for (p = name; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-' && *p != ':') {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("the iSCSI %s name '%s' has a character other than letters, digits, '.', '-' and ':'"),
                           what, name);
            return -1;
        }
    }

    return 0;
}


char *
virStorageISCSIPortal(const char *host,
                      int port)
{
    const char *p;

    if (!host || !*host || *host == '-' || strlen(host) > 255) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("the iSCSI portal host '%s' is not a host name or an address"),
                       NULLSTR(host));
        return NULL;
    }

    for (p = host; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-' && *p != ':' &&
            *p != '_') {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("the iSCSI portal host '%s' is not a host name or an address"),
                           host);
            return NULL;
        }
    }

    if (port < 0 || port > 65535) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("the iSCSI portal port %d of host '%s' is not between 1 and 65535"),
                       port, host);
        return NULL;
    }

    if (port == 0)
        port = VIR_STORAGE_ISCSI_DEFAULT_PORT;

    if (strchr(host, ':'))
        return g_strdup_printf("[%s]:%d", host, port);
    return g_strdup_printf("%s:%d", host, port);
}


int
virStorageISCSIValidateChap(const char *value,
                            const char *what)
{
    const char *p;

    if (!value || !*value || strlen(value) > 255) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("the CHAP %s of the iSCSI pool must be 1 to 255 bytes long"),
                       what);
        return -1;
    }

    for (p = value; *p; p++) {
        if (!g_ascii_isprint(*p)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("the CHAP %s of the iSCSI pool has a character that is not printable (a newline or a control character): iscsiadm's node records cannot hold it"),
                           what);
            return -1;
        }
    }

    return 0;
}


size_t
virStorageISCSIParseSendTargets(const char *out,
                                char ***targets)
{
    g_auto(GStrv) lines = g_strsplit(out ? out : "", "\n", 0);
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);
    size_t i;

    for (i = 0; lines[i]; i++) {
        g_auto(GStrv) fields = g_strsplit_set(g_strstrip(lines[i]), " \t", 0);
        g_autoptr(GError) err = NULL;
        const char *portal;
        const char *iqn;
        size_t j;
        bool seen = false;

        /* "PORTAL,TPGT IQN": two fields, a TPGT after the portal */
        if (g_strv_length(fields) != 2)
            continue;
        portal = fields[0];
        iqn = fields[1];
        if (!strrchr(portal, ',') ||
            !g_ascii_isdigit(strrchr(portal, ',')[1]))
            continue;
        if (!STRCASEPREFIX(iqn, "iqn.") && !STRCASEPREFIX(iqn, "eui.") &&
            !STRCASEPREFIX(iqn, "naa."))
            continue;

        for (j = 0; j < found->len; j++)
            seen |= STREQ(g_ptr_array_index(found, j), iqn);
        if (!seen)
            g_ptr_array_add(found, g_strdup(iqn));
    }

    i = found->len;
    g_ptr_array_add(found, NULL);
    g_ptr_array_set_free_func(found, NULL);
    *targets = (char **) g_ptr_array_free(g_steal_pointer(&found), FALSE);
    return i;
}


/* ---------------------------------------------------------- iscsiadm */

static virCommand *
virStorageISCSIIfaceCommand(const char *iface,
                            const char *op)
{
    return virCommandNewArgList("iscsiadm", "--mode", "iface",
                                "--interface", iface, "--op", op, NULL);
}


static virCommand *
virStorageISCSINodeCommand(virStorageISCSINode *node)
{
    return virCommandNewArgList("iscsiadm", "--mode", "node",
                                "--targetname", node->target,
                                "--portal", node->portal,
                                "--interface", node->iface, NULL);
}


/* Runs an iscsiadm @cmd for at most @limit seconds: its exit status, or
 * -1 with an error reported (it could not run or was stopped). */
static int
virStorageISCSIRun(virCommand *cmd,
                   unsigned int limit,
                   const char *what,
                   char **out,
                   char **err)
{
    return virStorageCommandRunLimited(cmd, limit, what, out, err, NULL);
}


/* Runs a record operation (iface or node: new, update, delete) and
 * reports a non-zero exit with @what. */
static int
virStorageISCSIRunRecord(virCommand *cmd,
                         const char *what)
{
    g_autofree char *err = NULL;
    int status;

    if ((status = virStorageISCSIRun(cmd, VIR_STORAGE_ISCSI_RECORD_LIMIT,
                                     what, NULL, &err)) < 0)
        return -1;
    if (status != VIR_ISCSIADM_OK) {
        virStorageCommandReportExit(what, "iscsiadm", status, err);
        return -1;
    }
    return 0;
}


/* Removes @node's node and interface records; records that are not
 * there are fine.  Reports nothing: this is an undo or a last step
 * whose failure leaves only records behind, which the log says. */
static void
virStorageISCSIRecordsRemove(virStorageISCSINode *node)
{
    g_autoptr(virCommand) nodecmd = virStorageISCSINodeCommand(node);
    g_autoptr(virCommand) ifacecmd = virStorageISCSIIfaceCommand(node->iface, "delete");
    virErrorPtr saved = NULL;
    int status;

    virErrorPreserveLast(&saved);

    virCommandAddArgList(nodecmd, "--op", "delete", NULL);
    status = virStorageISCSIRun(nodecmd, VIR_STORAGE_ISCSI_RECORD_LIMIT,
                                _("cannot remove an iSCSI node record"),
                                NULL, NULL);
    if (status != VIR_ISCSIADM_OK && status != VIR_ISCSIADM_ERR_NO_OBJS_FOUND)
        VIR_WARN("iscsiadm could not remove the node record of target '%s' at '%s' (interface '%s'): status %d",
                 node->target, node->portal, node->iface, status);

    status = virStorageISCSIRun(ifacecmd, VIR_STORAGE_ISCSI_RECORD_LIMIT,
                                _("cannot remove an iSCSI interface record"),
                                NULL, NULL);
    if (status != VIR_ISCSIADM_OK && status != VIR_ISCSIADM_ERR_NO_OBJS_FOUND)
        VIR_WARN("iscsiadm could not remove interface record '%s': status %d",
                 node->iface, status);

    virErrorRestore(&saved);
}


/* Creates @node's interface record (transport tcp, its initiator IQN)
 * and node record with our settings. */
static int
virStorageISCSIRecordsCreate(const char *poolname,
                             virStorageISCSINode *node)
{
    g_autoptr(virCommand) ifacenew = virStorageISCSIIfaceCommand(node->iface, "new");
    g_autoptr(virCommand) ifaceset = virStorageISCSIIfaceCommand(node->iface, "update");
    g_autoptr(virCommand) nodenew = virStorageISCSINodeCommand(node);
    g_autoptr(virCommand) nodeset = virStorageISCSINodeCommand(node);
    g_autofree char *what = NULL;

    what = g_strdup_printf(_("cannot create the iSCSI interface record '%s' of pool '%s'"),
                           node->iface, poolname);
    if (virStorageISCSIRunRecord(ifacenew, what) < 0)
        return -1;

    virCommandAddArgList(ifaceset, "--name", "iface.transport_name",
                         "--value", "tcp", NULL);
    if (node->initiator)
        virCommandAddArgList(ifaceset, "--name", "iface.initiatorname",
                             "--value", node->initiator, NULL);
    if (virStorageISCSIRunRecord(ifaceset, what) < 0)
        return -1;

    g_clear_pointer(&what, g_free);
    what = g_strdup_printf(_("cannot create the iSCSI node record of target '%s' at portal '%s' for pool '%s'"),
                           node->target, node->portal, poolname);
    virCommandAddArgList(nodenew, "--op", "new", NULL);
    if (virStorageISCSIRunRecord(nodenew, what) < 0)
        return -1;

    virCommandAddArgList(nodeset, "--op", "update",
                         "--name", "node.startup", "--value", "manual",
                         "--name", "node.conn[0].timeo.login_timeout",
                         "--value", VIR_STORAGE_ISCSI_LOGIN_TIMEOUT,
                         "--name", "node.session.initial_login_retry_max",
                         "--value", VIR_STORAGE_ISCSI_LOGIN_TRIES,
                         "--name", "node.session.timeo.replacement_timeout",
                         "--value", VIR_STORAGE_ISCSI_REPLACEMENT_TIMEOUT,
                         NULL);
    if (node->chapUser) {
        /* iscsiadm takes a record's values only on its command line: the
         * secret is there for the few milliseconds of this call */
        virCommandAddArgList(nodeset,
                             "--name", "node.session.auth.authmethod",
                             "--value", "CHAP",
                             "--name", "node.session.auth.username",
                             "--value", node->chapUser,
                             "--name", "node.session.auth.password",
                             "--value", node->chapSecret, NULL);
    }
    if (virStorageISCSIRunRecord(nodeset, what) < 0)
        return -1;

    return 0;
}


/* Reports a login that iscsiadm ended with @status. */
static void
virStorageISCSIReportLogin(const char *poolname,
                           virStorageISCSINode *node,
                           int status,
                           const char *err)
{
    g_autofree char *what = NULL;

    switch (status) {
    case VIR_ISCSIADM_ERR_LOGIN_AUTH_FAILED:
        what = g_strdup_printf(_("the iSCSI target '%s' at portal '%s' refused the CHAP login of pool '%s': check the <auth> username and the value of its secret"),
                               node->target, node->portal, poolname);
        break;
    case VIR_ISCSIADM_ERR_TRANS:
    case VIR_ISCSIADM_ERR_TRANS_TIMEOUT:
    case VIR_ISCSIADM_ERR_PDU_TIMEOUT:
        what = g_strdup_printf(_("the iSCSI portal '%s' of pool '%s' could not be reached or did not answer the login in time: check the host, the port and that a target listens there"),
                               node->portal, poolname);
        break;
    case VIR_ISCSIADM_ERR_FATAL_LOGIN:
    case VIR_ISCSIADM_ERR_LOGIN:
        what = g_strdup_printf(_("the iSCSI portal '%s' refused the login of pool '%s' to target '%s': check that the target exists there (find-storage-pool-sources-as iscsi HOST) and allows this initiator"),
                               node->portal, poolname, node->target);
        break;
    case VIR_ISCSIADM_ERR_ISCSID_NOTCONN:
        what = g_strdup_printf(_("cannot log in pool '%s' to iSCSI target '%s': iscsid is not running: start it"),
                               poolname, node->target);
        break;
    case VIR_ISCSIADM_ERR_TRANS_NOT_FOUND:
        what = g_strdup_printf(_("cannot log in pool '%s' to iSCSI target '%s': the iscsi_tcp kernel module is not loaded"),
                               poolname, node->target);
        break;
    default:
        what = g_strdup_printf(_("cannot log in pool '%s' to iSCSI target '%s' at portal '%s'"),
                               poolname, node->target, node->portal);
        break;
    }

    virStorageCommandReportExit(what, "iscsiadm", status, err);
}


/* Logs out of @node's session: 0 when there is none (any more). */
static int
virStorageISCSILogoutSession(const char *poolname,
                             virStorageISCSINode *node)
{
    g_autoptr(virCommand) cmd = virStorageISCSINodeCommand(node);
    g_autofree char *what = NULL;
    g_autofree char *err = NULL;
    int status;

    what = g_strdup_printf(_("cannot log pool '%s' out of iSCSI target '%s' at portal '%s'"),
                           poolname, node->target, node->portal);
    virCommandAddArg(cmd, "--logout");
    if ((status = virStorageISCSIRun(cmd, VIR_STORAGE_ISCSI_LOGOUT_LIMIT,
                                     what, NULL, &err)) < 0)
        return -1;

    if (status != VIR_ISCSIADM_OK &&
        status != VIR_ISCSIADM_ERR_NO_OBJS_FOUND &&
        status != VIR_ISCSIADM_ERR_SESS_NOT_FOUND) {
        virStorageCommandReportExit(what, "iscsiadm", status, err);
        return -1;
    }

    return 0;
}


int
virStorageISCSILogin(const char *poolname,
                     virStorageISCSINode *node)
{
    g_autoptr(virCommand) cmd = NULL;
    g_autofree char *what = NULL;
    g_autofree char *err = NULL;
    virErrorPtr saved = NULL;
    unsigned int session;
    int status;

    if (virStorageISCSIRecordsCreate(poolname, node) < 0)
        goto undo;

    cmd = virStorageISCSINodeCommand(node);
    virCommandAddArg(cmd, "--login");
    what = g_strdup_printf(_("cannot log in pool '%s' to iSCSI target '%s' at portal '%s'"),
                           poolname, node->target, node->portal);
    VIR_DEBUG("iscsi pool '%s': login to '%s' at '%s' through interface '%s'",
              poolname, node->target, node->portal, node->iface);
    if ((status = virStorageISCSIRun(cmd, VIR_STORAGE_ISCSI_LOGIN_LIMIT,
                                     what, NULL, &err)) < 0)
        goto undo;

    if (status != VIR_ISCSIADM_OK && status != VIR_ISCSIADM_ERR_SESS_EXISTS) {
        virStorageISCSIReportLogin(poolname, node, status, err);
        goto undo;
    }

    return 0;

 undo:
    virErrorPreserveLast(&saved);
    /* a login stopped at its limit may have left iscsid retrying */
    if (virStorageISCSISessionFind("/sys", node, &session) > 0)
        ignore_value(virStorageISCSILogoutSession(poolname, node));
    virStorageISCSIRecordsRemove(node);
    virErrorRestore(&saved);
    return -1;
}


int
virStorageISCSILogout(const char *poolname,
                      virStorageISCSINode *node)
{
    if (virStorageISCSILogoutSession(poolname, node) < 0)
        return -1;

    virStorageISCSIRecordsRemove(node);
    return 0;
}


int
virStorageISCSIDiscover(const char *portal,
                        char ***targets)
{
    g_autoptr(virCommand) cmd = NULL;
    g_autofree char *what = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;

    cmd = virCommandNewArgList("iscsiadm", "--mode", "discovery",
                               "--type", "sendtargets", "--portal", portal,
                               "--op", "nonpersistent", NULL);
    what = g_strdup_printf(_("cannot list the iSCSI targets of portal '%s' (sendtargets discovery)"),
                           portal);
    if ((status = virStorageISCSIRun(cmd, VIR_STORAGE_ISCSI_DISCOVERY_LIMIT,
                                     what, &out, &err)) < 0)
        return -1;

    if (status == VIR_ISCSIADM_ERR_NO_OBJS_FOUND) {
        *targets = g_new0(char *, 1);
        return 0;
    }

    if (status != VIR_ISCSIADM_OK) {
        g_clear_pointer(&what, g_free);
        if (status == VIR_ISCSIADM_ERR_TRANS ||
            status == VIR_ISCSIADM_ERR_TRANS_TIMEOUT ||
            status == VIR_ISCSIADM_ERR_PDU_TIMEOUT)
            what = g_strdup_printf(_("the iSCSI portal '%s' could not be reached or did not answer the discovery in time: check the host, the port and that a target listens there"),
                                   portal);
        else
            what = g_strdup_printf(_("cannot list the iSCSI targets of portal '%s' (sendtargets discovery)"),
                                   portal);
        virStorageCommandReportExit(what, "iscsiadm", status, err);
        return -1;
    }

    return virStorageISCSIParseSendTargets(out, targets);
}


/* ------------------------------------------------------------ sysfs */

/* The first line of @dir/@name, stripped; NULL if it cannot be read. */
static char *
virStorageISCSIReadAttr(const char *dir,
                        const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *buf = NULL;

    if (virFileReadAllQuiet(path, 4096, &buf) < 0)
        return NULL;

    return g_strdup(g_strstrip(buf));
}


int
virStorageISCSISessionFind(const char *sysfs,
                           virStorageISCSINode *node,
                           unsigned int *session)
{
    g_autofree char *classdir = g_build_filename(sysfs, "class", "iscsi_session", NULL);
    g_autoptr(DIR) dir = NULL;
    struct dirent *ent;

    if (!(dir = opendir(classdir)))
        return 0;

    while ((ent = readdir(dir))) {
        g_autofree char *sessdir = NULL;
        g_autofree char *target = NULL;
        g_autofree char *iface = NULL;
        unsigned int num;

        if (!STRPREFIX(ent->d_name, "session") ||
            virStrToLong_ui(ent->d_name + strlen("session"), NULL, 10, &num) < 0)
            continue;

        sessdir = g_build_filename(classdir, ent->d_name, NULL);
        if (!(target = virStorageISCSIReadAttr(sessdir, "targetname")) ||
            !(iface = virStorageISCSIReadAttr(sessdir, "ifacename")))
            continue;

        if (STREQ(target, node->target) && STREQ(iface, node->iface)) {
            *session = num;
            return 1;
        }
    }

    return 0;
}


int
virStorageISCSISessionHostQuiet(const char *sysfs,
                                unsigned int session,
                                unsigned int *host)
{
    g_autofree char *link = g_strdup_printf("%s/class/iscsi_session/session%u/device",
                                            sysfs, session);
    g_autofree char *real = NULL;
    g_autofree char *parent = NULL;
    g_autofree char *base = NULL;

    /* .../hostH/sessionN: the session's device is a child of its host */
    if (!(real = realpath(link, NULL)))
        return -errno;

    parent = g_path_get_dirname(real);
    base = g_path_get_basename(parent);
    if (!STRPREFIX(base, "host") ||
        virStrToLong_ui(base + strlen("host"), NULL, 10, host) < 0)
        return -ENOENT;

    return 0;
}


int
virStorageISCSIHostScanQuiet(const char *sysfs,
                             unsigned int host)
{
    g_autofree char *path = g_strdup_printf("%s/class/scsi_host/host%u/scan",
                                            sysfs, host);
    VIR_AUTOCLOSE fd = -1;
    const char *all = "- - -";

    if ((fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
        return -errno;

    if (safewrite(fd, all, strlen(all)) < 0)
        return -errno;

    return 0;
}


/* The number of LUNs of type disk of SCSI host @host without a block
 * device yet. */
static size_t
virStorageISCSIHostDisksPending(const char *sysfs,
                                unsigned int host)
{
    g_autofree char *busdir = g_build_filename(sysfs, "bus", "scsi", "devices", NULL);
    g_autofree char *prefix = g_strdup_printf("%u:", host);
    g_autoptr(DIR) dir = NULL;
    struct dirent *ent;
    size_t pending = 0;

    if (!(dir = opendir(busdir)))
        return 0;

    while ((ent = readdir(dir))) {
        g_autofree char *lundir = NULL;
        g_autofree char *type = NULL;
        g_autofree char *blockdir = NULL;

        if (!STRPREFIX(ent->d_name, prefix))
            continue;

        lundir = g_build_filename(busdir, ent->d_name, NULL);
        /* 0: TYPE_DISK (SPC); a controller LUN or a tape gets no disk */
        if (!(type = virStorageISCSIReadAttr(lundir, "type")) || STRNEQ(type, "0"))
            continue;

        blockdir = g_build_filename(lundir, "block", NULL);
        if (!virFileIsDir(blockdir))
            pending++;
    }

    return pending;
}


size_t
virStorageISCSIHostWaitDisks(const char *sysfs,
                             unsigned int host,
                             unsigned int seconds)
{
    gint64 deadline = g_get_monotonic_time() + seconds * G_USEC_PER_SEC;
    size_t pending;

    while ((pending = virStorageISCSIHostDisksPending(sysfs, host)) > 0 &&
           g_get_monotonic_time() < deadline)
        g_usleep(50 * 1000);

    return pending;
}
