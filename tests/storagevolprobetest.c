/*
 * storagevolprobetest.c: what a refresh makes of files a guest wrote
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Crafted image headers and directory entries in a temporary directory,
 * probed as a pool refresh does (src/storage/storage_vol_probe.c).
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "storage_vol_probe.h"
#include "storage_vol_open.h"
#include "lvsbtestutils.h"

#define MiB (1024 * 1024)


static void
testPutBE(unsigned char *buf,
          unsigned long long value,
          size_t bytes)
{
    size_t i;

    for (i = 0; i < bytes; i++)
        buf[i] = value >> (8 * (bytes - 1 - i));
}

static char *workdir;


static char *
testPath(const char *name)
{
    return g_build_filename(workdir, name, NULL);
}


/* A file of @size bytes starting with @len bytes of @header. */
static void
testWriteImage(const char *name,
               const unsigned char *header,
               size_t len,
               off_t size)
{
    g_autofree char *path = testPath(name);
    int fd;

    g_unlink(path);
    fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, header, len, 0), ==, len);
    g_assert_cmpint(ftruncate(fd, size), ==, 0);
    close(fd);
}


/* Probes the entry @name of the work directory into @result. */
static int
testProbeResult(const char *name,
                virStorageVolProbeResult *result)
{
    g_autofree char *path = testPath(name);
    int dirFd = virStorageVolOpenDirQuiet(workdir);
    int rc;

    g_assert_cmpint(dirFd, >=, 0);
    rc = virStorageVolProbeAtQuiet(dirFd, name, path, result);
    close(dirFd);
    return rc;
}


/* Probes the entry @name and applies the result to a new volume, as a
 * pool refresh does. */
static int
testProbe(const char *name,
          virStorageVolDef **volp)
{
    g_autoptr(virStorageVolDef) vol = g_new0(virStorageVolDef, 1);
    g_auto(virStorageVolProbeResult) result = { 0 };
    int rc;

    vol->name = g_strdup(name);
    vol->target.path = testPath(name);
    if ((rc = testProbeResult(name, &result)) == 0)
        virStorageVolProbeApply(&result, vol);
    if (volp)
        *volp = g_steal_pointer(&vol);
    return rc;
}


/* A qcow2 header (as a guest writes it into its raw disk) naming a FIFO
 * and a root-only file as backing: the probe reports the name and opens
 * nothing (alarm() kills the test if it waits on the FIFO). */
static void
testBackingNamedOnly(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *fifo = testPath("backing-fifo");
    const char *names[] = { "backing-fifo", "root-only" };
    size_t i;

    g_unlink(fifo);
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    {
        g_autofree char *secret = testPath("root-only");

        g_assert_true(g_file_set_contents(secret, "secret", -1, NULL));
        g_assert_cmpint(chmod(secret, 0600), ==, 0);
    }

    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autoptr(virStorageVolDef) vol = NULL;
        g_autofree char *backing = testPath(names[i]);
        unsigned char header[512] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 2 };
        size_t len = strlen(backing);

        testPutBE(header + 8, 256, 8);        /* backing file offset */
        testPutBE(header + 16, len, 4);       /* backing file size */
        testPutBE(header + 20, 16, 4);        /* cluster bits */
        testPutBE(header + 24, 8 * MiB, 8);   /* virtual size */
        memcpy(header + 256, backing, len);
        testWriteImage("guest.img", header, sizeof(header), MiB);

        alarm(10);
        g_assert_cmpint(testProbe("guest.img", &vol), ==, 0);
        alarm(0);
        g_assert_cmpint(vol->target.format, ==, VIR_STORAGE_FILE_QCOW2);
        g_assert_nonnull(vol->target.backingStore);
        g_assert_cmpstr(vol->target.backingStore->path, ==, backing);
        g_assert_cmpint(vol->target.backingStore->format, ==, VIR_STORAGE_FILE_RAW);
        g_assert_null(vol->target.backingStore->perms);
    }
}


static void
testEntriesNotFollowed(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *link = testPath("link.img");
    g_autofree char *fifo = testPath("entry-fifo");

    testWriteImage("target.img", (const unsigned char *) "x", 1, MiB);
    g_unlink(link);
    g_assert_cmpint(symlink("target.img", link), ==, 0);
    g_unlink(fifo);
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);

    alarm(10);
    g_assert_cmpint(testProbe("link.img", NULL), ==, -ELOOP);
    g_assert_cmpint(testProbe("entry-fifo", NULL), ==, -ENOTSUP);
    alarm(0);
    g_assert_cmpint(testProbe("target.img", NULL), ==, 0);
}


