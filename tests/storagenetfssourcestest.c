/*
 * storagenetfssourcestest.c: netfs source discovery, its showmount and
 * gluster command lines and the parsers of their output
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
 * Discovery cases call virStorageNetfsFindPoolSources with source XML
 * that must be refused before any tool runs.
 *
 * VIR_TEST_REGENERATE_OUTPUT=1 rewrites the .out.xml and .argv files;
 * review the diff before committing it.
 */

#include <config.h>

#include "storage_netfs_sources.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

#define HOST "nfs.example.com"

typedef enum {
    PARSE_SHOWMOUNT,
    PARSE_GLUSTER,
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
} testFindCase;


static const char *dataDir;


static void
testQuietErrorFunc(void *opaque G_GNUC_UNUSED,
                   virErrorPtr err G_GNUC_UNUSED)
{
}


static char *
testDataPath(const char *name, const char *suffix)
{
    return g_strdup_printf("%s/%s%s", dataDir, name, suffix);
}


static char *
testReadData(const char *file)
{
    g_autofree char *path = g_build_filename(dataDir, file, NULL);
    g_autoptr(GError) err = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &err))
        g_error("cannot read %s: %s", path, err->message);
    return text;
}


static void
testCompareFile(const char *name, const char *suffix, const char *actual)
{
    g_autofree char *path = testDataPath(name, suffix);
    g_autofree char *expected = NULL;
    g_autoptr(GError) err = NULL;

    if (g_getenv("VIR_TEST_REGENERATE_OUTPUT") &&
        !g_file_set_contents(path, actual, -1, &err))
        g_error("cannot write %s: %s", path, err->message);

    if (!g_file_get_contents(path, &expected, NULL, &err))
        g_error("cannot read %s: %s", path, err->message);

    g_assert_cmpstr(actual, ==, expected);
}


static void
testExpectError(const char *name, int code)
{
    const char *msg = virGetLastErrorMessage();

    if (virGetLastErrorCode() != code)
        g_error("%s: expected error code %d, got %d: %s",
                name, code, virGetLastErrorCode(), msg);
    g_test_message("%s refused: %s", name, msg);
}


static void
testParse(const void *opaque)
{
    const testParseCase *info = opaque;
    g_autofree char *text = testReadData(info->input);
    g_autoptr(virStoragePoolSourceList) list = g_new0(virStoragePoolSourceList, 1);
    g_autofree char *xml = NULL;
    int rc;

    list->type = VIR_STORAGE_POOL_NETFS;
    virResetLastError();

    switch (info->parser) {
    case PARSE_SHOWMOUNT:
        rc = virStorageNetfsParseShowmount(text, HOST, list);
        break;
    case PARSE_GLUSTER:
        rc = virStorageNetfsParseGlusterInfo(text, HOST, list);
        break;
    default:
        g_assert_not_reached();
    }

    if (info->error) {
        g_assert_cmpint(rc, ==, -1);
        testExpectError(info->name, info->error);
        return;
    }

    if (rc < 0)
        g_error("%s: parser failed: %s", info->name, virGetLastErrorMessage());

    if (!(xml = virStoragePoolSourceListFormat(list)))
        g_error("%s: cannot format: %s", info->name, virGetLastErrorMessage());
    testCompareFile(info->name, ".out.xml", xml);
}


static char *
testArgvLines(virCommand *cmd)
{
    g_autofree char *str = virCommandToString(cmd, false);
    g_auto(GStrv) argv = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *joined = NULL;

    g_assert_nonnull(str);
    if (!g_shell_parse_argv(str, NULL, &argv, &err))
        g_error("cannot split '%s': %s", str, err->message);

    joined = g_strjoinv("\n", argv);
    return g_strconcat(joined, "\n", NULL);
}


static void
testBuildShowmount(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virCommand) cmd = virStorageNetfsBuildShowmount(HOST);
    g_autofree char *argv = testArgvLines(cmd);

    testCompareFile("showmount", ".argv", argv);
}


static void
testBuildGluster(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virCommand) cmd = virStorageNetfsBuildGlusterInfo("127.0.0.1");
    g_autofree char *argv = testArgvLines(cmd);

    testCompareFile("gluster", ".argv", argv);
}


static void
testFindRefused(const void *opaque)
{
    const testFindCase *info = opaque;
    g_autofree char *xml = NULL;

    virResetLastError();
    xml = virStorageNetfsFindPoolSources(info->srcSpec, info->flags);
    if (xml)
        g_error("%s: expected a refusal, got '%s'", info->name, xml);
    testExpectError(info->name, info->error);
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
};


int
main(int argc, char **argv)
{
    const char *srcdir = g_getenv("abs_srcdir");
    g_autofree char *dir = NULL;
    size_t i;

    g_test_init(&argc, &argv, NULL);

    if (virInitialize() < 0)
        g_error("cannot initialize libvirt");
    virSetErrorFunc(NULL, testQuietErrorFunc);

    if (!srcdir)
        g_error("abs_srcdir is not set: run this test with meson test");
    dir = g_build_filename(srcdir, "storagenetfssourcesdata", NULL);
    dataDir = dir;

    for (i = 0; i < G_N_ELEMENTS(parseTests); i++) {
        g_autofree char *path = g_strdup_printf("/netfs-sources/parse/%s",
                                                parseTests[i].name);
        g_test_add_data_func(path, &parseTests[i], testParse);
    }

    g_test_add_data_func("/netfs-sources/build/showmount", NULL,
                         testBuildShowmount);
    g_test_add_data_func("/netfs-sources/build/gluster", NULL,
                         testBuildGluster);

    for (i = 0; i < G_N_ELEMENTS(findTests); i++) {
        g_autofree char *path = g_strdup_printf("/netfs-sources/find/%s",
                                                findTests[i].name);
        g_test_add_data_func(path, &findTests[i], testFindRefused);
    }

    return g_test_run();
}
