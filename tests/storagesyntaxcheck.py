#!/usr/bin/env python3
#
# storagesyntaxcheck.py: the naming and message rules of
# docs/architecture.rst ("Names and messages") on the module sources, as
# libvirt's syntax-check does on its own tree.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: storagesyntaxcheck.py SRCDIR  (prints TAP)
#
# Rules, on src/storage/*.[ch] and src/conf/*.[ch] (the parthelper program
# under src/storage/parthelper is GPL, is not linked into libvirtd and keeps
# its own 'ph' prefix; only the "stock" rule reaches it):
#   split-message   a translatable string is one literal on one line:
#                   _("...") never holds two literals
#   filled-verb     no "cannot %s", "could not %s", "failed to %s", "unable
#                   to %s", "cannot list the %s": the action and its object
#                   are part of the sentence, not filled in
#   stock           no word "stock": name libvirt's behaviour instead
#   vir-prefix      every function, typedef and macro defined in a file,
#                   static or not, starts with vir / VIR_

import os
import re
import sys

# Files whose rules are not applied yet, rule by rule (a unit that another
# change is still moving may be listed before it exists).  Empty when done.
PENDING = {
}

STRING = r'"(?:[^"\\\n]|\\.)*"'
TRANSLATED = re.compile(r'\b_\(\s*(' + STRING + r')((?:\s*' + STRING + r')*)\s*\)')
FILLED = re.compile(r'\b(cannot|could not|failed to|unable to)(\s+[a-z]+){0,2}\s+%s', re.I)
STOCK = re.compile(r'\bstock\b', re.I)
FUNCTION = re.compile(r'^([A-Za-z_]\w*)\(', re.M)
TYPEDEF_END = re.compile(r'^\}\s*(\w+)\s*;', re.M)
TYPEDEF_LINE = re.compile(r'^typedef\s[^;{]*?\b(\w+)\s*;', re.M)
MACRO = re.compile(r'^#\s*define\s+(\w+)', re.M)


def line_of(text, pos):
    return text.count('\n', 0, pos) + 1


def strip_comments(text):
    """Blanks out comments, keeping newlines and string literals."""
    out = []
    i = 0
    n = len(text)
    while i < n:
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif text[i] == '"':
            m = re.compile(STRING).match(text, i)
            j = m.end() if m else i + 1
            out.append(text[i:j])
            i = j
        elif text[i] == "'":
            m = re.compile(r"'(?:[^'\\\n]|\\.)*'").match(text, i)
            j = m.end() if m else i + 1
            out.append(text[i:j])
            i = j
        else:
            out.append(text[i])
            i += 1
    return ''.join(out)


def check_file(path, rel, problems):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    pending = PENDING.get(rel, set())
    code = strip_comments(text)
    in_parthelper = '/parthelper/' in rel

    if 'stock' not in pending:
        for m in STOCK.finditer(text):
            problems.append('%s:%d: stock: the word "stock"; name libvirt\'s behaviour instead'
                            % (rel, line_of(text, m.start())))
    if in_parthelper:
        return

    for m in TRANSLATED.finditer(code):
        where = '%s:%d' % (rel, line_of(code, m.start()))
        if m.group(2).strip() and 'split-message' not in pending:
            problems.append('%s: split-message: a translatable string split into several literals' % where)
        if FILLED.search(m.group(1) + m.group(2)) and 'filled-verb' not in pending:
            problems.append('%s: filled-verb: %s' % (where, m.group(1)))

    if 'vir-prefix' in pending:
        return
    names = []
    for m in FUNCTION.finditer(code):
        if not re.fullmatch(r'[A-Z0-9_]+', m.group(1)):   # not a macro call
            names.append((m.group(1), m.start(), 'function'))
    for m in TYPEDEF_END.finditer(code):
        names.append((m.group(1), m.start(), 'type'))
    for m in TYPEDEF_LINE.finditer(code):
        names.append((m.group(1), m.start(), 'type'))
    for m in MACRO.finditer(code):
        names.append((m.group(1), m.start(), 'macro'))
    for name, pos, kind in names:
        if kind == 'macro':
            ok = name.startswith('VIR_')
        else:
            ok = name.startswith('vir') or name.startswith('_vir')
        if not ok:
            problems.append('%s:%d: vir-prefix: %s %s' % (rel, line_of(code, pos), kind, name))


def main():
    srcdir = sys.argv[1]
    files = []
    for sub in ('src/storage', 'src/conf', 'src/storage/parthelper'):
        d = os.path.join(srcdir, sub)
        for name in sorted(os.listdir(d)):
            if name.endswith(('.c', '.h')):
                files.append((os.path.join(d, name), sub + '/' + name))

    print('1..%d' % len(files))
    failed = 0
    for i, (path, rel) in enumerate(files, 1):
        problems = []
        check_file(path, rel, problems)
        if problems:
            failed += 1
            print('not ok %d %s' % (i, rel))
            for p in problems:
                print('# ' + p)
        else:
            print('ok %d %s' % (i, rel))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