/*
 * Header sanity checks: one crafted image per check, and a good header of
 * each format.  The field offsets are the formats' own (qemu's
 * docs/interop/qcow2.txt and qed_spec.txt, the VMDK, VDI, VHD and LUKS1
 * specifications); little-endian fields are written byte by byte.
 */

static void
testPutLE(unsigned char *buf,
          unsigned long long value,
          size_t bytes)
{
    size_t i;

    for (i = 0; i < bytes; i++)
        buf[i] = value >> (8 * i);
}


#define TEST_HEADER_MAX 65536

typedef struct _testHeaderCase testHeaderCase;

typedef struct {
    unsigned char buf[TEST_HEADER_MAX];
    size_t len;         /* bytes of @buf written at the start of the file */
    off_t size;         /* the file's size */
} testImage;

struct _testHeaderCase {
    const char *name;
    void (*build)(testImage *img, const testHeaderCase *tc);
    int format;                     /* 0: refused */
    unsigned long long capacity;
    const char *backing;            /* file name in the work dir, or NULL */
    struct {
        unsigned int version;
        unsigned int clusterBits;
        unsigned long long capacity;
    } qcow2;                        /* for testQcow2Plain */
};


/* qcow2 @version with 2^@clusterBits byte clusters, @capacity bytes. */
static void
testQcow2(testImage *img,
          unsigned int version,
          unsigned int clusterBits,
          unsigned long long capacity)
{
    memcpy(img->buf, "QFI\xfb", 4);
    testPutBE(img->buf + 4, version, 4);
    testPutBE(img->buf + 20, clusterBits, 4);
    testPutBE(img->buf + 24, capacity, 8);
    if (version >= 3) {
        testPutBE(img->buf + 96, 4, 4);       /* refcount order */
        testPutBE(img->buf + 100, 104, 4);    /* header length */
    }
    img->len = 512;
    img->size = MiB;
}


/* The backing file name @name at @offset of a qcow or qcow2 header. */
static void
testQcowBacking(testImage *img,
                unsigned long long offset,
                const char *name)
{
    testPutBE(img->buf + 8, offset, 8);
    testPutBE(img->buf + 16, strlen(name), 4);
    if (offset + strlen(name) <= TEST_HEADER_MAX)
        memcpy(img->buf + offset, name, strlen(name));
}


static void
testQcow1(testImage *img,
          unsigned long long capacity)
{
    memcpy(img->buf, "QFI\xfb", 4);
    testPutBE(img->buf + 4, 1, 4);
    testPutBE(img->buf + 24, capacity, 8);
    img->buf[32] = 12;                         /* cluster bits */
    img->buf[33] = 9;                          /* l2 bits */
    img->len = 512;
    img->size = MiB;
}


static void
testQed(testImage *img,
        unsigned long long capacity)
{
    memcpy(img->buf, "QED", 4);
    testPutLE(img->buf + 4, 65536, 4);         /* cluster size */
    testPutLE(img->buf + 8, 4, 4);             /* table size */
    testPutLE(img->buf + 12, 1, 4);            /* header clusters */
    testPutLE(img->buf + 48, capacity, 8);
    img->len = 512;
    img->size = MiB;
}


static void
testQedBacking(testImage *img,
               unsigned int offset,
               unsigned int size)
{
    testPutLE(img->buf + 16, 1, 8);            /* feature: backing file */
    testPutLE(img->buf + 56, offset, 4);
    testPutLE(img->buf + 60, size, 4);
    if (offset + size <= TEST_HEADER_MAX)
        memset(img->buf + offset, 'b', size);
}


/* VMDK 4 (version 1) of @sectors 512-byte sectors */
static void
testVmdk(testImage *img,
         unsigned long long sectors)
{
    memcpy(img->buf, "KDMV", 4);
    testPutLE(img->buf + 4, 1, 4);
    testPutLE(img->buf + 12, sectors, 8);
    img->len = 512;
    img->size = MiB;
}


static void
testLuks(testImage *img,
         unsigned long long payloadSectors)
{
    memcpy(img->buf, "LUKS\xba\xbe\0\1", 8);
    memcpy(img->buf + 8, "aes", 3);
    memcpy(img->buf + 40, "xts-plain64", 11);
    memcpy(img->buf + 72, "sha256", 6);
    testPutBE(img->buf + 104, payloadSectors, 4);
    img->len = 512;
    img->size = 4 * MiB;
}


