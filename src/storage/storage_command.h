/*
 * storage_command.h: running the tools a backend drives
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"
#include "vircommand.h"

/*
 * Runs @cmd and returns its exit status; sets @errbuf (if not NULL) to
 * what it wrote on stderr, stripped.  -1 with an error reported only
 * when the command could not be run at all.
 */
int
virStorageCommandRunStatus(virCommand *cmd,
                           char **errbuf);

/*
 * Runs @cmd; when it exits non-zero, reports VIR_ERR_OPERATION_FAILED as
 * "<@fmt ...>: <its stderr>" (or "...: <program> exited with status N and
 * printed nothing on stderr") and returns -1.  @fmt is one whole
 * translatable sentence saying what could not be done to which pool,
 * volume or device ("cannot create volume '%s' of pool '%s'"), never a
 * verb filled into a template.
 */
int
virStorageCommandRun(virCommand *cmd,
                     const char *fmt,
                     ...) G_GNUC_PRINTF(2, 3);

/*
 * Reports a command that exited with @status: VIR_ERR_OPERATION_FAILED as
 * "<@what>: <@errbuf>", or, when it wrote nothing on stderr, "<@what>:
 * <@program> exited with status N and printed nothing on stderr".  @what
 * is one whole translatable sentence, as @fmt of virStorageCommandRun.
 */
void
virStorageCommandReportExit(const char *what,
                            const char *program,
                            int status,
                            const char *errbuf);

/* Seconds a stopped command has between SIGTERM and SIGKILL. */
#define VIR_STORAGE_COMMAND_KILL_GRACE 5

/*
 * Runs @cmd for at most @seconds.  At the limit its process group (the
 * child and whatever it started itself) gets SIGTERM, and SIGKILL
 * VIR_STORAGE_COMMAND_KILL_GRACE seconds later.  @out and @err (each if
 * not NULL) get what it wrote on stdout and stderr (@err stripped);
 * @cmd must have no output or error buffer or descriptor of its own.
 *
 * Returns its exit status (0..255), or -1 with an error reported: it
 * could not be run, was killed by a signal, or was stopped at its limit
 * (VIR_ERR_OPERATION_TIMEOUT: "<@what>: <program> did not finish within
 * N seconds and was stopped").  @what is one whole translatable sentence,
 * as @fmt of virStorageCommandRun.  @timedOut (if not NULL) tells the last
 * case apart, for callers that check what the command did meanwhile.
 */
int
virStorageCommandRunLimited(virCommand *cmd,
                            unsigned int seconds,
                            const char *what,
                            char **out,
                            char **err,
                            bool *timedOut);
