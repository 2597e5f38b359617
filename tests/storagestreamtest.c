/*
 * storagestreamtest.c: upload streams of the stream unit on real files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each test opens a real libvirt stream (blocking, as a client's own
 * stream would be) as an upload into a file of $TMPDIR or into
 * /dev/full, sends data and holes through libvirt's public stream API,
 * and checks the file, the error of the finish and that the release
 * callback ran exactly once.  Then what the unit gives the targets of
 * rbd images and gluster files: the window, the cut at the storage's end
 * and the count of asynchronous requests in flight.
 */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/falloc.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "datatypes.h"
#include "storage_stream.h"
#include "storage_stream_fd.h"
#include "virerror.h"
#include "lvsbtestutils.h"

#define MiB (1024 * 1024)

static char *workdir;
static virConnectPtr conn;


static void
testRelease(void *opaque)
{
    int *count = opaque;

    (*count)++;
}


static char *
testPattern(size_t len,
            unsigned int seed)
{
    char *buf = g_new(char, len);
    size_t i;

    for (i = 0; i < len; i++)
        buf[i] = (char) ((i * 31 + seed) % 251 + 1);
    return buf;
}


/* A file of @len pattern bytes, its path in @path. */
static int
testMakeFile(const char *name,
             size_t len,
             char **path,
             char **content)
{
    g_autofree char *buf = testPattern(len, 7);
    int fd;

    *path = g_build_filename(workdir, name, NULL);
    g_unlink(*path);
    fd = open(*path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, buf, len, 0), ==, len);
    g_assert_cmpint(fsync(fd), ==, 0);
    *content = g_steal_pointer(&buf);
    return fd;
}


static char *
testReadFile(const char *path,
             size_t *len)
{
    char *content = NULL;

    g_assert_true(g_file_get_contents(path, &content, len, NULL));
    return content;
}


static virStreamPtr
testOpenDownload(int fd,
                 unsigned long long offset,
                 unsigned long long window,
                 int *released)
{
    virStorageStreamTarget target = {
        .volname = "test.img",
        .io = &virStorageStreamFdIO,
        .opaque = virStorageStreamFdNew(fd, false, false),
        .offset = offset,
        .window = window,
        .sparse = true,
    };
    virStreamPtr st = virGetStream(conn);

    g_assert_nonnull(st);
    g_assert_cmpint(virStorageStreamOpenDownload(st, &target, testRelease,
                                                 released), ==, 0);
    return st;
}


static virStreamPtr
testOpenUpload(int fd,
               unsigned long long offset,
               unsigned long long window,
               int *released)
{
    virStorageStreamTarget target = {
        .volname = "test.img",
        .io = &virStorageStreamFdIO,
        .opaque = virStorageStreamFdNew(fd, false, false),
        .offset = offset,
        .window = window,
        .sparse = true,
    };
    virStreamPtr st = virGetStream(conn);

    g_assert_nonnull(st);
    g_assert_cmpint(virStorageStreamOpenUpload(st, &target, testRelease,
                                               released), ==, 0);
    return st;
}


static void
testSendAll(virStreamPtr st,
            const char *data,
            size_t len)
{
    while (len > 0) {
        int n = virStreamSend(st, data, MIN(len, 256 * 1024));

        g_assert_cmpint(n, >, 0);
        data += n;
        len -= n;
    }
}


static bool
testIsZero(const char *buf,
           size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (buf[i])
            return false;
    }
    return true;
}


/* The case: 1 MiB of data and a 1 MiB hole at the start of an
 * 8 MiB file: the size stays, the hole reads as zeros and is punched,
 * the rest is untouched. */
static void
testHoleKeepsSize(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *path = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *data = testPattern(MiB, 99);
    struct stat sb;
    int released = 0;
    size_t len;
    virStreamPtr st;
    int fd = testMakeFile("hole.img", 8 * MiB, &path, &before);

    st = testOpenUpload(fd, 0, 8 * MiB, &released);
    testSendAll(st, data, MiB);
    g_assert_cmpint(virStreamSendHole(st, MiB, 0), ==, 0);
    g_assert_cmpint(virStreamFinish(st), ==, 0);
    g_assert_cmpint(released, ==, 1);
    virObjectUnref(st);

    after = testReadFile(path, &len);
    g_assert_cmpuint(len, ==, 8 * MiB);
    g_assert_cmpmem(after, MiB, data, MiB);
    g_assert_true(testIsZero(after + MiB, MiB));
    g_assert_cmpmem(after + 2 * MiB, 6 * MiB, before + 2 * MiB, 6 * MiB);
    g_assert_cmpint(stat(path, &sb), ==, 0);
    g_assert_cmpint(sb.st_blocks * 512, <=, 7 * MiB + 64 * 1024);
}


