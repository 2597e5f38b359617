/*
 * parthelper.c: libvirt_storage_parthelper, the one program of the
 * storage backends that calls libparted
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This file is part of libvirt_storage_parthelper, which links libparted
 * (GPL-3.0-or-later): the executable as a whole is GPL-3.0-or-later.
 * The LGPL modules never link libparted; the disk module runs this
 * program once per operation.  Its protocol (arguments, JSON on stdout,
 * one error line on stderr and exit status 1) is described in
 * src/storage/storage_partition.h.
 */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parthelper_error.h"
#include "parthelper_json.h"
#include "parthelper_ops.h"


/* A decimal number from @min to @max, with nothing around it. */
static int
phNumberParse(const char *text,
              const char *what,
              unsigned long long min,
              unsigned long long max,
              unsigned long long *value)
{
    char *end = NULL;
    unsigned long long parsed = 0;

    if (g_ascii_isdigit(text[0])) {
        errno = 0;
        parsed = strtoull(text, &end, 10);
        if (errno == 0 && *end == '\0' && parsed >= min && parsed <= max) {
            *value = parsed;
            return 0;
        }
    }

    phReportError("invalid %s '%s': expected a whole number from %llu to %llu",
                  what, text, min, max);
    return -1;
}


static int
phSizeParse(const char *text,
            unsigned long long *size)
{
    return phNumberParse(text, "SIZE (bytes)", 1, G_MAXINT64, size);
}


static int
phPartitionNumberParse(const char *text,
                       int *number)
{
    unsigned long long value;

    if (phNumberParse(text, "partition NUMBER", 1, G_MAXINT, &value) < 0)
        return -1;

    *number = value;
    return 0;
}


static int
phRunRead(char **args,
          char **json)
{
    return phRead(args[0], json);
}


static int
phRunMklabel(char **args,
             char **json)
{
    return phMklabel(args[0], args[1], json);
}


/* ADD DEVICE KIND FSTYPE SIZE [NUMBER] */
static int
phRunAdd(char **args,
         char **json)
{
    unsigned long long size;
    int number = 0;

    if (phSizeParse(args[3], &size) < 0 ||
        (args[4] && phPartitionNumberParse(args[4], &number) < 0))
        return -1;

    return phAdd(args[0], args[1], args[2], size, number, json);
}


/* DELETE DEVICE NUMBER [START] */
static int
phRunDelete(char **args,
            char **json)
{
    int number;
    unsigned long long start = 0;

    if (phPartitionNumberParse(args[1], &number) < 0 ||
        (args[2] && phNumberParse(args[2], "START (bytes)", 0, G_MAXINT64,
                                  &start) < 0))
        return -1;

    return phDelete(args[0], number, args[2] != NULL, start, json);
}


static int
phRunResize(char **args,
            char **json)
{
    int number;
    unsigned long long size;

    if (phPartitionNumberParse(args[1], &number) < 0 ||
        phSizeParse(args[2], &size) < 0)
        return -1;

    return phResize(args[0], number, size, json);
}


/* A command takes from @nargs to @maxargs arguments; the ones not given
 * are NULL in the array its run function gets. */
typedef struct {
    const char *name;
    const char *usage;
    int nargs;
    int maxargs;
    phAccess access;
    int (*run)(char **args, char **json);
} phCommand;

static const phCommand phCommands[] = {
    { "read", "read DEVICE", 1, 1, PH_ACCESS_READ, phRunRead },
    { "mklabel", "mklabel DEVICE LABEL", 2, 2, PH_ACCESS_WRITE, phRunMklabel },
    { "add", "add DEVICE KIND FSTYPE[,lvm|,raid] SIZE [NUMBER]", 4, 5,
      PH_ACCESS_WRITE, phRunAdd },
    { "delete", "delete DEVICE NUMBER [START]", 2, 3, PH_ACCESS_WRITE, phRunDelete },
    { "resize", "resize DEVICE NUMBER SIZE", 3, 3, PH_ACCESS_WRITE, phRunResize },
};


static const phCommand *
phCommandFind(int argc,
              char **argv)
{
    size_t i;

    for (i = 0; argc >= 2 && i < G_N_ELEMENTS(phCommands); i++) {
        if (strcmp(argv[1], phCommands[i].name) != 0)
            continue;
        if (argc - 2 >= phCommands[i].nargs &&
            argc - 2 <= phCommands[i].maxargs)
            return &phCommands[i];
        phReportError("usage: %s %s", argv[0], phCommands[i].usage);
        return NULL;
    }

    phReportError("usage: %s read|mklabel|add|delete|resize DEVICE ...",
                  argc >= 1 ? argv[0] : "libvirt_storage_parthelper");
    return NULL;
}


/* Debian's libparted runs "udevadm settle" through the shell around a
 * commit; whatever that prints must not mix with the JSON or the error
 * line.  So the helper writes to copies of its stdout and stderr, and
 * descriptors 1 and 2 point to /dev/null while it runs. */
static int
phStdioDivert(FILE **out,
              FILE **err)
{
    int outfd = -1;
    int errfd = -1;
    int nullfd = -1;

    if ((outfd = dup(STDOUT_FILENO)) < 0 ||
        (errfd = dup(STDERR_FILENO)) < 0 ||
        (nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 ||
        dup2(nullfd, STDOUT_FILENO) < 0 ||
        dup2(nullfd, STDERR_FILENO) < 0 ||
        !(*out = fdopen(outfd, "w"))) {
        int saved = errno;

        if (errfd >= 0)
            dup2(errfd, STDERR_FILENO);
        fprintf(stderr, "cannot redirect the output of libparted: %s\n",
                g_strerror(saved));
        return -1;
    }

    fcntl(outfd, F_SETFD, FD_CLOEXEC);
    fcntl(errfd, F_SETFD, FD_CLOEXEC);
    close(nullfd);
    if (!(*err = fdopen(errfd, "w")))
        *err = stderr;
    return 0;
}


int
main(int argc,
     char **argv)
{
    const phCommand *command;
    FILE *out = NULL;
    FILE *err = NULL;
    g_autofree char *json = NULL;
    int busyNumber;
    const char *busyPath;

    if (phStdioDivert(&out, &err) < 0)
        return EXIT_FAILURE;

    if (!(command = phCommandFind(argc, argv)))
        goto error;

    phExceptionInstall(command->access);
    if (command->run(argv + 2, &json) < 0)
        goto error;

    if (fputs(json, out) == EOF || fflush(out) != 0) {
        phReportError("cannot write the table of %s: %s",
                      argv[2], g_strerror(errno));
        goto error;
    }

    return EXIT_SUCCESS;

 error:
    fprintf(err, "%s\n",
            phErrorLine() ? phErrorLine() : "libparted failed without a message");
    fflush(err);
    if (phBusy(&busyNumber, &busyPath)) {
        g_autofree char *busy = phJsonFormatBusy(busyNumber, busyPath);

        fputs(busy, out);
        fflush(out);
        return PH_EXIT_BUSY;
    }
    return EXIT_FAILURE;
}
