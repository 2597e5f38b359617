/*
 * poolxml_fuzzer.c: pool XML with our fs, lvm and rbd namespaces
 * (src/conf/storage_pool_fs_namespace.c, storage_pool_logical_namespace.c,
 * storage_pool_rbd_namespace.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A client defines a pool with any XML: libvirt's parser reads it with
 * our namespaces registered, as the daemon does.  What is accepted must
 * format, the formatted XML must read back to the same text, and no
 * accepted mount option may be one the allow-list refuses.
 */

#include <config.h>

#include "fuzz.h"
#include "storage_conf.h"
#include "storage_pool_fs_namespace.h"
#include "storage_pool_logical_namespace.h"
#include "storage_pool_rbd_namespace.h"


int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED,
                     char ***argv G_GNUC_UNUSED)
{
    fuzzInit();
    if (virStoragePoolFSNamespaceRegister() < 0 ||
        virStoragePoolLogicalNamespaceRegister() < 0 ||
        virStoragePoolRBDNamespaceRegister() < 0)
        fuzzFail(__FILE__, __LINE__, "namespaces registered");
    return 0;
}


/* What storage_pool_fs_mount_options.h promises never to accept: an
 * option that undoes nodev,nosuid,noexec, changes what mount(8) mounts,
 * names a host file or sets a security label, or hides a second option
 * behind a comma. */
static void
fuzzCheckMountOption(const char *option)
{
    static const char *const refused[] = {
        "suid", "dev", "exec", "remount", "bind", "rbind", "loop",
        "defaults", "user", "users", "owner", "group",
    };
    static const char *const refusedPrefixes[] = {
        "X-mount.", "x-mount.", "credentials=", "cred=", "context=",
        "fscontext=", "defcontext=", "rootcontext=", "helper=", "uhelper=",
        "loop=", "log-file=", "password=", "pass=",
    };
    size_t i;

    fuzzAssert(option != NULL && *option != '\0');
    fuzzAssert(strchr(option, ',') == NULL);
    for (i = 0; i < G_N_ELEMENTS(refused); i++)
        fuzzAssert(STRCASENEQ(option, refused[i]));
    for (i = 0; i < G_N_ELEMENTS(refusedPrefixes); i++)
        fuzzAssert(!STRCASEPREFIX(option, refusedPrefixes[i]));
}


int
LLVMFuzzerTestOneInput(const uint8_t *data,
                       size_t size)
{
    g_autofree char *xml = fuzzString(data, size);
    g_autoptr(virStoragePoolDef) def = NULL;
    g_autoptr(virStoragePoolDef) again = NULL;
    g_autofree char *formatted = NULL;
    g_autofree char *reformatted = NULL;
    const virStoragePoolFSMountOpts *opts;
    size_t i;

    if (!(def = virStoragePoolDefParse(xml, NULL, 0)))
        return 0;

    if ((opts = virStoragePoolFSMountOptsGet(def))) {
        for (i = 0; i < opts->noptions; i++)
            fuzzCheckMountOption(opts->options[i]);
    }
    (void) virStoragePoolLogicalThinPoolGet(def);

    fuzzAssert((formatted = virStoragePoolDefFormat(def)) != NULL);
    fuzzAssert((again = virStoragePoolDefParse(formatted, NULL, 0)) != NULL);
    fuzzAssert((reformatted = virStoragePoolDefFormat(again)) != NULL);
    fuzzAssert(STREQ(formatted, reformatted));
    return 0;
}
