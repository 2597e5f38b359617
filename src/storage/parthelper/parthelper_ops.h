/*
 * parthelper_ops.h: the operations of the libparted helper
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This file is part of libvirt_storage_parthelper, which links libparted
 * (GPL-3.0-or-later): the executable as a whole is GPL-3.0-or-later.
 *
 * Each operation opens DEVICE, does its one job, commits a change to the
 * disk and to the kernel, and on success returns 0 with the table as
 * read back from the disk, as JSON, in @json.  On failure it records the
 * error line (parthelper_error.h) and returns -1.
 */

#pragma once

#include <stdbool.h>

int phRead(const char *path,
           char **json);

int phMklabel(const char *path,
              const char *label,
              char **json);

/* @number: when not 0, the number the new partition must get; the
 * helper refuses, writing nothing, when libparted would give another. */
int phAdd(const char *path,
          const char *kind,
          const char *fstype,
          unsigned long long size,
          int number,
          char **json);

/* @checkStart: refuse, writing nothing, unless partition @number starts
 * at byte @start. */
int phDelete(const char *path,
             int number,
             bool checkStart,
             unsigned long long start,
             char **json);

int phResize(const char *path,
             int number,
             unsigned long long size,
             char **json);
