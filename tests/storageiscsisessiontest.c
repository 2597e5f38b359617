/*
 * storageiscsisessiontest.c: what the iscsi pool hands to iscsiadm, what
 * it reads from sendtargets discovery, and its session in sysfs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * src/storage/storage_iscsi_session.c: the names and portals checked
 * before any iscsiadm call, the record lines of discovery output (as
 * iscsiadm 2.1.8 printed them against tgtd and LIO), and a session, its
 * SCSI host and its LUNs found in a fixture sysfs tree.
 */

#include <config.h>

#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "storage_iscsi_session.h"
#include "storage_scsi_host.h"
#include "virfile.h"
#include "lvsbtestutils.h"


typedef struct {
    const char *name;
    const char *msgPart;   /* NULL: accepted */
} testNameCase;


static void
testNames(const void *opaque G_GNUC_UNUSED)
{
    static const testNameCase cases[] = {
        { "iqn.2026-12.org.example:disks", NULL },
        { "iqn.2003-01.org.linux-iscsi.host.x8664:sn.0123456789ab", NULL },
        { "eui.02004567A425678D", NULL },
        { "naa.52004567BA64678D", NULL },
        { "IQN.2026-12.ORG.EXAMPLE:A", NULL },
        { NULL, "missing" },
        { "", "missing" },
        { "--help", "starts with neither" },
        { "disks", "starts with neither" },
        { "iqn.2026-12.org.example:a b", "has a character" },
        { "iqn.2026-12.org.example:a\nnode.startup = automatic", "has a character" },
        { "iqn.2026-12.org.example:a/../b", "has a character" },
        { "iqn.x;reboot", "has a character" },
    };
    g_autofree char *longname = NULL;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *label = g_strdup_printf("name '%s'", NULLSTR(cases[i].name));
        int rc;

        virResetLastError();
        rc = virStorageISCSIValidateName(cases[i].name, "target");
        if (!cases[i].msgPart) {
            if (rc < 0) {
                g_test_message("%s refused: %s", label, virGetLastErrorMessage());
                g_test_fail();
            }
            continue;
        }
        if (rc == 0) {
            g_test_message("%s accepted", label);
            g_test_fail();
            continue;
        }
        lvsbTestExpectError(label, VIR_ERR_INVALID_ARG, cases[i].msgPart);
    }

    longname = g_strdup_printf("iqn.2026-12.org.example:%0*d", 223 - 24, 0);
    g_assert_cmpint(strlen(longname), ==, 223);
    g_assert_cmpint(virStorageISCSIValidateName(longname, "target"), ==, 0);
    g_clear_pointer(&longname, g_free);
    longname = g_strdup_printf("iqn.2026-12.org.example:%0*d", 224 - 24, 0);
    g_assert_cmpint(virStorageISCSIValidateName(longname, "target"), ==, -1);
    lvsbTestExpectError("224 bytes", VIR_ERR_INVALID_ARG, "longer than 223");
}


static void
testPortals(const void *opaque G_GNUC_UNUSED)
{
    static const struct {
        const char *host;
        int port;
        const char *portal;   /* NULL: refused */
    } cases[] = {
        { "127.0.0.1", 0, "127.0.0.1:3260" },
        { "10.0.0.5", 3261, "10.0.0.5:3261" },
        { "iscsi.example.org", 0, "iscsi.example.org:3260" },
        { "fd00::5", 0, "[fd00::5]:3260" },
        { "::1", 3262, "[::1]:3262" },
        { "-p", 0, NULL },
        { "host name", 0, NULL },
        { "host;x", 0, NULL },
        { "[::1]", 0, NULL },
        { "", 0, NULL },
        { "127.0.0.1", 65536, NULL },
        { "127.0.0.1", -1, NULL },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *portal = NULL;

        virResetLastError();
        portal = virStorageISCSIPortal(cases[i].host, cases[i].port);
        if (cases[i].portal) {
            if (g_strcmp0(portal, cases[i].portal) != 0) {
                g_test_message("host '%s' port %d: '%s', expected '%s' (%s)",
                               cases[i].host, cases[i].port, NULLSTR(portal),
                               cases[i].portal, virGetLastErrorMessage());
                g_test_fail();
            }
        } else if (portal) {
            g_test_message("host '%s' port %d accepted: '%s'",
                           cases[i].host, cases[i].port, portal);
            g_test_fail();
        } else {
            lvsbTestExpectError(cases[i].host, VIR_ERR_INVALID_ARG, "portal");
        }
    }
}


