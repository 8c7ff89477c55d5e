"""Posting-run speed: a synthetic 100k-module master file, one pending item per module.

Half the modules are IMF MFT 30 with a pending return (TC 150; its withholding posts as
TC 806 and most of them refund as TC 846), half BMF MFT 01 with a pending deposit
(TC 670).  The data is bulk-inserted; only `run_cycle` is timed.  Prints figures only.

    PYTHONPATH=. python bench/posting_quick.py [--modules 100000] [--db sqlite://]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from decimal import Decimal

from sqlalchemy import func, select

from idrs_sim.clock import Clock
from idrs_sim.masterfile.db import MasterFile
from idrs_sim.masterfile.models import PENDING, POSTED, Entity, TaxModule, Transaction
from idrs_sim.posting import run_cycle

CYCLE = "202426"


def build(mf: MasterFile, n: int) -> float:
    """Bulk-insert `n` entities, modules and pending transactions; returns seconds."""
    start = time.perf_counter()
    half = n // 2
    with mf.unit_of_work() as s:
        s.execute(Entity.__table__.insert(), [
            dict(id=i + 1, tin=f"400-{i // 10000:02d}-{i % 10000:04d}", tin_type="SSN", file="IMF",
                 established=True, name_control="TEST", name_lines=[], address=[], filing_requirements={},
                 poa=[], information_returns=[], extra={}, depositor=None)
            if i < half else
            dict(id=i + 1, tin=f"{10 + i // 10_000_000:02d}-{i % 10_000_000:07d}", tin_type="EIN", file="BMF",
                 established=True, name_control="TEST", name_lines=[], address=[], filing_requirements={},
                 poa=[], information_returns=[], extra={}, depositor="semiweekly")
            for i in range(n)
        ])
        s.execute(TaxModule.__table__.insert(), [
            dict(id=i + 1, entity_id=i + 1, mft="30" if i < half else "01", period="202312" if i < half else "202406")
            for i in range(n)
        ])
        rows = []
        for i in range(n):
            base = dict(entity_id=i + 1, module_id=i + 1, status=PENDING, input_cycle="202425", due_cycle=CYCLE,
                        post_delay=0, trans_date=dt.date(2024, 4, 15), extra={})
            if i < half:
                withholding = 4000 + (i % 3) * 1500  # tax 5000: a third owe, two thirds refund
                base.update(tc=150, amount=Decimal("5000.00"), dln=f"292110451{i % 100000:05d}",
                            document={"tc": 150, "tax": "5000.00", "withholding": f"{withholding}.00",
                                      "direct_deposit": {"routing": "111000025", "account": "1"} if i % 2 else None})
            else:
                base.update(tc=670, amount=Decimal("1200.00"), dln=None, document=None)
            rows.append(base)
        s.execute(Transaction.__table__.insert(), rows)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--modules", type=int, default=100_000)
    ap.add_argument("--db", default="sqlite://")
    args = ap.parse_args()
    mf = MasterFile(args.db, clock=Clock(dt.date(2024, 6, 17)))
    built = build(mf, args.modules)
    start, cpu_start = time.perf_counter(), time.process_time()
    report = run_cycle(mf, CYCLE)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    with mf.reading() as s:
        total = s.scalar(select(func.count()).select_from(Transaction).where(
            Transaction.status == POSTED, Transaction.posting_cycle == CYCLE))
    print(f"modules            {args.modules}")
    print(f"build_seconds      {built:.2f}")
    print(f"run_cycle_seconds  {seconds:.2f}")
    print(f"run_cycle_cpu_s    {cpu:.2f}  (CPU time: steadier than wall time on a busy machine)")
    print(f"posted             {len(report.posted)} (db {total})")
    print(f"refunds            {len(report.refunds)}")
    print(f"input_per_second   {args.modules / seconds:,.0f}  (pending items / wall second)")
    print(f"postings_per_second {len(report.posted) / seconds:,.0f}  (all postings incl. TC 806/846 / wall second)")
    mf.dispose()


if __name__ == "__main__":
    main()
