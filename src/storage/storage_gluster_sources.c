/*
 * storage_gluster_sources.c: the volumes of a Gluster server, from
 * 'gluster --xml volume info', as sources of gluster and netfs pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The CLI's XML output is read by element names, never its translated
 * text output; its exit status and <opRet>/<opErrstr> tell a failure.
 */

#include <config.h>

#include "storage_gluster_sources.h"
#include "storage_command.h"
#include "virerror.h"
#include "virfile.h"
#include "virstring.h"
#include "virxml.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

#define VIR_STORAGE_GLUSTER_CLI "gluster"

/* Seconds the gluster CLI waits for the remote glusterd (its default
 * is 120): it gives up, with its own message, before
 * VIR_STORAGE_GLUSTER_SOURCES_TIME_LIMIT stops it. */
#define VIR_STORAGE_GLUSTER_CLI_TIMEOUT "20"


/* The gluster CLI has its own parser and no "--", but it takes the host
 * only as the value of --remote-host=, never on its own; a host starting
 * with '-' is refused before it runs anyway. */
virCommand *
virStorageGlusterBuildVolumeInfo(const char *host)
{
    g_autoptr(virCommand) cmd = virCommandNewArgList(VIR_STORAGE_GLUSTER_CLI,
                                                     "--xml",
                                                     "--log-file=/dev/null",
                                                     "--timeout=" VIR_STORAGE_GLUSTER_CLI_TIMEOUT,
                                                     "volume", "info",
                                                     NULL);

    virCommandAddArgFormat(cmd, "--remote-host=%s", host);
    return g_steal_pointer(&cmd);
}


static int
virStorageGlusterAddSource(virStoragePoolSourceList *list,
                           const char *host,
                           virStoragePoolType type,
                           const char *volume)
{
    virStoragePoolSource *src;

    if (!(src = virStoragePoolSourceListNewSource(list)))
        return -1;

    if (type == VIR_STORAGE_POOL_NETFS) {
        src->format = VIR_STORAGE_POOL_NETFS_GLUSTERFS;
        src->dir = g_strdup(volume);
    } else {
        src->name = g_strdup(volume);
        src->dir = g_strdup("/");
    }
    src->hosts = g_new0(virStoragePoolSourceHost, 1);
    src->nhost = 1;
    src->hosts[0].name = g_strdup(host);
    return 0;
}


static int
virStorageGlusterCheckOpRet(xmlXPathContextPtr ctxt,
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
virStorageGlusterParseVolumeInfo(const char *output,
                                 const char *host,
                                 virStoragePoolType type,
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

    if (virStorageGlusterCheckOpRet(ctxt, host) < 0)
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

        if (virStorageGlusterAddSource(list, host, type, name) < 0)
            return -1;
    }

    return 0;
}


int
virStorageGlusterListVolumes(const char *host,
                             virStoragePoolType type,
                             virStoragePoolSourceList *list)
{
    g_autoptr(virCommand) cmd = virStorageGlusterBuildVolumeInfo(host);
    g_autofree char *path = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *what = g_strdup_printf(_("cannot list the gluster volumes of host '%s'"),
                                            host);
    int exitstatus;

    if (!(path = virFindFileInPath(VIR_STORAGE_GLUSTER_CLI))) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot list the gluster volumes of host '%s': 'gluster' is not installed (package glusterfs-cli)"),
                       host);
        return -1;
    }

    if ((exitstatus = virStorageCommandRunLimited(cmd, VIR_STORAGE_GLUSTER_SOURCES_TIME_LIMIT,
                                                  what, &out, &err, NULL)) < 0)
        return -1;

    if (exitstatus != 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot list the gluster volumes of host '%s': gluster exited with status %d: %s"),
                       host, exitstatus, g_strstrip(*err ? err : out));
        return -1;
    }

    return virStorageGlusterParseVolumeInfo(out, host, type, list);
}


char *
virStorageGlusterFindPoolSources(const char *srcSpec,
                                 unsigned int flags)
{
    g_autoptr(virStoragePoolSource) source = NULL;
    g_autoptr(virStoragePoolSourceList) list = NULL;
    const char *host;

    virCheckFlags(0, NULL);

    if (!srcSpec) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("gluster source discovery needs the server: give <source><host name='...'/></source>"));
        return NULL;
    }

    if (!(source = virStoragePoolDefParseSourceString(srcSpec,
                                                      VIR_STORAGE_POOL_GLUSTER)))
        return NULL;

    if (source->nhost != 1 || !source->hosts[0].name || !*source->hosts[0].name) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("gluster source discovery needs exactly one host: give <source><host name='...'/></source>"));
        return NULL;
    }
    host = source->hosts[0].name;

    if (*host == '-') {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("host '%s' starts with '-', which the gluster CLI would read as an option: give the server's name or address"),
                       host);
        return NULL;
    }

    list = g_new0(virStoragePoolSourceList, 1);
    list->type = VIR_STORAGE_POOL_GLUSTER;

    if (virStorageGlusterListVolumes(host, VIR_STORAGE_POOL_GLUSTER, list) < 0)
        return NULL;

    if (list->nsources == 0) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("Gluster server '%s' has no volume: create and start one ('gluster volume create', 'gluster volume start') first"),
                       host);
        return NULL;
    }

    return virStoragePoolSourceListFormat(list);
}
