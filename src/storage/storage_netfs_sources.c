/*
 * storage_netfs_sources.c: finding netfs pool sources
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_netfs_sources.h"
#include "storage_command.h"
#include "virerror.h"
#include "virfile.h"
#include "virstring.h"
#include "virxml.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

#define VIR_STORAGE_NETFS_SHOWMOUNT "showmount"
#define VIR_STORAGE_NETFS_GLUSTER "gluster"

/* Seconds the gluster CLI waits for the remote glusterd (its default
 * is 120): it gives up, with its own message, before
 * VIR_STORAGE_NETFS_SOURCES_TIME_LIMIT stops it. */
#define VIR_STORAGE_NETFS_GLUSTER_CLI_TIMEOUT "20"


/* showmount reads its options with getopt_long: the host comes after
 * "--".  The gluster CLI has its own parser and no "--", but it takes
 * the host only as the value of --remote-host=, never on its own.  A
 * host starting with '-' is refused before either runs
 * (virStorageNetfsSourceHost). */
virCommand *
virStorageNetfsBuildShowmount(const char *host)
{
    return virCommandNewArgList(VIR_STORAGE_NETFS_SHOWMOUNT, "--no-headers", "-e", "--", host,
                                NULL);
}


virCommand *
virStorageNetfsBuildGlusterInfo(const char *host)
{
    g_autoptr(virCommand) cmd = virCommandNewArgList(VIR_STORAGE_NETFS_GLUSTER,
                                                     "--xml",
                                                     "--log-file=/dev/null",
                                                     "--timeout=" VIR_STORAGE_NETFS_GLUSTER_CLI_TIMEOUT,
                                                     "volume", "info",
                                                     NULL);

    virCommandAddArgFormat(cmd, "--remote-host=%s", host);
    return g_steal_pointer(&cmd);
}


static int
virStorageNetfsAddSource(virStoragePoolSourceList *list,
                         const char *host,
                         int format,
                         const char *dir)
{
    virStoragePoolSource *src;

    if (!(src = virStoragePoolSourceListNewSource(list)))
        return -1;

    src->format = format;
    src->dir = g_strdup(dir);
    src->hosts = g_new0(virStoragePoolSourceHost, 1);
    src->nhost = 1;
    src->hosts[0].name = g_strdup(host);
    return 0;
}


/* One line of 'showmount --no-headers -e': the export path, padded
 * with spaces, one space, then the comma-separated clients or
 * "(everyone)".  The client list holds no space, the path may, so the
 * path is everything before the last run of spaces.  Returns the path
 * or NULL when the line does not have that shape. */
static char *
virStorageNetfsShowmountParseLine(const char *line)
{
    const char *clients = strrchr(line, ' ');
    const char *end;

    if (line[0] != '/' || !clients || !clients[1])
        return NULL;

    end = clients;
    while (end > line && end[-1] == ' ')
        end--;

    return g_strndup(line, end - line);
}


int
virStorageNetfsParseShowmount(const char *output,
                              const char *host,
                              virStoragePoolSourceList *list)
{
    g_auto(GStrv) lines = g_strsplit(output, "\n", -1);
    size_t i;

    for (i = 0; lines[i]; i++) {
        g_autofree char *dir = NULL;

        if (!*lines[i])
            continue;

        /* the heading, should showmount print it despite --no-headers */
        if (STRPREFIX(lines[i], "Export list for "))
            continue;

        if (!(dir = virStorageNetfsShowmountParseLine(lines[i]))) {
            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("cannot parse the NFS export list of host '%s': unexpected line '%s' in showmount output"),
                           host, lines[i]);
            return -1;
        }

        if (virStorageNetfsAddSource(list, host, VIR_STORAGE_POOL_NETFS_NFS, dir) < 0)
            return -1;
    }

    return 0;
}


static int
virStorageNetfsGlusterCheckOpRet(xmlXPathContextPtr ctxt,
                                 const char *host)
{
    int opRet;
    g_autofree char *opErrstr = NULL;

    if (virXPathInt("string(/cliOutput/opRet)", ctxt, &opRet) < 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot parse the gluster volume list of host '%s': no <opRet> in the gluster CLI output"),
                       host);
        return -1;
    }

    if (opRet == 0)
        return 0;

    opErrstr = virXPathString("string(/cliOutput/opErrstr)", ctxt);
    virReportError(VIR_ERR_OPERATION_FAILED,
                   _("cannot list the gluster volumes of host '%s': %s"),
                   host, NULLSTR_EMPTY(opErrstr));
    return -1;
}


