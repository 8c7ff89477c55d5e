"""The file of issue 19: N taxpayers, each with a posted TC 971 AC 124 and a pending
TC 972 AC 124 naming the same DLN in MISC, on a SQLite file, ready for `idrs-sim cycle`.

Built with plain `sqlite3` (tables and indexes as the models create them).  The TINs are
fictitious: SSNs of group 00, never issued, in areas 400-449 (400-00-xxxx holds 10,000).

    python -m bench.tc972_file big.db [--taxpayers 20000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from typing import Any

#: The simulated date written with the file: cycle 202425; the TC 972s are due in 202426.
DATE = dt.datetime(2024, 6, 14, 8, 0)
INPUT_CYCLE, DUE_CYCLE = "202425", "202426"


def ssn(i: int) -> str:
    return f"{400 + i // 10000}-00-{i % 10000:04d}"


def build(path: str, n: int) -> None:
    from idrs_sim.clock import Clock
    from idrs_sim.masterfile.db import MasterFile

    if os.path.exists(path):
        os.remove(path)
    mf = MasterFile(f"sqlite:///{path}", clock=Clock(DATE))
    mf.save_clock()
    raw = mf.engine.raw_connection()
    try:
        con: Any = raw.driver_connection
        con.execute("BEGIN")
        con.executemany(
            "INSERT INTO entity (id, tin, tin_type, file, established, name_control, name_lines, address, "
            "filing_requirements, depositor, poa, information_returns, extra) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            ((i + 1, ssn(i), "SSN", "IMF", 1, "TEST", '["TEST TAXPAYER"]', "[]", "{}", None, "[]", "[]", "{}")
             for i in range(n)))
        con.executemany("INSERT INTO tax_module (id, entity_id, mft, period) VALUES (?,?,?,?)",
                        ((i + 1, i + 1, "30", "202312") for i in range(n)))
        cols = ("entity_id", "module_id", "tc", "ac", "amount", "trans_date", "misc", "dln", "status",
                "input_cycle", "due_cycle", "posting_cycle", "post_delay", "extra")
        sql = f"INSERT INTO txn ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        rows = []
        for i in range(n):
            dln = f"2921104510{i % 10000:04d}"
            rows.append((i + 1, i + 1, 971, 124, 0, "2024-04-01", dln, None, "posted", "202414", "202415",
                         "202415", 0, "{}"))
            rows.append((i + 1, i + 1, 972, 124, 0, "2024-06-12", dln, None, "pending", INPUT_CYCLE, DUE_CYCLE,
                         None, 0, "{}"))
        con.executemany(sql, rows)
        con.execute("COMMIT")
    finally:
        raw.close()
        mf.dispose()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path")
    ap.add_argument("--taxpayers", type=int, default=20_000)
    args = ap.parse_args(argv)
    build(args.path, args.taxpayers)


if __name__ == "__main__":
    main()
