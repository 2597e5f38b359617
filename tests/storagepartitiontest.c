/*
 * storagepartitiontest.c: partition tables through our libparted helper
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Pure parts (storage_partition.c, storage_vol_partition.c):
 *  - the JSON parser on output captured from libvirt_storage_parthelper
 *    (storagepartitiondata/NAME.json), and on malformed text;
 *  - the helper's argv against storagepartitiondata/<case>.argv (one
 *    argument per line, as g_shell_parse_argv splits
 *    virCommandToString; VIR_TEST_REGENERATE_OUTPUT=1 rewrites them);
 *  - the kernel's partition names, the next partition number, the
 *    volume format <-> libparted mapping.
 *
 * Image files (libparted works on plain files): the real helper
 * ($LIBVIRT_STORAGE_PARTHELPER) writes every label libvirt names, makes,
 * deletes and resizes partitions, and refuses what does not fit without
 * changing the table.
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "storage_partition.h"
#include "storage_pool_disk.h"
#include "storage_disk_table.h"
#include "storage_vol_partition.h"
#include "storage_qemuimg.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

#define MiB (1024ULL * 1024ULL)

static const char *dataDir;
static const char *helper;


static void
testQuietErrorFunc(void *opaque G_GNUC_UNUSED,
                   virErrorPtr err G_GNUC_UNUSED)
{
}


static char *
testDataPath(const char *name)
{
    return g_build_filename(dataDir, name, NULL);
}


static char *
testReadData(const char *name)
{
    g_autofree char *path = testDataPath(name);
    g_autoptr(GError) err = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &err))
        g_error("cannot read %s: %s", path, err->message);
    return text;
}


static virStoragePartitionTable *
testParseData(const char *name)
{
    g_autofree char *json = testReadData(name);
    virStoragePartitionTable *table = virStoragePartitionTableParse(json, name);

    if (!table)
        g_error("cannot parse %s: %s", name, virGetLastErrorMessage());
    return table;
}


/* ------------------------------------------------------------ parser */

static void
testParseNoLabel(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virStoragePartitionTable) t = testParseData("read-nolabel.json");

    g_assert_null(t->label);
    g_assert_cmpuint(t->size, ==, 256 * MiB);
    g_assert_cmpuint(t->sectorSize, ==, 512);
    g_assert_cmpuint(t->npartitions, ==, 0);
    g_assert_cmpuint(t->nfree, ==, 0);
    g_assert_cmpuint(t->added, ==, 0);
    g_assert_cmpuint(virStoragePartitionNextNumber(t, VIR_STORAGE_PARTITION_PRIMARY), ==, 0);
}


static void
testParseGpt(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virStoragePartitionTable) t = testParseData("read-gpt.json");

    g_assert_cmpstr(t->label, ==, "gpt");
    g_assert_cmpuint(t->maxPartitions, ==, 128);
    g_assert_cmpuint(t->npartitions, ==, 4);
    g_assert_cmpuint(t->partitions[0].number, ==, 1);
    g_assert_cmpuint(t->partitions[0].start, ==, 1 * MiB);
    g_assert_cmpuint(t->partitions[0].end, ==, 11 * MiB - 1);
    g_assert_null(t->partitions[0].fs);
    g_assert_true(t->partitions[2].raid);
    g_assert_false(t->partitions[2].lvm);
    g_assert_true(t->partitions[3].lvm);
    g_assert_cmpint(virStorageVolPartitionFormat(&t->partitions[2]), ==,
                    VIR_STORAGE_VOL_DISK_LINUX_RAID);
    g_assert_cmpint(virStorageVolPartitionFormat(&t->partitions[3]), ==,
                    VIR_STORAGE_VOL_DISK_LINUX_LVM);
    g_assert_cmpuint(t->nfree, ==, 1);
    g_assert_cmpint(t->free[0].kind, ==, VIR_STORAGE_PARTITION_PRIMARY);
    g_assert_cmpuint(virStoragePartitionNextNumber(t, VIR_STORAGE_PARTITION_PRIMARY), ==, 5);
    g_assert_cmpuint(virStoragePartitionNextNumber(t, VIR_STORAGE_PARTITION_LOGICAL), ==, 0);
    g_assert_cmpuint(virStoragePartitionNextNumber(t, VIR_STORAGE_PARTITION_EXTENDED), ==, 0);
}


