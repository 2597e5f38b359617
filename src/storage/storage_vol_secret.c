/*
 * storage_vol_secret.c: the passphrase of an encrypted volume, for qemu-img
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include <unistd.h>

#include "storage_vol_secret.h"
#include "datatypes.h"
#include "driver.h"
#include "virerror.h"
#include "virfile.h"
#include "viridentity.h"
#include "virsecret.h"
#include "virsecureerase.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE


static int
virStorageVolSecretGet(virStorageVolDef *vol,
                       uint8_t **secret,
                       size_t *secretlen)
{
    virStorageEncryption *enc = vol->target.encryption;
    VIR_IDENTITY_AUTORESTORE virIdentity *oldident = NULL;
    g_autoptr(virConnect) conn = NULL;

    if (enc->nsecrets != 1 ||
        enc->secrets[0]->type != VIR_STORAGE_ENCRYPTION_SECRET_TYPE_PASSPHRASE) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("encrypted volume '%s' needs exactly one <secret type='passphrase' uuid='...'/> in its <encryption>"),
                       vol->name);
        return -1;
    }

    /* The daemon reads the value for itself, not for the client: as
     * itself, it may read a private secret (the secret driver refuses
     * the value of one to any identity that is not elevated). */
    if (!(oldident = virIdentityElevateCurrent()))
        return -1;

    if (!(conn = virGetConnectSecret()))
        return -1;

    return virSecretGetSecretString(conn, &enc->secrets[0]->seclookupdef,
                                    VIR_SECRET_USAGE_TYPE_VOLUME,
                                    secret, secretlen);
}


int
virStorageVolSecretFileCreate(virStorageVolDef *vol,
                              char **path)
{
    g_autofree uint8_t *secret = NULL;
    size_t secretlen = 0;
    g_autofree char *tmp = NULL;
    g_autoptr(GError) err = NULL;
    VIR_AUTOCLOSE fd = -1;
    int rc;

    *path = NULL;
    if (!vol->target.encryption)
        return 0;

    if (virStorageVolSecretGet(vol, &secret, &secretlen) < 0)
        return -1;

    /* g_file_open_tmp creates the file with mode 0600 */
    if ((fd = g_file_open_tmp("libvirt-vol-secret-XXXXXX", &tmp, &err)) < 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot create a file for the passphrase of volume '%s': %s"),
                       vol->name, err->message);
        virSecureErase(secret, secretlen);
        return -1;
    }

    rc = safewrite(fd, secret, secretlen);
    virSecureErase(secret, secretlen);
    if (rc < 0) {
        virReportSystemError(errno,
                             _("cannot write the passphrase of volume '%s'"),
                             vol->name);
        unlink(tmp);
        return -1;
    }

    *path = g_steal_pointer(&tmp);
    return 0;
}


void
virStorageVolSecretFileRemove(char *path)
{
    if (!path)
        return;
    unlink(path);
    g_free(path);
}


void
virStorageVolSecretFindByUsage(virStorageVolDef *vol)
{
    virStorageEncryption *enc = vol->target.encryption;
    virStorageEncryptionSecret *encsec;
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(virSecret) sec = NULL;

    if (!enc || enc->nsecrets > 0 || !vol->target.path)
        return;

    if (!(conn = virGetConnectSecret()) ||
        !(sec = virSecretLookupByUsage(conn, VIR_SECRET_USAGE_TYPE_VOLUME,
                                       vol->target.path))) {
        virResetLastError();
        return;
    }

    encsec = g_new0(virStorageEncryptionSecret, 1);
    encsec->type = VIR_STORAGE_ENCRYPTION_SECRET_TYPE_PASSPHRASE;
    encsec->seclookupdef.type = VIR_SECRET_LOOKUP_TYPE_UUID;
    if (virSecretGetUUID(sec, encsec->seclookupdef.u.uuid) < 0) {
        virResetLastError();
        g_free(encsec);
        return;
    }

    enc->secrets = g_new0(virStorageEncryptionSecret *, 1);
    enc->secrets[0] = encsec;
    enc->nsecrets = 1;
}