/* Nothing is written past the window; the send that would is refused
 * (what was sent before is still written at finish); a hole is cut at
 * the window's end. */
static void
testWindow(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *path = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *data = testPattern(MiB / 2, 5);
    int released = 0;
    size_t len;
    virStreamPtr st;
    int fd = testMakeFile("window.img", 4 * MiB, &path, &before);

    st = testOpenUpload(fd, MiB, MiB, &released);
    testSendAll(st, data, MiB / 2);
    g_assert_cmpint(virStreamSendHole(st, 4 * MiB, 0), ==, 0);
    g_assert_cmpint(virStreamSend(st, data, 1), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_SYSTEM_ERROR);
    g_assert_cmpint(virStreamFinish(st), ==, 0);
    g_assert_cmpint(released, ==, 1);
    virObjectUnref(st);

    after = testReadFile(path, &len);
    g_assert_cmpuint(len, ==, 4 * MiB);
    g_assert_cmpmem(after, MiB, before, MiB);
    g_assert_cmpmem(after + MiB, MiB / 2, data, MiB / 2);
    g_assert_true(testIsZero(after + MiB + MiB / 2, MiB / 2));
    g_assert_cmpmem(after + 2 * MiB, 2 * MiB, before + 2 * MiB, 2 * MiB);
}


/* A write error that happens after the last send fails the finish. */
static void
testErrorAtFinish(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *data = testPattern(64 * 1024, 3);
    int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
    virErrorPtr err;
    int released = 0;
    virStreamPtr st;

    g_assert_cmpint(fd, >=, 0);
    st = testOpenUpload(fd, 0, MiB, &released);
    /* the pipe takes it: the worker's pwrite fails later */
    g_assert_cmpint(virStreamSend(st, data, 64 * 1024), ==, 64 * 1024);
    g_assert_cmpint(virStreamFinish(st), ==, -1);
    err = virGetLastError();
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, VIR_ERR_SYSTEM_ERROR);
    g_assert_cmpint(err->int1, ==, ENOSPC);
    g_assert_nonnull(strstr(err->message, "'test.img'"));
    g_assert_cmpint(released, ==, 1);
    /* the daemon aborts a stream whose finish failed: harmless */
    g_assert_cmpint(virStreamAbort(st), ==, 0);
    g_assert_cmpint(released, ==, 1);
    virObjectUnref(st);
}


/* Abort stops the worker and releases once; the file keeps its size. */
static void
testAbort(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *path = NULL;
    g_autofree char *before = NULL;
    g_autofree char *data = testPattern(MiB, 11);
    struct stat sb;
    int released = 0;
    virStreamPtr st;
    int fd = testMakeFile("abort.img", 2 * MiB, &path, &before);

    st = testOpenUpload(fd, 0, 2 * MiB, &released);
    testSendAll(st, data, MiB);
    g_assert_cmpint(virStreamAbort(st), ==, 0);
    g_assert_cmpint(released, ==, 1);
    g_assert_cmpint(virStreamAbort(st), ==, 0);
    g_assert_cmpint(released, ==, 1);
    virObjectUnref(st);
    g_assert_cmpint(stat(path, &sb), ==, 0);
    g_assert_cmpint(sb.st_size, ==, 2 * MiB);
}


/* Receives a sparse download as the daemon does (virStreamInData, then
 * data up to the next hole, the hole skipped with virStreamSendHole):
 * into @out, the holes' lengths into @holes. */
static void
testRecvSparse(virStreamPtr st,
               GByteArray *out,
               GArray *holes)
{
    g_autofree char *buf = g_new(char, 256 * 1024);

    for (;;) {
        int inData = -1;
        long long len = -1;

        g_assert_cmpint(virStreamInData(st, &inData, &len), ==, 0);
        if (!inData && len == 0) {
            g_assert_cmpint(virStreamRecv(st, buf, 0), ==, 0);
            return;
        }
        g_assert_cmpint(len, >, 0);
        if (!inData) {
            g_array_append_val(holes, len);
            g_byte_array_set_size(out, out->len + len);
            memset(out->data + out->len - len, 0, len);
            g_assert_cmpint(virStreamSendHole(st, len, 0), ==, 0);
            continue;
        }
        while (len > 0) {
            int n = virStreamRecv(st, buf, MIN(len, 256 * 1024));

            g_assert_cmpint(n, >, 0);
            g_byte_array_append(out, (guint8 *) buf, n);
            len -= n;
        }
    }
}


