/*
 * storagevolwipetest.c: what a wipe does, chosen before anything is
 * written (src/storage/storage_vol_wipe.c, storage_vol_lv.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every virStorageVolWipeAlgorithm to its method and scrub pattern, every
 * volume format to its plan (wipe the bytes, create the image again, or
 * refuse), the operation on real files (sparse and fully allocated, in a
 * temporary directory) and on a block device, scrub's command line, and
 * what an LV of each kind runs instead.
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "storage_vol_wipe.h"
#include "storage_vol_lv.h"
#include "lvsbtestutils.h"
#include "virfile.h"

static char *workdir;


/* ---- algorithms ---- */

typedef struct {
    const char *name;
    unsigned int algorithm;
    virStorageVolWipeMethod method;
    const char *pattern;
} testAlgorithmCase;

static const testAlgorithmCase algorithmCases[] = {
    { "zero", VIR_STORAGE_VOL_WIPE_ALG_ZERO,
      VIR_STORAGE_VOL_WIPE_METHOD_ZERO, NULL },
    { "trim", VIR_STORAGE_VOL_WIPE_ALG_TRIM,
      VIR_STORAGE_VOL_WIPE_METHOD_TRIM, NULL },
    { "nnsa", VIR_STORAGE_VOL_WIPE_ALG_NNSA,
      VIR_STORAGE_VOL_WIPE_METHOD_SCRUB, "nnsa" },
    { "dod", VIR_STORAGE_VOL_WIPE_ALG_DOD,
      VIR_STORAGE_VOL_WIPE_METHOD_SCRUB, "dod" },
    { "bsi", VIR_STORAGE_VOL_WIPE_ALG_BSI,
      VIR_STORAGE_VOL_WIPE_METHOD_SCRUB, "bsi" },
    { "gutmann", VIR_STORAGE_VOL_WIPE_ALG_GUTMANN,
      VIR_STORAGE_VOL_WIPE_METHOD_SCRUB, "gutmann" },
    { "schneier", VIR_STORAGE_VOL_WIPE_ALG_SCHNEIER,
      VIR_STORAGE_VOL_WIPE_METHOD_SCRUB, "schneier" },
    { "pfitzner7", VIR_STORAGE_VOL_WIPE_ALG_PFITZNER7,
      VIR_STORAGE_VOL_WIPE_METHOD_SCRUB, "pfitzner7" },
    { "pfitzner33", VIR_STORAGE_VOL_WIPE_ALG_PFITZNER33,
      VIR_STORAGE_VOL_WIPE_METHOD_SCRUB, "pfitzner33" },
    { "random", VIR_STORAGE_VOL_WIPE_ALG_RANDOM,
      VIR_STORAGE_VOL_WIPE_METHOD_SCRUB, "random" },
};

G_STATIC_ASSERT(G_N_ELEMENTS(algorithmCases) == VIR_STORAGE_VOL_WIPE_ALG_LAST);


static void
testAlgorithm(const void *opaque)
{
    const testAlgorithmCase *tc = opaque;
    virStorageVolWipeMethod method;
    const char *pattern = "unset";

    virResetLastError();
    if (virStorageVolWipeMethodForAlgorithm(tc->algorithm,
                                            &method, &pattern) < 0) {
        g_test_message("%s refused: %s", tc->name, virGetLastErrorMessage());
        g_test_fail();
        return;
    }
    g_assert_cmpint(method, ==, tc->method);
    g_assert_cmpstr(pattern, ==, tc->pattern);
}


static void
testAlgorithmUnknown(const void *opaque G_GNUC_UNUSED)
{
    const unsigned int bad[] = { VIR_STORAGE_VOL_WIPE_ALG_LAST, 1000, -1U };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        virStorageVolWipeMethod method;
        const char *pattern;
        g_autofree char *name = g_strdup_printf("algorithm %u", bad[i]);

        virResetLastError();
        g_assert_cmpint(virStorageVolWipeMethodForAlgorithm(bad[i], &method,
                                                            &pattern),
                        ==, -1);
        lvsbTestExpectError(name, VIR_ERR_INVALID_ARG,
                            "unknown wipe algorithm");
    }
}


