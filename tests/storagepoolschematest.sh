#!/bin/sh
# storagepoolschematest.sh: validate the pool XML fixtures against our schema
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: storagepoolschematest.sh XMLLINT SCHEMA DATADIR
#
# Every NAME.xml and NAME.out.xml of DATADIR must validate against SCHEMA.
# Every NAME-invalid.xml must be well-formed XML that the schema refuses
# (xmllint exit status 3): the schema refuses all that the parser refuses.
# Output is TAP.

set -u

if [ $# -ne 3 ]; then
    echo "usage: $0 XMLLINT SCHEMA DATADIR" >&2
    exit 2
fi

xmllint=$1
schema=$2
datadir=$3

XMLLINT_VALIDATION_ERROR=3

count=0
failed=0

report() {
    count=$((count + 1))
    if [ "$1" = ok ]; then
        echo "ok $count - $2"
    else
        failed=$((failed + 1))
        echo "not ok $count - $2"
    fi
}

for file in "$datadir"/*.xml; do
    [ -e "$file" ] || continue
    name=${file##*/}
    log=$("$xmllint" --noout --relaxng "$schema" "$file" 2>&1)
    status=$?

    case $name in
    *-invalid.xml)
        if [ $status -eq $XMLLINT_VALIDATION_ERROR ]; then
            report ok "$name is refused by the schema"
        else
            report fail "$name: expected a validation error, xmllint exited $status"
            echo "$log" | sed 's/^/# /'
        fi
        ;;
    *)
        if [ $status -eq 0 ]; then
            report ok "$name validates"
        else
            report fail "$name does not validate (xmllint exited $status)"
            echo "$log" | sed 's/^/# /'
        fi
        ;;
    esac
done

if [ $count -eq 0 ]; then
    echo "Bail out! no fixtures in $datadir"
    exit 1
fi

echo "1..$count"
[ $failed -eq 0 ]
