/*
 * storagecommandtest.c: running tools with a time limit
 * (src/storage/storage_command.c), with real programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * sleep stands for a tool waiting on a server that never answers; a
 * shell that ignores SIGTERM for one that must be killed; a background
 * sleep for the helpers a tool runs itself (mount.nfs under mount).
 */

#include <config.h>

#include <glib/gstdio.h>
#include <signal.h>

#include "lvsbtestutils.h"
#include "storage_command.h"
#include "virerror.h"
#include "virfile.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE


static double
testSeconds(gint64 start)
{
    return (g_get_monotonic_time() - start) / (double) G_USEC_PER_SEC;
}


/* A command that ends: its status and both outputs, as they were. */
static void
testOutputAndStatus(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virCommand) cmd = virCommandNewArgList("/bin/sh", "-c",
                                                     "echo out; echo ' err ' >&2; exit 3",
                                                     NULL);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    bool timedOut = true;

    g_assert_cmpint(virStorageCommandRunLimited(cmd, 10, "test", &out, &err,
                                                &timedOut), ==, 3);
    g_assert_cmpstr(out, ==, "out\n");
    g_assert_cmpstr(err, ==, "err");
    g_assert_false(timedOut);
}


/* More than a pipe holds (64 KiB) is read while the child writes. */
static void
testLargeOutput(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virCommand) cmd = virCommandNewArgList("/bin/sh", "-c",
                                                     "yes a | head -c 3000000; yes b | head -c 200000 >&2",
                                                     NULL);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint(virStorageCommandRunLimited(cmd, 30, "test", &out, &err,
                                                NULL), ==, 0);
    g_assert_cmpuint(strlen(out), ==, 3000000);
    g_assert_cmpuint(strlen(err), ==, 199999);  /* stripped of its last '\n' */
}


/* A tool that waits for ever is stopped at its limit, SIGTERM. */
static void
testStoppedAtLimit(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virCommand) cmd = virCommandNewArgList("sleep", "100", NULL);
    gint64 start = g_get_monotonic_time();
    bool timedOut = false;
    double took;

    virResetLastError();
    g_assert_cmpint(virStorageCommandRunLimited(cmd, 1, "cannot list the NFS exports of host 'x'",
                                                NULL, NULL, &timedOut), ==, -1);
    took = testSeconds(start);
    g_test_message("stopped after %.2f s", took);
    g_assert_true(timedOut);
    g_assert_cmpfloat(took, >=, 1.0);
    g_assert_cmpfloat(took, <, 3.0);
    lvsbTestExpectError("sleep", VIR_ERR_OPERATION_TIMEOUT,
                        "cannot list the NFS exports of host 'x': sleep did not finish within 1 seconds");
}


/* One that ignores SIGTERM gets SIGKILL VIR_STORAGE_COMMAND_KILL_GRACE
 * seconds later. */
static void
testKilledAfterGrace(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virCommand) cmd = virCommandNewArgList("/bin/sh", "-c",
                                                     "trap '' TERM; exec sleep 100",
                                                     NULL);
    gint64 start = g_get_monotonic_time();
    bool timedOut = false;
    double took;

    virResetLastError();
    g_assert_cmpint(virStorageCommandRunLimited(cmd, 1, "test", NULL, NULL,
                                                &timedOut), ==, -1);
    took = testSeconds(start);
    g_test_message("killed after %.2f s", took);
    g_assert_true(timedOut);
    g_assert_cmpfloat(took, >=, 1.0 + VIR_STORAGE_COMMAND_KILL_GRACE);
    g_assert_cmpfloat(took, <, 3.0 + VIR_STORAGE_COMMAND_KILL_GRACE);
    lvsbTestExpectError("sleep ignoring TERM", VIR_ERR_OPERATION_TIMEOUT, NULL);
}


/* Whether process @pid is gone (or a zombie nobody reaped yet). */
static bool
testProcessGone(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%lld/stat", (long long) pid);
    g_autofree char *stat = NULL;
    const char *state;

    if (!g_file_get_contents(path, &stat, NULL, NULL))
        return true;
    state = strrchr(stat, ')');
    return state && (state[2] == 'Z' || state[2] == 'X');
}


/* What the tool started itself is stopped with it. */
static void
testProcessGroupStopped(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *dir = g_dir_make_tmp("cmdtest-XXXXXX", NULL);
    g_autofree char *pidfile = g_build_filename(dir, "pid", NULL);
    g_autofree char *script = g_strdup_printf("sleep 100 & echo $! > %s; wait",
                                              pidfile);
    g_autoptr(virCommand) cmd = virCommandNewArgList("/bin/sh", "-c", script,
                                                     NULL);
    g_autofree char *text = NULL;
    long long pid;
    size_t i;

    g_assert_cmpint(virStorageCommandRunLimited(cmd, 1, "test", NULL, NULL,
                                                NULL), ==, -1);
    g_assert_true(g_file_get_contents(pidfile, &text, NULL, NULL));
    pid = g_ascii_strtoll(text, NULL, 10);
    g_assert_cmpint(pid, >, 1);
    for (i = 0; i < 50 && !testProcessGone(pid); i++)
        g_usleep(100 * 1000);
    if (!testProcessGone(pid)) {
        kill(pid, SIGKILL);
        g_test_message("the background sleep %lld survived", pid);
        g_test_fail();
    }
    g_unlink(pidfile);
    g_rmdir(dir);
}


/* A child that exits leaving a daemon with our pipes open (glusterfs
 * does) is done when it exits, not when the daemon closes them. */
static void
testExitWithPipesHeld(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virCommand) cmd = virCommandNewArgList("/bin/sh", "-c",
                                                     "setsid sleep 4 & echo started",
                                                     NULL);
    g_autofree char *out = NULL;
    gint64 start = g_get_monotonic_time();

    g_assert_cmpint(virStorageCommandRunLimited(cmd, 30, "test", &out, NULL,
                                                NULL), ==, 0);
    g_assert_cmpstr(out, ==, "started\n");
    g_assert_cmpfloat(testSeconds(start), <, 2.0);
}


static void
testNotFound(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virCommand) cmd = virCommandNew("/nonexistent/lvsb-no-such-tool");
    bool timedOut = true;

    virResetLastError();
    g_assert_cmpint(virStorageCommandRunLimited(cmd, 5, "test", NULL, NULL,
                                                &timedOut), !=, 0);
    g_assert_false(timedOut);
}


int
main(int argc,
     char **argv)
{
    lvsbTestInit(&argc, &argv);

    g_test_add_data_func("/command/output-and-status", NULL, testOutputAndStatus);
    g_test_add_data_func("/command/large-output", NULL, testLargeOutput);
    g_test_add_data_func("/command/stopped-at-limit", NULL, testStoppedAtLimit);
    g_test_add_data_func("/command/killed-after-grace", NULL, testKilledAfterGrace);
    g_test_add_data_func("/command/process-group", NULL, testProcessGroupStopped);
    g_test_add_data_func("/command/exit-with-pipes-held", NULL, testExitWithPipesHeld);
    g_test_add_data_func("/command/not-found", NULL, testNotFound);

    return g_test_run();
}
