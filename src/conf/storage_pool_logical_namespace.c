/*
 * storage_pool_logical_namespace.c: the lvm XML namespace of logical pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include <libxml/xpathInternals.h>

#include "storage_pool_logical_namespace.h"
#include "virerror.h"
#include "virxml.h"
#include "virbuffer.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

/*
 * A logical pool may name an LVM thin pool of its volume group:
 *
 *   <pool type='logical'
 *         xmlns:lvm='urn:uuid:fcd4cee9-111b-4922-96b0-1ade8aed05b8'>
 *     ...
 *     <lvm:thinpool name='tp0'/>
 *   </pool>
 *
 * Volumes created in the pool are then thin LVs of tp0.  The namespace is
 * ours, not libvirt's: libvirt 9.0's pool parser keeps the element only
 * when our module registered the namespace.  The pool parser binds the URI to the
 * prefix "lvm" on its XPath context, whatever prefix the document used;
 * our parser binds the old placeholder URI to a prefix of its own too, so
 * that an element in either namespace is read, and libvirt writes the pool
 * back with the current URI.
 */

#define VIR_STORAGE_POOL_LOGICAL_NAMESPACE_PREFIX "lvm"
#define VIR_STORAGE_POOL_LOGICAL_NAMESPACE_PREFIX_OLD "lvmold"


void
virStoragePoolLogicalNSDefFree(virStoragePoolLogicalNSDef *def)
{
    if (!def)
        return;
    g_free(def->thinPool);
    g_free(def);
}


static void
virStoragePoolLogicalNamespaceFree(void *nsdata)
{
    virStoragePoolLogicalNSDefFree(nsdata);
}


/* An LV name as lvm2 takes it: no '/', not "." or "..", not empty. */
static int
virStoragePoolLogicalThinPoolNameCheck(const char *name)
{
    if (!name || !*name) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("<lvm:thinpool> needs a 'name' attribute: the name of a thin pool LV of the volume group"));
        return -1;
    }

    if (strchr(name, '/') || STREQ(name, ".") || STREQ(name, "..")) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("<lvm:thinpool> name '%s' is not an LV name: give the thin pool's name without its volume group"),
                       name);
        return -1;
    }

    return 0;
}


static int
virStoragePoolLogicalNamespaceParse(xmlXPathContextPtr ctxt,
                                    void **nsdata)
{
    g_autofree xmlNodePtr *nodes = NULL;
    g_autoptr(virStoragePoolLogicalNSDef) def = NULL;
    g_autofree char *name = NULL;
    int nnodes;

    if (xmlXPathRegisterNs(ctxt,
                           BAD_CAST VIR_STORAGE_POOL_LOGICAL_NAMESPACE_PREFIX_OLD,
                           BAD_CAST VIR_STORAGE_POOL_LOGICAL_NAMESPACE_HREF_OLD) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("cannot bind the old lvm namespace URI on the pool's XPath context"));
        return -1;
    }

    if ((nnodes = virXPathNodeSet("./lvm:thinpool | ./lvmold:thinpool",
                                  ctxt, &nodes)) < 0)
        return -1;

    if (nnodes == 0)
        return 0;

    if (nnodes > 1) {
        virReportError(VIR_ERR_XML_ERROR, "%s",
                       _("a logical pool names at most one <lvm:thinpool>"));
        return -1;
    }

    name = virXMLPropString(nodes[0], "name");
    if (virStoragePoolLogicalThinPoolNameCheck(name) < 0)
        return -1;

    def = g_new0(virStoragePoolLogicalNSDef, 1);
    def->thinPool = g_steal_pointer(&name);
    *nsdata = g_steal_pointer(&def);
    return 0;
}


static int
virStoragePoolLogicalNamespaceFormat(virBuffer *buf,
                                     void *nsdata)
{
    const virStoragePoolLogicalNSDef *def = nsdata;

    if (!def || !def->thinPool)
        return 0;

    virBufferEscapeString(buf, "<lvm:thinpool name='%s'/>\n", def->thinPool);
    return 0;
}


static virXMLNamespace virStoragePoolLogicalNamespace = {
    .parse = virStoragePoolLogicalNamespaceParse,
    .free = virStoragePoolLogicalNamespaceFree,
    .format = virStoragePoolLogicalNamespaceFormat,
    .prefix = VIR_STORAGE_POOL_LOGICAL_NAMESPACE_PREFIX,
    .uri = VIR_STORAGE_POOL_LOGICAL_NAMESPACE_HREF,
};


int
virStoragePoolLogicalNamespaceRegister(void)
{
    if (virStoragePoolOptionsPoolTypeSetXMLNamespace(VIR_STORAGE_POOL_LOGICAL,
                                                     &virStoragePoolLogicalNamespace) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("cannot register the lvm XML namespace for logical pools"));
        return -1;
    }

    return 0;
}


const char *
virStoragePoolLogicalThinPoolGet(const virStoragePoolDef *def)
{
    const virStoragePoolLogicalNSDef *ns;

    if (def->type != VIR_STORAGE_POOL_LOGICAL || !(ns = def->namespaceData))
        return NULL;

    return ns->thinPool;
}
