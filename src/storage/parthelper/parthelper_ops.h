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

int phRead(const char *path,
           char **json);

int phMklabel(const char *path,
              const char *label,
              char **json);

int phAdd(const char *path,
          const char *kind,
          const char *fstype,
          unsigned long long size,
          char **json);

int phDelete(const char *path,
             int number,
             char **json);

int phResize(const char *path,
             int number,
             unsigned long long size,
             char **json);