/* a qcow2 header as the case's @qcow2 fields say, nothing else */
static void
testQcow2Plain(testImage *img,
               const testHeaderCase *tc)
{
    testQcow2(img, tc->qcow2.version, tc->qcow2.clusterBits,
              tc->qcow2.capacity);
}


/* -- refused: each breaks one check -- */

static void
testQcow2TruncatedV2(testImage *img,
                     const testHeaderCase *tc G_GNUC_UNUSED)
{
    testQcow2(img, 2, 16, MiB);
    img->len = img->size = 64;                 /* of 72 bytes */
}

static void
testQcow2TruncatedV3(testImage *img,
                     const testHeaderCase *tc G_GNUC_UNUSED)
{
    testQcow2(img, 3, 16, MiB);
    img->len = img->size = 100;                /* of 104 bytes */
}

static void
testQcow1Truncated(testImage *img,
                   const testHeaderCase *tc G_GNUC_UNUSED)
{
    testQcow1(img, MiB);
    img->len = img->size = 40;                 /* of 48 bytes */
}

static void
testQedTruncated(testImage *img,
                 const testHeaderCase *tc G_GNUC_UNUSED)
{
    testQed(img, MiB);
    img->len = img->size = 60;                 /* of 64 bytes */
}

static void
testQedCapacityOverflow(testImage *img,
                        const testHeaderCase *tc G_GNUC_UNUSED)
{
    testQed(img, ~0ULL);
}

static void
testVmdkCapacityOverflow(testImage *img,
                         const testHeaderCase *tc G_GNUC_UNUSED)
{
    testVmdk(img, 1ULL << 54);                 /* sectors: 2^63 bytes */
}

static void
testQcow2BackingPastEnd(testImage *img,
                        const testHeaderCase *tc G_GNUC_UNUSED)
{
    testQcow2(img, 3, 16, MiB);
    testQcowBacking(img, 400, "a-backing-file-name-that-ends-past-the-end-of-the-file"
                              "-a-backing-file-name-that-ends-past-the-end-of-the-file");
    img->len = img->size = 450;
}

static void
testQcow2BackingTooLong(testImage *img,
                        const testHeaderCase *tc G_GNUC_UNUSED)
{
    g_autofree char *name = g_strnfill(1024, 'b');

    testQcow2(img, 3, 16, MiB);
    testQcowBacking(img, 512, name);
    img->len = 4096;
}

static void
testQcow2BackingWraps(testImage *img,
                      const testHeaderCase *tc G_GNUC_UNUSED)
{
    testQcow2(img, 3, 16, MiB);
    testPutBE(img->buf + 8, ~0ULL - 15, 8);    /* offset + size wraps */
    testPutBE(img->buf + 16, 32, 4);
}

/* qemu reads a name anywhere in the first cluster (64 KiB here); libvirt's
 * prober reads 33 KiB and then shows the image with no backing file */
static void
testQcow2BackingPastHeader(testImage *img,
                           const testHeaderCase *tc G_GNUC_UNUSED)
{
    testQcow2(img, 3, 16, MiB);
    testQcowBacking(img, 40000, "base.img");
    img->len = 40000 + strlen("base.img");
}

static void
testQcow1BackingPastEnd(testImage *img,
                        const testHeaderCase *tc G_GNUC_UNUSED)
{
    testQcow1(img, MiB);
    testQcowBacking(img, 4000, "base.img");
    img->len = img->size = 1024;
}

static void
testQedBackingPastEnd(testImage *img,
                      const testHeaderCase *tc G_GNUC_UNUSED)
{
    testQed(img, MiB);
    testQedBacking(img, 1000, 100);
    img->len = img->size = 1024;
}

static void
testLuksTruncated(testImage *img,
                  const testHeaderCase *tc G_GNUC_UNUSED)
{
    testLuks(img, 0);
    img->len = img->size = 100;                /* cut before the payload */
}

static void
testLuksPastEnd(testImage *img,
                const testHeaderCase *tc G_GNUC_UNUSED)
{
    testLuks(img, 1 << 20);                    /* 512 MiB in 4 MiB */
}

static void
testLuksNegative(testImage *img,
                 const testHeaderCase *tc G_GNUC_UNUSED)
{
    testLuks(img, 0x80000000U);                /* negative in an int */
}

static void
testLuksWraps(testImage *img,
              const testHeaderCase *tc G_GNUC_UNUSED)
{
    testLuks(img, 1 << 23);                    /* 2^32 bytes: 0 in 32 bits */
}


