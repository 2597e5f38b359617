/*
 * storagelvmtest.c: lvm2 command lines and the parsers of lvm2 reports
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Builders (src/storage/storage_lvm.c) are compared with
 * tests/storagelvmdata/NAME.argv.  The parsers read reports captured from
 * lvm2 2.03.16 in the test VM (storagelvmdata/README says how); what they
 * make of each is dumped field by field and compared with NAME.parsed,
 * and a few facts the backend relies on are checked one by one.
 */

#include <config.h>

#include <glib.h>

#include "lvsbtestutils.h"
#include "storage_lvm.h"
#include "virbuffer.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static const char *const testTwoDevices[] = { "/dev/vda", "/dev/vdb" };

typedef struct {
    const char *name;
    virCommand *(*build)(void);
} testBuilderCase;

static virCommand *testPVCreate(void) { return virStorageLVMBuildPVCreate("/dev/vda"); }
static virCommand *testPVRemove(void) { return virStorageLVMBuildPVRemove("/dev/vda"); }
static virCommand *testVGCreate(void) { return virStorageLVMBuildVGCreate("vg0", testTwoDevices, 2); }
static virCommand *testVGRemove(void) { return virStorageLVMBuildVGRemove("vg0"); }
static virCommand *testVGChangeOn(void) { return virStorageLVMBuildVGChange("vg0", true); }
static virCommand *testVGChangeOff(void) { return virStorageLVMBuildVGChange("vg0", false); }
static virCommand *testLVCreateThick(void) { return virStorageLVMBuildLVCreateThick("vg0", "disk1", 1073741824ULL); }
static virCommand *testLVCreateThin(void) { return virStorageLVMBuildLVCreateThin("vg0", "tp0", "disk1", 10737418240ULL); }
static virCommand *testLVExtend(void) { return virStorageLVMBuildLVExtend("vg0", "disk1", 2147483648ULL); }
static virCommand *testLVReduce(void) { return virStorageLVMBuildLVReduce("vg0", "disk1", 536870912ULL); }
static virCommand *testLVRemove(void) { return virStorageLVMBuildLVRemove("vg0", "disk1"); }
static virCommand *testLVsVG(void) { return virStorageLVMBuildLVs("vg0", NULL); }
static virCommand *testLVsOne(void) { return virStorageLVMBuildLVs("vg0", "disk1"); }
static virCommand *testVGsOne(void) { return virStorageLVMBuildVGs("vg0"); }
static virCommand *testVGsAll(void) { return virStorageLVMBuildVGs(NULL); }
static virCommand *testPVs(void) { return virStorageLVMBuildPVs(); }

static const testBuilderCase builderCases[] = {
    { "pvcreate", testPVCreate },
    { "pvremove", testPVRemove },
    { "vgcreate", testVGCreate },
    { "vgremove", testVGRemove },
    { "vgchange-activate", testVGChangeOn },
    { "vgchange-deactivate", testVGChangeOff },
    { "lvcreate-thick", testLVCreateThick },
    { "lvcreate-thin", testLVCreateThin },
    { "lvextend", testLVExtend },
    { "lvreduce", testLVReduce },
    { "lvremove", testLVRemove },
    { "lvs-vg", testLVsVG },
    { "lvs-one", testLVsOne },
    { "vgs-one", testVGsOne },
    { "vgs-all", testVGsAll },
    { "pvs", testPVs },
};


static void
testBuilder(const void *opaque)
{
    const testBuilderCase *tc = opaque;
    g_autoptr(virCommand) cmd = tc->build();

    lvsbTestCompareCommandToFile(cmd, tc->name);
}


/* ---- parsed reports, dumped one field a line ---- */

static const char *
testKindName(virStorageLVMLVKind kind)
{
    switch (kind) {
    case VIR_STORAGE_LVM_LV_THICK: return "thick";
    case VIR_STORAGE_LVM_LV_THIN: return "thin";
    case VIR_STORAGE_LVM_LV_THIN_POOL: return "thin-pool";
    case VIR_STORAGE_LVM_LV_SNAPSHOT: return "snapshot";
    case VIR_STORAGE_LVM_LV_SPARSE: return "sparse";
    case VIR_STORAGE_LVM_LV_OTHER: return "other";
    }
    return "?";
}


