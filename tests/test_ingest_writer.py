"""The writer gathers the jobs of a pass into fuller transactions, and never waits when none are coming."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from bot.feeds.writer import GroupWriter


def _writer(coming, groups, worth_gathering=None):
    def write(jobs):
        groups.append(list(jobs))
        return [job.upper() for job in jobs]

    executor = ThreadPoolExecutor(max_workers=1)
    return executor, GroupWriter(executor, write, gather=3, linger=30.0, coming=coming,
                                 worth_gathering=worth_gathering)


async def test_a_write_waits_for_the_jobs_still_coming_and_shares_its_transaction_with_them():
    groups, writer_box = [], []
    # Three jobs make the pass; the ones not yet handed to the writer are still coming. Read under
    # the writer's lock, this leaves no window in which the writer sees "nothing coming" early.
    executor, writer = _writer(lambda: 3 - len(writer_box[0]._pending), groups)
    writer_box.append(writer)
    first = asyncio.ensure_future(writer.submit("a"))
    await asyncio.sleep(0)  # handed over; the writer waits for more
    second = asyncio.ensure_future(writer.submit("b"))
    await asyncio.sleep(0)
    third = asyncio.ensure_future(writer.submit("c"))  # the last one: nothing is left to wait for
    assert await asyncio.wait_for(asyncio.gather(first, second, third), 10) == ["A", "B", "C"]
    assert groups == [["a", "b", "c"]]
    executor.shutdown()


async def test_with_nothing_coming_a_job_is_written_at_once():
    groups = []
    executor, writer = _writer(lambda: 0, groups)
    assert await asyncio.wait_for(writer.submit("alone"), 10) == "ALONE"  # not after the 30 s linger
    assert groups == [["alone"]]
    executor.shutdown()


async def test_a_job_not_worth_gathering_for_is_written_at_once_while_others_are_coming():
    groups = []
    executor, writer = _writer(lambda: 5, groups, worth_gathering=lambda job: job != "304")
    assert await asyncio.wait_for(writer.submit("304"), 10) == "304"  # not after the 30 s linger
    assert groups == [["304"]]
    executor.shutdown()
