/*
 * storagenametest.c: the names a volume or a volume group may have
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * File volumes (src/storage/storage_vol_name.c): one plain entry of the
 * pool's directory.  LVs (src/storage/storage_vol_lv.c) and VGs
 * (src/storage/storage_lvm.c): what lvm2 accepts, never an option
 * ("--select=..."), and for LVs none of the names lvm2 keeps for its own.
 */

#include <config.h>

#include <glib.h>

#include "storage_vol_name.h"
#include "storage_vol_lv.h"
#include "storage_lvm.h"
#include "lvsbtestutils.h"

/* Reports VIR_ERR_INVALID_ARG naming pool @poolname when @name is refused */
typedef int (*testValidator)(const char *poolname, const char *name);

typedef struct {
    const char *name;       /* the name under test */
    const char *msgPart;    /* NULL: accepted; else part of the refusal */
} testNameCase;


static void
testNames(const char *what,
          testValidator validate,
          const testNameCase *cases,
          size_t ncases)
{
    size_t i;

    for (i = 0; i < ncases; i++) {
        const testNameCase *tc = &cases[i];
        g_autofree char *label = g_strdup_printf("%s '%s'", what,
                                                 NULLSTR(tc->name));
        int rc;

        virResetLastError();
        rc = validate("pool0", tc->name);

        if (!tc->msgPart) {
            if (rc < 0) {
                g_test_message("%s refused: %s", label,
                               virGetLastErrorMessage());
                g_test_fail();
            }
            continue;
        }
        if (rc == 0) {
            g_test_message("%s accepted", label);
            g_test_fail();
            continue;
        }
        lvsbTestExpectError(label, VIR_ERR_INVALID_ARG, tc->msgPart);
        /* the message names the pool, so the user knows where to look */
        lvsbTestExpectError(label, VIR_ERR_INVALID_ARG, "'pool0'");
    }
}


/* lvm2 takes names of up to 127 characters (its NAME_LEN counts the NUL) */
static void
testLvmNameLengths(const char *what,
                   testValidator validate)
{
    g_autofree char *longest = g_strnfill(127, 'n');
    g_autofree char *toolong = g_strnfill(128, 'n');
    const testNameCase lengths[] = {
        { longest, NULL },
        { toolong, "at most 127" },
    };

    testNames(what, validate, lengths, G_N_ELEMENTS(lengths));
}


static void
testFileNames(const void *opaque G_GNUC_UNUSED)
{
    static const testNameCase cases[] = {
        { "disk.img", NULL },
        { "-disk.img", NULL },          /* no tool takes it as an option */
        { ".hidden", NULL },
        { "...", NULL },
        { "a b\tc", NULL },
        { "caf\xc3\xa9.qcow2", NULL },
        { "", "must not be empty" },
        { NULL, "must not be empty" },
        { "a/b", "must not contain '/'" },
        { "../etc", "must not contain '/'" },
        { "/etc/passwd", "must not contain '/'" },
        { "sub/", "must not contain '/'" },
        { ".", "is reserved" },
        { "..", "is reserved" },
    };

    testNames("file volume", virStorageVolNameValidate,
              cases, G_N_ELEMENTS(cases));
}


static void
testLVNames(const void *opaque G_GNUC_UNUSED)
{
    static const testNameCase cases[] = {
        { "lv0", NULL },
        { "LV_1.data+x-", NULL },
        { "...", NULL },
        { "my_snapshot", NULL },        /* the prefix only counts in front */
        { "data_tmetax", "that part" }, /* an infix counts anywhere */
        /* lvm2 would take these as options, without the "--" fence */
        { "--select=lv_name=~.", "starts with '-'" },
        { "--select=vg_name=~.", "starts with '-'" },
        { "-lv", "starts with '-'" },
        { "-", "starts with '-'" },
        { "", "is empty" },
        { NULL, "is empty" },
        { ".", "'.' or '..'" },
        { "..", "'.' or '..'" },
        { "vg/lv", "contains '/'" },
        { "../lv", "contains '/'" },
        { "lv name", "only letters" },
        { "lv=~.", "only letters" },
        { "lv\n", "only letters" },
        { "caf\xc3\xa9", "only letters" },
        /* the names lvm2 makes for itself */
        { "snapshot0", "that prefix" },
        { "pvmove0", "that prefix" },
        { "x_tmeta", "that part" },
        { "x_tdata", "that part" },
        { "x_cdata", "that part" },
        { "x_cmeta", "that part" },
        { "x_corig", "that part" },
        { "x_iorig", "that part" },
        { "x_mimage_0", "that part" },
        { "x_mlog", "that part" },
        { "lvol0_pmspare", "that part" },
        { "x_rimage_1", "that part" },
        { "x_rmeta_1", "that part" },
        { "x_vdata", "that part" },
        { "x_vorigin", "that part" },
        { "x_wcorig", "that part" },
    };

    testNames("LV", virStorageVolLVNameValidate, cases, G_N_ELEMENTS(cases));
    testLvmNameLengths("LV", virStorageVolLVNameValidate);
}


/* A VG name has the LV's character set; lvm2 keeps no VG name for itself. */
static void
testVGNames(const void *opaque G_GNUC_UNUSED)
{
    static const testNameCase cases[] = {
        { "vg0", NULL },
        { "VG_1", NULL },
        { "a.b", NULL },
        { "a+b", NULL },
        { "x-", NULL },
        { "...", NULL },
        { "snapshot", NULL },
        { "pvmove", NULL },
        { "--select=vg_name=~.", "starts with '-'" },
        { "-vg", "starts with '-'" },
        { "", "is empty" },
        { NULL, "is empty" },
        { ".", "'.' or '..'" },
        { "..", "'.' or '..'" },
        { "a b", "only letters" },
        { "a/b", "only letters" },
        { "vg=~.", "only letters" },
        { "caf\xc3\xa9", "only letters" },
    };

    testNames("VG", virStorageLVMVGNameValidate, cases, G_N_ELEMENTS(cases));
    testLvmNameLengths("VG", virStorageLVMVGNameValidate);
}


int
main(int argc,
     char **argv)
{
    lvsbTestInit(&argc, &argv);

    g_test_add_data_func("/name/file-volume", NULL, testFileNames);
    g_test_add_data_func("/name/lv", NULL, testLVNames);
    g_test_add_data_func("/name/vg", NULL, testVGNames);

    return g_test_run();
}