/* The text of @buf, "" when nothing was added (an empty report). */
static char *
testBufferText(virBuffer *buf)
{
    char *text = virBufferContentAndReset(buf);

    return text ? text : g_strdup("");
}


static char *
testDumpLVs(const virStorageLVMLVList *list)
{
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    size_t i, j, k;

    for (i = 0; i < list->nlvs; i++) {
        const virStorageLVMLV *lv = &list->lvs[i];

        virBufferAsprintf(&buf, "lv %s\n", lv->name);
        virBufferAdjustIndent(&buf, 2);
        virBufferAsprintf(&buf, "uuid %s\n", lv->uuid);
        virBufferAsprintf(&buf, "kind %s\n", testKindName(lv->kind));
        virBufferAsprintf(&buf, "size %llu\n", lv->size);
        virBufferAsprintf(&buf, "extentSize %llu\n", lv->extentSize);
        virBufferAsprintf(&buf, "origin %s\n", NULLSTR(lv->origin));
        virBufferAsprintf(&buf, "originSize %llu\n", lv->originSize);
        virBufferAsprintf(&buf, "thinPool %s\n", NULLSTR(lv->thinPool));
        if (lv->hasDataPercent)
            virBufferAsprintf(&buf, "dataPercent %.2f\n", lv->dataPercent);
        else
            virBufferAddLit(&buf, "dataPercent -\n");
        virBufferAsprintf(&buf, "active %d open %d\n", lv->active, lv->open);
        virBufferAsprintf(&buf, "capacity %llu allocation %llu\n",
                          virStorageLVMLVCapacity(lv),
                          virStorageLVMLVAllocation(lv));
        for (j = 0; j < lv->nsegments; j++) {
            const virStorageLVMSegment *seg = &lv->segments[j];

            virBufferAsprintf(&buf, "segment %s stripes %u size %llu\n",
                              seg->segtype, seg->stripes, seg->size);
            for (k = 0; k < seg->ndevices; k++)
                virBufferAsprintf(&buf, "  device %s extent %llu\n",
                                  seg->devices[k].path,
                                  seg->devices[k].startExtent);
        }
        virBufferAdjustIndent(&buf, -2);
    }
    return testBufferText(&buf);
}


static char *
testDumpVGs(const virStorageLVMVGList *list)
{
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    size_t i;

    for (i = 0; i < list->nvgs; i++) {
        const virStorageLVMVG *vg = &list->vgs[i];

        virBufferAsprintf(&buf,
                          "vg %s uuid %s size %llu free %llu extentSize %llu "
                          "pvs %u missing %u lvs %u\n",
                          vg->name, NULLSTR(vg->uuid), vg->size, vg->free,
                          vg->extentSize, vg->pvCount, vg->missingPVCount,
                          vg->lvCount);
    }
    return testBufferText(&buf);
}


static char *
testDumpPVs(const virStorageLVMPVList *list)
{
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    size_t i;

    for (i = 0; i < list->npvs; i++) {
        const virStorageLVMPV *pv = &list->pvs[i];

        virBufferAsprintf(&buf, "pv %s uuid %s vg %s size %llu missing %d\n",
                          pv->name, NULLSTR(pv->uuid), NULLSTR(pv->vgName),
                          pv->size, pv->missing);
    }
    return testBufferText(&buf);
}


typedef enum {
    TEST_REPORT_LVS,
    TEST_REPORT_VGS,
    TEST_REPORT_PVS,
} testReportKind;

typedef struct {
    const char *name;
    testReportKind kind;
} testReportCase;

static const testReportCase reportCases[] = {
    { "lvs-capvg", TEST_REPORT_LVS },
    { "lvs-thin1", TEST_REPORT_LVS },
    { "lvs-empty", TEST_REPORT_LVS },
    { "lvs-held", TEST_REPORT_LVS },
    { "vgs-capvg", TEST_REPORT_VGS },
    { "vgs-missing", TEST_REPORT_VGS },
    { "pvs-all", TEST_REPORT_PVS },
    { "pvs-missing", TEST_REPORT_PVS },
};