static void
testParseMsdos(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virStoragePartitionTable) t = testParseData("read-msdos.json");

    g_assert_cmpstr(t->label, ==, "msdos");
    g_assert_cmpuint(t->maxPartitions, ==, 4);
    g_assert_cmpuint(t->npartitions, ==, 4);
    g_assert_cmpint(t->partitions[1].kind, ==, VIR_STORAGE_PARTITION_EXTENDED);
    g_assert_cmpint(t->partitions[2].kind, ==, VIR_STORAGE_PARTITION_LOGICAL);
    g_assert_cmpuint(t->partitions[3].number, ==, 6);
    g_assert_cmpint(virStorageVolPartitionFormat(&t->partitions[1]), ==,
                    VIR_STORAGE_VOL_DISK_EXTENDED);
    g_assert_cmpuint(t->nfree, ==, 2);
    g_assert_cmpint(t->free[0].kind, ==, VIR_STORAGE_PARTITION_LOGICAL);
    g_assert_cmpint(t->free[1].kind, ==, VIR_STORAGE_PARTITION_PRIMARY);
    g_assert_cmpuint(virStoragePartitionNextNumber(t, VIR_STORAGE_PARTITION_PRIMARY), ==, 3);
    g_assert_cmpuint(virStoragePartitionNextNumber(t, VIR_STORAGE_PARTITION_LOGICAL), ==, 7);
    g_assert_cmpuint(virStoragePartitionNextNumber(t, VIR_STORAGE_PARTITION_EXTENDED), ==, 0);
}


static void
testParseAdded(const void *opaque)
{
    const char *const *c = opaque;
    g_autoptr(virStoragePartitionTable) t = testParseData(c[0]);

    g_assert_cmpuint(t->added, ==, atoi(c[1]));
}


static void
testParseLoopExt4(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virStoragePartitionTable) t = testParseData("read-loop-gpt-ext4.json");

    g_assert_cmpstr(t->device, ==, "/dev/loop1");
    g_assert_cmpstr(t->partitions[0].fs, ==, "ext4");
    g_assert_cmpint(virStorageVolPartitionFormat(&t->partitions[0]), ==,
                    VIR_STORAGE_VOL_DISK_LINUX);
}


static const char *const malformedCases[] = {
    "",
    "not json",
    "[]",
    "{\"device\": \"/dev/sdb\"}",
    "{\"device\": \"/dev/sdb\", \"label\": \"gpt\", \"sector-size\": 512,"
    " \"size\": 1, \"max-partitions\": 128}",
    "{\"device\": \"/dev/sdb\", \"label\": \"gpt\", \"sector-size\": 512,"
    " \"size\": 1, \"max-partitions\": 128, \"partitions\": [{\"number\": 1,"
    " \"kind\": \"weird\", \"start\": 0, \"end\": 1}], \"free\": []}",
    "{\"device\": \"/dev/sdb\", \"label\": \"gpt\", \"sector-size\": 512,"
    " \"size\": 1, \"max-partitions\": 128, \"partitions\": [{\"number\": 1,"
    " \"kind\": \"primary\", \"start\": 5, \"end\": 1}], \"free\": []}",
    "{\"device\": \"/dev/sdb\", \"label\": \"gpt\", \"sector-size\": 512,"
    " \"size\": 1, \"max-partitions\": 128, \"partitions\": [],"
    " \"free\": [{\"kind\": \"extended\", \"start\": 0, \"end\": 1}]}",
    "{\"device\": \"/dev/sdb\", \"label\": \"gpt\", \"sector-size\": 0,"
    " \"size\": 1, \"max-partitions\": 128, \"partitions\": [], \"free\": []}",
    NULL,
};


static void
testParseMalformed(const void *opaque)
{
    const char *json = opaque;

    g_assert_null(virStoragePartitionTableParse(json, "/dev/sdb"));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INTERNAL_ERROR);
    virResetLastError();
}