/* A sparse file goes down as data and holes: 1 MiB data, 2 MiB hole,
 * 1 MiB data, a 1 MiB hole at the end; the release runs at finish. */
static void
testDownloadSparse(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *path = NULL;
    g_autofree char *content = NULL;
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GArray) holes = g_array_new(FALSE, FALSE, sizeof(long long));
    int released = 0;
    virStreamPtr st;
    int fd = testMakeFile("sparse-down.img", 5 * MiB, &path, &content);

    g_assert_cmpint(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                              MiB, 2 * MiB), ==, 0);
    g_assert_cmpint(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                              4 * MiB, MiB), ==, 0);
    memset(content + MiB, 0, 2 * MiB);
    memset(content + 4 * MiB, 0, MiB);

    st = testOpenDownload(fd, 0, 5 * MiB, &released);
    testRecvSparse(st, out, holes);
    g_assert_cmpint(virStreamFinish(st), ==, 0);
    g_assert_cmpint(released, ==, 1);
    virObjectUnref(st);

    g_assert_cmpuint(out->len, ==, 5 * MiB);
    g_assert_cmpmem(out->data, out->len, content, 5 * MiB);
    g_assert_cmpuint(holes->len, ==, 2);
    g_assert_cmpint(g_array_index(holes, long long, 0), ==, 2 * MiB);
    g_assert_cmpint(g_array_index(holes, long long, 1), ==, MiB);
}


/* A window of a download: from 3 MiB, 1.5 MiB, cut in the hole. */
static void
testDownloadWindow(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *path = NULL;
    g_autofree char *content = NULL;
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GArray) holes = g_array_new(FALSE, FALSE, sizeof(long long));
    int released = 0;
    virStreamPtr st;
    int fd = testMakeFile("window-down.img", 5 * MiB, &path, &content);

    g_assert_cmpint(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                              4 * MiB, MiB), ==, 0);

    st = testOpenDownload(fd, 3 * MiB, 3 * MiB / 2, &released);
    testRecvSparse(st, out, holes);
    g_assert_cmpint(virStreamFinish(st), ==, 0);
    g_assert_cmpint(released, ==, 1);
    virObjectUnref(st);

    g_assert_cmpuint(out->len, ==, 3 * MiB / 2);
    g_assert_cmpmem(out->data, MiB, content + 3 * MiB, MiB);
    g_assert_cmpuint(holes->len, ==, 1);
    g_assert_cmpint(g_array_index(holes, long long, 0), ==, MiB / 2);
}


/*
 * A real descriptor whose writes and reads fail with EIO: this process's
 * own /proc/self/mem at an address nothing is mapped at (the first pages
 * are never mapped: vm.mmap_min_addr).
 */
static int
testOpenEIO(void)
{
    int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
    char byte;

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pread(fd, &byte, 1, 4096), ==, -1);
    g_assert_cmpint(errno, ==, EIO);
    return fd;
}


/* EIO of the storage after the last send fails the finish, naming the
 * volume, with the errno. */
static void
testEIOAtFinish(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *data = testPattern(64 * 1024, 3);
    virErrorPtr err;
    int released = 0;
    virStreamPtr st;

    st = testOpenUpload(testOpenEIO(), 4096, MiB, &released);
    /* the queue takes it: the worker's write fails later */
    g_assert_cmpint(virStreamSend(st, data, 64 * 1024), ==, 64 * 1024);
    g_assert_cmpint(virStreamFinish(st), ==, -1);
    err = virGetLastError();
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, VIR_ERR_SYSTEM_ERROR);
    g_assert_cmpint(err->int1, ==, EIO);
    g_assert_nonnull(strstr(err->message, "'test.img'"));
    g_assert_cmpint(released, ==, 1);
    g_assert_cmpint(virStreamAbort(st), ==, 0);
    g_assert_cmpint(released, ==, 1);
    virObjectUnref(st);
}


