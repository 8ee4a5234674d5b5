"""tests/oracle/oracle_report.py: the line protocol tests/run.sh counts.

One line per check, "PASS: name" or "FAIL: name: why"; a script exits
non-zero when any check failed (Report.exit_code)."""


class Report:
    def __init__(self):
        self.failures = 0

    def check(self, name, ok, why=""):
        if ok:
            print(f"PASS: {name}")
        else:
            self.failures += 1
            print(f"FAIL: {name}: {why}")
        return ok

    def exit_code(self):
        return 1 if self.failures else 0