/* ------------------------------------------------------------ argv */

typedef struct {
    const char *name;
    virCommand *(*build)(void);
} testArgvCase;

#define FAKE_HELPER "/usr/libexec/libvirt_storage_parthelper"

static virCommand *buildRead(void)
{ return virStoragePartitionBuildRead(FAKE_HELPER, "/dev/loop0"); }
static virCommand *buildMklabel(void)
{ return virStoragePartitionBuildMklabel(FAKE_HELPER, "/dev/nvme0n1", "msdos"); }
static virCommand *buildAddPrimary(void)
{ return virStoragePartitionBuildAdd(FAKE_HELPER, "/dev/sdb",
                                     VIR_STORAGE_PARTITION_PRIMARY, "ext2", 100 * MiB, 0); }
static virCommand *buildAddLogicalLvm(void)
{ return virStoragePartitionBuildAdd(FAKE_HELPER, "/dev/loop3",
                                     VIR_STORAGE_PARTITION_LOGICAL,
                                     virStorageVolPartitionFsType(VIR_STORAGE_VOL_DISK_LINUX_LVM),
                                     1 * MiB, 0); }
static virCommand *buildAddExtended(void)
{ return virStoragePartitionBuildAdd(FAKE_HELPER, "/dev/mmcblk0",
                                     VIR_STORAGE_PARTITION_EXTENDED,
                                     virStorageVolPartitionFsType(VIR_STORAGE_VOL_DISK_EXTENDED),
                                     512 * MiB, 0); }
static virCommand *buildDelete(void)
{ return virStoragePartitionBuildDelete(FAKE_HELPER, "/dev/vdb", 5, NULL); }
static virCommand *buildAddNumbered(void)
{ return virStoragePartitionBuildAdd(FAKE_HELPER, "/dev/nvme0n1",
                                     VIR_STORAGE_PARTITION_PRIMARY, "none", 4 * MiB, 17); }
static virCommand *buildDeleteAtStart(void)
{
    unsigned long long start = 5 * MiB;
    return virStoragePartitionBuildDelete(FAKE_HELPER, "/dev/loop1", 3, &start);
}
static virCommand *buildResize(void)
{ return virStoragePartitionBuildResize(FAKE_HELPER, "/dev/loop0", 2, 200 * MiB); }
static virCommand *buildConvert(void)
{ return virStorageQemuImgBuildConvertToDevice("/usr/bin/qemu-img",
                                               "/var/lib/libvirt/images/a.qcow2",
                                               "qcow2", "/dev/sdb1"); }

static const testArgvCase argvCases[] = {
    { "read", buildRead },
    { "mklabel-msdos", buildMklabel },
    { "add-primary", buildAddPrimary },
    { "add-logical-lvm", buildAddLogicalLvm },
    { "add-extended", buildAddExtended },
    { "delete", buildDelete },
    { "add-numbered", buildAddNumbered },
    { "delete-at-start", buildDeleteAtStart },
    { "resize", buildResize },
    { "convert-qcow2", buildConvert },
};


static void
testArgv(const void *opaque)
{
    const testArgvCase *c = opaque;
    g_autoptr(virCommand) cmd = c->build();
    g_autofree char *str = virCommandToString(cmd, false);
    g_autofree char *file = g_strdup_printf("%s.argv", c->name);
    g_autofree char *path = testDataPath(file);
    g_autofree char *joined = NULL;
    g_autofree char *actual = NULL;
    g_autofree char *expected = NULL;
    g_auto(GStrv) argv = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(str);
    if (!g_shell_parse_argv(str, NULL, &argv, &err))
        g_error("cannot split '%s': %s", str, err->message);
    joined = g_strjoinv("\n", argv);
    actual = g_strconcat(joined, "\n", NULL);

    if (g_getenv("VIR_TEST_REGENERATE_OUTPUT") &&
        !g_file_set_contents(path, actual, -1, &err))
        g_error("cannot write %s: %s", path, err->message);

    expected = testReadData(file);
    g_assert_cmpstr(actual, ==, expected);
}