/* EIO while reading a download fails the receive, naming the volume. */
static void
testDownloadEIO(const void *opaque G_GNUC_UNUSED)
{
    char buf[4096];
    virErrorPtr err;
    int released = 0;
    virStreamPtr st;

    st = testOpenDownload(testOpenEIO(), 4096, MiB, &released);
    g_assert_cmpint(virStreamRecv(st, buf, sizeof(buf)), ==, -1);
    err = virGetLastError();
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, VIR_ERR_SYSTEM_ERROR);
    g_assert_cmpint(err->int1, ==, EIO);
    g_assert_nonnull(strstr(err->message, "'test.img'"));
    g_assert_cmpint(virStreamAbort(st), ==, 0);
    g_assert_cmpint(released, ==, 1);
    virObjectUnref(st);
}


/* More than the queue holds goes through a blocking stream (the sender
 * waits for room) and lands in place. */
static void
testUploadLargerThanQueue(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *path = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *data = testPattern(40 * MiB, 17);
    int released = 0;
    size_t len;
    virStreamPtr st;
    int fd = testMakeFile("large.img", 41 * MiB, &path, &before);

    st = testOpenUpload(fd, MiB, 40 * MiB, &released);
    testSendAll(st, data, 40 * MiB);
    g_assert_cmpint(virStreamFinish(st), ==, 0);
    g_assert_cmpint(released, ==, 1);
    virObjectUnref(st);

    after = testReadFile(path, &len);
    g_assert_cmpuint(len, ==, 41 * MiB);
    g_assert_cmpmem(after, MiB, before, MiB);
    g_assert_cmpmem(after + MiB, 40 * MiB, data, 40 * MiB);
}


/* The window of a storage whose end is fixed, and what is refused. */
static void
testTargetInit(const void *opaque G_GNUC_UNUSED)
{
    virStorageStreamTarget target = { 0 };
    virStorageStreamTarget untouched = { .volname = "x", .offset = 7, .window = 9 };

    /* 0 means up to the end; a download's length is cut at the end */
    g_assert_cmpint(virStorageStreamTargetInit(&target, "pool", "vol", 4 * MiB,
                                               MiB, 0, false, true), ==, 0);
    g_assert_cmpstr(target.volname, ==, "vol");
    g_assert_cmpuint(target.offset, ==, MiB);
    g_assert_cmpuint(target.window, ==, 3 * MiB);
    g_assert_true(target.sparse);
    g_assert_null(target.io);
    g_assert_null(target.opaque);
    g_assert_cmpint(virStorageStreamTargetInit(&target, "pool", "vol", 4 * MiB,
                                               MiB, 10 * MiB, false, false), ==, 0);
    g_assert_cmpuint(target.window, ==, 3 * MiB);
    g_assert_false(target.sparse);
    /* a download at the end moves nothing */
    g_assert_cmpint(virStorageStreamTargetInit(&target, "pool", "vol", 4 * MiB,
                                               4 * MiB, 0, false, false), ==, 0);
    g_assert_cmpuint(target.window, ==, 0);
    /* an upload that fits exactly */
    g_assert_cmpint(virStorageStreamTargetInit(&target, "pool", "vol", 4 * MiB,
                                               MiB, 3 * MiB, true, false), ==, 0);
    g_assert_cmpuint(target.window, ==, 3 * MiB);

    /* refused, naming the volume and the pool, the target left as it was */
    target = untouched;
    g_assert_cmpint(virStorageStreamTargetInit(&target, "pool", "vol", 4 * MiB,
                                               4 * MiB + 1, 0, false, false), ==, -1);
    lvsbTestExpectError("download past the end", VIR_ERR_INVALID_ARG,
                        "beyond the end of volume 'vol' of pool 'pool'");
    g_assert_cmpint(virStorageStreamTargetInit(&target, "pool", "vol", 4 * MiB,
                                               4 * MiB, 0, true, false), ==, -1);
    lvsbTestExpectError("upload at the end", VIR_ERR_INVALID_ARG,
                        "beyond the end of volume 'vol' of pool 'pool'");
    g_assert_cmpint(virStorageStreamTargetInit(&target, "pool", "vol", 4 * MiB,
                                               MiB, 3 * MiB + 1, true, false), ==, -1);
    lvsbTestExpectError("upload too long", VIR_ERR_INVALID_ARG,
                        "resize the volume first");
    g_assert_cmpstr(target.volname, ==, "x");
    g_assert_cmpuint(target.offset, ==, 7);
    g_assert_cmpuint(target.window, ==, 9);
}


