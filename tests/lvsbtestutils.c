/*
 * lvsbtestutils.c: what the C unit tests share: libvirt set-up, fixture
 * files, golden-file comparison and command lines as argument lists
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include <signal.h>

#include <glib/gstdio.h>

#include "lvsbtestutils.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static char *testDataDir;


static void
lvsbTestIgnoreError(void *opaque G_GNUC_UNUSED,
                    virErrorPtr err G_GNUC_UNUSED)
{
}


void
lvsbTestInit(int *argc,
             char ***argv)
{
    g_test_init(argc, argv, NULL);

    if (virInitialize() < 0)
        g_error("cannot initialize libvirt");
    virSetErrorFunc(NULL, lvsbTestIgnoreError);
}


const char *
lvsbTestSetDataDir(const char *subdir)
{
    const char *srcdir = g_getenv("abs_srcdir");

    if (!srcdir)
        g_error("abs_srcdir is not set: run this test with meson test");

    g_free(testDataDir);
    testDataDir = g_build_filename(srcdir, subdir, NULL);
    return testDataDir;
}


const char *
lvsbTestGetDataDir(void)
{
    if (!testDataDir)
        g_error("the test did not call lvsbTestSetDataDir()");
    return testDataDir;
}


char *
lvsbTestDataPath(const char *name,
                 const char *suffix)
{
    return g_strdup_printf("%s/%s%s", lvsbTestGetDataDir(), name, suffix);
}


char *
lvsbTestLoadFile(const char *path)
{
    g_autoptr(GError) err = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &err)) {
        g_test_message("cannot read %s: %s", path, err->message);
        g_test_fail();
        return NULL;
    }

    return text;
}


static int
lvsbTestRegenerateFile(const char *path,
                       const char *content)
{
    g_autoptr(GError) err = NULL;

    if (!g_getenv("VIR_TEST_REGENERATE_OUTPUT"))
        return 0;

    if (!g_file_set_contents(path, content, -1, &err)) {
        g_test_message("cannot write %s: %s", path, err->message);
        g_test_fail();
        return -1;
    }

    return 0;
}


int
lvsbTestCompareToString(const char *what,
                        const char *expected,
                        const char *actual)
{
    if (g_str_equal(expected, actual))
        return 0;

    g_test_message("%s differs\n--- expected ---\n%s--- actual ---\n%s",
                   what, expected, actual);
    g_test_fail();
    return -1;
}


int
lvsbTestCompareToFile(const char *actual,
                      const char *path)
{
    g_autofree char *expected = NULL;

    if (lvsbTestRegenerateFile(path, actual) < 0 ||
        !(expected = lvsbTestLoadFile(path)))
        return -1;

    return lvsbTestCompareToString(path, expected, actual);
}


char *
lvsbTestCommandToArgv(virCommand *cmd)
{
    g_autofree char *str = NULL;
    g_auto(GStrv) args = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *joined = NULL;

    if (!(str = virCommandToString(cmd, false))) {
        g_test_message("cannot render the command: %s",
                       virGetLastErrorMessage());
        g_test_fail();
        return NULL;
    }

    if (!g_shell_parse_argv(str, NULL, &args, &err)) {
        g_test_message("cannot split '%s': %s", str, err->message);
        g_test_fail();
        return NULL;
    }

    joined = g_strjoinv("\n", args);
    return g_strconcat(joined, "\n", NULL);
}


int
lvsbTestCompareCommandToFile(virCommand *cmd,
                             const char *name)
{
    g_autofree char *path = lvsbTestDataPath(name, ".argv");
    g_autofree char *actual = NULL;

    if (!cmd) {
        g_test_message("%s: builder failed: %s", name,
                       virGetLastErrorMessage());
        g_test_fail();
        return -1;
    }

    if (!(actual = lvsbTestCommandToArgv(cmd)))
        return -1;

    return lvsbTestCompareToFile(actual, path);
}


int
lvsbTestExpectError(const char *name,
                    int code,
                    const char *msgPart)
{
    const char *msg = virGetLastErrorMessage();

    if (virGetLastErrorCode() != code) {
        g_test_message("%s: expected error code %d, got %d: %s",
                       name, code, virGetLastErrorCode(), msg);
        g_test_fail();
        return -1;
    }

    if (msgPart && !strstr(msg, msgPart)) {
        g_test_message("%s: refused for another reason: %s", name, msg);
        g_test_fail();
        return -1;
    }

    g_test_message("%s refused: %s", name, msg);
    return 0;
}


int
lvsbTestExpectRefusal(const char *name,
                      virCommand *cmd,
                      int code,
                      const char *msgPart)
{
    if (cmd) {
        g_autofree char *str = virCommandToString(cmd, false);

        g_test_message("%s: expected a refusal, got '%s'", name, NULLSTR(str));
        g_test_fail();
        return -1;
    }

    return lvsbTestExpectError(name, code, msgPart);
}


virStoragePoolDef *
lvsbTestParsePoolFile(const char *name)
{
    g_autofree char *path = lvsbTestDataPath(name, ".xml");
    virStoragePoolDef *def = virStoragePoolDefParse(NULL, path, 0);

    if (!def) {
        g_test_message("cannot parse %s: %s", path, virGetLastErrorMessage());
        g_test_fail();
    }
    return def;
}


void
lvsbTestAddCase(const char *prefix,
                const char *name,
                const void *data,
                GTestDataFunc func)
{
    g_autofree char *path = g_strdup_printf("%s/%s", prefix, name);

    g_test_add_data_func(path, data, func);
}


/* The directory lvsbTestMakeWorkDir() made, for lvsbTestRun() */
static char *lvsbTestWorkDir;


/* A failed g_assert() aborts the program: the work directory goes
 * first, so that a failing test leaves nothing behind either. */
static void
lvsbTestAbortHandler(int sig)
{
    if (lvsbTestWorkDir)
        lvsbTestRemoveWorkDir(lvsbTestWorkDir);
    signal(sig, SIG_DFL);
    raise(sig);
}


char *
lvsbTestMakeWorkDir(const char *prefix)
{
    g_autofree char *tmpl = g_strdup_printf("%s-XXXXXX", prefix);
    char *dir = g_dir_make_tmp(tmpl, NULL);

    if (!dir) {
        /* $TMPDIR is not usable: stay in the build directory */
        dir = g_strdup_printf("./%s-work", prefix);
        if (g_mkdir_with_parents(dir, 0700) < 0)
            g_error("cannot create the work directory %s: %s",
                    dir, g_strerror(errno));
    }

    g_free(lvsbTestWorkDir);
    lvsbTestWorkDir = g_strdup(dir);
    signal(SIGABRT, lvsbTestAbortHandler);
    return dir;
}


void
lvsbTestRemoveWorkDir(const char *dir)
{
    g_autoptr(GDir) gdir = g_dir_open(dir, 0, NULL);
    const char *entry;

    if (!gdir)
        return;

    while ((entry = g_dir_read_name(gdir))) {
        g_autofree char *path = g_build_filename(dir, entry, NULL);

        g_unlink(path);
    }
    g_rmdir(dir);
}


int
lvsbTestRun(void)
{
    int ret = g_test_run();

    if (lvsbTestWorkDir) {
        lvsbTestRemoveWorkDir(lvsbTestWorkDir);
        g_clear_pointer(&lvsbTestWorkDir, g_free);
    }
    return ret;
}
