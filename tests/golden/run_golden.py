#!/usr/bin/env python3
"""Golden capture tests: every tests/pcap/<case>/*.pcap through `minewatch sensor` must produce
exactly the events in tests/pcap/<case>/expected.jsonl, compared one by one on the fields that
say what was detected (alerts and "stratum" metadata; timestamps and ids are left out). Every
case must raise an alert unless its folder holds a NO_ALERT_EXPECTED file saying why not.

  run_golden.py MINEWATCH PCAP_DIR            check every case
  run_golden.py MINEWATCH PCAP_DIR --update   rewrite expected.jsonl from the current output
                                              (review the diff before committing it)
"""
import json
import os
import subprocess
import sys

KEYS = ("event_type", "src_ip", "src_port", "dest_ip", "dest_port", "proto")
ALERT_KEYS = ("signature_id", "signature", "category", "severity")
MW_KEYS = ("detector", "dialect", "login", "agent_string")
STRATUM_KEYS = ("direction", "dialect", "role", "method", "login", "agent", "algo")


def normalise(e):
    out = {k: e[k] for k in KEYS if k in e}
    if "alert" in e:
        out["alert"] = {k: e["alert"][k] for k in ALERT_KEYS}
        mw = e.get("minewatch", {})
        out["minewatch"] = {k: mw[k] for k in MW_KEYS if k in mw}
    if e.get("event_type") == "stratum":
        out["stratum"] = {k: e["stratum"][k] for k in STRATUM_KEYS if k in e["stratum"]}
    return out


def run_case(minewatch, case_dir):
    captures = sorted(f for f in os.listdir(case_dir) if f.endswith((".pcap", ".pcapng")))
    events = []
    for cap in captures:
        proc = subprocess.run(
            [minewatch, "sensor", "--pcap", os.path.join(case_dir, cap), "--no-intel",
             "--flow-events", "mining", "--name", "golden"],
            capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"{cap}: exit {proc.returncode}: {proc.stderr.strip()}")
        for line in proc.stdout.splitlines():
            e = json.loads(line)
            if e["event_type"] in ("alert", "stratum"):
                events.append(normalise(e))
    return captures, events


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    minewatch, pcap_dir = sys.argv[1], sys.argv[2]
    update = "--update" in sys.argv[3:]
    cases = sorted(d for d in os.listdir(pcap_dir) if os.path.isdir(os.path.join(pcap_dir, d)))
    failures = checked = 0
    for case in cases:
        case_dir = os.path.join(pcap_dir, case)
        captures, got = run_case(minewatch, case_dir)
        if not captures:
            continue
        expected_path = os.path.join(case_dir, "expected.jsonl")
        if update:
            if not got and os.path.exists(os.path.join(case_dir, "NO_ALERT_EXPECTED")):
                if os.path.exists(expected_path):
                    os.remove(expected_path)
                print(f"updated {case}: no events (NO_ALERT_EXPECTED)")
                continue
            with open(expected_path, "w") as f:
                for e in got:
                    f.write(json.dumps(e, sort_keys=True) + "\n")
            print(f"updated {case}: {len(got)} events")
            continue
        no_alert = os.path.exists(os.path.join(case_dir, "NO_ALERT_EXPECTED"))
        if not os.path.exists(expected_path) and not no_alert:
            print(f"FAIL {case}: no expected.jsonl (run with --update and review it)")
            failures += 1
            continue
        want = []
        if os.path.exists(expected_path):  # a NO_ALERT_EXPECTED case without one expects nothing
            with open(expected_path) as f:
                want = [json.loads(l) for l in f if l.strip()]
        checked += 1
        problems = []
        for i in range(max(len(want), len(got))):
            w = want[i] if i < len(want) else None
            g = got[i] if i < len(got) else None
            if w != g:
                problems.append(f"  event {i + 1}:\n    want {json.dumps(w, sort_keys=True)}\n"
                                f"    got  {json.dumps(g, sort_keys=True)}")
        alerts = sum(1 for e in got if e["event_type"] == "alert")
        if problems:
            failures += 1
            print(f"FAIL {case}: {len(problems)} event(s) differ")
            print("\n".join(problems[:10]))
        elif alerts == 0 and not no_alert:
            failures += 1
            print(f"FAIL {case}: no alert (every capture of a miner must raise one)")
        else:
            print(f"ok   {case}: {len(got)} events, {alerts} alert(s)")
    if update:
        return 0
    print(f"{checked - failures} passed, {failures} failed")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
