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

#define VIR_FROM_THIS VIR_FROM_STORAGE

#define TEST_DATA_DIR "storagepoolxml2xmldata"
#define TEST_FIXED_UUID "00000000-0000-4000-8000-000000000000"
#define TEST_INVALID_SUFFIX "-invalid.xml"
#define TEST_OUTPUT_SUFFIX ".out.xml"


static char *
testReadFile(const char *path)
{
    g_autoptr(GError) err = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &err)) {
        g_test_message("cannot read %s: %s", path, err->message);
        return NULL;
    }

    return text;
}


static const char *
testLastErrorMessage(void)
{
    virErrorPtr err = virGetLastError();

    return err && err->message ? err->message : "(no error reported)";
}


/* Parse @xml, pin the uuid if the XML has none, and format it again. */
static char *
testRoundTrip(const char *xml,
              const char *what)
{
    g_autoptr(virStoragePoolDef) def = NULL;
    char *formatted;

    virResetLastError();
    if (!(def = virStoragePoolDefParse(xml, NULL, 0))) {
        g_test_message("%s: parse failed: %s", what, testLastErrorMessage());
        return NULL;
    }

    if (!strstr(xml, "<uuid>") &&
        virUUIDParse(TEST_FIXED_UUID, def->uuid) < 0) {
        g_test_message("%s: cannot pin the uuid", what);
        return NULL;
    }

    if (!(formatted = virStoragePoolDefFormat(def)))
        g_test_message("%s: format failed: %s", what, testLastErrorMessage());

    return formatted;
}


static bool
testSameText(const char *what,
             const char *expected,
             const char *actual)
{
    if (g_str_equal(expected, actual))
        return true;

    g_test_message("%s differs\n--- expected ---\n%s--- actual ---\n%s",
                   what, expected, actual);
    return false;
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

    if (!(input = testReadFile(inpath)) ||
        !(expected = testReadFile(outpath))) {
        g_test_fail();
        return;
    }

    if (!(actual = testRoundTrip(input, inpath)) ||
        !testSameText(outpath, expected, actual)) {
        g_test_fail();
        return;
    }

    if (!(again = testRoundTrip(expected, outpath)) ||
        !testSameText("second round trip of the output", expected, again)) {
        g_test_fail();
        return;
    }
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

    if (!(input = testReadFile(inpath)) ||
        !(expected = testReadFile(errpath))) {
        g_test_fail();
        return;
    }
    g_strchomp(expected);

    virResetLastError();
    if ((def = virStoragePoolDefParse(input, NULL, 0))) {
        g_autofree char *formatted = virStoragePoolDefFormat(def);

        g_test_message("%s was accepted:\n%s", inpath, NULLSTR(formatted));
        g_test_fail();
        return;
    }

    if (!testSameText(errpath, expected, testLastErrorMessage()))
        g_test_fail();
}


/* The options reach the backend in document order, whatever the prefix. */
static void
testMountOptsGet(const void *opaque)
{
    const char *inpath = opaque;
    const char *want[] = { "vers=3.1.1", "credentials=/etc/libvirt/cifs.cred" };
    g_autofree char *input = NULL;
    g_autoptr(virStoragePoolDef) def = NULL;
    const virStoragePoolFSMountOpts *opts;
    size_t i;

    if (!(input = testReadFile(inpath)) ||
        !(def = virStoragePoolDefParse(input, NULL, 0))) {
        g_test_message("cannot parse %s: %s", inpath, testLastErrorMessage());
        g_test_fail();
        return;
    }

    opts = virStoragePoolFSMountOptsGet(def);
    g_assert_nonnull(opts);
    g_assert_cmpuint(opts->noptions, ==, G_N_ELEMENTS(want));
    for (i = 0; i < G_N_ELEMENTS(want); i++)
        g_assert_cmpstr(opts->options[i], ==, want[i]);
}


static void
testQuietErrorFunc(void *opaque,
                   virErrorPtr err)
{
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
    const char *srcdir;
    g_autofree char *datadir = NULL;

    g_test_init(&argc, &argv, NULL);

    if (!(srcdir = g_getenv("abs_srcdir"))) {
        g_printerr("abs_srcdir is not set: run this test through 'meson test'\n");
        return EXIT_FAILURE;
    }
    datadir = g_build_filename(srcdir, TEST_DATA_DIR, NULL);

    if (virInitialize() < 0) {
        g_printerr("cannot initialize libvirt\n");
        return EXIT_FAILURE;
    }
    virSetErrorFunc(NULL, testQuietErrorFunc);

    if (virStoragePoolFSNamespaceRegister() < 0) {
        g_printerr("cannot register the fs namespace: %s\n",
                   testLastErrorMessage());
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

    return g_test_run();
}
