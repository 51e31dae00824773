#!/usr/bin/env bash
# Kopierer de byggede front-end-filer fra node_modules til anskaf/web/static/vendor/.
#
# Brug:  cd frontend && npm ci && ./vendor.sh
#
# Hvad der kopieres (og kun det):
#   dkfds:    dist/css/dkfds.min.css (+ .map), dist/js/dkfds.min.js (+ .map),
#             præcis de fonte og billeder som CSS'en refererer til via url(...),
#             ikon-spritet img/all-svg-icons.svg (til <svg><use href="...#ikon">),
#             LICENSE.md og fontenes license.txt.
#   htmx.org: dist/htmx.min.js og LICENSE.
# scss-kilder, ukomprimerede bundles, otf/ttf-fonte der ikke bruges, htmx-extensions
# osv. kopieres ikke.
#
# Et sourceMappingURL-kommentar fjernes, hvis .map-filen ikke ligger ved siden af
# (ManifestStaticFilesStorage fejler ellers på en manglende map under collectstatic).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NM="$HERE/node_modules"
DEST="$HERE/../anskaf/web/static/vendor"

die() { echo "vendor.sh: $*" >&2; exit 1; }

[ -d "$NM/dkfds/dist" ] || die "node_modules/dkfds mangler – kør 'npm ci' i frontend/ først"
[ -f "$NM/htmx.org/dist/htmx.min.js" ] || die "node_modules/htmx.org mangler – kør 'npm ci' i frontend/ først"

pkg_field() { # pkg_field <package-dir> <field>
  node -e 'const p=require(process.argv[1]+"/package.json"); process.stdout.write(String(p[process.argv[2]]))' "$1" "$2"
}

DKFDS_SRC="$NM/dkfds/dist"
DKFDS_VERSION="$(pkg_field "$NM/dkfds" version)"
DKFDS_LICENSE="$(pkg_field "$NM/dkfds" license)"
HTMX_VERSION="$(pkg_field "$NM/htmx.org" version)"
HTMX_LICENSE="$(pkg_field "$NM/htmx.org" license)"

mkdir -p "$DEST"
DEST="$(cd "$DEST" && pwd)"
# Vi ejer kun vendor/dkfds og vendor/htmx (+ README.md); ryd dem så gamle filer forsvinder.
rm -rf "$DEST/dkfds" "$DEST/htmx"
mkdir -p "$DEST/dkfds/css" "$DEST/dkfds/js" "$DEST/dkfds/img" "$DEST/htmx"

copy() { # copy <src> <dst>
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2"
}

# --- dkfds: css + js -------------------------------------------------------
copy "$DKFDS_SRC/css/dkfds.min.css" "$DEST/dkfds/css/dkfds.min.css"
[ -f "$DKFDS_SRC/css/dkfds.min.css.map" ] && copy "$DKFDS_SRC/css/dkfds.min.css.map" "$DEST/dkfds/css/dkfds.min.css.map"
copy "$DKFDS_SRC/js/dkfds.min.js" "$DEST/dkfds/js/dkfds.min.js"
[ -f "$DKFDS_SRC/js/dkfds.min.js.map" ] && copy "$DKFDS_SRC/js/dkfds.min.js.map" "$DEST/dkfds/js/dkfds.min.js.map"

# --- dkfds: alt hvad CSS'en refererer til via url(...) ----------------------
# Stier er relative til dist/css/, og vi bevarer samme struktur (css/, fonts/, img/)
# under vendor/dkfds/, så de relative url'er også passer efter kopieringen.
missing=0
while IFS= read -r ref; do
  case "$ref" in
    data:*|http:*|https:*|//*|\#*|"") continue ;;
  esac
  rel="${ref%%[?#]*}"                      # fjern ?query og #fragment
  src="$DKFDS_SRC/css/$rel"
  if [ ! -f "$src" ]; then
    echo "vendor.sh: ADVARSEL: CSS refererer til $ref, som ikke findes i pakken" >&2
    missing=1
    continue
  fi
  src_abs="$(cd "$(dirname "$src")" && pwd)/$(basename "$src")"
  sub="${src_abs#"$DKFDS_SRC"/}"          # fx fonts/IBMPlexSans/complete/woff2/x.woff2
  copy "$src_abs" "$DEST/dkfds/$sub"
  # Fontmapper: tag licensfilen med.
  if [ -f "$(dirname "$src_abs")/license.txt" ]; then
    copy "$(dirname "$src_abs")/license.txt" "$DEST/dkfds/$(dirname "$sub")/license.txt"
  fi