/* -- accepted: a good header of each format -- */

static void
testRaw(testImage *img,
        const testHeaderCase *tc G_GNUC_UNUSED)
{
    img->len = 512;
    img->size = MiB;
}

static void
testIso(testImage *img,
        const testHeaderCase *tc G_GNUC_UNUSED)
{
    memcpy(img->buf + 0x8001, "CD001", 5);
    img->len = 0x8001 + 5;
    img->size = MiB;
}

/* past the 4 KiB read first: the whole header is read */
static void
testQcow2BackingFar(testImage *img,
                    const testHeaderCase *tc G_GNUC_UNUSED)
{
    testQcow2(img, 3, 16, 8 * MiB);
    testQcowBacking(img, 5000, "base.img");
    img->len = 5000 + strlen("base.img");
}

static void
testQcow2BackingLongest(testImage *img,
                        const testHeaderCase *tc G_GNUC_UNUSED)
{
    g_autofree char *name = g_strnfill(1023, 'b');

    testQcow2(img, 3, 16, 8 * MiB);
    testQcowBacking(img, 512, name);
    img->len = 4096;
}

/* a name of 8 NUL bytes: none, as qemu reads it */
static void
testQcow2BackingEmpty(testImage *img,
                      const testHeaderCase *tc G_GNUC_UNUSED)
{
    testQcow2(img, 3, 16, 8 * MiB);
    testPutBE(img->buf + 8, 256, 8);
    testPutBE(img->buf + 16, 8, 4);
}

static void
testQcow1Good(testImage *img,
              const testHeaderCase *tc G_GNUC_UNUSED)
{
    testQcow1(img, 8 * MiB);
    testQcowBacking(img, 256, "base.img");
}

static void
testQedGood(testImage *img,
            const testHeaderCase *tc G_GNUC_UNUSED)
{
    testQed(img, 8 * MiB);
    testQedBacking(img, 256, 8);
}

static void
testVmdkGood(testImage *img,
             const testHeaderCase *tc G_GNUC_UNUSED)
{
    testVmdk(img, 16384);                      /* sectors: 8 MiB */
}

static void
testVdi(testImage *img,
        const testHeaderCase *tc G_GNUC_UNUSED)
{
    memcpy(img->buf + 64, "\x7f\x10\xda\xbe", 4);
    testPutLE(img->buf + 68, 0x00010001, 4);
    testPutLE(img->buf + 368, 8 * MiB, 8);
    img->len = 512;
    img->size = MiB;
}

static void
testVpc(testImage *img,
        const testHeaderCase *tc G_GNUC_UNUSED)
{
    memcpy(img->buf, "conectix", 8);
    testPutBE(img->buf + 12, 0x10000, 4);
    testPutBE(img->buf + 40, 8 * MiB, 8);
    img->len = 512;
    img->size = MiB;
}

static void
testLuksGood(testImage *img,
             const testHeaderCase *tc G_GNUC_UNUSED)
{
    testLuks(img, 4096);                       /* 2 MiB of 4 MiB */
}

static void
testLuksAllHeader(testImage *img,
                  const testHeaderCase *tc G_GNUC_UNUSED)
{
    testLuks(img, 8192);                       /* 4 MiB of 4 MiB */
}


#define QCOW2(v, bits, cap) testQcow2Plain, .qcow2 = { v, bits, cap }

