"""The seed producer's per-message work at full speed, for the `producer` benchmark: pandas
sample of 1..10 rows, event_time = now, a uuid1 per row, json.dumps, KafkaProducer.send, no
sleep. Written from the seed's description; it imports nothing from the seed's file.

Usage: python seed_producer_driver.py BOOTSTRAP TOPIC COUNT ZIP [--faithful]
  --faithful: also the seed's two costly quirks, uuid1 for every row of the whole frame on
  each iteration (it applies over df, not the sample) and print() of every message.
Prints seconds=S messages=N (timed from the first send to the end of flush())."""
import json
import os
import sys
import time
import uuid
from random import randint

import pandas as pd
from kafka import KafkaProducer


def main():
    bootstrap, topic, count, zip_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    faithful = "--faithful" in sys.argv[5:]
    producer = KafkaProducer(bootstrap_servers=bootstrap, value_serializer=lambda d: json.dumps(d).encode("utf-8"))
    df = pd.read_csv(zip_path)
    sink = open(os.devnull, "w")
    sent = 0
    start = time.monotonic()
    while sent < count:
        sample_df = df.sample(min(randint(1, 10), count - sent), axis=0)
        sample_df.event_time = pd.Timestamp.now()
        sample_df.event_time = sample_df.event_time.astype("str")
        frame = df if faithful else sample_df
        sample_df["id"] = frame.apply(lambda _: str(uuid.uuid1()), axis=1)
        for message in sample_df.to_dict("records"):
            if faithful:
                print(message, file=sink)
            producer.send(topic, message)
            sent += 1
    producer.flush()
    print(f"seconds={time.monotonic() - start:.3f} messages={sent}")
    producer.close()


if __name__ == "__main__":
    main()