/* ------------------------------------------------------------ naming */

static const char *const namingCases[][3] = {
    { "/dev/sdb", "1", "sdb1" },
    { "/dev/vdb", "12", "vdb12" },
    { "/dev/nvme0n1", "1", "nvme0n1p1" },
    { "/dev/mmcblk0", "2", "mmcblk0p2" },
    { "/dev/loop0", "5", "loop0p5" },
    { "/dev/md127", "1", "md127p1" },
    { "/dev/xvda", "128", "xvda128" },
};


static void
testKernelName(const void *opaque)
{
    const char *const *c = opaque;
    g_autofree char *name = virStoragePartitionKernelName(c[0], atoi(c[1]));

    g_assert_cmpstr(name, ==, c[2]);
}


static void
testNumberFromName(const void *opaque)
{
    const char *const *c = opaque;

    g_assert_cmpuint(virStoragePartitionNumberFromName(c[0], c[2]), ==, atoi(c[1]));
}


/* names that are no partition of the disk */
static const char *const notPartitionCases[][2] = {
    { "/dev/sdb", "sdb" },
    { "/dev/sdb", "sdc1" },
    { "/dev/sdb", "sdb0" },
    { "/dev/sdb", "sdb01" },
    { "/dev/sdb", "sdb1a" },
    { "/dev/sdb", "sdb-1" },
    { "/dev/loop0", "loop01" },
    { "/dev/loop0", "loop0p" },
    { "/dev/nvme0n1", "nvme0n11" },
    { "/dev/vdb", "vdb99999999999" },
};


static void
testNotPartitionName(const void *opaque)
{
    const char *const *c = opaque;

    g_assert_cmpuint(virStoragePartitionNumberFromName(c[0], c[1]), ==, 0);
}


static void
testFormatMapping(const void *opaque G_GNUC_UNUSED)
{
    virStoragePartition part = { .number = 1, .kind = VIR_STORAGE_PARTITION_PRIMARY };
    int fmt;

    for (fmt = 0; fmt < VIR_STORAGE_VOL_DISK_LAST; fmt++)
        g_assert_nonnull(virStorageVolPartitionFsType(fmt));
    g_assert_null(virStorageVolPartitionFsType(VIR_STORAGE_VOL_DISK_LAST));

    g_assert_cmpint(virStorageVolPartitionFormat(&part), ==, VIR_STORAGE_VOL_DISK_NONE);
    part.fs = (char *)"linux-swap(v1)";
    g_assert_cmpint(virStorageVolPartitionFormat(&part), ==, VIR_STORAGE_VOL_DISK_LINUX_SWAP);
    part.fs = (char *)"fat32";
    g_assert_cmpint(virStorageVolPartitionFormat(&part), ==, VIR_STORAGE_VOL_DISK_FAT32);
    part.fs = (char *)"fat16";
    g_assert_cmpint(virStorageVolPartitionFormat(&part), ==, VIR_STORAGE_VOL_DISK_FAT16);
    part.fs = (char *)"xfs";
    g_assert_cmpint(virStorageVolPartitionFormat(&part), ==, VIR_STORAGE_VOL_DISK_LINUX);
    part.fs = (char *)"ntfs";
    g_assert_cmpint(virStorageVolPartitionFormat(&part), ==, VIR_STORAGE_VOL_DISK_NONE);

    g_assert_cmpstr(virStorageDiskTableLabelName(VIR_STORAGE_POOL_DISK_DOS), ==, "msdos");
    g_assert_cmpstr(virStorageDiskTableLabelName(VIR_STORAGE_POOL_DISK_UNKNOWN), ==, "msdos");
    g_assert_cmpstr(virStorageDiskTableLabelName(VIR_STORAGE_POOL_DISK_GPT), ==, "gpt");
    g_assert_null(virStorageDiskTableLabelName(VIR_STORAGE_POOL_DISK_LVM2));
}


/* ------------------------------------------------------------ image files */

