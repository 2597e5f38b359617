/*
 * storagepoolxml2xmltest.c: round trip of dir, fs and netfs pool XML
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every tests/storagepoolxml2xmldata/NAME.xml is parsed by libvirt's own
 * pool parser with our fs namespace registered, formatted again and
 * compared with NAME.out.xml; NAME.out.xml must then survive a second
 * round trip unchanged.  Every NAME-invalid.xml must be refused with the
 * error message stored in NAME-invalid.err.
 *
 * A fixture without <uuid> gets a random one from the parser; the test
 * replaces it with TEST_FIXED_UUID so the output can be compared.
 */

#include <config.h>

#include <glib.h>

#include "internal.h"
#include "storage_conf.h"
#include "viruuid.h"
#include "storage_pool_fs_namespace.h"
#include "storage_pool_fs_mount_options.h"
#include "storage_pool_logical_namespace.h"
#include "storage_pool_rbd_namespace.h"
#include "lvsbtestutils.h"

#include <libxml/relaxng.h>

#define VIR_FROM_THIS VIR_FROM_STORAGE

#define TEST_DATA_DIR "storagepoolxml2xmldata"
#define TEST_FIXED_UUID "00000000-0000-4000-8000-000000000000"
#define TEST_INVALID_SUFFIX "-invalid.xml"
#define TEST_OUTPUT_SUFFIX ".out.xml"


/* Parse @xml, pin the uuid if the XML has none, and format it again.
 * NULL when that fails (the test has then failed). */
static char *
testRoundTrip(const char *xml,
              const char *what)
{
    g_autoptr(virStoragePoolDef) def = NULL;
    char *formatted;

    virResetLastError();
    if (!(def = virStoragePoolDefParse(xml, NULL, 0))) {
        g_test_message("%s: parse failed: %s", what, virGetLastErrorMessage());
        g_test_fail();
        return NULL;
    }

    if (!strstr(xml, "<uuid>") &&
        virUUIDParse(TEST_FIXED_UUID, def->uuid) < 0) {
        g_test_message("%s: cannot pin the uuid", what);
        g_test_fail();
        return NULL;
    }

    if (!(formatted = virStoragePoolDefFormat(def))) {
        g_test_message("%s: format failed: %s", what, virGetLastErrorMessage());
        g_test_fail();
    }

    return formatted;
}


static void
testPoolXMLValid(const void *opaque)
{
    const char *inpath = opaque;
    g_autofree char *stem = g_strndup(inpath, strlen(inpath) - strlen(".xml"));
    g_autofree char *outpath = g_strconcat(stem, TEST_OUTPUT_SUFFIX, NULL);
    g_autofree char *input = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *actual = NULL;
    g_autofree char *again = NULL;

    if (!(input = lvsbTestLoadFile(inpath)) ||
        !(expected = lvsbTestLoadFile(outpath)))
        return;

    if (!(actual = testRoundTrip(input, inpath)) ||
        lvsbTestCompareToString(outpath, expected, actual) < 0)
        return;

    if (!(again = testRoundTrip(expected, outpath)))
        return;
    lvsbTestCompareToString("second round trip of the output", expected, again);
}


static void
testPoolXMLInvalid(const void *opaque)
{
    const char *inpath = opaque;
    g_autofree char *stem = g_strndup(inpath, strlen(inpath) - strlen(".xml"));
    g_autofree char *errpath = g_strconcat(stem, ".err", NULL);
    g_autofree char *input = NULL;
    g_autofree char *expected = NULL;
    g_autoptr(virStoragePoolDef) def = NULL;

    if (!(input = lvsbTestLoadFile(inpath)) ||
        !(expected = lvsbTestLoadFile(errpath)))
        return;
    g_strchomp(expected);

    virResetLastError();
    if ((def = virStoragePoolDefParse(input, NULL, 0))) {
        g_autofree char *formatted = virStoragePoolDefFormat(def);

        g_test_message("%s was accepted:\n%s", inpath, NULLSTR(formatted));
        g_test_fail();
        return;
    }

    lvsbTestCompareToString(errpath, expected, virGetLastErrorMessage());
}


/* The options reach the backend in document order, whatever the prefix. */
static void
testMountOptsGet(const void *opaque)
{
    const char *inpath = opaque;
    const char *want[] = { "vers=3.1.1", "username=vmstore" };
    g_autofree char *input = NULL;
    g_autoptr(virStoragePoolDef) def = NULL;
    const virStoragePoolFSMountOpts *opts;
    size_t i;

    if (!(input = lvsbTestLoadFile(inpath)))
        return;
    if (!(def = virStoragePoolDefParse(input, NULL, 0))) {
        g_test_message("cannot parse %s: %s", inpath, virGetLastErrorMessage());
        g_test_fail();
        return;
    }

    opts = virStoragePoolFSMountOptsGet(def);
    g_assert_nonnull(opts);
    g_assert_cmpuint(opts->noptions, ==, G_N_ELEMENTS(want));
    for (i = 0; i < G_N_ELEMENTS(want); i++)
        g_assert_cmpstr(opts->options[i], ==, want[i]);
}


/* A pool of @type whose fs:mount_opts hold an example of every option
 * the allow-list accepts for that type. */
