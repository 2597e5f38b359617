/*
 * storage_netfs_sources.c: finding netfs pool sources
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_netfs_sources.h"
#include "storage_command.h"
#include "storage_gluster_sources.h"
#include "virerror.h"
#include "virfile.h"
#include "virstring.h"
#include "virxml.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

#define VIR_STORAGE_NETFS_SHOWMOUNT "showmount"

/* showmount reads its options with getopt_long: the host comes after
 * "--".  A host starting with '-' is refused before it (or the gluster
 * CLI) runs (virStorageNetfsSourceHost). */
virCommand *
virStorageNetfsBuildShowmount(const char *host)
{
    return virCommandNewArgList(VIR_STORAGE_NETFS_SHOWMOUNT, "--no-headers", "-e", "--", host,
                                NULL);
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


/* Runs showmount's @cmd within VIR_STORAGE_NETFS_SOURCES_TIME_LIMIT and
 * returns its standard output.  showmount is missing, fails to start,
 * does not finish in time or exits non-zero: reports, naming @host. */
static char *
virStorageNetfsRunShowmount(virCommand *cmd,
                            const char *host)
{
    g_autofree char *path = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *prefix = g_strdup_printf(_("cannot list the NFS exports of host '%s'"),
                                              host);
    int exitstatus;

    if (!(path = virFindFileInPath(VIR_STORAGE_NETFS_SHOWMOUNT))) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot list the NFS exports of host '%s': 'showmount' is not installed (package nfs-common)"),
                       host);
        return NULL;
    }

    if ((exitstatus = virStorageCommandRunLimited(cmd, VIR_STORAGE_NETFS_SOURCES_TIME_LIMIT,
                                                  prefix, &out, &err, NULL)) < 0)
        return NULL;

    if (exitstatus != 0) {
        char *msg = *err ? err : out;

        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot list the NFS exports of host '%s': showmount exited with status %d: %s"),
                       host, exitstatus, g_strstrip(msg));
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

    if (!(out = virStorageNetfsRunShowmount(cmd, host)))
        return -1;

    return virStorageNetfsParseShowmount(out, host, list);
}


static int
virStorageNetfsFindGluster(const char *host,
                           virStoragePoolSourceList *list)
{
    return virStorageGlusterListVolumes(host, VIR_STORAGE_POOL_NETFS, list);
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