static char *
testNewImage(unsigned long long size)
{
    g_autoptr(GError) err = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp("storagepartitiontest-XXXXXX.img", &path, &err);

    if (fd < 0)
        g_error("cannot create an image: %s", err->message);
    if (ftruncate(fd, size) < 0)
        g_error("cannot size %s: %s", path, g_strerror(errno));
    close(fd);
    return path;
}


static virStoragePartitionTable *
testRun(virCommand *cmd, const char *image)
{
    g_autoptr(virCommand) owned = cmd;

    return virStoragePartitionRun(owned, image);
}


static virStoragePartitionTable *
testRunOk(virCommand *cmd, const char *image)
{
    virStoragePartitionTable *t = testRun(cmd, image);

    if (!t)
        g_error("helper failed on %s: %s", image, virGetLastErrorMessage());
    return t;
}


static const char *const labelCases[] = {
    "msdos", "gpt", "mac", "bsd", "pc98", "sun", "dvh", NULL,
};


static void
testImageLabel(const void *opaque)
{
    const char *label = opaque;
    g_autofree char *image = testNewImage(64 * MiB);
    g_autoptr(virStoragePartitionTable) made = NULL;
    g_autoptr(virStoragePartitionTable) read = NULL;

    made = testRunOk(virStoragePartitionBuildMklabel(helper, image, label), image);
    read = testRunOk(virStoragePartitionBuildRead(helper, image), image);
    g_assert_cmpstr(made->label, ==, label);
    g_assert_cmpstr(read->label, ==, label);
    g_assert_cmpuint(read->size, ==, 64 * MiB);
    g_assert_cmpuint(read->nfree, >=, 1);
    g_unlink(image);
}


static void
testAssertAligned(const virStoragePartitionTable *t)
{
    size_t i;

    for (i = 0; i < t->npartitions; i++) {
        if (t->partitions[i].kind == VIR_STORAGE_PARTITION_EXTENDED)
            continue;
        g_assert_cmpuint(t->partitions[i].start % MiB, ==, 0);
        g_assert_cmpuint((t->partitions[i].end + 1) % MiB, ==, 0);
    }
}


static void
testAssertSameTable(const virStoragePartitionTable *a,
                    const virStoragePartitionTable *b)
{
    size_t i;

    g_assert_cmpstr(a->label, ==, b->label);
    g_assert_cmpuint(a->npartitions, ==, b->npartitions);
    for (i = 0; i < a->npartitions; i++) {
        g_assert_cmpuint(a->partitions[i].number, ==, b->partitions[i].number);
        g_assert_cmpuint(a->partitions[i].start, ==, b->partitions[i].start);
        g_assert_cmpuint(a->partitions[i].end, ==, b->partitions[i].end);
    }
}