/* ---- plans by volume type and format ---- */

typedef struct {
    const char *name;
    virStorageVolType type;
    int format;
    virStorageVolWipePlan plan;
} testPlanCase;

static const testPlanCase planCases[] = {
    { "file-raw", VIR_STORAGE_VOL_FILE, VIR_STORAGE_FILE_RAW,
      VIR_STORAGE_VOL_WIPE_PLAN_DATA },
    { "file-none", VIR_STORAGE_VOL_FILE, VIR_STORAGE_FILE_NONE,
      VIR_STORAGE_VOL_WIPE_PLAN_DATA },
    { "file-iso", VIR_STORAGE_VOL_FILE, VIR_STORAGE_FILE_ISO,
      VIR_STORAGE_VOL_WIPE_PLAN_DATA },
    { "file-cloop", VIR_STORAGE_VOL_FILE, VIR_STORAGE_FILE_CLOOP,
      VIR_STORAGE_VOL_WIPE_PLAN_DATA },
    { "file-vhd", VIR_STORAGE_VOL_FILE, VIR_STORAGE_FILE_VHD,
      VIR_STORAGE_VOL_WIPE_PLAN_DATA },
    { "file-qcow2", VIR_STORAGE_VOL_FILE, VIR_STORAGE_FILE_QCOW2,
      VIR_STORAGE_VOL_WIPE_PLAN_RECREATE },
    { "file-qcow", VIR_STORAGE_VOL_FILE, VIR_STORAGE_FILE_QCOW,
      VIR_STORAGE_VOL_WIPE_PLAN_RECREATE },
    { "file-qed", VIR_STORAGE_VOL_FILE, VIR_STORAGE_FILE_QED,
      VIR_STORAGE_VOL_WIPE_PLAN_RECREATE },
    { "file-vmdk", VIR_STORAGE_VOL_FILE, VIR_STORAGE_FILE_VMDK,
      VIR_STORAGE_VOL_WIPE_PLAN_RECREATE },
    { "file-vdi", VIR_STORAGE_VOL_FILE, VIR_STORAGE_FILE_VDI,
      VIR_STORAGE_VOL_WIPE_PLAN_RECREATE },
    { "file-vpc", VIR_STORAGE_VOL_FILE, VIR_STORAGE_FILE_VPC,
      VIR_STORAGE_VOL_WIPE_PLAN_RECREATE },
    { "dir", VIR_STORAGE_VOL_DIR, VIR_STORAGE_FILE_DIR,
      VIR_STORAGE_VOL_WIPE_PLAN_REFUSE },
    { "file-ploop", VIR_STORAGE_VOL_FILE, VIR_STORAGE_FILE_PLOOP,
      VIR_STORAGE_VOL_WIPE_PLAN_REFUSE },
    { "file-auto", VIR_STORAGE_VOL_FILE, VIR_STORAGE_FILE_AUTO,
      VIR_STORAGE_VOL_WIPE_PLAN_REFUSE },
    /* a block device holds data whatever format its XML names */
    { "block-raw", VIR_STORAGE_VOL_BLOCK, VIR_STORAGE_FILE_RAW,
      VIR_STORAGE_VOL_WIPE_PLAN_DATA },
    { "block-qcow2", VIR_STORAGE_VOL_BLOCK, VIR_STORAGE_FILE_QCOW2,
      VIR_STORAGE_VOL_WIPE_PLAN_DATA },
};


static void
testPlan(const void *opaque)
{
    const testPlanCase *tc = opaque;
    virStorageVolDef vol = { .name = (char *) tc->name, .type = tc->type };

    vol.target.format = tc->format;
    g_assert_cmpint(virStorageVolWipePlanForVolume(&vol), ==, tc->plan);
}


/* ---- operations on real inodes ---- */

/* A file of @size bytes in the work directory, allocated in full or
 * sparse; its stat. */
static void
testMakeFile(const char *name,
             off_t size,
             bool allocate,
             struct stat *st)
{
    g_autofree char *path = g_build_filename(workdir, name, NULL);
    VIR_AUTOCLOSE fd = -1;

