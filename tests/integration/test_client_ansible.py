# SPDX-License-Identifier: LGPL-2.1-or-later
"""Ansible (Debian's `ansible` package, its community.libvirt collection)
against the test daemon: a playbook whose virt_pool tasks define, build and
start a pool, then gather the `ansible_libvirt_pools` facts, run with
ansible-playbook on localhost (connection local) and the daemon's URI.
Each result is checked with the libvirt API, not only the play's exit
status; the facts are compared with what the API says."""

import json
import os
import subprocess

import libvirt
import pytest

from poolhelpers import dir_pool_xml, fs_pool_xml, fs_type, mount_at

PLAYBOOK = """\
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    uri: {uri}
    pool: {name}
  tasks:
    - name: define the pool
      community.libvirt.virt_pool:
        command: define
        name: "{{{{ pool }}}}"
        xml: "{{{{ lookup('file', '{xml}') }}}}"
        uri: "{{{{ uri }}}}"
    - name: build it
      community.libvirt.virt_pool:
        command: build
        name: "{{{{ pool }}}}"
        uri: "{{{{ uri }}}}"
    - name: start it
      community.libvirt.virt_pool:
        state: active
        name: "{{{{ pool }}}}"
        uri: "{{{{ uri }}}}"
    - name: the pools' facts
      community.libvirt.virt_pool:
        command: facts
        uri: "{{{{ uri }}}}"
    - name: keep them for the test
      ansible.builtin.copy:
        content: "{{{{ ansible_libvirt_pools | to_json }}}}"
        dest: {facts}
"""


def run_playbook(tmp_path, uri, name, xml):
    """ansible-playbook of PLAYBOOK for pool @name of XML @xml; returns
    the facts it gathered (ansible_libvirt_pools)."""
    xml_file = tmp_path / (name + ".xml")
    xml_file.write_text(xml)
    facts = tmp_path / "facts.json"
    book = tmp_path / "pool.yml"
    book.write_text(PLAYBOOK.format(uri=json.dumps(uri), name=json.dumps(name),
                                    xml=xml_file, facts=facts))
    env = dict(os.environ)
    # nothing written to ~/.ansible, no colours, no warnings about the
    # implicit localhost
    env.update(ANSIBLE_HOME=str(tmp_path / "ansible-home"),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    env.pop("LIBVIRT_DEFAULT_URI", None)
    res = subprocess.run(
        ["ansible-playbook", "-i", "localhost,",
         "-e", "ansible_python_interpreter=/usr/bin/python3", str(book)],
        env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, "ansible-playbook failed:\n%s\n%s" % (res.stdout, res.stderr)
    with open(facts) as f:
        return json.load(f)


def check_facts(facts, conn, name, target):
    """The facts agree with the API on pool @name."""
    pool = conn.storagePoolLookupByName(name)
    state, capacity, allocation, available = pool.info()
    assert state == libvirt.VIR_STORAGE_POOL_RUNNING
    assert pool.isPersistent() == 1
    assert name in facts, facts
    mine = facts[name]
    assert mine["state"] == "active"
    assert mine["path"] == target
    assert mine["uuid"] == pool.UUIDString()
    assert mine["persistent"] == "yes"
    # the facts were read before the copy task: sizes of a live file
    # system may move a little, the capacity does not
    assert int(mine["size_total"]) == capacity
    assert set(facts) == set(p.name() for p in conn.listAllStoragePools())


def test_dir_pool_define_build_start_facts(daemon, conn, tmp_path):
    target = str(tmp_path / "ansible_images")
    facts = run_playbook(tmp_path, daemon.uri, "ansible_dir",
                         dir_pool_xml("ansible_dir", target))
    assert os.path.isdir(target)
    check_facts(facts, conn, "ansible_dir", target)
    assert facts["ansible_dir"]["type"] == "dir"


@pytest.mark.stock_differs("fs-build-blank-no-flag",
                           reason="virt_pool's build passes flags 0: stock leaves the "
                           "blank device blank and the start fails")
def test_fs_pool_blank_device_define_build_start_facts(daemon, conn, loopdev, tmp_path):
    """virt_pool's `command: build` without `mode` (as its documentation
    shows it) passes no flag: on a blank device our fs pool makes the
    file system, so the play that starts it succeeds."""
    target = str(tmp_path / "ansible_fs")
    facts = run_playbook(tmp_path, daemon.uri, "ansible_fs",
                         fs_pool_xml("ansible_fs", loopdev, target, "ext4"))
    assert fs_type(loopdev) == "ext4"
    m = mount_at(daemon, target)
    assert m is not None and m["source"] == loopdev and m["fstype"] == "ext4"
    check_facts(facts, conn, "ansible_fs", target)
    assert facts["ansible_fs"]["type"] == "fs"
    assert facts["ansible_fs"]["format"] == "ext4"
    assert facts["ansible_fs"]["devices"] == [loopdev]