static void
testImageGptLifecycle(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *image = testNewImage(256 * MiB);
    g_autoptr(virStoragePartitionTable) t = NULL;
    g_autoptr(virStoragePartitionTable) before = NULL;
    g_autoptr(virStoragePartitionTable) after = NULL;
    unsigned long long wrongStart;
    unsigned int next;
    size_t i;

    g_clear_pointer(&t, virStoragePartitionTableFree);
    t = testRunOk(virStoragePartitionBuildMklabel(helper, image, "gpt"), image);

    /* three partitions, each numbered as predicted, each aligned */
    for (i = 0; i < 3; i++) {
        next = virStoragePartitionNextNumber(t, VIR_STORAGE_PARTITION_PRIMARY);
        g_clear_pointer(&t, virStoragePartitionTableFree);
        t = testRunOk(virStoragePartitionBuildAdd(helper, image,
                                                  VIR_STORAGE_PARTITION_PRIMARY,
                                                  "ext2", 10 * MiB + 1, next), image);
        g_assert_cmpuint(t->added, ==, next);
        g_assert_cmpuint(t->added, ==, i + 1);
    }
    testAssertAligned(t);
    /* 10 MiB + 1 byte is rounded up to whole MiB by the helper */
    g_assert_cmpuint(t->partitions[0].end - t->partitions[0].start + 1, >=, 10 * MiB + 1);

    /* a delete of partition 2 that names another start is refused */
    wrongStart = t->partitions[0].start;
    g_assert_null(testRun(virStoragePartitionBuildDelete(helper, image, 2, &wrongStart), image));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_FAILED);
    virResetLastError();
    /* and so is an add that names another number */
    g_assert_null(testRun(virStoragePartitionBuildAdd(helper, image,
                                                      VIR_STORAGE_PARTITION_PRIMARY,
                                                      "none", MiB, 2), image));
    virResetLastError();

    /* delete the middle one: the others stay exactly where they were */
    before = t;
    t = testRunOk(virStoragePartitionBuildDelete(helper, image, 2,
                                                 &before->partitions[1].start), image);
    g_assert_cmpuint(t->npartitions, ==, 2);
    g_assert_cmpuint(t->partitions[0].number, ==, 1);
    g_assert_cmpuint(t->partitions[1].number, ==, 3);
    g_assert_cmpuint(t->partitions[0].start, ==, before->partitions[0].start);
    g_assert_cmpuint(t->partitions[1].start, ==, before->partitions[2].start);
    g_assert_cmpuint(t->partitions[1].end, ==, before->partitions[2].end);
    g_clear_pointer(&before, virStoragePartitionTableFree);

    /* the freed number is the next one */
    g_assert_cmpuint(virStoragePartitionNextNumber(t, VIR_STORAGE_PARTITION_PRIMARY), ==, 2);

    /* grow partition 1 into the hole, then shrink it */
    before = t;
    t = testRunOk(virStoragePartitionBuildResize(helper, image, 1, 20 * MiB), image);
    g_assert_cmpuint(t->partitions[0].start, ==, before->partitions[0].start);
    g_assert_cmpuint(t->partitions[0].end - t->partitions[0].start + 1, ==, 20 * MiB);
    g_clear_pointer(&before, virStoragePartitionTableFree);
    g_clear_pointer(&t, virStoragePartitionTableFree);
    t = testRunOk(virStoragePartitionBuildResize(helper, image, 1, 5 * MiB), image);
    g_assert_cmpuint(t->partitions[0].end - t->partitions[0].start + 1, ==, 5 * MiB);
    testAssertAligned(t);

    /* refusals leave the table unchanged */
    before = testRunOk(virStoragePartitionBuildRead(helper, image), image);
    g_assert_null(testRun(virStoragePartitionBuildAdd(helper, image,
                                                      VIR_STORAGE_PARTITION_PRIMARY,
                                                      "none", 1024 * MiB, 0), image));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_FAILED);
    g_assert_null(testRun(virStoragePartitionBuildResize(helper, image, 1, 200 * MiB), image));
    g_assert_null(testRun(virStoragePartitionBuildDelete(helper, image, 7, NULL), image));
    virResetLastError();
    after = testRunOk(virStoragePartitionBuildRead(helper, image), image);
    testAssertSameTable(before, after);
    g_unlink(image);
}


static void
testImageMsdosLogical(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *image = testNewImage(256 * MiB);
    g_autoptr(virStoragePartitionTable) t = NULL;
    size_t i;

    t = testRunOk(virStoragePartitionBuildMklabel(helper, image, "msdos"), image);
    g_assert_cmpuint(virStoragePartitionNextNumber(t, VIR_STORAGE_PARTITION_LOGICAL), ==, 0);

    for (i = 0; i < 3; i++) {
        g_clear_pointer(&t, virStoragePartitionTableFree);
        t = testRunOk(virStoragePartitionBuildAdd(helper, image,
                                                  VIR_STORAGE_PARTITION_PRIMARY,
                                                  "ext2", 8 * MiB, 0), image);
    }
    g_assert_cmpuint(virStoragePartitionNextNumber(t, VIR_STORAGE_PARTITION_EXTENDED), ==, 4);
    g_clear_pointer(&t, virStoragePartitionTableFree);
    t = testRunOk(virStoragePartitionBuildAdd(helper, image,
                                              VIR_STORAGE_PARTITION_EXTENDED,
                                              "none", 128 * MiB, 0), image);
    g_assert_cmpuint(t->added, ==, 4);
    /* all four primary slots are taken: only logical partitions now */
    g_assert_cmpuint(virStoragePartitionNextNumber(t, VIR_STORAGE_PARTITION_PRIMARY), ==, 0);
    g_assert_cmpuint(virStoragePartitionNextNumber(t, VIR_STORAGE_PARTITION_LOGICAL), ==, 5);

    for (i = 0; i < 2; i++) {
        g_clear_pointer(&t, virStoragePartitionTableFree);
        t = testRunOk(virStoragePartitionBuildAdd(helper, image,
                                                  VIR_STORAGE_PARTITION_LOGICAL,
                                                  "none,lvm", 16 * MiB, 5 + i), image);
        g_assert_cmpuint(t->added, ==, 5 + i);
    }
    testAssertAligned(t);
    g_assert_true(t->partitions[5].lvm);
    g_assert_cmpint(t->partitions[5].kind, ==, VIR_STORAGE_PARTITION_LOGICAL);
    g_unlink(image);
}


