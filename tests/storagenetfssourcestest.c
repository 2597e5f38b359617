/*
 * storagenetfssourcestest.c: netfs and gluster source discovery, the
 * showmount and gluster command lines and the parsers of their output
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parser cases read storagenetfssourcesdata/<input>, parse it with
 * storage_netfs_sources.c for host HOST, format the list with
 * virStoragePoolSourceListFormat and compare with
 * storagenetfssourcesdata/<case>.out.xml.  Cases with an error code must
 * be refused with it (and have no .out.xml).
 *
 * Builder cases compare with <case>.argv, one argument per line (the
 * command as virCommandToString renders it, split with the shell's
 * quoting rules).
 *
 * Discovery cases call virStorageNetfsFindPoolSources (and
 * virStorageGlusterFindPoolSources) with source XML that must be refused
 * before any tool runs.
 *
 * VIR_TEST_REGENERATE_OUTPUT=1 rewrites the .out.xml and .argv files;
 * review the diff before committing it.
 */

#include <config.h>

#include "storage_netfs_sources.h"
#include "storage_gluster_sources.h"
#include "lvsbtestutils.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

#define HOST "nfs.example.com"

typedef enum {
    PARSE_SHOWMOUNT,
    PARSE_GLUSTER,
    PARSE_GLUSTER_POOL,
} testParser;

typedef struct {
    const char *name;       /* case name, and .out.xml file name */
    testParser parser;
    const char *input;      /* file in the data dir */
    int error;              /* expected error code, or 0 */
} testParseCase;

typedef struct {
    const char *name;
    const char *srcSpec;
    unsigned int flags;
    int error;
    bool gluster;           /* the gluster pool's callback, not netfs' */
} testFindCase;


static void
testParse(const void *opaque)
{
    const testParseCase *info = opaque;
    g_autofree char *path = lvsbTestDataPath(info->input, "");
    g_autofree char *outPath = lvsbTestDataPath(info->name, ".out.xml");
    g_autofree char *text = NULL;
    g_autoptr(virStoragePoolSourceList) list = g_new0(virStoragePoolSourceList, 1);
    g_autofree char *xml = NULL;
    int rc;

    if (!(text = lvsbTestLoadFile(path)))
        return;

    list->type = info->parser == PARSE_GLUSTER_POOL ? VIR_STORAGE_POOL_GLUSTER :
                                                      VIR_STORAGE_POOL_NETFS;
    virResetLastError();

    switch (info->parser) {
    case PARSE_SHOWMOUNT:
        rc = virStorageNetfsParseShowmount(text, HOST, list);
        break;
    case PARSE_GLUSTER:
    case PARSE_GLUSTER_POOL:
        rc = virStorageGlusterParseVolumeInfo(text, HOST, list->type, list);
        break;
    default:
        g_assert_not_reached();
    }

    if (info->error) {
        g_assert_cmpint(rc, ==, -1);
        lvsbTestExpectError(info->name, info->error, NULL);
        return;
    }

    if (rc < 0) {
        g_test_message("%s: parser failed: %s", info->name,
                       virGetLastErrorMessage());
        g_test_fail();
        return;
    }

    if (!(xml = virStoragePoolSourceListFormat(list))) {
        g_test_message("%s: cannot format: %s", info->name,
                       virGetLastErrorMessage());
        g_test_fail();
        return;
    }
    lvsbTestCompareToFile(xml, outPath);
}


static void
testBuildShowmount(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virCommand) cmd = virStorageNetfsBuildShowmount(HOST);

    lvsbTestCompareCommandToFile(cmd, "showmount");
}


static void
testBuildGluster(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virCommand) cmd = virStorageGlusterBuildVolumeInfo("127.0.0.1");

    lvsbTestCompareCommandToFile(cmd, "gluster");
}


static void
testFindRefused(const void *opaque)
{
    const testFindCase *info = opaque;
    g_autofree char *xml = NULL;

    virResetLastError();
    if (info->gluster)
        xml = virStorageGlusterFindPoolSources(info->srcSpec, info->flags);
    else
        xml = virStorageNetfsFindPoolSources(info->srcSpec, info->flags);
    if (xml) {
        g_test_message("%s: expected a refusal, got '%s'", info->name, xml);
        g_test_fail();
        return;
    }
    lvsbTestExpectError(info->name, info->error, NULL);
}