static const testHeaderCase testHeaderCases[] = {
    { "qcow2-truncated-v2", testQcow2TruncatedV2 },
    { "qcow2-truncated-v3", testQcow2TruncatedV3 },
    { "qcow1-truncated", testQcow1Truncated },
    { "qed-truncated", testQedTruncated },
    { "qcow2-cluster-too-small", QCOW2(3, 8, MiB) },
    { "qcow2-cluster-too-large", QCOW2(3, 22, MiB) },
    { "qcow2-capacity-overflow", QCOW2(3, 16, 1ULL << 63) },
    { "qed-capacity-overflow", testQedCapacityOverflow },
    { "vmdk-capacity-overflow", testVmdkCapacityOverflow },
    { "qcow2-backing-past-end", testQcow2BackingPastEnd },
    { "qcow2-backing-too-long", testQcow2BackingTooLong },
    { "qcow2-backing-wraps", testQcow2BackingWraps },
    { "qcow2-backing-past-header", testQcow2BackingPastHeader },
    { "qcow1-backing-past-end", testQcow1BackingPastEnd },
    { "qed-backing-past-end", testQedBackingPastEnd },
    { "luks-truncated", testLuksTruncated },
    { "luks-payload-past-end", testLuksPastEnd },
    { "luks-payload-negative", testLuksNegative },
    { "luks-payload-wraps", testLuksWraps },

    { "raw", testRaw, VIR_STORAGE_FILE_RAW, MiB },
    { "iso", testIso, VIR_STORAGE_FILE_ISO, MiB },
    { "qcow2-v2", QCOW2(2, 16, 8 * MiB), .format = VIR_STORAGE_FILE_QCOW2, .capacity = 8 * MiB },
    { "qcow2-v3", QCOW2(3, 16, 8 * MiB), .format = VIR_STORAGE_FILE_QCOW2, .capacity = 8 * MiB },
    { "qcow2-min-cluster", QCOW2(3, 9, 8 * MiB), .format = VIR_STORAGE_FILE_QCOW2, .capacity = 8 * MiB },
    { "qcow2-max-cluster", QCOW2(3, 21, 8 * MiB), .format = VIR_STORAGE_FILE_QCOW2, .capacity = 8 * MiB },
    { "qcow2-backing-far", testQcow2BackingFar, VIR_STORAGE_FILE_QCOW2, 8 * MiB, "base.img" },
    { "qcow2-backing-empty", testQcow2BackingEmpty, VIR_STORAGE_FILE_QCOW2, 8 * MiB },
    { "qcow2-backing-longest", testQcow2BackingLongest, VIR_STORAGE_FILE_QCOW2, 8 * MiB },
    /* version 4 is no qcow2 qemu knows: the file is raw data */
    { "qcow2-unknown-version", QCOW2(4, 16, 8 * MiB), .format = VIR_STORAGE_FILE_RAW, .capacity = MiB },
    { "qcow1", testQcow1Good, VIR_STORAGE_FILE_QCOW, 8 * MiB, "base.img" },
    { "qed", testQedGood, VIR_STORAGE_FILE_QED, 8 * MiB, "bbbbbbbb" },
    { "vmdk", testVmdkGood, VIR_STORAGE_FILE_VMDK, 8 * MiB },
    { "vdi", testVdi, VIR_STORAGE_FILE_VDI, 8 * MiB },
    { "vpc", testVpc, VIR_STORAGE_FILE_VPC, 8 * MiB },
    { "luks", testLuksGood, VIR_STORAGE_FILE_RAW, 2 * MiB },
    { "luks-all-header", testLuksAllHeader, VIR_STORAGE_FILE_RAW, 0 },
};


static void
testHeader(const void *opaque)
{
    const testHeaderCase *tc = opaque;
    g_autofree testImage *img = g_new0(testImage, 1);
    g_auto(virStorageVolProbeResult) result = { 0 };
    int rc;

    tc->build(img, tc);
    g_assert_cmpuint(img->len, <=, TEST_HEADER_MAX);
    testWriteImage(tc->name, img->buf, img->len, img->size);

    rc = testProbeResult(tc->name, &result);
    if (!tc->format) {
        g_assert_cmpint(rc, ==, -EINVAL);
        /* nothing is written on failure */
        g_assert_cmpint(result.type, ==, 0);
        g_assert_null(result.backingPath);
        return;
    }

    g_assert_cmpint(rc, ==, 0);
    g_assert_cmpint(result.type, ==, VIR_STORAGE_VOL_FILE);
    g_assert_cmpint(result.format, ==, tc->format);
    g_assert_cmpuint(result.capacity, ==, tc->capacity);
    g_assert_cmpuint(result.physical, ==, img->size);
    if (tc->backing) {
        g_autofree char *path = testPath(tc->backing);

        g_assert_cmpstr(result.backingName, ==, tc->backing);
        g_assert_cmpstr(result.backingPath, ==, path);
    } else if (g_str_equal(tc->name, "qcow2-backing-longest")) {
        g_assert_cmpuint(strlen(result.backingName), ==, 1023);
    } else {
        g_assert_null(result.backingName);
    }
    if (g_str_has_prefix(tc->name, "luks"))
        g_assert_nonnull(result.encryption);
}


/* The header says how a volume is encrypted, never with which secret: the
 * secret a defined volume names stays. */
