"""A Kafka-protocol broker for docker/compose.local.yaml: librdkafka's mock cluster (shipped in
the confluent-kafka wheel), reachable from other containers as kafka:9092 (ADR 0025).

The mock cluster listens on a random loopback port and advertises that address. Through
librdkafka's C API (ctypes) this process makes a one-broker cluster, advertises it as
ADVERTISED_HOST:PORT instead, and forwards that port on every interface to the loopback
listener. Topics are created on first use; data lives in memory only.
"""

import asyncio
import ctypes
import glob
import os
import signal

import confluent_kafka

PORT = int(os.environ.get("KAFKA_PORT", "9092"))
ADVERTISED_HOST = os.environ.get("KAFKA_ADVERTISED_HOST", "kafka")


def start_mock_cluster() -> tuple[object, int]:
    """Starts the cluster; returns its handles (kept alive) and its loopback port."""
    libs = os.path.join(os.path.dirname(confluent_kafka.__file__), "..", "confluent_kafka.libs")
    lib = ctypes.CDLL(glob.glob(os.path.join(libs, "librdkafka*.so*"))[0])
    lib.rd_kafka_conf_new.restype = ctypes.c_void_p
    lib.rd_kafka_new.restype = ctypes.c_void_p
    lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_mock_cluster_new.restype = ctypes.c_void_p
    lib.rd_kafka_mock_cluster_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
    lib.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_mock_broker_set_host_port.argtypes = [ctypes.c_void_p, ctypes.c_int32,
                                                       ctypes.c_char_p, ctypes.c_int]
    errstr = ctypes.create_string_buffer(512)
    conf = lib.rd_kafka_conf_new()
    rk = lib.rd_kafka_new(0, conf, errstr, 512)
    if not rk:
        raise SystemExit(f"rd_kafka_new: {errstr.value.decode()}")
    cluster = lib.rd_kafka_mock_cluster_new(rk, 1)
    bootstrap = lib.rd_kafka_mock_cluster_bootstraps(cluster).decode()
    loopback_port = int(bootstrap.rsplit(":", 1)[1])
    err = lib.rd_kafka_mock_broker_set_host_port(cluster, 1, ADVERTISED_HOST.encode(), PORT)
    if err:
        raise SystemExit(f"rd_kafka_mock_broker_set_host_port failed: {err}")
    return (lib, rk, cluster), loopback_port


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def serve(loopback_port: int) -> None:
    async def forward(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            broker_r, broker_w = await asyncio.open_connection("127.0.0.1", loopback_port)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(pipe(client_r, broker_w), pipe(broker_r, client_w))

    server = await asyncio.start_server(forward, "0.0.0.0", PORT)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    print(f"mock Kafka broker on 0.0.0.0:{PORT}, advertised as {ADVERTISED_HOST}:{PORT}",
          flush=True)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    handles, port = start_mock_cluster()
    asyncio.run(serve(port))