static void
testChap(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *tooLong = g_strnfill(256, 'a');

    g_assert_cmpint(virStorageISCSIValidateChap("user1", "username"), ==, 0);
    g_assert_cmpint(virStorageISCSIValidateChap("p@ss word!#=", "secret"), ==, 0);
    g_assert_cmpint(virStorageISCSIValidateChap("pw\nnode.startup = automatic", "secret"), ==, -1);
    lvsbTestExpectError("newline", VIR_ERR_CONFIG_UNSUPPORTED, "not printable");
    g_assert_cmpint(virStorageISCSIValidateChap("", "secret"), ==, -1);
    lvsbTestExpectError("empty", VIR_ERR_CONFIG_UNSUPPORTED, "1 to 255");
    g_assert_cmpint(virStorageISCSIValidateChap(tooLong, "secret"), ==, -1);
    lvsbTestExpectError("256 bytes", VIR_ERR_CONFIG_UNSUPPORTED, "1 to 255");
}


static void
testSendTargets(const void *opaque G_GNUC_UNUSED)
{
    /* iscsiadm -m discovery -t sendtargets -p 127.0.0.1 -o nonpersistent,
     * against tgtd (three targets) and LIO (one target on two portals) */
    static const char *out =
        "127.0.0.1:3260,1 iqn.2026-12.org.lvsb.test:disks\n"
        "127.0.0.1:3260,1 iqn.2026-12.org.lvsb.test:chap\n"
        "127.0.0.1:3260,1 iqn.2026-12.org.lvsb.test:empty\n"
        "[::1]:3260,1 iqn.2003-01.org.linux-iscsi.guest.x8664:sn.5f0e\n"
        "192.168.122.5:3260,1 iqn.2003-01.org.linux-iscsi.guest.x8664:sn.5f0e\n"
        "iscsiadm: some message that is not a record\n"
        "\n"
        "127.0.0.1:3260 iqn.no-tpgt:x\n"
        "127.0.0.1:3260,1 notaniqn\n";
    g_auto(GStrv) targets = NULL;
    size_t n;

    n = virStorageISCSIParseSendTargets(out, &targets);
    g_assert_cmpuint(n, ==, 4);
    g_assert_cmpstr(targets[0], ==, "iqn.2026-12.org.lvsb.test:disks");
    g_assert_cmpstr(targets[1], ==, "iqn.2026-12.org.lvsb.test:chap");
    g_assert_cmpstr(targets[2], ==, "iqn.2026-12.org.lvsb.test:empty");
    g_assert_cmpstr(targets[3], ==, "iqn.2003-01.org.linux-iscsi.guest.x8664:sn.5f0e");
    g_assert_null(targets[4]);

    g_clear_pointer(&targets, g_strfreev);
    g_assert_cmpuint(virStorageISCSIParseSendTargets("", &targets), ==, 0);
    g_assert_null(targets[0]);
    g_clear_pointer(&targets, g_strfreev);
    g_assert_cmpuint(virStorageISCSIParseSendTargets(NULL, &targets), ==, 0);
}


static void
testWrite(const char *root,
          const char *rel,
          const char *content)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autofree char *dir = g_path_get_dirname(path);

    g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
    g_assert_true(g_file_set_contents(path, content, -1, NULL));
}


static void
testLink(const char *root,
         const char *rel,
         const char *target)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autofree char *dir = g_path_get_dirname(path);

    g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
    g_assert_cmpint(symlink(target, path), ==, 0);
}


