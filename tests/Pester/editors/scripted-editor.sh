#!/bin/sh
# A scripted editor for the Edit-ApiKey tests, used as EDITOR="sh <this file> <plan folder>" (Edit-ApiKey appends
# the document's path). It changes the document as a user would, following the plan folder; on its Nth opening:
#   - it keeps a copy of what it was given as opened-N.yaml, the document's path as path-N and its mode (e.g. 600)
#     as opened-N.mode;
#   - when the document starts with "# ERROR:" lines and fix.sed exists, it applies fix.sed (the user fixes what
#     the error says); otherwise it applies N.sed if present (a sed script run on the document in place);
#   - N.yaml, if present, replaces the document's whole text instead (written into the same file);
#   - N.empty, if present, empties the document;
#   - it keeps a copy of what it saved as saved-N.yaml;
#   - it exits with the code in N.exit if present, else 0.
# Nothing in the plan for opening N: the document is saved as it is.
set -eu
plan=$1
file=$2
count=0
if [ -f "$plan/count" ]; then count=$(cat "$plan/count"); fi
n=$((count + 1))
echo "$n" > "$plan/count"
printf '%s' "$file" > "$plan/path-$n"
cp "$file" "$plan/opened-$n.yaml"
stat -c %a "$file" > "$plan/opened-$n.mode"
if head -n 1 "$file" | grep -q '^# ERROR: ' && [ -f "$plan/fix.sed" ]; then
    sed -i -f "$plan/fix.sed" "$file"
elif [ -f "$plan/$n.sed" ]; then
    sed -i -f "$plan/$n.sed" "$file"
fi
if [ -f "$plan/$n.yaml" ]; then
    cat "$plan/$n.yaml" > "$file"
fi
if [ -f "$plan/$n.empty" ]; then
    : > "$file"
fi
cp "$file" "$plan/saved-$n.yaml"
code=0
if [ -f "$plan/$n.exit" ]; then code=$(cat "$plan/$n.exit"); fi
exit "$code"