    g_unlink(path);
    g_assert_cmpint((fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600)), >=, 0);
    if (allocate)
        g_assert_cmpint(posix_fallocate(fd, 0, size), ==, 0);
    else
        g_assert_cmpint(ftruncate(fd, size), ==, 0);
    g_assert_cmpint(fstat(fd, st), ==, 0);
}


static void
testOpsOnFiles(const void *opaque G_GNUC_UNUSED)
{
    struct stat sparse;
    struct stat full;
    struct stat empty;

    testMakeFile("sparse.img", 4 * 1024 * 1024, false, &sparse);
    testMakeFile("full.img", 4 * 1024 * 1024, true, &full);
    testMakeFile("empty.img", 0, false, &empty);
    g_assert_cmpint(sparse.st_blocks, ==, 0);
    g_assert_cmpint(full.st_blocks * 512, >=, full.st_size);

    /* zero: a thin file stays thin, a reserved one keeps its blocks */
    g_assert_cmpint(virStorageVolWipeOpForInode(VIR_STORAGE_VOL_WIPE_METHOD_ZERO,
                                                &sparse),
                    ==, VIR_STORAGE_VOL_WIPE_OP_PUNCH_HOLE);
    g_assert_cmpint(virStorageVolWipeOpForInode(VIR_STORAGE_VOL_WIPE_METHOD_ZERO,
                                                &full),
                    ==, VIR_STORAGE_VOL_WIPE_OP_ZERO_RANGE);
    g_assert_cmpint(virStorageVolWipeOpForInode(VIR_STORAGE_VOL_WIPE_METHOD_ZERO,
                                                &empty),
                    ==, VIR_STORAGE_VOL_WIPE_OP_ZERO_RANGE);

    /* trim always releases */
    g_assert_cmpint(virStorageVolWipeOpForInode(VIR_STORAGE_VOL_WIPE_METHOD_TRIM,
                                                &sparse),
                    ==, VIR_STORAGE_VOL_WIPE_OP_PUNCH_HOLE);
    g_assert_cmpint(virStorageVolWipeOpForInode(VIR_STORAGE_VOL_WIPE_METHOD_TRIM,
                                                &full),
                    ==, VIR_STORAGE_VOL_WIPE_OP_PUNCH_HOLE);

    /* scrub wrote the data already */
    g_assert_cmpint(virStorageVolWipeOpForInode(VIR_STORAGE_VOL_WIPE_METHOD_SCRUB,
                                                &full),
                    ==, VIR_STORAGE_VOL_WIPE_OP_SYNC);
    g_assert_cmpint(virStorageVolWipeOpForInode(VIR_STORAGE_VOL_WIPE_METHOD_SCRUB,
                                                &sparse),
                    ==, VIR_STORAGE_VOL_WIPE_OP_SYNC);
}


static void
testOpsOnBlockDevice(const void *opaque G_GNUC_UNUSED)
{
    /* a block device's st_size and st_blocks are 0: it is never "sparse",
     * the ioctls do the work */
    struct stat blk = { .st_mode = S_IFBLK | 0660 };

    g_assert_cmpint(virStorageVolWipeOpForInode(VIR_STORAGE_VOL_WIPE_METHOD_ZERO,
                                                &blk),
                    ==, VIR_STORAGE_VOL_WIPE_OP_BLKZEROOUT);
    g_assert_cmpint(virStorageVolWipeOpForInode(VIR_STORAGE_VOL_WIPE_METHOD_TRIM,
                                                &blk),
                    ==, VIR_STORAGE_VOL_WIPE_OP_BLKDISCARD);
    g_assert_cmpint(virStorageVolWipeOpForInode(VIR_STORAGE_VOL_WIPE_METHOD_SCRUB,
                                                &blk),
                    ==, VIR_STORAGE_VOL_WIPE_OP_SYNC);
}


/* ---- scrub's command line ---- */

