/*
 * storagefileextentstest.c: copying and zeroing real files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Works on real files in a temporary directory ($TMPDIR): holes, data
 * and allocation are checked with read, SEEK_DATA and st_blocks.
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "storage_file_extents.h"
#include "lvsbtestutils.h"

#define MiB (1024 * 1024)

static char *workdir;


static int
testOpen(const char *name)
{
    g_autofree char *path = g_build_filename(workdir, name, NULL);
    int fd;

    g_unlink(path);
    fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    g_assert_cmpint(fd, >=, 0);
    return fd;
}


/* Write @len bytes of a pattern that depends on @seed at @offset. */
static void
testWritePattern(int fd, off_t offset, size_t len, unsigned int seed)
{
    g_autofree unsigned char *buf = g_new(unsigned char, len);
    size_t i;

    for (i = 0; i < len; i++)
        buf[i] = (unsigned char) ((i * 31 + seed) % 251 + 1);
    g_assert_cmpint(pwrite(fd, buf, len, offset), ==, len);
}


static unsigned long long
testAllocated(int fd)
{
    unsigned long long allocated = 0;

    g_assert_cmpint(virStorageFileAllocatedQuiet(fd, &allocated), ==, 0);
    return allocated;
}


static off_t
testSize(int fd)
{
    struct stat st;

    g_assert_cmpint(fstat(fd, &st), ==, 0);
    return st.st_size;
}


/* Both files hold the same bytes over [0, @len). */
static void
testAssertSameContent(int a, int b, off_t len)
{
    g_autofree char *bufa = g_new(char, MiB);
    g_autofree char *bufb = g_new(char, MiB);
    off_t pos;

    for (pos = 0; pos < len; pos += MiB) {
        size_t n = MIN(MiB, len - pos);

        g_assert_cmpint(pread(a, bufa, n, pos), ==, n);
        g_assert_cmpint(pread(b, bufb, n, pos), ==, n);
        g_assert_true(memcmp(bufa, bufb, n) == 0);
    }
}


static void
testAssertZeros(int fd, off_t offset, off_t len)
{
    g_autofree char *buf = g_new(char, MiB);
    g_autofree char *zeros = g_new0(char, MiB);

    while (len > 0) {
        size_t n = MIN(MiB, len);

        g_assert_cmpint(pread(fd, buf, n, offset), ==, n);
        g_assert_true(memcmp(buf, zeros, n) == 0);
        offset += n;
        len -= n;
    }
}


/* A 16 MiB source with 64 KiB of data at 1 MiB and 256 KiB at 9 MiB. */
static int
testSparseSource(void)
{
    int fd = testOpen("src");

    g_assert_cmpint(ftruncate(fd, 16 * MiB), ==, 0);
    testWritePattern(fd, 1 * MiB, 64 * 1024, 1);
    testWritePattern(fd, 9 * MiB, 256 * 1024, 2);
    g_assert_cmpint(fsync(fd), ==, 0);
    return fd;
}


static void
testCopyKeepsHoles(const void *opaque G_GNUC_UNUSED)
{
    int src = testSparseSource();
    int dst = testOpen("dst");

    g_assert_cmpint(ftruncate(dst, 16 * MiB), ==, 0);
    g_assert_cmpint(virStorageFileCopyDataQuiet(src, dst, 16 * MiB), ==, 0);
    g_assert_cmpint(fsync(dst), ==, 0);

    testAssertSameContent(src, dst, 16 * MiB);
    g_assert_cmpint(testSize(dst), ==, 16 * MiB);
    /* 320 KiB of data; a full copy would allocate 16 MiB */
    g_assert_cmpuint(testAllocated(dst), <, 2 * MiB);
    /* the first MiB of the copy is still a hole */
    g_assert_cmpint(lseek(dst, 0, SEEK_DATA), >=, 1 * MiB);

    close(src);
    close(dst);
}


static void
testCopyStopsAtLength(const void *opaque G_GNUC_UNUSED)
{
    int src = testSparseSource();
    int dst = testOpen("dst");

    /* stop in the middle of the second data extent */
    g_assert_cmpint(ftruncate(dst, 16 * MiB), ==, 0);
    g_assert_cmpint(virStorageFileCopyDataQuiet(src, dst, 9 * MiB + 4096), ==, 0);

    testAssertSameContent(src, dst, 9 * MiB + 4096);
    testAssertZeros(dst, 9 * MiB + 4096, 7 * MiB - 4096);
    g_assert_cmpint(testSize(dst), ==, 16 * MiB);

    close(src);
    close(dst);
}


static void
testCopyDenseFile(const void *opaque G_GNUC_UNUSED)
{
    int src = testOpen("src");
    int dst = testOpen("dst");

    /* not a multiple of any block size */
    testWritePattern(src, 0, 5 * MiB + 123, 3);
    g_assert_cmpint(ftruncate(dst, 5 * MiB + 123), ==, 0);
    g_assert_cmpint(virStorageFileCopyDataQuiet(src, dst, 5 * MiB + 123), ==, 0);
    testAssertSameContent(src, dst, 5 * MiB + 123);

    close(src);
    close(dst);
}