static char *
testParseAndDump(const testReportCase *tc,
                 const char *text)
{
    switch (tc->kind) {
    case TEST_REPORT_LVS: {
        g_autoptr(virStorageLVMLVList) list = virStorageLVMParseLVs(text);
        return list ? testDumpLVs(list) : NULL;
    }
    case TEST_REPORT_VGS: {
        g_autoptr(virStorageLVMVGList) list = virStorageLVMParseVGs(text);
        return list ? testDumpVGs(list) : NULL;
    }
    case TEST_REPORT_PVS: {
        g_autoptr(virStorageLVMPVList) list = virStorageLVMParsePVs(text);
        return list ? testDumpPVs(list) : NULL;
    }
    }
    return NULL;
}


static void
testReport(const void *opaque)
{
    const testReportCase *tc = opaque;
    g_autofree char *inpath = lvsbTestDataPath(tc->name, ".json");
    g_autofree char *outpath = lvsbTestDataPath(tc->name, ".parsed");
    g_autofree char *text = NULL;
    g_autofree char *dump = NULL;

    if (!(text = lvsbTestLoadFile(inpath)))
        return;

    if (!(dump = testParseAndDump(tc, text))) {
        g_test_message("%s: %s", tc->name, virGetLastErrorMessage());
        g_test_fail();
        return;
    }
    lvsbTestCompareToFile(dump, outpath);
}


/* The LVs of the capture NAME.json; NULL (the test failed) when it
 * cannot be read or parsed. */
static virStorageLVMLVList *
testParseLVsFile(const char *name)
{
    g_autofree char *path = lvsbTestDataPath(name, ".json");
    g_autofree char *text = lvsbTestLoadFile(path);
    virStorageLVMLVList *list;

    if (!text)
        return NULL;
    if (!(list = virStorageLVMParseLVs(text))) {
        g_test_message("%s: %s", name, virGetLastErrorMessage());
        g_test_fail();
    }
    return list;
}


/* What the backend relies on, checked directly on the capture. */
static void
testLVsFacts(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virStorageLVMLVList) list = NULL;
    const virStorageLVMLV *lv;

    if (!(list = testParseLVsFile("lvs-capvg")))
        return;

    /* one entry per LV, whatever its number of segments */
    g_assert_nonnull(lv = virStorageLVMLVListFind(list, "twoseg"));
    g_assert_cmpuint(lv->nsegments, ==, 2);
    g_assert_cmpuint(lv->size, ==, 16777216);

    g_assert_nonnull(lv = virStorageLVMLVListFind(list, "striped1"));
    g_assert_cmpuint(lv->segments[0].ndevices, ==, 2);

    g_assert_nonnull(lv = virStorageLVMLVListFind(list, "tp0"));
    g_assert_cmpint(lv->kind, ==, VIR_STORAGE_LVM_LV_THIN_POOL);

    g_assert_nonnull(lv = virStorageLVMLVListFind(list, "thin1"));
    g_assert_cmpint(lv->kind, ==, VIR_STORAGE_LVM_LV_THIN);
    g_assert_cmpstr(lv->thinPool, ==, "tp0");
    g_assert_cmpuint(virStorageLVMLVAllocation(lv), <, lv->size);

    g_assert_nonnull(lv = virStorageLVMLVListFind(list, "sparse1"));
    g_assert_cmpint(lv->kind, ==, VIR_STORAGE_LVM_LV_SPARSE);
    g_assert_cmpuint(virStorageLVMLVCapacity(lv), ==, 1073741824ULL);

    g_assert_nonnull(lv = virStorageLVMLVListFind(list, "snap1"));
    g_assert_cmpint(lv->kind, ==, VIR_STORAGE_LVM_LV_SNAPSHOT);
    g_assert_cmpstr(lv->origin, ==, "thick1");

    g_assert_nonnull(lv = virStorageLVMLVListFind(list, "thick1"));
    g_assert_true(lv->open);
    g_assert_nonnull(lv = virStorageLVMLVListFind(list, "inactive1"));
    g_assert_false(lv->active);
    g_assert_false(lv->open);
    g_assert_null(virStorageLVMLVListFind(list, "tp0_tdata"));
}


