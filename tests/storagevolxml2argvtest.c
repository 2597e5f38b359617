/*
 * storagevolxml2argvtest.c: qemu-img command lines built from volume XML
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each case parses storagevolxml2argvdata/<vol>.xml (and, for a
 * conversion, <input>.xml) in the dir pool of pool-dir.xml, builds a
 * qemu-img command with the builders of storage_qemuimg.c and compares it
 * with storagevolxml2argvdata/<case>.argv.
 *
 * Fixture format: the command as virCommandToString(cmd, false) renders
 * it, split back into arguments with the shell's quoting rules
 * (g_shell_parse_argv), one argument per line.  So a .argv file shows
 * exactly the argv qemu-img receives.
 *
 * Cases named *-invalid must be refused with VIR_ERR_CONFIG_UNSUPPORTED
 * and have no .argv file.
 *
 * VIR_TEST_REGENERATE_OUTPUT=1 rewrites the .argv files from the
 * builders' output; review the diff before committing it.
 */

#include <config.h>

#include <glib/gstdio.h>

#include "storage_qemuimg.h"
#include "storage_size.h"
#include "lvsbtestutils.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

#define TEST_QEMUIMG "/usr/bin/qemu-img"
#define TEST_SECRET "/run/libvirt/storage/vol.secret"

typedef enum {
    TEST_CREATE,
    TEST_CONVERT,
    TEST_RESIZE,
} testCommandKind;

typedef struct {
    const char *name;           /* case name, and .argv file name */
    testCommandKind kind;
    const char *vol;            /* volume XML, without .xml */
    const char *input;          /* input volume XML of a conversion */
    const char *secret;         /* secret file path, or NULL */
    unsigned int flags;         /* create/convert flags */
    unsigned long long capacity; /* resize: new capacity in bytes */
    bool shrink;
    bool preallocate;
    const char *error;          /* -invalid cases: part of the message */
    int code;                   /* -invalid cases: the error code, if not
                                 * VIR_ERR_CONFIG_UNSUPPORTED */
} testInfo;


static virStorageVolDef *
testParseVol(virStoragePoolDef *pool, const char *name)
{
    g_autofree char *path = lvsbTestDataPath(name, ".xml");
    virStorageVolDef *def;

    def = virStorageVolDefParse(pool, NULL, path,
                                VIR_VOL_XML_PARSE_OPT_CAPACITY);
    if (!def) {
        g_test_message("cannot parse %s: %s", path, virGetLastErrorMessage());
        g_test_fail();
    }
    return def;
}


/* The command of @info, or NULL: refused by the builder, or a fixture
 * could not be parsed (the test has then failed already). */
static virCommand *
testBuild(const testInfo *info)
{
    g_autoptr(virStoragePoolDef) pool = NULL;
    g_autoptr(virStorageVolDef) vol = NULL;
    g_autoptr(virStorageVolDef) input = NULL;

    if (!(pool = lvsbTestParsePoolFile("pool-dir")) ||
        !(vol = testParseVol(pool, info->vol)) ||
        (info->kind == TEST_CONVERT &&
         !(input = testParseVol(pool, info->input))))
        return NULL;

    switch (info->kind) {
    case TEST_CREATE:
        return virStorageQemuImgBuildCreate(TEST_QEMUIMG, vol, info->secret,
                                            info->flags);
    case TEST_CONVERT:
        return virStorageQemuImgBuildConvert(TEST_QEMUIMG, vol, input,
                                             info->secret, info->flags);
    case TEST_RESIZE:
        return virStorageQemuImgBuildResize(TEST_QEMUIMG, vol, info->capacity,
                                            info->shrink, info->preallocate,
                                            info->secret);
    }
    g_assert_not_reached();
}


static void
testValid(const void *opaque)
{
    const testInfo *info = opaque;
    g_autoptr(virCommand) cmd = NULL;

    virResetLastError();
    cmd = testBuild(info);
    if (g_test_failed())
        return;

    lvsbTestCompareCommandToFile(cmd, info->name);
}


static void
testInvalid(const void *opaque)
{
    const testInfo *info = opaque;
    g_autoptr(virCommand) cmd = NULL;

    virResetLastError();
    cmd = testBuild(info);
    if (g_test_failed())
        return;

    lvsbTestExpectRefusal(info->name, cmd,
                          info->code ? info->code : VIR_ERR_CONFIG_UNSUPPORTED,
                          info->error);
}


/* Lookup in PATH: a directory with a qemu-img, then one without. */
static void
testFind(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *oldPath = g_strdup(g_getenv("PATH"));
    g_autofree char *dir = g_dir_make_tmp("qemuimgtest-XXXXXX", NULL);
    g_autofree char *tool = NULL;
    g_autofree char *found = NULL;
    g_autofree char *missing = NULL;

    g_assert_nonnull(dir);
    tool = g_build_filename(dir, "qemu-img", NULL);
    g_assert_true(g_file_set_contents(tool, "#!/bin/sh\n", -1, NULL));
    g_assert_cmpint(g_chmod(tool, 0755), ==, 0);

    g_setenv("PATH", dir, TRUE);
    virResetLastError();
    found = virStorageQemuImgFind();
    g_assert_cmpstr(found, ==, tool);

    g_assert_cmpint(g_unlink(tool), ==, 0);
    missing = virStorageQemuImgFind();
    g_assert_null(missing);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_FAILED);

    g_assert_cmpint(g_rmdir(dir), ==, 0);
    if (oldPath)
        g_setenv("PATH", oldPath, TRUE);
    else
        g_unsetenv("PATH");
}


