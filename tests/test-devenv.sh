#!/bin/sh
# build-aux/devenv, as build-aux/run uses it, where XDG_DATA_DIRS is unset: the project's
# data folder comes first, and the system's folders (MIME database, icon themes) stay.
# Usage: test-devenv.sh SOURCE_ROOT BUILD_ROOT
set -eu
src=$1
build=$2
dirs=$(env -u XDG_DATA_DIRS "$src/build-aux/devenv" "$build" printenv XDG_DATA_DIRS)
case ":$dirs:" in
  *":$src/data:"*) ;;
  *) echo "the project's data folder is missing from XDG_DATA_DIRS: $dirs" >&2; exit 1 ;;
esac
case ":$dirs:" in
  *":/usr/share:"*) ;;
  *) echo "/usr/share is missing from XDG_DATA_DIRS: $dirs" >&2; exit 1 ;;
esac
# A value that is set is kept as it is, after the project's folder.
dirs=$(XDG_DATA_DIRS=/opt/nc-test/share "$src/build-aux/devenv" "$build" printenv XDG_DATA_DIRS)
case ":$dirs:" in
  *":/opt/nc-test/share:"*) ;;
  *) echo "a set XDG_DATA_DIRS was lost: $dirs" >&2; exit 1 ;;
esac
case ":$dirs:" in
  *":/usr/share:"*) echo "/usr/share was added to a set XDG_DATA_DIRS: $dirs" >&2; exit 1 ;;
esac
echo "XDG_DATA_DIRS in the development environment: $dirs"
