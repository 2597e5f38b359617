/*
 * storageblkidtest.c: finding and erasing signatures with libblkid
 * (src/storage/storage_blkid.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What a build does first (virStorageBlkidRefuseOrWipe): a device that
 * holds a signature is refused, and wiped only on request.
 *
 * Real image files in a temporary directory, written by the real tools:
 * mkfs.ext4, mkfs.vfat, sfdisk.  Which signature the probe names first
 * when there are several is libblkid's choice.  What is on an image is
 * checked by another reader than libblkid's probe under test: wipefs
 * --json --no-act lists every signature it would erase.
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "storage_blkid.h"
#include "lvsbtestutils.h"
#include "vircommand.h"
#include "virfile.h"
#include "virjson.h"

#define MiB (1024 * 1024)

/* Where Debian installs the tools, in PATH or not (meson test as a user) */
#define SBIN "/usr/sbin/"

static char *workdir;


/* A sparse image file of @size bytes, made afresh; its path. */
static char *
testImage(const char *name,
          off_t size)
{
    g_autofree char *path = g_build_filename(workdir, name, NULL);
    VIR_AUTOCLOSE fd = -1;

    g_unlink(path);
    g_assert_cmpint((fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600)), >=, 0);
    g_assert_cmpint(ftruncate(fd, size), ==, 0);
    return g_steal_pointer(&path);
}


/* Runs @cmd; its stdout (may be ""), or NULL (test failed). */
static char *
testRun(virCommand *cmd)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = -1;

    virCommandSetOutputBuffer(cmd, &out);
    virCommandSetErrorBuffer(cmd, &err);
    if (virCommandRun(cmd, &status) < 0 || status != 0) {
        g_autofree char *str = virCommandToString(cmd, false);

        g_test_message("%s failed (%d): %s %s", NULLSTR(str), status,
                       NULLSTR(err), virGetLastErrorMessage());
        g_test_fail();
        return NULL;
    }
    return g_steal_pointer(&out);
}


static int
testMkfsExt4(const char *path)
{
    g_autoptr(virCommand) cmd = virCommandNewArgList(SBIN "mkfs.ext4", "-F", "-q",
                                                     "--", path, NULL);
    g_autofree char *out = testRun(cmd);

    return out ? 0 : -1;
}


static int
testMkfsVfat(const char *path)
{
    g_autoptr(virCommand) cmd = virCommandNewArgList(SBIN "mkfs.vfat", "--", path,
                                                     NULL);
    g_autofree char *out = testRun(cmd);

    return out ? 0 : -1;
}


/* A partition table (@label "gpt" or "dos") with one partition; with
 * @keep, the signatures already there stay (sfdisk erases them
 * otherwise). */
static int
testSfdisk(const char *path,
           const char *label,
           bool keep)
{
    g_autoptr(virCommand) cmd = virCommandNewArgList(SBIN "sfdisk", "--quiet",
                                                     "--no-reread",
                                                     "--no-tell-kernel",
                                                     "--wipe",
                                                     keep ? "never" : "always",
                                                     "--", path, NULL);
    g_autofree char *input = g_strdup_printf("label: %s\n,,L\n", label);
    g_autofree char *out = NULL;

    virCommandSetInputBuffer(cmd, input);
    out = testRun(cmd);
    return out ? 0 : -1;
}


/* g_ptr_array_sort() passes pointers to the elements */
static int
testCompareStrings(const void *a,
                   const void *b)
{
    return g_strcmp0(*(const char *const *) a, *(const char *const *) b);
}


/* The signature types wipefs finds on @path, sorted and joined by ",";
 * "" for none, NULL (test failed) on error. */
static char *
testWipefsTypes(const char *path)
{
    g_autoptr(virCommand) cmd = virCommandNewArgList(SBIN "wipefs", "--json",
                                                     "--no-act", "--",
                                                     path, NULL);
    g_autofree char *out = testRun(cmd);
    g_autoptr(virJSONValue) json = NULL;
    g_autoptr(GPtrArray) types = g_ptr_array_new();
    virJSONValue *signatures;
    size_t i;

    if (!out)
        return NULL;
    if (!*out)                          /* wipefs prints nothing for none */
        return g_strdup("");

    if (!(json = virJSONValueFromString(out)) ||
        !(signatures = virJSONValueObjectGetArray(json, "signatures"))) {
        g_test_message("cannot read wipefs's report: %s", out);
        g_test_fail();
        return NULL;
    }
    for (i = 0; i < virJSONValueArraySize(signatures); i++) {
        virJSONValue *sig = virJSONValueArrayGet(signatures, i);
        const char *type = virJSONValueObjectGetString(sig, "type");

        g_ptr_array_add(types, (gpointer) NULLSTR(type));
    }
    g_ptr_array_sort(types, testCompareStrings);
    g_ptr_array_add(types, NULL);
    return g_strjoinv(",", (char **) types->pdata);
}


