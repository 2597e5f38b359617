/*
 * storage_vol_name.h: checking the names of file volumes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"

/* A file volume name must be a single path component: not empty, no
 * '/', not "." or "..".  Reports VIR_ERR_INVALID_ARG naming @poolname and
 * returns -1 otherwise. */
int
virStorageVolNameValidate(const char *poolname,
                          const char *volname);