#define PREALLOC VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA

#define CREATE(n, v, s, f) \
    .name = n, .kind = TEST_CREATE, .vol = v, .secret = s, .flags = f
#define CONVERT(n, v, i, s, f) \
    .name = n, .kind = TEST_CONVERT, .vol = v, .input = i, \
    .secret = s, .flags = f
#define RESIZE(n, v, s, c, sh, pa) \
    .name = n, .kind = TEST_RESIZE, .vol = v, .secret = s, \
    .capacity = c, .shrink = sh, .preallocate = pa

static const testInfo tests[] = {
    { CREATE("raw", "raw", NULL, 0) },
    { CREATE("raw-prealloc", "raw", NULL, PREALLOC) },
    { CREATE("qcow2", "qcow2", NULL, 0) },
    { CREATE("qcow2-compat-0.10", "qcow2-compat-0.10", NULL, 0) },
    { CREATE("qcow2-1.1", "qcow2-1.1", NULL, 0) },
    { CREATE("qcow2-lazy", "qcow2-lazy", NULL, 0) },
    { CREATE("qcow2-extended-l2", "qcow2-extended-l2", NULL, 0) },
    { CREATE("qcow2-clustersize", "qcow2-clustersize", NULL, 0) },
    { CREATE("qcow2-nocow", "qcow2-nocow", NULL, 0) },
    { CREATE("qcow2-prealloc-metadata", "qcow2-sparse", NULL, PREALLOC) },
    { CREATE("qcow2-prealloc-falloc", "qcow2", NULL, PREALLOC) },
    { CREATE("qcow2-backing-qcow2", "qcow2-backing-qcow2", NULL, 0) },
    { CREATE("qcow2-backing-raw", "qcow2-backing-raw", NULL, 0) },
    { CREATE("qcow2-luks", "qcow2-luks", TEST_SECRET, 0) },
    { CREATE("qcow2-luks-cipher", "qcow2-luks-cipher", TEST_SECRET, 0) },
    { CREATE("qcow2-luks-comma", "qcow2-luks", "/run/a,b.secret", 0) },
    { CREATE("luks", "luks", TEST_SECRET, 0) },
    { CREATE("luks-cipher", "luks-cipher", TEST_SECRET, 0) },
    { CREATE("vmdk", "vmdk", NULL, 0) },
    { CREATE("vdi", "vdi", NULL, 0) },
    { CREATE("vpc", "vpc", NULL, 0) },
    { CREATE("qed-clustersize", "qed-clustersize", NULL, 0) },
    { CONVERT("convert-raw-qcow2", "qcow2", "raw", NULL, 0) },
    { CONVERT("convert-qcow2-raw", "raw", "qcow2", NULL, 0) },
    { CONVERT("convert-raw-qcow2-prealloc", "qcow2-sparse", "raw", NULL,
              PREALLOC) },
    { CONVERT("convert-qcow2-backing", "qcow2-backing-qcow2", "qcow2", NULL,
              0) },
    { CONVERT("convert-raw-qcow2-luks", "qcow2-luks", "raw", TEST_SECRET, 0) },
    { CONVERT("convert-qcow2-luks", "luks", "qcow2", TEST_SECRET, 0) },
    { RESIZE("resize-grow", "qcow2", NULL, 10737418241ULL, false, false) },
    { RESIZE("resize-shrink", "raw", NULL, 1048576, true, false) },
    { RESIZE("resize-prealloc", "raw", NULL, 2097152, false, true) },
    { RESIZE("resize-qcow2-prealloc", "qcow2", NULL, 10737418240ULL,
             false, true) },
    { RESIZE("resize-qcow2-luks", "qcow2-luks", TEST_SECRET, 10737418240ULL,
             false, false) },
    { RESIZE("resize-luks-comma", "luks-comma", "/run/a,b.secret",
             2147483648ULL, false, false) },
    /* the largest sizes qemu-img takes: rounded up, still below 2^63 */
    { CREATE("raw-8eib", "raw-8eib", NULL, 0) },
    { RESIZE("resize-8eib", "qcow2", NULL, 9223372036854775000ULL,
             false, false) },
};