int
main(int argc, char **argv)
{
    static const char *const added[][2] = {
        { "add-gpt.json", "4" },
        { "add-msdos-logical.json", "6" },
        { "mklabel-gpt.json", "0" },
    };
    size_t i;

    g_test_init(&argc, &argv, NULL);
    if (virInitialize() < 0)
        g_error("cannot initialize libvirt");
    virSetErrorFunc(NULL, testQuietErrorFunc);

    if (!(dataDir = g_getenv("abs_srcdir")))
        g_error("abs_srcdir is not set");
    dataDir = g_build_filename(dataDir, "storagepartitiondata", NULL);
    if (!(helper = g_getenv("LIBVIRT_STORAGE_PARTHELPER")))
        g_error("LIBVIRT_STORAGE_PARTHELPER is not set");

    g_test_add_data_func("/partition/parse/nolabel", NULL, testParseNoLabel);
    g_test_add_data_func("/partition/parse/gpt", NULL, testParseGpt);
    g_test_add_data_func("/partition/parse/msdos", NULL, testParseMsdos);
    g_test_add_data_func("/partition/parse/loop-ext4", NULL, testParseLoopExt4);
    for (i = 0; i < G_N_ELEMENTS(added); i++) {
        g_autofree char *name = g_strdup_printf("/partition/parse/added/%s", added[i][0]);
        g_test_add_data_func(name, added[i], testParseAdded);
    }
    for (i = 0; malformedCases[i]; i++) {
        g_autofree char *name = g_strdup_printf("/partition/parse/malformed/%zu", i);
        g_test_add_data_func(name, malformedCases[i], testParseMalformed);
    }
    for (i = 0; i < G_N_ELEMENTS(argvCases); i++) {
        g_autofree char *name = g_strdup_printf("/partition/argv/%s", argvCases[i].name);
        g_test_add_data_func(name, &argvCases[i], testArgv);
    }
    for (i = 0; i < G_N_ELEMENTS(namingCases); i++) {
        g_autofree char *name = g_strdup_printf("/partition/name/%s", namingCases[i][2]);
        g_test_add_data_func(name, namingCases[i], testKernelName);
    }
    for (i = 0; i < G_N_ELEMENTS(namingCases); i++) {
        g_autofree char *name = g_strdup_printf("/partition/number/%s", namingCases[i][2]);
        g_test_add_data_func(name, namingCases[i], testNumberFromName);
    }
    for (i = 0; i < G_N_ELEMENTS(notPartitionCases); i++) {
        g_autofree char *name = g_strdup_printf("/partition/number/not/%s", notPartitionCases[i][1]);
        g_test_add_data_func(name, notPartitionCases[i], testNotPartitionName);
    }
    g_test_add_data_func("/partition/format", NULL, testFormatMapping);
    for (i = 0; labelCases[i]; i++) {
        g_autofree char *name = g_strdup_printf("/partition/image/label/%s", labelCases[i]);
        g_test_add_data_func(name, labelCases[i], testImageLabel);
    }
    g_test_add_data_func("/partition/image/gpt", NULL, testImageGptLifecycle);
    g_test_add_data_func("/partition/image/msdos-logical", NULL, testImageMsdosLogical);

    return g_test_run();
}
