#!/bin/sh
# The shop's page: its release, its schema version and the contents of its tables.
set -u
db=${DATABASE_PATH:-}
printf 'Content-Type: text/plain; charset=utf-8\r\n\r\n'
echo "Shop (${SHOP_ENV:-development}, release ${SHOP_RELEASE:-dev}, prices in ${SHOP_CURRENCY:-EUR})"
if [ -z "$db" ] || [ ! -f "$db" ]; then
  echo "no database at DATABASE_PATH=$db"
  exit 0
fi
migrations=$(sed -n 's/^migration //p' "$db")
if [ -z "$migrations" ]; then
  echo "schema: empty, no migrations applied yet (run: oneoff run migrate)"
  exit 0
fi
echo "schema: $(echo "$migrations" | wc -l) migrations applied, latest $(echo "$migrations" | tail -n 1)"
sed -n 's/^table //p' "$db" | while IFS= read -r table; do
  rows=$(sed -n "s/^row $table //p" "$db")
  echo "table $table: $(printf '%s' "$rows" | grep -c '') rows"
  [ -z "$rows" ] || printf '%s\n' "$rows" | sed 's/^/  /'
done
