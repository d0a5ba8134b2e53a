"""`make compose-test`: docker/compose.yaml for real, from images built on this machine, then
broken on purpose (ADR 0025). `--short` (SHORT=1): build, up, one purchase to paid, down.

Starts dockerd if no engine answers, builds the base images once per content hash, builds
Agora's image from docker/Dockerfile on the local Python base, starts the stack, checks it
through nginx on 127.0.0.1, and in every case removes the project (containers, network,
volumes) and stops the engine if it started it. A failure prints the logs of every container
that is not healthy and exits 1.
"""

import argparse
import sys
import time
import traceback

from compose_stack import Project, StackFailed, fail, log, stack_environment

# agora:local measured 313 MB on the local Python base (the README); the check fails past this.
MAX_IMAGE_MB = 350


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="build, up, purchase to paid, down")
    parser.add_argument("--port", type=int, default=18000, help="the proxy's port on 127.0.0.1")
    options = parser.parse_args()
    started = time.monotonic()
    project: Project | None = None
    passed: list[str] = []
    try:
        with stack_environment() as (engine, env):
            env["AGORA_LOCAL_HTTP_PORT"] = str(options.port)
            project = Project(engine, env)
            try:
                run_checks(project, short=options.short, port=options.port, passed=passed)
            except Exception:
                project.print_unhealthy()
                raise
            finally:
                log("removing the compose project (containers, network, volumes)")
                project.down(volumes=True)
    except Exception as exc:
        fail(str(exc) if isinstance(exc, StackFailed) else traceback.format_exc())
        print(f"compose: {len(passed)} passed, 1 failed", flush=True)
        return 1
    log(f"done in {time.monotonic() - started:.0f} s")
    print(f"compose: {len(passed)} passed, 0 failed", flush=True)
    return 0


def run_checks(project: Project, *, short: bool, port: int, passed: list[str]) -> None:
    # Imported here: it needs the project's own code (the webhook signature) on sys.path.
    from compose_checks import Shop, check_all

    project.down(volumes=True)  # what a previous run that was killed may have left
    step = time.monotonic()
    project("build", "migrate", quiet=True, timeout=900)
    log(f"built agora:local from docker/Dockerfile in {time.monotonic() - step:.0f} s")
    step = time.monotonic()
    project.up()
    project.wait_ready()
    log(f"stack up and healthy in {time.monotonic() - step:.0f} s")
    shop = Shop(f"http://127.0.0.1:{port}")
    check_all(shop, project, short=short, max_mb=MAX_IMAGE_MB, passed=passed)


if __name__ == "__main__":
    sys.exit(main())
