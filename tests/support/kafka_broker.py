"""A real Kafka-protocol broker for the tests: librdkafka's mock cluster (bundled with the
confluent-kafka package), run in a helper process. Prints the bootstrap servers on one line,
then serves until its standard input closes."""

import sys

from confluent_kafka import Producer

if __name__ == "__main__":
    handle = Producer({"test.mock.num.brokers": 3, "bootstrap.servers": ""})
    brokers = handle.list_topics(timeout=30).brokers.values()
    print(",".join(f"{b.host}:{b.port}" for b in brokers), flush=True)
    sys.stdin.read()