static void
testApplyKeepsSecrets(const void *opaque G_GNUC_UNUSED)
{
    g_autofree testImage *img = g_new0(testImage, 1);
    g_autoptr(virStorageVolDef) vol = g_new0(virStorageVolDef, 1);
    g_auto(virStorageVolProbeResult) result = { 0 };
    virStorageEncryption *enc = g_new0(virStorageEncryption, 1);

    testLuks(img, 4096);
    testWriteImage("secret.img", img->buf, img->len, img->size);

    enc->format = VIR_STORAGE_ENCRYPTION_FORMAT_LUKS;
    enc->nsecrets = 1;
    enc->secrets = g_new0(virStorageEncryptionSecret *, 1);
    enc->secrets[0] = g_new0(virStorageEncryptionSecret, 1);
    enc->secrets[0]->type = VIR_STORAGE_ENCRYPTION_SECRET_TYPE_PASSPHRASE;
    vol->target.encryption = enc;

    g_assert_cmpint(testProbeResult("secret.img", &result), ==, 0);
    g_assert_nonnull(result.encryption);
    g_assert_cmpuint(result.encryption->nsecrets, ==, 0);
    virStorageVolProbeApply(&result, vol);

    g_assert_nonnull(vol->target.encryption);
    g_assert_cmpint(vol->target.encryption->format, ==,
                    VIR_STORAGE_ENCRYPTION_FORMAT_LUKS);
    g_assert_cmpuint(vol->target.encryption->nsecrets, ==, 1);
    g_assert_cmpuint(vol->target.capacity, ==, 2 * MiB);
}


/* A relative backing name is shown next to the volume and keeps its
 * name; a name with ':' is no local file. */
static void
testApplyBackingNames(const void *opaque G_GNUC_UNUSED)
{
    const char *names[] = { "base.img", "nbd://host/export" };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree testImage *img = g_new0(testImage, 1);
        g_autoptr(virStorageVolDef) vol = NULL;
        virStorageSource *backing;

        testQcow2(img, 3, 16, 8 * MiB);
        testQcowBacking(img, 256, names[i]);
        testWriteImage("overlay.img", img->buf, img->len, img->size);

        g_assert_cmpint(testProbe("overlay.img", &vol), ==, 0);
        g_assert_nonnull((backing = vol->target.backingStore));
        g_assert_cmpint(backing->format, ==, VIR_STORAGE_FILE_RAW);
        g_assert_true(backing->readonly);
        if (i == 0) {
            g_autofree char *path = testPath(names[i]);

            g_assert_cmpint(backing->type, ==, VIR_STORAGE_TYPE_FILE);
            g_assert_cmpstr(backing->path, ==, path);
            g_assert_cmpstr(backing->relPath, ==, names[i]);
        } else {
            g_assert_cmpint(backing->type, ==, VIR_STORAGE_TYPE_NETWORK);
            g_assert_cmpstr(backing->path, ==, names[i]);
        }
    }
}


static void
testApplyDirectory(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *dir = testPath("subdir");
    g_autoptr(virStorageVolDef) vol = NULL;

    g_mkdir(dir, 0750);
    g_assert_cmpint(testProbe("subdir", &vol), ==, 0);
    rmdir(dir);
    g_assert_cmpint(vol->type, ==, VIR_STORAGE_VOL_DIR);
    g_assert_cmpint(vol->target.type, ==, VIR_STORAGE_TYPE_DIR);
    g_assert_cmpint(vol->target.format, ==, VIR_STORAGE_FILE_DIR);
    g_assert_cmpuint(vol->target.perms->mode, ==, 0750);
    g_assert_cmpuint(vol->target.physical, ==, 0);
}


int
main(int argc, char **argv)
{
    size_t i;
    int ret;

    lvsbTestInit(&argc, &argv);

    workdir = lvsbTestMakeWorkDir("volprobetest");

    g_test_add_data_func("/volprobe/apply-keeps-secrets", NULL,
                         testApplyKeepsSecrets);
    g_test_add_data_func("/volprobe/apply-backing-names", NULL,
                         testApplyBackingNames);
    g_test_add_data_func("/volprobe/apply-directory", NULL,
                         testApplyDirectory);
    for (i = 0; i < G_N_ELEMENTS(testHeaderCases); i++) {
        g_autofree char *path = g_strdup_printf("/volprobe/header/%s",
                                                testHeaderCases[i].name);

        g_test_add_data_func(path, &testHeaderCases[i], testHeader);
    }
    g_test_add_data_func("/volprobe/backing-named-only", NULL,
                         testBackingNamedOnly);
    g_test_add_data_func("/volprobe/entries-not-followed", NULL,
                         testEntriesNotFollowed);

    ret = g_test_run();

    lvsbTestRemoveWorkDir(workdir);
    g_free(workdir);
    return ret;
}
