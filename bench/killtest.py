"""Delivery under kill -9: alerts in an outbox, a delivering process killed again and again.

    python bench/killtest.py [--alerts 96] [--kills 24] [--ignore-nonces] [--parts 1] [--seed 1]

A child process delivers the outbox through the real discord.py client to the fake Discord
(tests/fakes), which answers each message after a random pause of up to 0.3 s, so that a kill
often lands while a posted message waits for its answer. The child is killed with SIGKILL
--kills times, each time once a random number of further messages has been posted (and a random
pause of up to 0.3 s after that); then one clean run drains the queue. Prints how many alerts
were expected, sent, lost and doubled. With --ignore-nonces the fake never dedupes a nonce, as
Discord does once it has forgotten it. With --parts N each alert is long enough to take N
messages, and the figures count messages (parts), not alerts. This measures delivery only:
the outbox is filled up front, not by polling.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import tempfile
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.models import Reply, Section, reply_to_dict  # noqa: E402
from store import open_db, outbox  # noqa: E402
from tests.fakes.discord_fake import FakeDiscord  # noqa: E402
from tests.test_crash_safety import CHILD  # noqa: E402


class SlowDiscord(FakeDiscord):
    """The fake Discord, answering each channel message after a random pause."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    async def _channel_message(self, recorded, channel, message_id):
        response = await super()._channel_message(recorded, channel, message_id)
        await asyncio.sleep(self.rng.uniform(0, 0.3))
        return response


def posts(fake: FakeDiscord) -> int:
    return sum(r.method == "POST" and r.path.startswith("/channels/") for r in fake.requests)


async def child(fake: FakeDiscord, db_path: Path):
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, str(db_path), fake.api_base, fake.gateway_url, fake.token,
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


def part_titles(number: int, parts: int) -> list[str]:
    """The embed titles of alert `number`, one per message."""
    return [f"alert {number}"] + [f"alert {number} part {part}" for part in range(1, parts)]


def alert(number: int, parts: int) -> Reply:
    """Alert `number`, taking `parts` messages (each section's text fills most of one)."""
    sections = tuple(Section(title=title, text="x" * 4000) for title in part_titles(number, parts)[1:])
    return Reply(title=f"alert {number}", text="x" * 4000 if parts > 1 else "", sections=sections)


async def main(arguments) -> None:
    rng = random.Random(arguments.seed)
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "watchdesk.db"
        db = open_db(db_path)
        now = datetime.now(timezone.utc)
        async with SlowDiscord(rng) as fake:
            fake.ignore_nonces = arguments.ignore_nonces
            with db.conn:
                for number in range(arguments.alerts):
                    outbox.enqueue(db, idem_key=f"alert:discord:{fake.channel_id}:story-{number}", kind="alert",
                                   platform="discord", channel_id=str(fake.channel_id), now=now,
                                   payload=reply_to_dict(alert(number, arguments.parts)))
            killed = 0
            for _ in range(arguments.kills):
                if not outbox.queue_depth(db):
                    break
                process = await child(fake, db_path)
                target = posts(fake) + rng.randint(1, max(1, arguments.alerts // arguments.kills))
                waiting = asyncio.ensure_future(fake.wait_for(lambda target=target: posts(fake) >= target, timeout=120))
                done, _ = await asyncio.wait({waiting, asyncio.ensure_future(process.wait())},
                                             return_when=asyncio.FIRST_COMPLETED)
                if waiting in done:
                    await asyncio.sleep(rng.uniform(0, 0.3))
                if process.returncode is None:
                    process.send_signal(signal.SIGKILL)
                    killed += 1
                await process.wait()
                waiting.cancel()
            final = await child(fake, db_path)
            await final.wait()
        titles = Counter(embed.get("title") for message in fake.messages.values() for embed in message["embeds"])
        expected = {title for number in range(arguments.alerts) for title in part_titles(number, arguments.parts)}
        lost = sorted(expected - set(titles))
        doubled = sorted(title for title, count in titles.items() if count > 1)
        statuses = Counter(row[0] for row in db.execute("SELECT status FROM outbox"))
        checks = sum(r.method == "GET" and r.path.endswith("/messages") for r in fake.requests)
        db.close()
    print(f"nonces {'ignored' if arguments.ignore_nonces else 'enforced'}: kills {killed}, "
          f"parts {arguments.parts}: expected {len(expected)}, sent {len(set(titles) & expected)}, lost {len(lost)}, "
          f"doubled {len(doubled)}; history checks {checks}, posts {posts(fake)}; outbox {dict(statuses)}; final run exit {final.returncode}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=96)
    parser.add_argument("--kills", type=int, default=24)
    parser.add_argument("--ignore-nonces", action="store_true")
    parser.add_argument("--parts", type=int, default=1, help="messages per alert")
    parser.add_argument("--seed", type=int, default=1)
    asyncio.run(main(parser.parse_args()))
