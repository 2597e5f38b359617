/*
 * testutils.h: what the C unit tests share: libvirt set-up, fixture
 * files, golden-file comparison and command lines as argument lists
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Failure convention: a helper that cannot do its job explains why with
 * g_test_message(), marks the running test failed with g_test_fail() and
 * returns NULL or -1; the caller only has to return.  Without --keep-going
 * GLib stops the program at the first failed test, with it the remaining
 * cases still run.  Helpers never abort on their own, except the set-up
 * functions run before any test (virTestInit, virTestSetDataDir,
 * virTestMakeWorkDir).
 */

#pragma once

#include "internal.h"
#include "storage_conf.h"
#include "vircommand.h"

/* g_test_init(), then libvirt's own initialisation, with libvirt's
 * default error printing silenced (tests read the errors they expect). */
void
virTestInit(int *argc,
            char ***argv);

/* Fixtures are read from $abs_srcdir/@subdir (abs_srcdir is set by
 * meson test).  Returns that directory. */
const char *
virTestSetDataDir(const char *subdir);

const char *
virTestGetDataDir(void);

/* "<data dir>/<name><suffix>"; @suffix may be "". */
char *
virTestDataPath(const char *name,
                const char *suffix);

/* The whole content of @path, or NULL (test failed). */
char *
virTestLoadFile(const char *path);

/* Compares @actual with the content of the file @path; prints both when
 * they differ.  With VIR_TEST_REGENERATE_OUTPUT set in the environment
 * the file is first rewritten with @actual.  Returns 0 when equal, -1
 * (test failed) otherwise. */
int
virTestCompareToFile(const char *actual,
                     const char *path);

/* Compares two texts, @what naming the expected one in the message.
 * Returns 0 when equal, -1 (test failed) otherwise. */
int
virTestCompareToString(const char *what,
                       const char *expected,
                       const char *actual);

/* The command as virCommandToString(cmd, false) renders it, split back
 * into arguments with the shell's quoting rules, one argument per line
 * (the format of the .argv fixtures).  NULL (test failed) on error. */
char *
virTestCommandToArgv(virCommand *cmd);

/* virTestCommandToArgv() of @cmd compared with the .argv fixture
 * <data dir>/<name>.argv, see virTestCompareToFile().  A NULL @cmd (the
 * builder failed) fails the test with the last libvirt error. */
int
virTestCompareCommandToFile(virCommand *cmd,
                            const char *name);

/* The last libvirt error has code @code and, if @msgPart is not NULL,
 * a message that contains @msgPart.  @name labels the messages.
 * Returns 0, or -1 (test failed). */
int
virTestExpectError(const char *name,
                   int code,
                   const char *msgPart);

/* A builder refused: @cmd is NULL and the last error is as
 * virTestExpectError() wants it.  Returns 0, or -1 (test failed). */
int
virTestExpectRefusal(const char *name,
                     virCommand *cmd,
                     int code,
                     const char *msgPart);

/* Pool XML <data dir>/<name>.xml parsed by libvirt's parser, or NULL
 * (test failed). */
virStoragePoolDef *
virTestParsePoolFile(const char *name);

/* Adds the test "<prefix>/<name>" running @func on @data. */
void
virTestAddCase(const char *prefix,
               const char *name,
               const void *data,
               GTestDataFunc func);

/* One test per element of the array @cases, named after its .name. */
#define VIR_TEST_ADD_CASES(prefix, cases, func) \
    do { \
        size_t virTestCaseIdx; \
        for (virTestCaseIdx = 0; virTestCaseIdx < G_N_ELEMENTS(cases); \
             virTestCaseIdx++) \
            virTestAddCase(prefix, (cases)[virTestCaseIdx].name, \
                           &(cases)[virTestCaseIdx], func); \
    } while (0)

/* A fresh private directory for files a test creates, in $TMPDIR, or
 * below the current directory when $TMPDIR cannot be used. */
char *
virTestMakeWorkDir(const char *prefix);

/* Removes @dir and the plain files directly in it. */
void
virTestRemoveWorkDir(const char *dir);
