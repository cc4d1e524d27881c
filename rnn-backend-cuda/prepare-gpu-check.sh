#!/usr/bin/env bash
# Prepares, on a build machine with a JDK and Maven, what gpu-check.sh needs on a GPU machine that has
# neither: one archive, target/gpu-check/rnn4j-gpu-check.tar.gz (target/ is ignored by git), holding
#   runtime/  a jlink'ed Java runtime (java.base, java.logging, jdk.unsupported, java.management, jdk.zipfs)
#   lib/      the rnn4j jars (api, conformance, cpu and cuda backends, the cuda backend's GPU tests, the
#             benchmark), their third-party jars without the ND4J/DL4J stack, and JUnit's console launcher
# It checks that the archive is under 64 MiB (the most a device run carries) and that the runtime can list
# the backends. Usage: rnn-backend-cuda/prepare-gpu-check.sh   (offline: Maven's -o; the first run may
# need the network once to fetch junit-platform-console-standalone)
set -euo pipefail
MODULE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$MODULE")"
OUT="$MODULE/target/gpu-check"
STAGE="$OUT/stage"
ARCHIVE="$OUT/rnn4j-gpu-check.tar.gz"
LIMIT=$((64 * 1024 * 1024))
JUNIT_PLATFORM=1.14.1
# beyond java.base, java.logging and jdk.unsupported: java.management (the benchmark's environment header reads
# the garbage collectors) and jdk.zipfs (JUnit's launcher scans the test jar through the jar file system)
MODULES=java.base,java.logging,jdk.unsupported,java.management,jdk.zipfs
# the ND4J/DL4J stack (hundreds of MiB of natives) is not carried: the GPU check runs cpu, cuda and torch only
EXCLUDE='/(nd4j-[^/]*|deeplearning4j-[^/]*|javacpp-[^/]*|openblas-[^/]*|jmh-[^/]*|jopt-simple-[^/]*|oshi-core-[^/]*|jna-[^/]*|guava-1\.0\.0[^/]*|jackson-1\.0\.0[^/]*|protobuf-1\.0\.0[^/]*|flatbuffers-[^/]*|resources-1\.0\.0[^/]*|byteunits-[^/]*|neoitertools-[^/]*|commons-net-[^/]*|fastutil-[^/]*|threetenbp-[^/]*|junit-[^/]*|opentest4j-[^/]*|apiguardian-[^/]*|ejml-[^/]*)\.jar$'

for tool in mvn jar jlink; do
  command -v "$tool" >/dev/null || { echo "prepare-gpu-check.sh: $tool is not on the PATH" >&2; exit 1; }
done
rm -rf "$OUT"
mkdir -p "$STAGE/lib"

echo "== compiling (no tests) and resolving the class paths"
(cd "$ROOT" && mvn -o -B -q test-compile dependency:build-classpath -pl rnn-backend-cuda,rnn-bench -am \
   -Dmdep.outputFile=target/gpu-check-cp.txt -Dmdep.includeScope=test)

echo "== jars"
for m in rnn-api rnn-conformance rnn-backend-cpu rnn-backend-cuda rnn-bench; do
  jar --create --file "$STAGE/lib/$m.jar" -C "$ROOT/$m/target/classes" .
done
# the cuda backend's GPU tests, without the emulator (its provider and its C++ sources stay behind)
TESTS="$OUT/test-classes"
cp -r "$MODULE/target/test-classes" "$TESTS"
rm -rf "$TESTS/META-INF/services" "$TESTS"/org/rnn4j/cuda/Emulat* "$TESTS"/org/rnn4j/cuda/*Emulat*
jar --create --file "$STAGE/lib/rnn-backend-cuda-tests.jar" -C "$TESTS" .
for f in "$MODULE/target/gpu-check-cp.txt" "$ROOT/rnn-bench/target/gpu-check-cp.txt"; do
  tr ':' '\n' < "$f"
done | grep '\.jar$' | grep -Ev "$EXCLUDE" | sort -u | while read -r j; do cp "$j" "$STAGE/lib/"; done
CONSOLE="$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$JUNIT_PLATFORM/junit-platform-console-standalone-$JUNIT_PLATFORM.jar"
if [ ! -f "$CONSOLE" ]; then
  (cd "$ROOT" && mvn -B -q dependency:get -Dartifact="org.junit.platform:junit-platform-console-standalone:$JUNIT_PLATFORM")
fi
cp "$CONSOLE" "$STAGE/lib/junit-platform-console-standalone.jar"

echo "== runtime ($MODULES)"
jlink --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$STAGE/runtime"

echo "== smoke test of the carried runtime"
"$STAGE/runtime/bin/java" -cp "$STAGE/lib/*" org.rnn4j.backend.Backends | sed 's/^/   /'

tar -czf "$ARCHIVE" -C "$STAGE" runtime lib
size=$(stat -c %s "$ARCHIVE")
echo "== $ARCHIVE: $((size / 1024 / 1024)) MiB ($(ls "$STAGE/lib" | wc -l) jars; runtime $(du -sm "$STAGE/runtime" | cut -f1) MiB unpacked)"
if [ "$size" -ge "$LIMIT" ]; then
  echo "prepare-gpu-check.sh: the archive is $size bytes, over the 64 MiB a device run carries" >&2
  exit 1
fi
rm -rf "$STAGE" "$TESTS"
echo "carry rnn-backend-cuda/target/gpu-check and run: bash rnn-backend-cuda/gpu-check.sh"
