#!/bin/sh
# The packed GPU check (npm run gpu:pack): sh .gpu-check/run.sh [--quick] [...]. Uses the node
# on PATH when it is >= 20, else the Node binary packed with --node (node.xz), unpacked to a temp
# file; says which is missing when there is neither.
# With --vulkan packed: the packed Vulkan loader where the machine has none, and the NVIDIA ICD of
# the lent machines (/usr/local/nvidia/...) where no ICD is in the standard folders.
here=${0%/*}
[ "$here" = "$0" ] && here=.
here=$(cd "$here" && pwd)
if [ -f "$here/vulkan/libvulkan.so.1" ] && ! { ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; }; then
  export LD_LIBRARY_PATH="$here/vulkan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "gpu check: no libvulkan.so.1 installed; using the packed one" >&2
fi
nv=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "$VK_DRIVER_FILES$VK_ICD_FILENAMES" ] && [ -f "$nv" ] && ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1; then
  export VK_DRIVER_FILES="$nv"
  echo "gpu check: VK_DRIVER_FILES=$nv" >&2
fi
if command -v node >/dev/null 2>&1 && node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
  exec node "$here/run.mjs" "$@"
fi
if [ ! -f "$here/node.xz" ]; then
  echo "gpu check: no Node >= 20 on PATH, and this pack carries none (build it with npm run gpu:pack -- --node)" >&2
  exit 1
fi
bin="${TMPDIR:-/tmp}/pmix-gpu-check-node-$$"
if command -v xz >/dev/null 2>&1; then
  xz -dc "$here/node.xz" >"$bin" || { rm -f "$bin"; echo "gpu check: could not unpack $here/node.xz with xz" >&2; exit 1; }
elif command -v python3 >/dev/null 2>&1; then
  python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$here/node.xz" "$bin" ||
    { rm -f "$bin"; echo "gpu check: could not unpack $here/node.xz with python3" >&2; exit 1; }
else
  echo "gpu check: no xz or python3 to unpack $here/node.xz" >&2
  exit 1
fi
chmod +x "$bin" || { rm -f "$bin"; exit 1; }
echo "gpu check: no Node >= 20 on PATH; using the packed one ($("$bin" --version))" >&2
"$bin" "$here/run.mjs" "$@"
rc=$?
rm -f "$bin"
exit $rc