static const testParseCase parseTests[] = {
    { "showmount-exports", PARSE_SHOWMOUNT, "showmount-exports.txt", 0 },
    { "showmount-headers", PARSE_SHOWMOUNT, "showmount-headers.txt", 0 },
    { "showmount-empty", PARSE_SHOWMOUNT, "showmount-empty.txt", 0 },
    { "showmount-noclients", PARSE_SHOWMOUNT, "showmount-noclients.txt",
      VIR_ERR_OPERATION_FAILED },
    { "showmount-error", PARSE_SHOWMOUNT, "showmount-error.txt",
      VIR_ERR_OPERATION_FAILED },
    { "gluster-two", PARSE_GLUSTER, "gluster-two.xml", 0 },
    { "gluster-empty", PARSE_GLUSTER, "gluster-empty.xml", 0 },
    { "gluster-pool-two", PARSE_GLUSTER_POOL, "gluster-two.xml", 0 },
    { "gluster-pool-nosuchvol", PARSE_GLUSTER_POOL, "gluster-nosuchvol.xml",
      VIR_ERR_OPERATION_FAILED },
    { "gluster-nosuchvol", PARSE_GLUSTER, "gluster-nosuchvol.xml",
      VIR_ERR_OPERATION_FAILED },
    { "gluster-noname", PARSE_GLUSTER, "gluster-noname.xml",
      VIR_ERR_OPERATION_FAILED },
    { "gluster-otherroot", PARSE_GLUSTER, "gluster-otherroot.xml",
      VIR_ERR_OPERATION_FAILED },
    { "gluster-truncated", PARSE_GLUSTER, "gluster-truncated.xml",
      VIR_ERR_XML_DETAIL },
    { "gluster-notxml", PARSE_GLUSTER, "gluster-notxml.txt",
      VIR_ERR_XML_DETAIL },
};

static const testFindCase findTests[] = {
    { "no-spec", NULL, 0, VIR_ERR_INVALID_ARG },
    { "no-host", "<source><dir path='/export'/></source>", 0,
      VIR_ERR_INVALID_ARG },
    { "two-hosts",
      "<source><host name='a.example.com'/><host name='b.example.com'/></source>",
      0, VIR_ERR_INVALID_ARG },
    { "cifs", "<source><host name='" HOST "'/><format type='cifs'/></source>",
      0, VIR_ERR_CONFIG_UNSUPPORTED },
    { "bad-flags", "<source><host name='" HOST "'/></source>", 1,
      VIR_ERR_INVALID_ARG },
    /* refused before showmount or gluster could read it as an option */
    { "dash-host-nfs", "<source><host name='-V'/><format type='nfs'/></source>",
      0, VIR_ERR_INVALID_ARG },
    { "dash-host-any", "<source><host name='-h'/></source>", 0,
      VIR_ERR_INVALID_ARG },
    /* the gluster pool's */
    { "gluster-no-spec", NULL, 0, VIR_ERR_INVALID_ARG, true },
    { "gluster-no-host", "<source><name>gv0</name></source>", 0,
      VIR_ERR_INVALID_ARG, true },
    { "gluster-two-hosts",
      "<source><host name='a.example.com'/><host name='b.example.com'/></source>",
      0, VIR_ERR_INVALID_ARG, true },
    { "gluster-dash-host", "<source><host name='--help'/></source>", 0,
      VIR_ERR_INVALID_ARG, true },
    { "gluster-bad-flags", "<source><host name='" HOST "'/></source>", 1,
      VIR_ERR_INVALID_ARG, true },
};


int
main(int argc, char **argv)
{
    lvsbTestInit(&argc, &argv);
    lvsbTestSetDataDir("storagenetfssourcesdata");

    LVSB_TEST_ADD_CASES("/netfs-sources/parse", parseTests, testParse);

    g_test_add_data_func("/netfs-sources/build/showmount", NULL,
                         testBuildShowmount);
    g_test_add_data_func("/netfs-sources/build/gluster", NULL,
                         testBuildGluster);

    LVSB_TEST_ADD_CASES("/netfs-sources/find", findTests, testFindRefused);

    return g_test_run();
}