/* virStorageBlkidFindSignature() of @path returns @rc and @type. */
static void
testFind(const char *path,
         int rc,
         const char *type)
{
    g_autofree char *found = NULL;

    virResetLastError();
    g_assert_cmpint(virStorageBlkidFindSignature(path, &found), ==, rc);
    g_assert_cmpstr(found, ==, type);
}


/* wipefs lists @types on @path. */
static void
testWipefsSees(const char *path,
               const char *types)
{
    g_autofree char *seen = testWipefsTypes(path);

    if (seen)
        g_assert_cmpstr(seen, ==, types);
}


static void
testBlank(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *path = testImage("blank.img", 16 * MiB);

    testFind(path, 0, NULL);
    /* wiping a blank device is no error and writes nothing */
    g_assert_cmpint(virStorageBlkidWipeSignatures(path), ==, 0);
    testFind(path, 0, NULL);
    testWipefsSees(path, "");
}


/* ---- images that hold signatures ---- */

static int
testMakeGpt(const char *path)
{
    return testSfdisk(path, "gpt", false);
}


/* A file system under a partition table (an MBR leaves ext4's
 * superblock whole). */
static int
testMakeExt4UnderMbr(const char *path)
{
    if (testMkfsExt4(path) < 0)
        return -1;
    return testSfdisk(path, "dos", true);
}


typedef struct {
    const char *name;
    int (*make)(const char *path);
    const char *wipefsTypes;    /* what wipefs lists, sorted */
    const char *probeTypes;     /* what the probe may name ('|'-separated):
                                 * libblkid picks one of several */
} testSignedCase;

static const testSignedCase signedCases[] = {
    { "ext4", testMkfsExt4, "ext4", "ext4" },
    /* FAT: the boot sector magic is found at three offsets */
    { "vfat", testMkfsVfat, "vfat,vfat,vfat", "vfat" },
    /* the primary GPT, its backup at the end, the protective MBR */
    { "gpt", testMakeGpt, "PMBR,gpt,gpt", "gpt" },
    { "ext4-under-mbr", testMakeExt4UnderMbr, "dos,ext4", "ext4|dos" },
};


/* The image of @tc, made afresh, holding what the case says; NULL (test
 * failed) when the tools failed. */
static char *
testSignedImage(const testSignedCase *tc)
{
    g_autofree char *name = g_strdup_printf("%s.img", tc->name);
    g_autofree char *path = testImage(name, 16 * MiB);
    g_autofree char *seen = NULL;

    if (tc->make(path) < 0 || !(seen = testWipefsTypes(path)))
        return NULL;
    g_assert_cmpstr(seen, ==, tc->wipefsTypes);
    return g_steal_pointer(&path);
}


/* Found, then every signature erased, not only the one found. */
static void
testSigned(const void *opaque)
{
    const testSignedCase *tc = opaque;
    g_autofree char *path = testSignedImage(tc);
    g_autofree char *found = NULL;
    g_auto(GStrv) types = g_strsplit(tc->probeTypes, "|", 0);

    if (!path)
        return;
    virResetLastError();
    g_assert_cmpint(virStorageBlkidFindSignature(path, &found), ==, 1);
    if (!g_strv_contains((const char *const *) types, found)) {
        g_test_message("%s: the probe names '%s', not one of '%s'",
                       tc->name, found, tc->probeTypes);
        g_test_fail();
    }

    g_assert_cmpint(virStorageBlkidWipeSignatures(path), ==, 0);
    testFind(path, 0, NULL);
    testWipefsSees(path, "");
}


/* Probing never writes: the image is the same, byte for byte. */
static void
testFindWritesNothing(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *path = testImage("readonly.img", 16 * MiB);
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    size_t lenBefore = 0;
    size_t lenAfter = 0;

    if (testMkfsExt4(path) < 0)
        return;
    g_assert_true(g_file_get_contents(path, &before, &lenBefore, NULL));
    testFind(path, 1, "ext4");
    g_assert_true(g_file_get_contents(path, &after, &lenAfter, NULL));
    g_assert_cmpmem(before, lenBefore, after, lenAfter);
}


