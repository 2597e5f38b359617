/*
 * storage_pool_fs_namespace.c: the fs XML namespace of fs and netfs pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_pool_fs_namespace.h"
#include "storage_pool_fs_mount_options.h"
#include "virerror.h"
#include "virxml.h"
#include "virbuffer.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

/*
 * The namespace lets a fs or netfs pool pass extra options to mount(8):
 *
 *   <pool type='netfs' xmlns:fs='http://libvirt.org/schemas/storagepool/fs/1.0'>
 *     ...
 *     <fs:mount_opts>
 *       <fs:option name='noatime'/>
 *     </fs:mount_opts>
 *   </pool>
 *
 * The pool parser registers the URI under the prefix "fs" on its XPath
 * context before calling us, so the queries below match whatever prefix
 * the document itself used for that URI.
 *
 * Each option must be on the allow-list of storage_pool_fs_mount_options.c:
 * the pool is refused at define time otherwise, naming the option.
 */

#define VIR_STORAGE_POOL_FS_NAMESPACE_PREFIX "fs"


void
virStoragePoolFSMountOptsFree(virStoragePoolFSMountOpts *opts)
{
    size_t i;

    if (!opts)
        return;

    for (i = 0; i < opts->noptions; i++)
        g_free(opts->options[i]);
    g_free(opts->options);
    g_free(opts);
}


static void
virStoragePoolFSNamespaceFree(void *nsdata)
{
    virStoragePoolFSMountOptsFree(nsdata);
}


/* The name of one <fs:option>, or NULL after reporting why it is unusable. */
static char *
virStoragePoolFSOptionParseName(xmlNodePtr node,
                                virStoragePoolType type,
                                const char *poolname)
{
    g_autofree char *name = virXMLPropString(node, "name");

    if (!name) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("<fs:option> in <fs:mount_opts> has no 'name' attribute: give each mount option as <fs:option name='...'/>"));
        return NULL;
    }

    if (*name == '\0') {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("<fs:option> in <fs:mount_opts> has an empty 'name' attribute: remove it or name a mount option"));
        return NULL;
    }

    if (virStoragePoolFSMountOptionCheck(type, poolname, name) < 0)
        return NULL;

    return g_steal_pointer(&name);
}


static int
virStoragePoolFSNamespaceParse(xmlXPathContextPtr ctxt,
                               void **nsdata)
{
    g_autofree xmlNodePtr *nodes = NULL;
    virStoragePoolFSMountOpts *opts = NULL;
    g_autofree char *typestr = NULL;
    g_autofree char *poolname = NULL;
    int type;
    int nnodes;
    size_t i;

    nnodes = virXPathNodeSet("./fs:mount_opts/fs:option", ctxt, &nodes);
    if (nnodes < 0)
        return -1;

    /* No options: leave the pool without namespace data, so that the
     * formatter emits neither xmlns:fs nor an empty <fs:mount_opts>. */
    if (nnodes == 0)
        return 0;

    /* libvirt's parser read both before calling us, and registers the
     * namespace only for fs and netfs pools */
    typestr = virXPathString("string(./@type)", ctxt);
    poolname = virXPathString("string(./name)", ctxt);
    type = typestr ? virStoragePoolTypeFromString(typestr) : -1;
    if (type != VIR_STORAGE_POOL_FS && type != VIR_STORAGE_POOL_NETFS) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("fs XML namespace used by pool '%s' of type '%s'"),
                       NULLSTR(poolname), NULLSTR(typestr));
        return -1;
    }

    opts = g_new0(virStoragePoolFSMountOpts, 1);
    opts->options = g_new0(char *, nnodes);

    for (i = 0; i < nnodes; i++) {
        if (!(opts->options[i] = virStoragePoolFSOptionParseName(nodes[i], type,
                                                                 NULLSTR(poolname)))) {
            virStoragePoolFSMountOptsFree(opts);
            return -1;
        }
        opts->noptions++;
    }

    *nsdata = opts;
    return 0;
}


static int
virStoragePoolFSNamespaceFormat(virBuffer *buf,
                                void *nsdata)
{
    const virStoragePoolFSMountOpts *opts = nsdata;
    size_t i;

    if (!opts || opts->noptions == 0)
        return 0;

    virBufferAddLit(buf, "<fs:mount_opts>\n");
    virBufferAdjustIndent(buf, 2);
    for (i = 0; i < opts->noptions; i++)
        virBufferEscapeString(buf, "<fs:option name='%s'/>\n", opts->options[i]);
    virBufferAdjustIndent(buf, -2);
    virBufferAddLit(buf, "</fs:mount_opts>\n");

    return 0;
}


static virXMLNamespace virStoragePoolFSNamespace = {
    .parse = virStoragePoolFSNamespaceParse,
    .free = virStoragePoolFSNamespaceFree,
    .format = virStoragePoolFSNamespaceFormat,
    .prefix = VIR_STORAGE_POOL_FS_NAMESPACE_PREFIX,
    .uri = VIR_STORAGE_POOL_FS_NAMESPACE_HREF,
};


static int
virStoragePoolFSNamespaceRegisterType(virStoragePoolType type)
{
    if (virStoragePoolOptionsPoolTypeSetXMLNamespace(type,
                                                     &virStoragePoolFSNamespace) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("cannot register the fs XML namespace for '%s' pools"),
                       virStoragePoolTypeToString(type));
        return -1;
    }

    return 0;
}


int
virStoragePoolFSNamespaceRegister(void)
{
    if (virStoragePoolFSNamespaceRegisterType(VIR_STORAGE_POOL_FS) < 0 ||
        virStoragePoolFSNamespaceRegisterType(VIR_STORAGE_POOL_NETFS) < 0)
        return -1;

    return 0;
}


const virStoragePoolFSMountOpts *
virStoragePoolFSMountOptsGet(const virStoragePoolDef *def)
{
    if (def->type != VIR_STORAGE_POOL_FS &&
        def->type != VIR_STORAGE_POOL_NETFS)
        return NULL;

    return def->namespaceData;
}
