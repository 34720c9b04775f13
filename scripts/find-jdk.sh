#!/usr/bin/env bash
# Prints the JAVA_HOME of a JDK 25 or newer. The build targets Java 25 (maven.compiler.release 25) and the images
# use JDK 25 features (compact object headers, the ahead-of-time cache), so an older JDK cannot build or run it.
# Order: $JAVA_HOME when it is suitable, then the newest suitable JDK among the usual install roots
# (/usr/lib/jvm, /usr/java, /opt/java, /opt, ~/.sdkman/candidates/java, /Library/Java/JavaVirtualMachines),
# then the `java` on PATH. Exits 1 with a message naming what it looked for when there is none.
set -euo pipefail
MIN=25

major_of() { # $1 = a JDK home; prints its feature version, or nothing
  local home=$1 v
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$home/release" | head -1)
  fi
  if [ -z "${v:-}" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -1)
  fi
  [ "${v:-}" = "1" ] && v=8
  echo "${v:-}"
}

if [ -n "${JAVA_HOME:-}" ]; then
  v=$(major_of "$JAVA_HOME")
  if [ -n "$v" ] && [ "$v" -ge "$MIN" ]; then echo "$JAVA_HOME"; exit 0; fi
fi

best=""; best_v=0
# JDK_ROOTS (space-separated) replaces the list of install roots (the tests use it).
for root in ${JDK_ROOTS:-/usr/lib/jvm /usr/java /opt/java /opt "$HOME/.sdkman/candidates/java" /Library/Java/JavaVirtualMachines}; do
  [ -d "$root" ] || continue
  for home in "$root"/* "$root"/*/Contents/Home; do
    [ -d "$home" ] || continue
    v=$(major_of "$home")
    if [ -n "$v" ] && [ "$v" -ge "$MIN" ] && [ "$v" -gt "$best_v" ]; then best=$home; best_v=$v; fi
  done
done
if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
  home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  v=$(major_of "$home")
  if [ -n "$v" ] && [ "$v" -ge "$MIN" ]; then best=$home; fi
fi
if [ -z "$best" ]; then
  echo "error: no JDK $MIN or newer found (this project is built for Java $MIN). Looked at JAVA_HOME (${JAVA_HOME:-unset})," >&2
  echo "       /usr/lib/jvm/*, /usr/java/*, /opt/java/*, /opt/*, ~/.sdkman/candidates/java/* and the javac on PATH." >&2
  echo "       Get JDK $MIN: Eclipse Temurin $MIN from https://adoptium.net (Debian/Ubuntu: add the Adoptium apt" >&2
  echo "       repository, then 'apt-get install temurin-$MIN-jdk'), or 'sdk install java $MIN-tem' with SDKMAN;" >&2
  echo "       then run again, or set JAVA_HOME to it." >&2
  exit 1
fi
echo "$best"