static char *
testMountOptionsPool(virStoragePoolType type)
{
    g_auto(GStrv) examples = virStoragePoolFSMountOptionsExamples(type);
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    size_t i;

    virBufferAsprintf(&buf, "<pool type='%s' xmlns:fs='%s'>\n",
                      virStoragePoolTypeToString(type),
                      VIR_STORAGE_POOL_FS_NAMESPACE_HREF);
    virBufferAddLit(&buf, "  <name>examples</name>\n");
    if (type == VIR_STORAGE_POOL_FS)
        virBufferAddLit(&buf, "  <source><device path='/dev/vdb'/></source>\n");
    else
        virBufferAddLit(&buf, "  <source><host name='server'/><dir path='/export'/></source>\n");
    virBufferAddLit(&buf, "  <target><path>/srv/examples</path></target>\n");
    virBufferAddLit(&buf, "  <fs:mount_opts>\n");
    for (i = 0; examples[i]; i++)
        virBufferEscapeString(&buf, "    <fs:option name='%s'/>\n", examples[i]);
    virBufferAddLit(&buf, "  </fs:mount_opts>\n</pool>\n");

    return virBufferContentAndReset(&buf);
}


/* Every option of the allow-list (storage_pool_fs_mount_options.c) is
 * accepted by the parser and by the RNG schema, so the two lists agree
 * (the -invalid fixtures check the other direction). */
static void
testMountOptionsExamples(const void *opaque)
{
    virStoragePoolType type = GPOINTER_TO_INT(opaque);
    g_autofree char *xml = testMountOptionsPool(type);
    g_autofree char *schema = g_build_filename(g_getenv("abs_top_srcdir"),
                                               "src", "conf", "schemas",
                                               "storagepool.rng", NULL);
    g_autoptr(virStoragePoolDef) def = NULL;
    xmlRelaxNGParserCtxtPtr pctxt = NULL;
    xmlRelaxNGPtr rng = NULL;
    xmlRelaxNGValidCtxtPtr vctxt = NULL;
    xmlDocPtr doc = NULL;

    virResetLastError();
    if (!(def = virStoragePoolDefParse(xml, NULL, 0))) {
        g_test_message("%s", xml);
        g_test_message("parser refused an accepted option: %s",
                       virGetLastErrorMessage());
        g_test_fail();
        return;
    }

    g_assert_nonnull((pctxt = xmlRelaxNGNewParserCtxt(schema)));
    g_assert_nonnull((rng = xmlRelaxNGParse(pctxt)));
    g_assert_nonnull((vctxt = xmlRelaxNGNewValidCtxt(rng)));
    g_assert_nonnull((doc = xmlReadMemory(xml, strlen(xml), "examples.xml",
                                          NULL, XML_PARSE_NONET)));
    if (xmlRelaxNGValidateDoc(vctxt, doc) != 0) {
        g_test_message("%s", xml);
        g_test_message("the schema refuses an option the parser accepts");
        g_test_fail();
    }

    xmlFreeDoc(doc);
    xmlRelaxNGFreeValidCtxt(vctxt);
    xmlRelaxNGFree(rng);
    xmlRelaxNGFreeParserCtxt(pctxt);
}


static int
testCompareNames(const void *a,
                 const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}


/* Adds one test per input fixture; returns how many were added. */
static size_t
testAddFixtures(const char *datadir)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *entry;
    size_t i;

    if (!(dir = g_dir_open(datadir, 0, &err))) {
        g_printerr("cannot open %s: %s\n", datadir, err->message);
        return 0;
    }

    while ((entry = g_dir_read_name(dir))) {
        if (g_str_has_suffix(entry, ".xml") &&
            !g_str_has_suffix(entry, TEST_OUTPUT_SUFFIX))
            g_ptr_array_add(names, g_strdup(entry));
    }
    g_ptr_array_sort(names, testCompareNames);

    for (i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        bool invalid = g_str_has_suffix(name, TEST_INVALID_SUFFIX);
        g_autofree char *testpath = g_strdup_printf("/storagepoolxml2xml/%s/%s",
                                                    invalid ? "invalid" : "valid",
                                                    name);

        g_test_add_data_func_full(testpath,
                                  g_build_filename(datadir, name, NULL),
                                  invalid ? testPoolXMLInvalid : testPoolXMLValid,
                                  g_free);
    }

    return names->len;
}


int
main(int argc,
     char **argv)
{
    const char *datadir;

    lvsbTestInit(&argc, &argv);
    datadir = lvsbTestSetDataDir(TEST_DATA_DIR);

    if (virStoragePoolFSNamespaceRegister() < 0 ||
        virStoragePoolLogicalNamespaceRegister() < 0 ||
        virStoragePoolRBDNamespaceRegister() < 0) {
        g_printerr("cannot register the fs, lvm and rbd namespaces: %s\n",
                   virGetLastErrorMessage());
        return EXIT_FAILURE;
    }

    if (testAddFixtures(datadir) == 0) {
        g_printerr("no fixtures found in %s\n", datadir);
        return EXIT_FAILURE;
    }

    g_test_add_data_func_full("/storagepoolxml2xml/mount-opts-get",
                              g_build_filename(datadir,
                                               "netfs-mountopts-prefix.xml",
                                               NULL),
                              testMountOptsGet, g_free);

    g_test_add_data_func("/storagepoolxml2xml/mount-options-accepted/fs",
                         GINT_TO_POINTER(VIR_STORAGE_POOL_FS),
                         testMountOptionsExamples);
    g_test_add_data_func("/storagepoolxml2xml/mount-options-accepted/netfs",
                         GINT_TO_POINTER(VIR_STORAGE_POOL_NETFS),
                         testMountOptionsExamples);

    return g_test_run();
}