static void
testZeroKeepsAllocation(const void *opaque G_GNUC_UNUSED)
{
    int fd = testOpen("dense");

    testWritePattern(fd, 0, 8 * MiB, 4);
    g_assert_cmpint(fsync(fd), ==, 0);
    g_assert_cmpuint(testAllocated(fd), >=, 8 * MiB);

    g_assert_cmpint(virStorageFileZeroRangeQuiet(fd, 0, 8 * MiB, true), ==, 0);
    g_assert_cmpint(fsync(fd), ==, 0);

    testAssertZeros(fd, 0, 8 * MiB);
    g_assert_cmpint(testSize(fd), ==, 8 * MiB);
    g_assert_cmpuint(testAllocated(fd), >=, 8 * MiB);
    close(fd);
}


static void
testZeroPunchReleases(const void *opaque G_GNUC_UNUSED)
{
    int fd = testSparseSource();

    g_assert_cmpuint(testAllocated(fd), >=, 320 * 1024);
    g_assert_cmpint(virStorageFileZeroRangeQuiet(fd, 0, 16 * MiB, false), ==, 0);
    g_assert_cmpint(fsync(fd), ==, 0);

    testAssertZeros(fd, 0, 16 * MiB);
    g_assert_cmpint(testSize(fd), ==, 16 * MiB);
    g_assert_cmpuint(testAllocated(fd), <, 64 * 1024);
    close(fd);
}


static void
testZeroPartOfFile(const void *opaque G_GNUC_UNUSED)
{
    int fd = testOpen("dense");
    int ref = testOpen("ref");

    testWritePattern(fd, 0, 4 * MiB, 5);
    testWritePattern(ref, 0, 4 * MiB, 5);
    g_assert_cmpint(virStorageFileWriteZerosQuiet(fd, MiB + 17, MiB), ==, 0);

    testAssertSameContent(fd, ref, MiB + 17);
    testAssertZeros(fd, MiB + 17, MiB);
    g_assert_cmpint(lseek(fd, 2 * MiB + 17, SEEK_SET), ==, 2 * MiB + 17);
    g_assert_cmpint(lseek(ref, 2 * MiB + 17, SEEK_SET), ==, 2 * MiB + 17);
    {
        char a[4096], b[4096];

        g_assert_cmpint(read(fd, a, sizeof(a)), ==, sizeof(a));
        g_assert_cmpint(read(ref, b, sizeof(b)), ==, sizeof(b));
        g_assert_true(memcmp(a, b, sizeof(a)) == 0);
    }
    g_assert_cmpint(testSize(fd), ==, 4 * MiB);
    close(fd);
    close(ref);
}


static void
testReflinkAcrossFiles(const void *opaque G_GNUC_UNUSED)
{
    int src = testSparseSource();
    int dst = testOpen("dst");
    int rc = virStorageFileReflinkQuiet(dst, src);

    if (rc == 0) {
        /* a file system that shares blocks: the clone is a full copy */
        g_assert_cmpint(testSize(dst), ==, 16 * MiB);
        testAssertSameContent(src, dst, 16 * MiB);
    } else {
        /* it cannot: the error is a negative errno and nothing changed */
        g_assert_true(rc == -EOPNOTSUPP || rc == -EXDEV || rc == -EINVAL ||
                      rc == -ENOTTY);
        g_assert_cmpint(testSize(dst), ==, 0);
    }
    close(src);
    close(dst);
}


static void
testErrorsAreNegativeErrno(const void *opaque G_GNUC_UNUSED)
{
    int src = testSparseSource();
    int dst = testOpen("dst");
    g_autofree char *path = g_build_filename(workdir, "readonly", NULL);
    int ro;

    /* the destination is read-only: EBADF from the write side */
    testWritePattern(dst, 0, 4096, 6);
    close(dst);
    dst = testOpen("readonly");
    close(dst);
    ro = open(path, O_RDONLY | O_CLOEXEC);
    g_assert_cmpint(ro, >=, 0);
    g_assert_cmpint(virStorageFileCopyDataQuiet(src, ro, 16 * MiB), ==, -EBADF);
    g_assert_cmpint(virStorageFileZeroRangeQuiet(ro, 0, 4096, false), ==, -EBADF);
    close(ro);
    close(src);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    workdir = lvsbTestMakeWorkDir("extentstest");

    g_test_add_data_func("/extents/copy-keeps-holes", NULL, testCopyKeepsHoles);
    g_test_add_data_func("/extents/copy-stops-at-length", NULL, testCopyStopsAtLength);
    g_test_add_data_func("/extents/copy-dense-file", NULL, testCopyDenseFile);
    g_test_add_data_func("/extents/zero-keeps-allocation", NULL, testZeroKeepsAllocation);
    g_test_add_data_func("/extents/zero-punch-releases", NULL, testZeroPunchReleases);
    g_test_add_data_func("/extents/zero-part-of-file", NULL, testZeroPartOfFile);
    g_test_add_data_func("/extents/reflink", NULL, testReflinkAcrossFiles);
    g_test_add_data_func("/extents/errors-are-negative-errno", NULL,
                         testErrorsAreNegativeErrno);

    return lvsbTestRun();
}