static void
testSysfs(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *work = lvsbTestMakeWorkDir("iscsisysfs");
    g_autofree char *root = g_build_filename(work, "sys", NULL);
    virStorageISCSINode node = {
        .portal = (char *) "127.0.0.1:3260",
        .target = (char *) "iqn.2026-12.org.lvsb.test:disks",
        .iface = (char *) "libvirt-pool-1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    };
    g_autofree char *devdir = g_build_filename(work, "dev", NULL);
    g_autoptr(virStorageSCSILun) busy = NULL;
    g_autofree char *holder = NULL;
    unsigned int session = 0;
    unsigned int host = 0;

    /* session 2: the same target through the administrator's interface;
     * session 7: ours, on SCSI host 9 with LUNs 1 and 2 (sdc, sdd);
     * host 90's LUN must not count as host 9's */
    testWrite(root, "devices/platform/host4/session2/iscsi_session/session2/targetname",
              "iqn.2026-12.org.lvsb.test:disks\n");
    testWrite(root, "devices/platform/host4/session2/iscsi_session/session2/ifacename",
              "default\n");
    testLink(root, "class/iscsi_session/session2",
             "../../devices/platform/host4/session2/iscsi_session/session2");
    testLink(root, "devices/platform/host4/session2/iscsi_session/session2/device",
             "../../../session2");
    testWrite(root, "devices/platform/host9/session7/iscsi_session/session7/targetname",
              "iqn.2026-12.org.lvsb.test:disks\n");
    testWrite(root, "devices/platform/host9/session7/iscsi_session/session7/ifacename",
              "libvirt-pool-1b4e28ba-2fa1-11d2-883f-0016d3cca427\n");
    testLink(root, "class/iscsi_session/session7",
             "../../devices/platform/host9/session7/iscsi_session/session7");
    testLink(root, "devices/platform/host9/session7/iscsi_session/session7/device",
             "../../../session7");
    testWrite(root, "bus/scsi/devices/9:0:0:1/block/sdc/size", "16384\n");
    testWrite(root, "bus/scsi/devices/9:0:0:2/block/sdd/size", "32768\n");
    testWrite(root, "bus/scsi/devices/9:0:0:0/vendor", "IET\n");
    testWrite(root, "bus/scsi/devices/9:0:0:0/type", "12\n");
    testWrite(root, "bus/scsi/devices/9:0:0:1/type", "0\n");
    testWrite(root, "bus/scsi/devices/9:0:0:2/type", "0\n");
    testWrite(root, "bus/scsi/devices/90:0:0:1/block/sde/size", "8\n");

    g_assert_cmpint(virStorageISCSISessionFind(root, &node, &session), ==, 1);
    g_assert_cmpuint(session, ==, 7);
    g_assert_cmpint(virStorageISCSISessionHostQuiet(root, session, &host), ==, 0);
    g_assert_cmpuint(host, ==, 9);

    /* the LUNs checked before a logout (virStorageSCSIHostBusyLunQuiet,
     * shared with the vHBA's delete): no holder, and no device under
     * ROOT/dev to open exclusively, so none is in use; then sdd is held
     * by a device-mapper device */
    g_assert_cmpint(virStorageSCSIHostBusyLunQuiet(root, devdir, host, &busy, &holder), ==, 0);
    g_assert_null(busy);
    testWrite(root, "class/block/sdd/holders/dm-0/dev", "254:0\n");
    g_assert_cmpint(virStorageSCSIHostBusyLunQuiet(root, devdir, host, &busy, &holder), ==, 1);
    g_assert_cmpuint(busy->lun, ==, 2);
    g_assert_cmpstr(busy->block, ==, "sdd");
    g_assert_cmpstr(holder, ==, "dm-0");

    /* every disk has its block device; the controller LUN needs none */
    g_assert_cmpuint(virStorageISCSIHostWaitDisks(root, host, 0), ==, 0);
    /* a disk whose block device the kernel has not made yet */
    testWrite(root, "bus/scsi/devices/9:0:0:3/type", "0\n");
    g_assert_cmpuint(virStorageISCSIHostWaitDisks(root, host, 0), ==, 1);

    /* another interface, another target: no session */
    node.iface = (char *) "libvirt-pool-00000000-0000-0000-0000-000000000000";
    g_assert_cmpint(virStorageISCSISessionFind(root, &node, &session), ==, 0);
    node.iface = (char *) "default";
    node.target = (char *) "iqn.2026-12.org.lvsb.test:other";
    g_assert_cmpint(virStorageISCSISessionFind(root, &node, &session), ==, 0);
    g_assert_cmpint(virStorageISCSISessionHostQuiet(root, 3, &host), ==, -ENOENT);

    /* no iscsi_session class at all (iscsi modules not loaded) */
    g_assert_cmpint(virStorageISCSISessionFind("/nonexistent", &node, &session), ==, 0);

    g_assert_cmpint(virFileDeleteTree(root), ==, 0);
}


int
main(int argc,
     char **argv)
{
    lvsbTestInit(&argc, &argv);

    g_test_add_data_func("/iscsi/names", NULL, testNames);
    g_test_add_data_func("/iscsi/portals", NULL, testPortals);
    g_test_add_data_func("/iscsi/chap", NULL, testChap);
    g_test_add_data_func("/iscsi/sendtargets", NULL, testSendTargets);
    g_test_add_data_func("/iscsi/sysfs", NULL, testSysfs);

    return lvsbTestRun();
}