/* An LV is open, whoever holds it: what the delete of a volume asks
 * after lvremove failed (storage_vol_lv.c), instead of reading
 * lvremove's words, which differ by holder ("in use", "used by another
 * device"). */
static void
testLVsHeld(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virStorageLVMLVList) list = NULL;
    const virStorageLVMLV *lv;

    if (!(list = testParseLVsFile("lvs-held")))
        return;

    g_assert_nonnull(lv = virStorageLVMLVListFind(list, "opened"));
    g_assert_true(lv->open);
    g_assert_nonnull(lv = virStorageLVMLVListFind(list, "stacked"));
    g_assert_true(lv->open);
    g_assert_nonnull(lv = virStorageLVMLVListFind(list, "closed"));
    g_assert_false(lv->open);
    g_assert_true(lv->active);
    /* lvm2 writes -1: it cannot tell for an inactive LV */
    g_assert_nonnull(lv = virStorageLVMLVListFind(list, "inactive"));
    g_assert_false(lv->open);
    g_assert_false(lv->active);
}


/* ---- reports the parsers must refuse ---- */

typedef struct {
    const char *name;
    testReportKind kind;
    const char *msgPart;
} testBadCase;

static const testBadCase badCases[] = {
    { "bad-notjson", TEST_REPORT_LVS, "cannot parse the JSON report of 'lvs'" },
    { "bad-noreport", TEST_REPORT_VGS, "printed no \"vg\" report" },
    { "bad-nofield", TEST_REPORT_LVS, "has no field 'lv_size'" },
    { "bad-devices", TEST_REPORT_LVS, "is not DEVICE(EXTENT)" },
    { "bad-size", TEST_REPORT_PVS, "is not a number of bytes" },
    { "bad-binary", TEST_REPORT_PVS, "is not 0 or 1" },
    /* lv_device_open as lvm2 writes it without --binary */
    { "bad-device-open", TEST_REPORT_LVS, "field 'lv_device_open' of the 'lvs' report is not 0 or 1: 'open'" },
    { "bad-percent", TEST_REPORT_LVS, "is not a percentage" },
    /* numbers the backend divides or multiplies by (issue 7, item 10) */
    { "bad-extent-zero", TEST_REPORT_LVS, "not an extent size lvm2 makes: 0" },
    { "bad-extent-odd", TEST_REPORT_LVS, "not an extent size lvm2 makes: 1000" },
    { "bad-vgs-extent-zero", TEST_REPORT_VGS, "not an extent size lvm2 makes: 0" },
    { "bad-extent-beyond", TEST_REPORT_LVS, "lies beyond 2^64 bytes" },
    { "bad-vgs-free", TEST_REPORT_VGS, "more free bytes" },
};


static void
testBadReport(const void *opaque)
{
    const testBadCase *tc = opaque;
    testReportCase rc = { tc->name, tc->kind };
    g_autofree char *inpath = lvsbTestDataPath(tc->name, ".json");
    g_autofree char *text = NULL;
    g_autofree char *dump = NULL;

    if (!(text = lvsbTestLoadFile(inpath)))
        return;

    virResetLastError();
    if ((dump = testParseAndDump(&rc, text))) {
        g_test_message("%s was accepted:\n%s", tc->name, dump);
        g_test_fail();
        return;
    }
    lvsbTestExpectError(tc->name, VIR_ERR_OPERATION_FAILED, tc->msgPart);
}


int
main(int argc,
     char **argv)
{
    lvsbTestInit(&argc, &argv);
    lvsbTestSetDataDir("storagelvmdata");

    LVSB_TEST_ADD_CASES("/storagelvm/argv", builderCases, testBuilder);
    LVSB_TEST_ADD_CASES("/storagelvm/report", reportCases, testReport);
    LVSB_TEST_ADD_CASES("/storagelvm/bad", badCases, testBadReport);
    g_test_add_data_func("/storagelvm/lvs-facts", NULL, testLVsFacts);
    g_test_add_data_func("/storagelvm/lvs-held", NULL, testLVsHeld);

    return g_test_run();
}