int
virStorageNetfsParseGlusterInfo(const char *output,
                                const char *host,
                                virStoragePoolSourceList *list)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autofree xmlNodePtr *volumes = NULL;
    int nvolumes;
    size_t i;

    if (!(doc = virXMLParseStringCtxt(output, _("(gluster volume info output)"),
                                      &ctxt)))
        return -1;

    if (!virXMLNodeNameEqual(ctxt->node, "cliOutput")) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot parse the gluster volume list of host '%s': root element is <%s>, expected <cliOutput>"),
                       host, (const char *) ctxt->node->name);
        return -1;
    }

    if (virStorageNetfsGlusterCheckOpRet(ctxt, host) < 0)
        return -1;

    if (!virXPathNode("/cliOutput/volInfo/volumes", ctxt)) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot parse the gluster volume list of host '%s': no <volInfo><volumes> in the gluster CLI output"),
                       host);
        return -1;
    }

    if ((nvolumes = virXPathNodeSet("/cliOutput/volInfo/volumes/volume",
                                    ctxt, &volumes)) < 0)
        return -1;

    for (i = 0; i < nvolumes; i++) {
        g_autofree char *name = NULL;

        ctxt->node = volumes[i];
        name = virXPathString("string(./name)", ctxt);
        if (!name || !*name) {
            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("cannot parse the gluster volume list of host '%s': volume %zu has no <name>"),
                           host, i + 1);
            return -1;
        }

        if (virStorageNetfsAddSource(list, host, VIR_STORAGE_POOL_NETFS_GLUSTERFS,
                                     name) < 0)
            return -1;
    }

    return 0;
}


/* The two listers of netfs sources. */
typedef enum {
    VIR_STORAGE_NETFS_LISTER_NFS,
    VIR_STORAGE_NETFS_LISTER_GLUSTER,
} virStorageNetfsLister;


/* The sentence a failure of @lister on @host starts with. */
static char *
virStorageNetfsListerFailure(virStorageNetfsLister lister,
                             const char *host)
{
    switch (lister) {
    case VIR_STORAGE_NETFS_LISTER_NFS:
        return g_strdup_printf(_("cannot list the NFS exports of host '%s'"), host);
    case VIR_STORAGE_NETFS_LISTER_GLUSTER:
        return g_strdup_printf(_("cannot list the gluster volumes of host '%s'"), host);
    }
    return g_strdup_printf(_("cannot list the network file systems of host '%s'"), host);
}


/* Runs @cmd within VIR_STORAGE_NETFS_SOURCES_TIME_LIMIT and returns its
 * standard output.  @program is missing, fails to start, does not
 * finish in time or exits non-zero: reports, naming @host and saying
 * what @lister was looking for. */
static char *
virStorageNetfsRunLister(virCommand *cmd,
                         const char *program,
                         const char *package,
                         virStorageNetfsLister lister,
                         const char *host)
{
    g_autofree char *path = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *prefix = virStorageNetfsListerFailure(lister, host);
    int exitstatus;

    if (!(path = virFindFileInPath(program))) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("%s: '%s' is not installed (package %s)"),
                       prefix, program, package);
        return NULL;
    }

    if ((exitstatus = virStorageCommandRunLimited(cmd, VIR_STORAGE_NETFS_SOURCES_TIME_LIMIT,
                                                  prefix, &out, &err, NULL)) < 0)
        return NULL;

    if (exitstatus != 0) {
        char *msg = *err ? err : out;

        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("%s: %s exited with status %d: %s"),
                       prefix, program, exitstatus, g_strstrip(msg));
        return NULL;
    }

    return g_steal_pointer(&out);
}


static int
virStorageNetfsFindNfs(const char *host,
                       virStoragePoolSourceList *list)
{
    g_autoptr(virCommand) cmd = virStorageNetfsBuildShowmount(host);
    g_autofree char *out = NULL;

    if (!(out = virStorageNetfsRunLister(cmd, VIR_STORAGE_NETFS_SHOWMOUNT, "nfs-common",
                                         VIR_STORAGE_NETFS_LISTER_NFS, host)))
        return -1;

    return virStorageNetfsParseShowmount(out, host, list);
}


static int
virStorageNetfsFindGluster(const char *host,
                           virStoragePoolSourceList *list)
{
    g_autoptr(virCommand) cmd = virStorageNetfsBuildGlusterInfo(host);
    g_autofree char *out = NULL;

    if (!(out = virStorageNetfsRunLister(cmd, VIR_STORAGE_NETFS_GLUSTER, "glusterfs-cli",
                                         VIR_STORAGE_NETFS_LISTER_GLUSTER, host)))
        return -1;

    return virStorageNetfsParseGlusterInfo(out, host, list);
}


/* Moves the sources of @from to the end of @to. */
static void
virStorageNetfsMoveSources(virStoragePoolSourceList *to,
                           virStoragePoolSourceList *from)
{
    size_t i;

    for (i = 0; i < from->nsources; i++) {
        virStoragePoolSource *dst = virStoragePoolSourceListNewSource(to);

        *dst = from->sources[i];
        memset(&from->sources[i], 0, sizeof(from->sources[i]));
    }
}


