#!/usr/bin/env bash
# Producer throughput on one broker, same run: `shopstream produce --rate max` against
# kafka-python (the seed's client) sending the very same messages.
#
# Usage: bench/kafka_produce_bench.sh [COUNT]          (default 200000 messages)
#   KAFKA_BOOTSTRAP   broker (default 127.0.0.1:$STACK_KAFKA_PORT, i.e. scripts/stack's 9092)
#   SHOPSTREAM_BIN    binary (default build/src/cli/shopstream)
#   SHOPSTREAM_SAMPLE_ZIP  the 10K sample (default ../shared/data beside the repository)
# Needs kcat and kafka-python (scripts/install-deps). Prints a table; also writes it to
# bench/out/kafka_produce.txt.
#
# What is timed: shopstream from start to exit, so reading the CSV, making JSON and UUIDs,
# creating the topic and the final flush all count against it. kafka-python is timed from
# its first send to the end of flush(), with the messages already in memory as bytes.
set -euo pipefail
cd "$(dirname "$0")/.."

count=${1:-200000}
bootstrap=${KAFKA_BOOTSTRAP:-127.0.0.1:${STACK_KAFKA_PORT:-9092}}
bin=${SHOPSTREAM_BIN:-build/src/cli/shopstream}
sample=${SHOPSTREAM_SAMPLE_ZIP:-../shared/data/2019-Nov_10KSample.zip}
partitions=4
run_id="$(date +%s)-$$"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[[ -x "$bin" ]] || { echo "no shopstream binary at $bin (build it or set SHOPSTREAM_BIN)" >&2; exit 1; }
[[ -f "$sample" ]] || { echo "no sample at $sample (set SHOPSTREAM_SAMPLE_ZIP)" >&2; exit 1; }
command -v kcat >/dev/null || { echo "kcat is needed (scripts/install-deps)" >&2; exit 1; }
python3 -c "import kafka" 2>/dev/null || { echo "kafka-python is needed (scripts/install-deps)" >&2; exit 1; }
kcat -L -b "$bootstrap" -m 5 >/dev/null 2>&1 || { echo "no broker answers at $bootstrap (scripts/stack up kafka)" >&2; exit 1; }

now() { date +%s.%N; }

# 1. shopstream: idempotent, acks=all, lz4.
topic="bench-shopstream-$run_id"
start=$(now)
"$bin" produce -i "$sample" --to "kafka://$bootstrap/$topic" --partitions "$partitions" \
  --count "$count" --loop --rate max 2>"$work/produce.log" ||
  { tail -n 20 "$work/produce.log" >&2; exit 1; }
end=$(now)
shopstream_seconds=$(echo "$end - $start" | bc -l)

# 2. The same messages, read back with kcat, for kafka-python to send.
kcat -C -b "$bootstrap" -t "$topic" -o beginning -e -q -f '%s\n' >"$work/messages.jsonl"
read_back=$(wc -l <"$work/messages.jsonl")
[[ "$read_back" -eq "$count" ]] || { echo "read back $read_back of $count messages" >&2; exit 1; }

# 3. kafka-python, with the seed's settings (acks=1, no compression) and with acks=all.
python3 - "$bootstrap" "$work/messages.jsonl" "$partitions" "$run_id" >"$work/python.tsv" <<'PY'
import sys
import time

from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

bootstrap, path, partitions, run_id = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
with open(path, "rb") as f:
    messages = [line.rstrip(b"\n") for line in f]

admin = KafkaAdminClient(bootstrap_servers=bootstrap)
for name, settings in [("seed settings: acks=1, no compression", {}),
                       ("acks=all", {"acks": "all"})]:
    topic = f"bench-kafka-python-{settings.get('acks', '1')}-{run_id}"
    admin.create_topics([NewTopic(topic, partitions, 1)])
    producer = KafkaProducer(bootstrap_servers=bootstrap, **settings)
    start = time.monotonic()
    for m in messages:
        producer.send(topic, m)
    producer.flush()
    seconds = time.monotonic() - start
    producer.close()
    print(f"kafka-python ({name})\t{len(messages)}\t{seconds:.3f}")
admin.close()
PY

mkdir -p bench/out
{
  echo "Kafka producer throughput, $count messages of the seed's JSON format, broker $bootstrap, $partitions partitions"
  echo "($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ))"
  printf '%-55s %10s %9s %12s\n' client messages seconds msgs/s
  printf '%-55s %10d %9.3f %12.0f\n' "shopstream produce --rate max (acks=all, idempotent, lz4)" \
    "$count" "$shopstream_seconds" "$(echo "$count / $shopstream_seconds" | bc -l)"
  while IFS=$'\t' read -r name n seconds; do
    printf '%-55s %10d %9.3f %12.0f\n' "$name" "$n" "$seconds" "$(echo "$n / $seconds" | bc -l)"
  done <"$work/python.tsv"
} | tee bench/out/kafka_produce.txt