done < <(grep -o 'url([^)]*)' "$DKFDS_SRC/css/dkfds.min.css" \
           | sed -E 's/^url\(//; s/\)$//; s/^["'\'']//; s/["'\'']$//' | sort -u)
[ "$missing" -eq 0 ] || die "CSS'en har url()-referencer der ikke kan løses – se ovenfor"

# Ikon-sprite til <svg class="icon-svg"><use href="{% static '.../all-svg-icons.svg' %}#navn">
copy "$DKFDS_SRC/img/all-svg-icons.svg" "$DEST/dkfds/img/all-svg-icons.svg"

# Licenser
for f in "$NM/dkfds/LICENSE.md" "$DKFDS_SRC/LICENSE.md"; do
  if [ -f "$f" ]; then copy "$f" "$DEST/dkfds/LICENSE.md"; break; fi
done
[ -f "$DEST/dkfds/LICENSE.md" ] || die "dkfds LICENSE.md ikke fundet"

# --- htmx ------------------------------------------------------------------
copy "$NM/htmx.org/dist/htmx.min.js" "$DEST/htmx/htmx.min.js"
copy "$NM/htmx.org/LICENSE" "$DEST/htmx/LICENSE"

# --- sourceMappingURL uden tilhørende .map fjernes ----------------------------
while IFS= read -r -d '' f; do
  map="$(grep -oE 'sourceMappingURL=[^ *]+' "$f" | tail -1 | sed 's/^sourceMappingURL=//' || true)"
  [ -n "$map" ] || continue
  if [ ! -f "$(dirname "$f")/$map" ]; then
    sed -i -E '/^\/\/# sourceMappingURL=/d; s#/\*[#@] sourceMappingURL=[^*]*\*/##' "$f"
    echo "vendor.sh: fjernede sourceMappingURL ($map) fra ${f#"$DEST"/}"
  fi
done < <(find "$DEST/dkfds" "$DEST/htmx" -type f \( -name '*.js' -o -name '*.css' \) -print0)

# --- README ----------------------------------------------------------------
cat > "$DEST/README.md" <<EOF
# Vendorede front-end-pakker

Filerne i denne mappe er **genereret** af \`frontend/vendor.sh\` ud fra de
versioner, der er låst i \`frontend/package.json\` / \`frontend/package-lock.json\`.
Ret dem ikke i hånden.

| Pakke | Version | Licens | Hvad der er med |
| --- | --- | --- | --- |
| [dkfds](https://www.npmjs.com/package/dkfds) (Det Fælles Designsystem) | ${DKFDS_VERSION} | ${DKFDS_LICENSE} – kode MIT, IBM Plex Sans-fonte SIL OFL 1.1, ikoner Apache 2.0 (se \`dkfds/LICENSE.md\` og \`license.txt\` i fontmapperne) | \`dkfds/css/dkfds.min.css\` (+ map), \`dkfds/js/dkfds.min.js\` (+ map), de fonte og billeder CSS'en bruger, ikon-spritet \`dkfds/img/all-svg-icons.svg\` |
| [htmx.org](https://www.npmjs.com/package/htmx.org) | ${HTMX_VERSION} | ${HTMX_LICENSE} (se \`htmx/LICENSE\`) | \`htmx/htmx.min.js\` |

## Opdatering

1. Ret versionsnumrene (eksakte versioner, ingen \`^\`/\`~\`) i \`frontend/package.json\`
   og kør \`npm install\` i \`frontend/\` for at opdatere \`package-lock.json\`.
2. Kopiér filerne hertil:

   \`\`\`sh
   cd frontend && npm ci && ./vendor.sh
   \`\`\`

3. Gennemgå ændringerne (markup-ændringer i DKFDS kræver ofte ændringer i
   skabelonerne, se \`anskaf/web/templates/web/DKFDS-NOTES.md\`) og kør testene,
   inkl. \`collectstatic\`, som fejler hvis en \`url()\` eller \`sourceMappingURL\`
   peger på en fil der ikke findes.

\`frontend/node_modules\` skal ikke i git.
EOF

echo "vendor.sh: dkfds ${DKFDS_VERSION} og htmx.org ${HTMX_VERSION} kopieret til ${DEST}"
du -sh "$DEST/dkfds" "$DEST/htmx" | sed 's/^/vendor.sh:   /'