/* .error: a part of the message, to be sure of the reason. */
static const testInfo invalidTests[] = {
    { CREATE("qcow2-lazy-compat-0.10-invalid", "qcow2-lazy-compat-0.10",
             NULL, 0),
      .error = "needs qcow2 compat 1.1" },
    { CREATE("qcow2-luks-nosecret-invalid", "qcow2-luks", NULL, 0),
      .error = "no passphrase" },
    { CREATE("luks-nosecret-invalid", "luks", NULL, 0),
      .error = "no passphrase" },
    { CREATE("raw-backing-invalid", "raw-backing", NULL, 0),
      .error = "raw image cannot have a backing store" },
    { CREATE("vdi-backing-invalid", "vdi-backing", NULL, 0),
      .error = "vdi image cannot have a backing store" },
    { CREATE("qcow2-encryption-qcow-invalid", "qcow2-encryption-qcow",
             TEST_SECRET, 0),
      .error = "only encryption format 'luks'" },
    { CREATE("vmdk-luks-invalid", "vmdk-luks", TEST_SECRET, 0),
      .error = "luks encryption needs format raw or qcow2" },
    { CREATE("cloop-invalid", "cloop", NULL, 0),
      .error = "in format 'cloop'" },
    { CREATE("raw-compat-invalid", "raw-compat", NULL, 0),
      .error = "only available with format qcow2" },
    { CREATE("raw-clustersize-invalid", "raw-clustersize", NULL, 0),
      .error = "<clusterSize> is only available" },
    { CREATE("vdi-prealloc-invalid", "vdi", NULL, PREALLOC),
      .error = "preallocation is only available" },
    { CREATE("qcow2-backing-prealloc-invalid", "qcow2-backing-qcow2", NULL,
             PREALLOC),
      .error = "needs feature extended_l2" },
    { CONVERT("convert-from-luks-invalid", "qcow2", "luks", TEST_SECRET, 0),
      .error = "cannot copy encrypted volume" },
    { CONVERT("convert-qcow2-luks-nosecret-invalid", "qcow2-luks", "raw",
              NULL, 0),
      .error = "no passphrase" },
    { RESIZE("resize-shrink-prealloc-invalid", "raw", NULL, 1048576,
             true, true),
      .error = "cannot preallocate while shrinking" },
    { RESIZE("resize-vdi-prealloc-invalid", "vdi", NULL, 2147483648ULL,
             false, true),
      .error = "can only preallocate qcow2 and raw" },
    { RESIZE("resize-luks-nosecret-invalid", "luks", NULL, 2147483648ULL,
             false, false),
      .error = "no passphrase" },
    /* sizes that used to wrap to 0 when rounded up (issue 7, item 10) */
    { CREATE("qcow2-huge-invalid", "qcow2-huge", NULL, 0),
      .error = "is too large", .code = VIR_ERR_INVALID_ARG },
    { RESIZE("resize-wrap-invalid", "qcow2", NULL, 18446744073709551615ULL,
             true, false),
      .error = "is too large", .code = VIR_ERR_INVALID_ARG },
    { RESIZE("resize-wrap-raw-invalid", "raw", NULL, 18446744073709551105ULL,
             true, false),
      .error = "is too large", .code = VIR_ERR_INVALID_ARG },
    { RESIZE("resize-past-8eib-invalid", "qcow2", NULL,
             9223372036854775297ULL, false, false),
      .error = "is too large", .code = VIR_ERR_INVALID_ARG },
};


/* virStorageSizeRoundUp (storage_size.h), which the builders use */
static void
testRoundUp(const void *opaque G_GNUC_UNUSED)
{
    unsigned long long r = 42;

    g_assert_true(virStorageSizeRoundUp(0, 512, &r));
    g_assert_cmpuint(r, ==, 0);
    g_assert_true(virStorageSizeRoundUp(1, 512, &r));
    g_assert_cmpuint(r, ==, 512);
    g_assert_true(virStorageSizeRoundUp(1024, 512, &r));
    g_assert_cmpuint(r, ==, 1024);
    g_assert_true(virStorageSizeRoundUp(ULLONG_MAX, 1, &r));
    g_assert_cmpuint(r, ==, ULLONG_MAX);
    g_assert_true(virStorageSizeRoundUp(ULLONG_MAX - 511, 512, &r));
    g_assert_cmpuint(r, ==, ULLONG_MAX - 511);

    r = 42;
    g_assert_false(virStorageSizeRoundUp(ULLONG_MAX - 510, 512, &r));
    g_assert_false(virStorageSizeRoundUp(ULLONG_MAX, 4194304, &r));
    g_assert_false(virStorageSizeRoundUp(ULLONG_MAX - 1023, 1024 * 1024, &r));
    g_assert_false(virStorageSizeRoundUp(4096, 0, &r));
    g_assert_cmpuint(r, ==, 42);
}


int
main(int argc, char **argv)
{
    lvsbTestInit(&argc, &argv);
    lvsbTestSetDataDir("storagevolxml2argvdata");

    LVSB_TEST_ADD_CASES("/qemuimg/valid", tests, testValid);
    LVSB_TEST_ADD_CASES("/qemuimg/invalid", invalidTests, testInvalid);
    g_test_add_data_func("/size/round-up", NULL, testRoundUp);

    g_test_add_data_func("/qemuimg/find", NULL, testFind);

    return g_test_run();
}
