#!/usr/bin/env bash
# Compiles the CUDA kernels (src/main/cuda/rnn4j.cu and the files it includes) into the resources the backend
# loads, so that users without nvcc can build:
#   src/main/resources/org/rnn4j/cuda/rnn4j_kernels.fatbin     SASS for sm_80, sm_89, sm_90 + compute_90 PTX
#   src/main/resources/org/rnn4j/cuda/rnn4j_kernels.ptx        the same compute_90 PTX, for checks and reading
#   src/main/resources/org/rnn4j/cuda/rnn4j_kernels.properties what they were built from: a hash of the sources,
#                                                               the nvcc release, the architectures
# Run it after changing anything under src/main/cuda and commit the three files; KernelImageTest fails while
# they do not match the sources. Usage: ./build-kernels.sh   (NVCC=/path/to/nvcc to use another compiler)
set -euo pipefail
cd "$(dirname "$0")"
NVCC="${NVCC:-/usr/local/bin/nvcc}"
SRC=src/main/cuda
OUT=src/main/resources/org/rnn4j/cuda
ARCHS=(80 89 90)
PTX_ARCH=90
FLAGS=(-std=c++17 -O3 --restrict -Xptxas -warn-spills)

[ -x "$NVCC" ] || { echo "build-kernels.sh: nvcc not found at $NVCC (set NVCC)" >&2; exit 1; }
mkdir -p "$OUT"

# the sources' hash, as org.rnn4j.cuda.KernelImage.sourcesHash computes it: for each file of src/main/cuda in
# byte order of the names: the name, a newline, the size in bytes, a newline, the contents
sources_hash() {
  local f
  for f in $(cd "$SRC" && LC_ALL=C ls -1); do
    [ -f "$SRC/$f" ] || continue
    printf '%s\n%s\n' "$f" "$(wc -c < "$SRC/$f" | tr -d ' ')"
    cat "$SRC/$f"
  done | sha256sum | cut -d' ' -f1
}

release=$("$NVCC" --version | sed -n 's/.*release \([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p')
full=$("$NVCC" --version | sed -n 's/.*, V\([0-9.]*\).*/\1/p')
[ -n "$release" ] || { echo "build-kernels.sh: cannot read the CUDA release from '$NVCC --version'" >&2; exit 1; }
major=${release%%.*}
minor=${release#*.}

gencode=()
for a in "${ARCHS[@]}"; do gencode+=(-gencode "arch=compute_$a,code=sm_$a"); done
gencode+=(-gencode "arch=compute_$PTX_ARCH,code=compute_$PTX_ARCH")

echo "nvcc $full: fatbin for$(printf " sm_%s" "${ARCHS[@]}") + compute_$PTX_ARCH PTX"
"$NVCC" -fatbin "${FLAGS[@]}" "${gencode[@]}" -o "$OUT/rnn4j_kernels.fatbin" "$SRC/rnn4j.cu"
"$NVCC" -ptx "${FLAGS[@]}" -arch="compute_$PTX_ARCH" -o "$OUT/rnn4j_kernels.ptx" "$SRC/rnn4j.cu"

archs=$(printf 'sm_%s,' "${ARCHS[@]}")
cat > "$OUT/rnn4j_kernels.properties" <<PROPS
# written by build-kernels.sh; do not edit
sources.sha256=$(sources_hash)
nvcc.version=$full
cuda.release=$release
# the lowest driver API version (cuDriverGetVersion) that loads code from this CUDA release
driver.minimum=$((major * 1000 + minor * 10))
sass=${archs%,}
ptx=compute_$PTX_ARCH
fatbin.sha256=$(sha256sum "$OUT/rnn4j_kernels.fatbin" | cut -d' ' -f1)
ptx.sha256=$(sha256sum "$OUT/rnn4j_kernels.ptx" | cut -d' ' -f1)
PROPS
entries=$(grep -c '^\.visible \.entry' "$OUT/rnn4j_kernels.ptx" || true)
echo "wrote $OUT/rnn4j_kernels.{fatbin,ptx,properties}: $(wc -c < "$OUT/rnn4j_kernels.fatbin") bytes of fatbin, $entries kernels"
