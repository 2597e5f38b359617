/*
 * lvsbtestutils.h: what the C unit tests share: libvirt set-up, fixture
 * files, golden-file comparison and command lines as argument lists
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Failure convention: a helper that cannot do its job explains why with
 * g_test_message(), marks the running test failed with g_test_fail() and
 * returns NULL or -1; the caller only has to return.  Without --keep-going
 * GLib stops the program at the first failed test, with it the remaining
 * cases still run.  Helpers never abort on their own, except the set-up
 * functions run before any test (lvsbTestInit, lvsbTestSetDataDir,
 * lvsbTestMakeWorkDir).
 */

#pragma once

#include "internal.h"
#include "storage_conf.h"
#include "vircommand.h"

/* g_test_init(), then libvirt's own initialisation, with libvirt's
 * default error printing silenced (tests read the errors they expect). */
void
lvsbTestInit(int *argc,
             char ***argv);

/* Fixtures are read from $abs_srcdir/@subdir (abs_srcdir is set by
 * meson test).  Returns that directory. */
const char *
lvsbTestSetDataDir(const char *subdir);

const char *
lvsbTestGetDataDir(void);

/* "<data dir>/<name><suffix>"; @suffix may be "". */
char *
lvsbTestDataPath(const char *name,
                 const char *suffix);

/* The whole content of @path, or NULL (test failed). */
char *
lvsbTestLoadFile(const char *path);

/* Compares @actual with the content of the file @path; prints both when
 * they differ.  With VIR_TEST_REGENERATE_OUTPUT set in the environment
 * the file is first rewritten with @actual.  Returns 0 when equal, -1
 * (test failed) otherwise. */
int
lvsbTestCompareToFile(const char *actual,
                      const char *path);

/* Compares two texts, @what naming the expected one in the message.
 * Returns 0 when equal, -1 (test failed) otherwise. */
int
lvsbTestCompareToString(const char *what,
                        const char *expected,
                        const char *actual);

/* The command as virCommandToString(cmd, false) renders it, split back
 * into arguments with the shell's quoting rules, one argument per line
 * (the format of the .argv fixtures).  NULL (test failed) on error. */
char *
lvsbTestCommandToArgv(virCommand *cmd);

/* lvsbTestCommandToArgv() of @cmd compared with the .argv fixture
 * <data dir>/<name>.argv, see lvsbTestCompareToFile().  A NULL @cmd (the
 * builder failed) fails the test with the last libvirt error. */
int
lvsbTestCompareCommandToFile(virCommand *cmd,
                             const char *name);

/* The last libvirt error has code @code and, if @msgPart is not NULL,
 * a message that contains @msgPart.  @name labels the messages.
 * Returns 0, or -1 (test failed). */
int
lvsbTestExpectError(const char *name,
                    int code,
                    const char *msgPart);

/* A builder refused: @cmd is NULL and the last error is as
 * lvsbTestExpectError() wants it.  Returns 0, or -1 (test failed). */
int
lvsbTestExpectRefusal(const char *name,
                      virCommand *cmd,
                      int code,
                      const char *msgPart);

/* Pool XML <data dir>/<name>.xml parsed by libvirt's parser, or NULL
 * (test failed). */
virStoragePoolDef *
lvsbTestParsePoolFile(const char *name);

/* Adds the test "<prefix>/<name>" running @func on @data. */
void
lvsbTestAddCase(const char *prefix,
                const char *name,
                const void *data,
                GTestDataFunc func);

/* One test per element of the array @cases, named after its .name. */
#define LVSB_TEST_ADD_CASES(prefix, cases, func) \
    do { \
        size_t lvsbTestCaseIdx; \
        for (lvsbTestCaseIdx = 0; lvsbTestCaseIdx < G_N_ELEMENTS(cases); \
             lvsbTestCaseIdx++) \
            lvsbTestAddCase(prefix, (cases)[lvsbTestCaseIdx].name, \
                            &(cases)[lvsbTestCaseIdx], func); \
    } while (0)

/* A fresh private directory for files a test creates, in $TMPDIR, or
 * below the current directory when $TMPDIR cannot be used.  One per
 * program: lvsbTestRun() removes it, and so does a failed assertion
 * (SIGABRT) before the program dies. */
char *
lvsbTestMakeWorkDir(const char *prefix);

/* Removes @dir and the plain files directly in it. */
void
lvsbTestRemoveWorkDir(const char *dir);

/* g_test_run(), then the work directory of lvsbTestMakeWorkDir(), if one
 * was made, is removed.  Returns g_test_run()'s result. */
int
lvsbTestRun(void);
