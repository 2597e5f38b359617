/*
 * storage_pool_rbd_namespace.c: the rbd XML namespace of rbd pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_pool_rbd_namespace.h"
#include "virerror.h"
#include "virxml.h"
#include "virbuffer.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

/*
 * libvirt 9.0's namespace for librados options of an rbd pool:
 *
 *   <pool type='rbd' xmlns:rbd='http://libvirt.org/schemas/storagepool/rbd/1.0'>
 *     ...
 *     <rbd:config_opts>
 *       <rbd:option name='rbd_cache' value='false'/>
 *     </rbd:config_opts>
 *   </pool>
 *
 * Each option is set with rados_conf_set() on the pool's cluster handle
 * before it connects.  The daemon runs librados as root, so an option
 * that names a host file or directory (a log file, an admin socket, a
 * keyring, a cache path) would let a client that may define pools make
 * the daemon create or read files of its choosing: such options are
 * refused here.  Ceph treats ' ', '-' and '_' alike in option names, so
 * the check does too.
 */

#define VIR_STORAGE_POOL_RBD_NAMESPACE_PREFIX "rbd"

/* Names (normalized to '_') that are host files, or end so. */
static const char *virStoragePoolRBDFileOptionSuffixes[] = {
    "_file", "_path", "_dir", "_socket", "_sock", "keyring", "keyfile", "conf",
};


void
virStoragePoolRBDConfigOptsFree(virStoragePoolRBDConfigOpts *opts)
{
    size_t i;

    if (!opts)
        return;

    for (i = 0; i < opts->noptions; i++) {
        g_free(opts->names[i]);
        g_free(opts->values[i]);
    }
    g_free(opts->names);
    g_free(opts->values);
    g_free(opts);
}


static void
virStoragePoolRBDNamespaceFree(void *nsdata)
{
    virStoragePoolRBDConfigOptsFree(nsdata);
}


static bool
virStoragePoolRBDOptionNamesFile(const char *name)
{
    g_autofree char *norm = g_ascii_strdown(name, -1);
    size_t i;

    g_strdelimit(norm, " -", '_');
    for (i = 0; i < G_N_ELEMENTS(virStoragePoolRBDFileOptionSuffixes); i++) {
        if (g_str_has_suffix(norm, virStoragePoolRBDFileOptionSuffixes[i]))
            return true;
    }

    return false;
}


/* Checks one <rbd:option>; reports and returns -1 when it is unusable. */
static int
virStoragePoolRBDOptionCheck(const char *name,
                             const char *value)
{
    if (!name) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("<rbd:option> in <rbd:config_opts> has no 'name' attribute: give each option as <rbd:option name='...' value='...'/>"));
        return -1;
    }

    if (*name == '\0') {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("<rbd:option> in <rbd:config_opts> has an empty 'name' attribute: remove it or name a librados option"));
        return -1;
    }

    if (!value) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("<rbd:option name='%s'> has no 'value' attribute: give the option's value as value='...'"),
                       name);
        return -1;
    }

    if (*value == '\0') {
        virReportError(VIR_ERR_XML_ERROR,
                       _("<rbd:option name='%s'> has an empty 'value' attribute: remove the option or give it a value"),
                       name);
        return -1;
    }

    if (virStoragePoolRBDOptionNamesFile(name)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("librados option '%s' names a file or directory of the host, which rbd pools do not accept: the daemon would open it as root; remove the option"),
                       name);
        return -1;
    }

    return 0;
}


static int
virStoragePoolRBDNamespaceParse(xmlXPathContextPtr ctxt,
                                void **nsdata)
{
    g_autofree xmlNodePtr *nodes = NULL;
    g_autoptr(virStoragePoolRBDConfigOpts) opts = NULL;
    int nnodes;
    size_t i;

    if ((nnodes = virXPathNodeSet("./rbd:config_opts/rbd:option", ctxt, &nodes)) < 0)
        return -1;

    /* No options: no namespace data, so that the formatter writes neither
     * xmlns:rbd nor an empty <rbd:config_opts>, as libvirt 9.0 does. */
    if (nnodes == 0)
        return 0;

    opts = g_new0(virStoragePoolRBDConfigOpts, 1);
    opts->names = g_new0(char *, nnodes);
    opts->values = g_new0(char *, nnodes);

    for (i = 0; i < nnodes; i++) {
        g_autofree char *name = virXMLPropString(nodes[i], "name");
        g_autofree char *value = virXMLPropString(nodes[i], "value");

        if (virStoragePoolRBDOptionCheck(name, value) < 0)
            return -1;

        opts->names[opts->noptions] = g_steal_pointer(&name);
        opts->values[opts->noptions] = g_steal_pointer(&value);
        opts->noptions++;
    }

    *nsdata = g_steal_pointer(&opts);
    return 0;
}


static int
virStoragePoolRBDNamespaceFormat(virBuffer *buf,
                                 void *nsdata)
{
    const virStoragePoolRBDConfigOpts *opts = nsdata;
    size_t i;

    if (!opts || opts->noptions == 0)
        return 0;

    virBufferAddLit(buf, "<rbd:config_opts>\n");
    virBufferAdjustIndent(buf, 2);
    for (i = 0; i < opts->noptions; i++) {
        virBufferEscapeString(buf, "<rbd:option name='%s'", opts->names[i]);
        virBufferEscapeString(buf, " value='%s'/>\n", opts->values[i]);
    }
    virBufferAdjustIndent(buf, -2);
    virBufferAddLit(buf, "</rbd:config_opts>\n");

    return 0;
}


static virXMLNamespace virStoragePoolRBDNamespace = {
    .parse = virStoragePoolRBDNamespaceParse,
    .free = virStoragePoolRBDNamespaceFree,
    .format = virStoragePoolRBDNamespaceFormat,
    .prefix = VIR_STORAGE_POOL_RBD_NAMESPACE_PREFIX,
    .uri = VIR_STORAGE_POOL_RBD_NAMESPACE_HREF,
};


int
virStoragePoolRBDNamespaceRegister(void)
{
    if (virStoragePoolOptionsPoolTypeSetXMLNamespace(VIR_STORAGE_POOL_RBD,
                                                     &virStoragePoolRBDNamespace) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("cannot register the rbd XML namespace for rbd pools"));
        return -1;
    }

    return 0;
}


const virStoragePoolRBDConfigOpts *
virStoragePoolRBDConfigOptsGet(const virStoragePoolDef *def)
{
    if (def->type != VIR_STORAGE_POOL_RBD)
        return NULL;

    return def->namespaceData;
}
