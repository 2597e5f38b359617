/*
 * storagerbdclustertest.c: the monitors of an rbd pool as librados'
 * mon_host takes them (src/storage/storage_rbd_cluster.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every <host> of the pool is one monitor, in order, with its port when
 * the XML gives one; an IPv6 address goes in brackets.  A host name that
 * could smuggle another monitor in (a ',' or a space) is refused.
 */

#include <config.h>

#include <glib.h>

#include "storage_rbd_cluster.h"
#include "storage_pool_rbd_namespace.h"
#include "lvsbtestutils.h"

typedef struct {
    const char *name;
    const char *hosts;      /* <host> elements of the pool XML */
    const char *monhost;    /* NULL: refused */
    const char *msgPart;    /* part of the refusal */
} testMonHostCase;

static const testMonHostCase testMonHostCases[] = {
    { "one-host", "<host name='mon1.example.com'/>", "mon1.example.com", NULL },
    { "ports",
      "<host name='10.0.0.1' port='6789'/><host name='10.0.0.2' port='3300'/>",
      "10.0.0.1:6789,10.0.0.2:3300", NULL },
    { "ipv6",
      "<host name='2001:db8::3' port='6789'/><host name='fe80::1'/>",
      "[2001:db8::3]:6789,[fe80::1]", NULL },
    { "mixed",
      "<host name='10.0.0.1' port='6789'/><host name='mon3'/><host name='::1' port='3300'/>",
      "10.0.0.1:6789,mon3,[::1]:3300", NULL },
    { "comma", "<host name='10.0.0.1,10.6.6.6'/>", NULL, "10.0.0.1,10.6.6.6" },
    { "space", "<host name='mon1 mon2'/>", NULL, "mon1 mon2" },
    { "brackets", "<host name='[::1]'/>", NULL, "[::1]" },
};


static void
testMonHost(const void *opaque)
{
    const testMonHostCase *tc = opaque;
    g_autofree char *xml = g_strdup_printf("<pool type='rbd'><name>p-%s</name>"
                                           "<source>%s<name>rbd</name></source></pool>",
                                           tc->name, tc->hosts);
    g_autoptr(virStoragePoolDef) def = NULL;
    g_autofree char *monhost = NULL;

    if (!(def = virStoragePoolDefParse(xml, NULL, 0))) {
        g_test_message("cannot parse %s: %s", xml, virGetLastErrorMessage());
        g_test_fail();
        return;
    }

    virResetLastError();
    monhost = virStorageRBDClusterMonHost(def);
    if (!tc->monhost) {
        if (monhost) {
            g_test_message("%s accepted as '%s'", tc->hosts, monhost);
            g_test_fail();
            return;
        }
        lvsbTestExpectError(tc->name, VIR_ERR_CONFIG_UNSUPPORTED, tc->msgPart);
        return;
    }

    if (!monhost) {
        g_test_message("%s refused: %s", tc->hosts, virGetLastErrorMessage());
        g_test_fail();
        return;
    }
    g_assert_cmpstr(monhost, ==, tc->monhost);
}


int
main(int argc,
     char **argv)
{
    lvsbTestInit(&argc, &argv);

    if (virStoragePoolRBDNamespaceRegister() < 0) {
        g_printerr("cannot register the rbd namespace: %s\n", virGetLastErrorMessage());
        return EXIT_FAILURE;
    }

    LVSB_TEST_ADD_CASES("/rbdcluster/monhost", testMonHostCases, testMonHost);

    return lvsbTestRun();
}