static void
testCutAtEnd(const void *opaque G_GNUC_UNUSED)
{
    g_assert_cmpuint(virStorageStreamCutAtEnd(100, 0, 50), ==, 50);
    g_assert_cmpuint(virStorageStreamCutAtEnd(100, 60, 50), ==, 40);
    g_assert_cmpuint(virStorageStreamCutAtEnd(100, 100, 50), ==, 0);
    g_assert_cmpuint(virStorageStreamCutAtEnd(100, 150, 50), ==, 0);
    g_assert_cmpuint(virStorageStreamCutAtEnd(100, 99, G_MAXUINT64), ==, 1);
}


typedef struct {
    virStorageStreamInflight inflight;
    GAsyncQueue *go;
} testInflightData;


/* Completes the requests of the test below on a thread of its own, the
 * way a storage library's callbacks do, each a while after the waiter
 * started waiting. */
static gpointer
testInflightCompleter(gpointer opaque)
{
    testInflightData *data = opaque;
    virStorageStreamInflight *inflight = &data->inflight;

    g_usleep(100 * 1000);
    virStorageStreamInflightDone(inflight, 0);
    g_async_queue_pop(data->go);
    g_usleep(50 * 1000);
    virStorageStreamInflightDone(inflight, -EIO);
    g_usleep(50 * 1000);
    virStorageStreamInflightDone(inflight, -ENOSPC);
    return NULL;
}


/* A wait returns once few enough requests are in flight, with the first
 * error of a request. */
static void
testInflight(const void *opaque G_GNUC_UNUSED)
{
    testInflightData data;
    virStorageStreamInflight *inflight = &data.inflight;
    GThread *thread;

    virStorageStreamInflightInit(inflight);
    data.go = g_async_queue_new();
    virStorageStreamInflightAdd(inflight);
    virStorageStreamInflightDone(inflight, 0);
    g_assert_cmpint(virStorageStreamInflightWait(inflight, 0), ==, 0);

    virStorageStreamInflightAdd(inflight);
    virStorageStreamInflightAdd(inflight);
    virStorageStreamInflightAdd(inflight);
    /* none ended yet: a wait for at most 3 returns at once */
    g_assert_cmpint(virStorageStreamInflightWait(inflight, 3), ==, 0);
    thread = g_thread_new("completer", testInflightCompleter, &data);
    /* the first request ended well */
    g_assert_cmpint(virStorageStreamInflightWait(inflight, 2), ==, 0);
    g_assert_cmpuint(inflight->count, ==, 2);
    g_async_queue_push(data.go, GINT_TO_POINTER(1));
    /* the second failed, the third failed too: the first error stays */
    g_assert_cmpint(virStorageStreamInflightWait(inflight, 0), ==, -EIO);
    g_assert_cmpuint(inflight->count, ==, 0);
    g_thread_join(thread);
    g_assert_cmpint(virStorageStreamInflightWait(inflight, 0), ==, -EIO);
    g_async_queue_unref(data.go);
    virStorageStreamInflightClear(inflight);
}


int
main(int argc,
     char **argv)
{
    int ret;

    lvsbTestInit(&argc, &argv);
    workdir = lvsbTestMakeWorkDir("streamtest");
    conn = virGetConnect();

    g_test_add_data_func("/stream/hole-keeps-size", NULL, testHoleKeepsSize);
    g_test_add_data_func("/stream/window", NULL, testWindow);
    g_test_add_data_func("/stream/error-at-finish", NULL, testErrorAtFinish);
    g_test_add_data_func("/stream/abort", NULL, testAbort);
    g_test_add_data_func("/stream/eio-at-finish", NULL, testEIOAtFinish);
    g_test_add_data_func("/stream/larger-than-queue", NULL, testUploadLargerThanQueue);
    g_test_add_data_func("/stream/download-sparse", NULL, testDownloadSparse);
    g_test_add_data_func("/stream/download-window", NULL, testDownloadWindow);
    g_test_add_data_func("/stream/download-eio", NULL, testDownloadEIO);
    g_test_add_data_func("/stream/target-init", NULL, testTargetInit);
    g_test_add_data_func("/stream/cut-at-end", NULL, testCutAtEnd);
    g_test_add_data_func("/stream/inflight", NULL, testInflight);

    ret = lvsbTestRun();

    virObjectUnref(conn);
    return ret;
}
