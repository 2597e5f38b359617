/*
 * parthelper_error.h: the one error line of the libparted helper, and
 * the answers it gives to libparted's exceptions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This file is part of libvirt_storage_parthelper, which links libparted
 * (GPL-3.0-or-later): the executable as a whole is GPL-3.0-or-later.
 */

#pragma once

#include <stdbool.h>
#include <glib.h>
#include <parted/parted.h>

/* How the helper uses the disk: a read must never change it. */
typedef enum {
    PH_ACCESS_READ,
    PH_ACCESS_WRITE,
} phAccess;

/* Pure: the answer to an exception of @type offering @options.
 * Never FIX (libparted would write during a read) nor RETRY (nobody is
 * there to fix the cause); warnings are ignored, errors cancel the
 * operation, except that a read may continue past an error it can
 * ignore or acknowledge, since it writes nothing. */
PedExceptionOption phExceptionAnswer(PedExceptionType type,
                                     PedExceptionOption options,
                                     phAccess access);

/* Makes libparted's exceptions non-interactive: each one is answered by
 * phExceptionAnswer(); the text of those that fail the operation is kept
 * for the error line. */
void phExceptionInstall(phAccess access);

/* Records the error line of this run (the first one wins), followed by
 * the text of the libparted exception that caused it, if any. */
void phReportError(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Like phReportError, for a partition the kernel found open: the
 * helper then exits with PH_EXIT_BUSY and prints partition @number and
 * its device @path as JSON (see storage_partition.h). */
void phReportBusy(int number,
                  const char *path,
                  const char *fmt,
                  ...) G_GNUC_PRINTF(3, 4);

/* Appends to the error line already recorded (nothing if none). */
void phReportAppend(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Whether phReportBusy() was called, and for which partition. */
bool phBusy(int *number,
            const char **path);

/* Exit status of a run stopped by phReportBusy(). */
#define PH_EXIT_BUSY 2

/* True when libparted failed an exception since the last report: a
 * call that returns "nothing" (ped_disk_probe) then means "failed". */
bool phPedFailed(void);

/* Forgets the text of the exceptions failed so far. */
void phForgetPedFailure(void);

/* The recorded error line, or NULL. */
const char *phErrorLine(void);
