/*
 * probe_fuzzer.c: the image header probe of file volumes
 * (src/storage/storage_vol_probe.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A guest writes the first bytes of its disk: a pool refresh reads them
 * as an image header (qcow2, LUKS, vmdk, vdi, vpc, qed...), with the
 * sanity checks, the encryption and the backing store handling.  The
 * input becomes the volume file "img" of a private directory, probed
 * there into a result as a refresh does, and the result is applied
 * twice: to a new volume, and to a defined volume whose encryption
 * names a secret.
 */

#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "storage_vol_probe.h"
#include "virfile.h"

#define FUZZ_VOLUME "img"

static char *fuzzDir;
static int fuzzDirFd = -1;


static void
fuzzCleanup(void)
{
    if (fuzzDir) {
        unlinkat(fuzzDirFd, FUZZ_VOLUME, 0);
        rmdir(fuzzDir);
    }
}


int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED,
                     char ***argv G_GNUC_UNUSED)
{
    g_autoptr(GError) err = NULL;

    fuzzInit();
    if (!(fuzzDir = g_dir_make_tmp("probe-fuzzer-XXXXXX", &err)) ||
        (fuzzDirFd = open(fuzzDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        fprintf(stderr, "cannot make a private directory: %s\n",
                err ? err->message : g_strerror(errno));
        abort();
    }
    atexit(fuzzCleanup);
    return 0;
}


static void
fuzzWriteVolume(const uint8_t *data,
                size_t size)
{
    VIR_AUTOCLOSE fd = openat(fuzzDirFd, FUZZ_VOLUME,
                              O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd < 0 || safewrite(fd, data, size) != (ssize_t) size)
        fuzzFail(__FILE__, __LINE__, "the volume file is written");
}


static virStorageVolDef *
fuzzNewVolume(bool withSecret)
{
    virStorageVolDef *vol = g_new0(virStorageVolDef, 1);

    vol->name = g_strdup(FUZZ_VOLUME);
    vol->type = VIR_STORAGE_VOL_FILE;
    vol->target.type = VIR_STORAGE_TYPE_FILE;
    vol->target.path = g_build_filename(fuzzDir, FUZZ_VOLUME, NULL);

    if (withSecret) {
        virStorageEncryption *enc = g_new0(virStorageEncryption, 1);

        enc->format = VIR_STORAGE_ENCRYPTION_FORMAT_LUKS;
        enc->nsecrets = 1;
        enc->secrets = g_new0(virStorageEncryptionSecret *, 1);
        enc->secrets[0] = g_new0(virStorageEncryptionSecret, 1);
        enc->secrets[0]->type = VIR_STORAGE_ENCRYPTION_SECRET_TYPE_PASSPHRASE;
        enc->secrets[0]->seclookupdef.type = VIR_SECRET_LOOKUP_TYPE_USAGE;
        enc->secrets[0]->seclookupdef.u.usage = g_strdup(vol->target.path);
        vol->target.encryption = enc;
    }
    return vol;
}


/* What the probe promises about a file it accepts. */
static void
fuzzCheckResult(const virStorageVolProbeResult *result)
{
    fuzzAssert(result->type == VIR_STORAGE_VOL_FILE);
    fuzzAssert(result->format > VIR_STORAGE_FILE_NONE &&
               result->format < VIR_STORAGE_FILE_LAST);
    fuzzAssert(result->capacity <= (unsigned long long) LLONG_MAX);
    fuzzAssert(!result->backingName == !result->backingPath);
    if (result->encryption)
        fuzzAssert(result->encryption->nsecrets == 0);
}


/* What a refresh promises about a volume it lists. */
static void
fuzzCheckVolume(const virStorageVolDef *vol,
                bool withSecret)
{
    const virStorageSource *target = &vol->target;

    fuzzAssert(vol->type == VIR_STORAGE_VOL_FILE);
    fuzzAssert(target->type == VIR_STORAGE_TYPE_FILE);
    fuzzAssert(target->format > VIR_STORAGE_FILE_NONE &&
               target->format < VIR_STORAGE_FILE_LAST);
    fuzzAssert(target->capacity <= (unsigned long long) LLONG_MAX);
    if (target->backingStore) {
        fuzzAssert(target->backingStore->path != NULL);
        fuzzAssert(target->backingStore->perms == NULL);
    }
    if (withSecret && target->encryption)
        fuzzAssert(target->encryption->nsecrets == 1);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data,
                       size_t size)
{
    g_autofree char *path = g_build_filename(fuzzDir, FUZZ_VOLUME, NULL);
    size_t i;

    fuzzWriteVolume(data, size);

    /* probed as a refresh does: once as a new volume, once as a defined
     * volume whose encryption names a secret */
    for (i = 0; i < 2; i++) {
        g_auto(virStorageVolProbeResult) result = { 0 };
        g_autoptr(virStorageVolDef) vol = fuzzNewVolume(i == 1);

        if (virStorageVolProbeAtQuiet(fuzzDirFd, FUZZ_VOLUME, path,
                                      &result) < 0)
            return 0;
        fuzzCheckResult(&result);
        virStorageVolProbeApply(&result, vol);
        fuzzCheckVolume(vol, i == 1);
    }
    return 0;
}