/* What a lister's error said, without the words libvirt puts before
 * it for its code ("operation failed: ", "Timed out during operation: ",
 * translated into the daemon's locale): virReportError keeps the
 * message as it was given in str2. */
static const char *
virStorageNetfsErrorDetail(const virError *err)
{
    if (!err)
        return "";
    if (err->str2)
        return err->str2;
    return NULLSTR_EMPTY(err->message);
}


/* No format given: the host may serve NFS, gluster or both, so ask
 * both and return everything found.  One failing lister is fine when
 * the other finds sources; when neither finds any, the user gets the
 * reason each one gave (their error objects are kept). */
static int
virStorageNetfsFindAny(const char *host,
                       virStoragePoolSourceList *list)
{
    g_autoptr(virStoragePoolSourceList) nfs = g_new0(virStoragePoolSourceList, 1);
    g_autoptr(virStoragePoolSourceList) gluster = g_new0(virStoragePoolSourceList, 1);
    g_autoptr(virError) nfsErr = NULL;
    g_autoptr(virError) glusterErr = NULL;
    bool nfsOk;
    bool glusterOk;

    nfs->type = gluster->type = VIR_STORAGE_POOL_NETFS;

    if (!(nfsOk = virStorageNetfsFindNfs(host, nfs) == 0))
        virErrorPreserveLast(&nfsErr);
    virResetLastError();

    if (!(glusterOk = virStorageNetfsFindGluster(host, gluster) == 0))
        virErrorPreserveLast(&glusterErr);
    virResetLastError();

    if (nfsOk)
        virStorageNetfsMoveSources(list, nfs);
    if (glusterOk)
        virStorageNetfsMoveSources(list, gluster);

    if (nfsOk && glusterOk)
        return 0;

    if (list->nsources > 0)
        return 0;

    virReportError(VIR_ERR_OPERATION_FAILED,
                   _("found no NFS export or gluster volume on host '%s' (%s%s%s); give <format type='nfs'/> or <format type='glusterfs'/> to ask only one"),
                   host,
                   virStorageNetfsErrorDetail(nfsErr),
                   nfsErr && glusterErr ? "; " : "",
                   virStorageNetfsErrorDetail(glusterErr));
    return -1;
}


static const char *
virStorageNetfsSourceHost(const virStoragePoolSource *source)
{
    if (source->nhost != 1 || !source->hosts[0].name ||
        !*source->hosts[0].name) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("netfs source discovery needs exactly one host: give <source><host name='...'/></source>"));
        return NULL;
    }

    if (source->hosts[0].name[0] == '-') {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("host '%s' starts with '-', which showmount and gluster would read as an option: give the server's name or address"),
                       source->hosts[0].name);
        return NULL;
    }

    return source->hosts[0].name;
}


char *
virStorageNetfsFindPoolSources(const char *srcSpec,
                               unsigned int flags)
{
    g_autoptr(virStoragePoolSource) source = NULL;
    g_autoptr(virStoragePoolSourceList) list = NULL;
    const char *host;
    int rc = -1;

    virCheckFlags(0, NULL);

    if (!srcSpec) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("netfs source discovery needs the server: give <source><host name='...'/></source>"));
        return NULL;
    }

    if (!(source = virStoragePoolDefParseSourceString(srcSpec,
                                                      VIR_STORAGE_POOL_NETFS)))
        return NULL;

    if (!(host = virStorageNetfsSourceHost(source)))
        return NULL;

    list = g_new0(virStoragePoolSourceList, 1);
    list->type = VIR_STORAGE_POOL_NETFS;

    switch ((virStoragePoolFormatFileSystemNet) source->format) {
    case VIR_STORAGE_POOL_NETFS_NFS:
        rc = virStorageNetfsFindNfs(host, list);
        break;
    case VIR_STORAGE_POOL_NETFS_GLUSTERFS:
        rc = virStorageNetfsFindGluster(host, list);
        break;
    case VIR_STORAGE_POOL_NETFS_AUTO:
        rc = virStorageNetfsFindAny(host, list);
        break;
    case VIR_STORAGE_POOL_NETFS_CIFS:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("cannot list the cifs shares of host '%s': discovery knows NFS exports and gluster volumes; give <format type='nfs'/>, 'glusterfs' or no format"),
                       host);
        return NULL;
    case VIR_STORAGE_POOL_NETFS_LAST:
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("unknown netfs source format %d"), source->format);
        return NULL;
    }

    if (rc < 0)
        return NULL;

    return virStoragePoolSourceListFormat(list);
}
