/*
 * storage_vol_secret.h: the passphrase of an encrypted volume, for qemu-img
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"
#include "storage_conf.h"

/*
 * When @vol is encrypted, looks up the passphrase of its <encryption>
 * secret through the secret driver and writes it to a new file readable
 * only by root; sets @path to that file (NULL for an unencrypted volume).
 * The caller removes the file with virStorageVolSecretFileRemove.
 */
int
virStorageVolSecretFileCreate(virStorageVolDef *vol,
                              char **path);

/* Removes and frees @path; NULL is fine. */
void
virStorageVolSecretFileRemove(char *path);

/*
 * For an encrypted @vol known only from its image (a pool refresh: the
 * header never names its secret), adds the secret whose usage is the
 * volume's path, if the secret driver has one.  Finding none is no
 * error: the volume is then shown without its secret.
 */
void
virStorageVolSecretFindByUsage(virStorageVolDef *vol);