static void
testMissing(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *path = g_build_filename(workdir, "missing.img", NULL);
    g_autofree char *found = NULL;

    virResetLastError();
    g_assert_cmpint(virStorageBlkidFindSignature(path, &found), ==, -1);
    g_assert_null(found);
    lvsbTestExpectError("find on a missing device", VIR_ERR_SYSTEM_ERROR,
                        "missing.img");
    virResetLastError();
    g_assert_cmpint(virStorageBlkidWipeSignatures(path), ==, -1);
    lvsbTestExpectError("wipe of a missing device", VIR_ERR_SYSTEM_ERROR,
                        "missing.img");
}


/* ---- before a build: refuse a device that holds data, or wipe it ---- */

static void
testRefuseBlank(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *path = testImage("refuse-blank.img", 16 * MiB);

    virResetLastError();
    g_assert_cmpint(virStorageBlkidRefuseOrWipe("pool0", path, false), ==, 0);
    g_assert_cmpint(virStorageBlkidRefuseOrWipe("pool0", path, true), ==, 0);
    testWipefsSees(path, "");
}


/* Without overwrite: refused, saying what was found on which device of
 * which pool and the way out, and not a byte written.  With it: every
 * signature erased, and the device is no longer refused. */
static void
testRefuseSigned(const void *opaque)
{
    const testSignedCase *tc = opaque;
    g_autofree char *path = testSignedImage(tc);
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    size_t lenBefore = 0;
    size_t lenAfter = 0;
    g_auto(GStrv) types = g_strsplit(tc->probeTypes, "|", 0);
    const char *msg;
    size_t i;
    bool named = false;

    if (!path)
        return;
    g_assert_true(g_file_get_contents(path, &before, &lenBefore, NULL));

    virResetLastError();
    g_assert_cmpint(virStorageBlkidRefuseOrWipe("pool0", path, false), ==, -1);
    lvsbTestExpectError(tc->name, VIR_ERR_STORAGE_POOL_BUILT, path);
    lvsbTestExpectError(tc->name, VIR_ERR_STORAGE_POOL_BUILT, "'pool0'");
    lvsbTestExpectError(tc->name, VIR_ERR_STORAGE_POOL_BUILT, "--overwrite");
    msg = virGetLastErrorMessage();
    for (i = 0; types[i]; i++) {
        g_autofree char *quoted = g_strdup_printf("'%s'", types[i]);

        named |= strstr(msg, quoted) != NULL;
    }
    if (!named) {
        g_test_message("%s: the refusal names none of '%s': %s",
                       tc->name, tc->probeTypes, msg);
        g_test_fail();
    }

    g_assert_true(g_file_get_contents(path, &after, &lenAfter, NULL));
    g_assert_cmpmem(before, lenBefore, after, lenAfter);

    virResetLastError();
    g_assert_cmpint(virStorageBlkidRefuseOrWipe("pool0", path, true), ==, 0);
    testWipefsSees(path, "");
    g_assert_cmpint(virStorageBlkidRefuseOrWipe("pool0", path, false), ==, 0);
}


static void
testRefuseMissing(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *path = g_build_filename(workdir, "refuse-missing.img",
                                             NULL);
    size_t i;

    for (i = 0; i < 2; i++) {
        virResetLastError();
        g_assert_cmpint(virStorageBlkidRefuseOrWipe("pool0", path, i == 1),
                        ==, -1);
        lvsbTestExpectError("missing device", VIR_ERR_SYSTEM_ERROR,
                            "refuse-missing.img");
    }
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}


int
main(int argc,
     char **argv)
{
    lvsbTestInit(&argc, &argv);
    workdir = lvsbTestMakeWorkDir("blkidtest");

    g_test_add_data_func("/blkid/blank", NULL, testBlank);
    LVSB_TEST_ADD_CASES("/blkid/signed", signedCases, testSigned);
    g_test_add_data_func("/blkid/find-writes-nothing", NULL,
                         testFindWritesNothing);
    g_test_add_data_func("/blkid/missing", NULL, testMissing);
    g_test_add_data_func("/blkid/refuse/blank", NULL, testRefuseBlank);
    LVSB_TEST_ADD_CASES("/blkid/refuse", signedCases, testRefuseSigned);
    g_test_add_data_func("/blkid/refuse/missing", NULL, testRefuseMissing);

    return lvsbTestRun();
}
