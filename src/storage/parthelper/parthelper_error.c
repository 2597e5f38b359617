/*
 * parthelper_error.c: the one error line of the libparted helper, and
 * the answers it gives to libparted's exceptions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This file is part of libvirt_storage_parthelper, which links libparted
 * (GPL-3.0-or-later): the executable as a whole is GPL-3.0-or-later.
 */

#include <config.h>

#include "parthelper_error.h"

static phAccess exceptionAccess = PH_ACCESS_READ;
static char *pedFailure;        /* text of the last failed exception */
static char *errorLine;         /* what the helper prints on stderr */
static int busyNumber;          /* the partition the kernel found open */
static char *busyPath;


static bool
phOffers(PedExceptionOption options,
         PedExceptionOption option)
{
    return (options & option) != 0;
}


PedExceptionOption
phExceptionAnswer(PedExceptionType type,
                  PedExceptionOption options,
                  phAccess access)
{
    bool fatal = type == PED_EXCEPTION_FATAL ||
                 type == PED_EXCEPTION_BUG ||
                 type == PED_EXCEPTION_NO_FEATURE;
    bool proceed = type == PED_EXCEPTION_INFORMATION ||
                   type == PED_EXCEPTION_WARNING ||
                   (type == PED_EXCEPTION_ERROR && access == PH_ACCESS_READ);

    if (!fatal && proceed) {
        if (phOffers(options, PED_EXCEPTION_IGNORE))
            return PED_EXCEPTION_IGNORE;
        if (phOffers(options, PED_EXCEPTION_OK))
            return PED_EXCEPTION_OK;
        if (phOffers(options, PED_EXCEPTION_NO))
            return PED_EXCEPTION_NO;
    }

    if (phOffers(options, PED_EXCEPTION_CANCEL))
        return PED_EXCEPTION_CANCEL;
    if (phOffers(options, PED_EXCEPTION_NO))
        return PED_EXCEPTION_NO;

    /* No way to refuse (e.g. an error offering only FIX/IGNORE):
     * refusing to fix is the harmless choice. */
    if (phOffers(options, PED_EXCEPTION_IGNORE))
        return PED_EXCEPTION_IGNORE;
    if (phOffers(options, PED_EXCEPTION_OK))
        return PED_EXCEPTION_OK;

    return PED_EXCEPTION_UNHANDLED;
}


/* libparted's messages may span lines; ours is one line. */
static char *
phOneLine(const char *text)
{
    char *line = g_strdup(text);
    char *p;

    for (p = line; *p; p++) {
        if (g_ascii_iscntrl(*p))
            *p = ' ';
    }

    return g_strstrip(line);
}


static PedExceptionOption
phExceptionHandler(PedException *ex)
{
    PedExceptionOption answer = phExceptionAnswer(ex->type, ex->options,
                                                  exceptionAccess);

    if (answer == PED_EXCEPTION_CANCEL ||
        answer == PED_EXCEPTION_NO ||
        answer == PED_EXCEPTION_UNHANDLED) {
        g_free(pedFailure);
        pedFailure = phOneLine(ex->message);
    }

    return answer;
}


void
phExceptionInstall(phAccess access)
{
    exceptionAccess = access;
    ped_exception_set_handler(phExceptionHandler);
}


bool
phPedFailed(void)
{
    return pedFailure != NULL;
}


void
phForgetPedFailure(void)
{
    g_clear_pointer(&pedFailure, g_free);
}


void
phReportError(const char *fmt, ...)
{
    g_autofree char *what = NULL;
    g_autofree char *failure = g_steal_pointer(&pedFailure);
    va_list args;

    if (errorLine)
        return;

    va_start(args, fmt);
    what = g_strdup_vprintf(fmt, args);
    va_end(args);

    if (failure)
        errorLine = g_strdup_printf("%s: %s", what, failure);
    else
        errorLine = g_steal_pointer(&what);
}


const char *
phErrorLine(void)
{
    return errorLine;
}


void
phReportBusy(int number,
             const char *path,
             const char *fmt,
             ...)
{
    g_autofree char *what = NULL;
    va_list args;

    if (errorLine)
        return;

    va_start(args, fmt);
    what = g_strdup_vprintf(fmt, args);
    va_end(args);

    phReportError("%s", what);
    busyNumber = number;
    busyPath = g_strdup(path);
}


void
phReportAppend(const char *fmt,
               ...)
{
    g_autofree char *more = NULL;
    char *line;
    va_list args;

    if (!errorLine)
        return;

    va_start(args, fmt);
    more = g_strdup_vprintf(fmt, args);
    va_end(args);

    line = g_strconcat(errorLine, more, NULL);
    g_free(errorLine);
    errorLine = line;
}


bool
phBusy(int *number,
       const char **path)
{
    if (!busyPath)
        return false;

    *number = busyNumber;
    *path = busyPath;
    return true;
}