static void
testScrubArgv(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virCommand) cmd = virStorageVolWipeBuildScrub("/usr/bin/scrub",
                                                            "dod");
    g_autofree char *argv = NULL;

    /* what the wipe appends: the volume's open descriptor */
    virCommandAddArg(cmd, "/dev/fd/3");
    if (!(argv = lvsbTestCommandToArgv(cmd)))
        return;
    lvsbTestCompareToString("scrub argv",
                            "/usr/bin/scrub\n-f\n-S\n-p\ndod\n--\n/dev/fd/3\n",
                            argv);
}


/* ---- LVs ---- */

typedef struct {
    const char *name;
    virStorageLVMLVKind kind;
    unsigned int algorithm;
    bool wipeable;
    unsigned int runs;
} testLVCase;

static const testLVCase lvCases[] = {
    { "thick-zero", VIR_STORAGE_LVM_LV_THICK, VIR_STORAGE_VOL_WIPE_ALG_ZERO,
      true, VIR_STORAGE_VOL_WIPE_ALG_ZERO },
    { "thick-trim", VIR_STORAGE_LVM_LV_THICK, VIR_STORAGE_VOL_WIPE_ALG_TRIM,
      true, VIR_STORAGE_VOL_WIPE_ALG_TRIM },
    { "thick-dod", VIR_STORAGE_LVM_LV_THICK, VIR_STORAGE_VOL_WIPE_ALG_DOD,
      true, VIR_STORAGE_VOL_WIPE_ALG_DOD },
    /* zeros written to a thin LV would allocate all of it */
    { "thin-zero", VIR_STORAGE_LVM_LV_THIN, VIR_STORAGE_VOL_WIPE_ALG_ZERO,
      true, VIR_STORAGE_VOL_WIPE_ALG_TRIM },
    { "thin-trim", VIR_STORAGE_LVM_LV_THIN, VIR_STORAGE_VOL_WIPE_ALG_TRIM,
      true, VIR_STORAGE_VOL_WIPE_ALG_TRIM },
    /* a pattern asked for is a pattern written */
    { "thin-random", VIR_STORAGE_LVM_LV_THIN, VIR_STORAGE_VOL_WIPE_ALG_RANDOM,
      true, VIR_STORAGE_VOL_WIPE_ALG_RANDOM },
    { "snapshot-zero", VIR_STORAGE_LVM_LV_SNAPSHOT,
      VIR_STORAGE_VOL_WIPE_ALG_ZERO, true, VIR_STORAGE_VOL_WIPE_ALG_ZERO },
    { "sparse-zero", VIR_STORAGE_LVM_LV_SPARSE, VIR_STORAGE_VOL_WIPE_ALG_ZERO,
      false, 0 },
    { "sparse-trim", VIR_STORAGE_LVM_LV_SPARSE, VIR_STORAGE_VOL_WIPE_ALG_TRIM,
      false, 0 },
};


static void
testLV(const void *opaque)
{
    const testLVCase *tc = opaque;
    unsigned int algorithm = tc->algorithm;

    if (!tc->wipeable) {
        g_assert_false(virStorageVolLVWipeAlgorithm(tc->kind, &algorithm));
        return;
    }
    g_assert_true(virStorageVolLVWipeAlgorithm(tc->kind, &algorithm));
    g_assert_cmpuint(algorithm, ==, tc->runs);
}


int
main(int argc,
     char **argv)
{
    lvsbTestInit(&argc, &argv);
    workdir = lvsbTestMakeWorkDir("volwipetest");

    LVSB_TEST_ADD_CASES("/volwipe/algorithm", algorithmCases, testAlgorithm);
    g_test_add_data_func("/volwipe/algorithm-unknown", NULL,
                         testAlgorithmUnknown);
    LVSB_TEST_ADD_CASES("/volwipe/plan", planCases, testPlan);
    g_test_add_data_func("/volwipe/op/files", NULL, testOpsOnFiles);
    g_test_add_data_func("/volwipe/op/block-device", NULL,
                         testOpsOnBlockDevice);
    g_test_add_data_func("/volwipe/scrub-argv", NULL, testScrubArgv);
    LVSB_TEST_ADD_CASES("/volwipe/lv", lvCases, testLV);

    return lvsbTestRun();
}
