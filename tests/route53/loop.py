"""The route53 form against a Route 53 API implementation (moto's server).

For each demo domain: a hosted zone holding the demo zone file's records,
`sendlint fix --zone … --as route53`, the ChangeBatch applied with boto3's
change_resource_record_sets (moto refuses a DELETE whose TTL or values are
not those of the record set), the record sets listed back and written as a
zone file, then `sendlint check` on that file: sending must be unlocked (or
only non-DNS reasons left), `sendlint fix` must find nothing more to change,
and every record set the batch does not touch must be as it was.

    python loop.py SENDLINT ENDPOINT OUTDIR
"""

import json
import os
import re
import subprocess
import sys

import boto3
import dns.name
import dns.rdatatype
import dns.zone

SENDLINT, ENDPOINT, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
MANIFEST = "fixtures/demo/manifest.json"
ZONES = "fixtures/demo/zones"
NOW = "2026-11-26T06:00:00Z"


def fail(msg):
    print(f"route53: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def r53_label(label: bytes) -> str:
    """A label as Route 53 writes it: letters, digits, - and _ as they are, other bytes \\ooo."""
    out = ""
    for b in label:
        c = chr(b)
        out += c if (c.isascii() and (c.isalnum() or c in "-_")) else f"\\{b:03o}"
    return out


def r53_name(name: dns.name.Name) -> str:
    labels = [l for l in name.labels if l]
    return "".join(r53_label(l) + "." for l in labels) or "."


def r53_string(s: bytes) -> str:
    out = ""
    for b in s:
        if b in (0x22, 0x5C):
            out += "\\" + chr(b)
        elif 0x20 <= b <= 0x7E:
            out += chr(b)
        else:
            out += f"\\{b:03o}"
    return out


def r53_value(rdata) -> str:
    t = rdata.rdtype
    if t == dns.rdatatype.TXT:
        return " ".join(f'"{r53_string(s)}"' for s in rdata.strings)
    if t == dns.rdatatype.MX:
        return f"{rdata.preference} {r53_name(rdata.exchange)}"
    if t in (dns.rdatatype.CNAME, dns.rdatatype.NS):
        return r53_name(rdata.target)
    return rdata.to_text()


def unescape(text: str) -> bytes:
    """Route 53's \\ooo and \\c escapes to bytes."""
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and re.match(r"[0-7]{3}", text[i + 1 : i + 4]):
            out.append(int(text[i + 1 : i + 4], 8))
            i += 4
        elif c == "\\" and i + 1 < len(text):
            out += text[i + 1].encode()
            i += 2
        else:
            out += c.encode()
            i += 1
    return bytes(out)


def zone_bytes(data: bytes, quote: bool) -> str:
    """Bytes in zone-file syntax: \\DDD for anything not plain."""
    out = ""
    for b in data:
        c = chr(b)
        if quote and c in '"\\':
            out += "\\" + c
        elif 0x21 <= b <= 0x7E and (quote or c not in '.;()"\\$@'):
            out += c
        elif quote and b == 0x20:
            out += c
        else:
            out += f"\\{b:03d}"
    return out


def zone_name(r53: str) -> str:
    """A Route 53 name (\\ooo escapes) as a zone-file name (\\DDD escapes)."""
    labels, cur, i = [], "", 0
    while i < len(r53):
        c = r53[i]
        if c == "\\":
            m = re.match(r"[0-7]{3}", r53[i + 1 : i + 4])
            if m:
                cur += chr(int(m.group(0), 8))
                i += 4
                continue
            cur += r53[i + 1]
            i += 2
            continue
        if c == ".":
            labels.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    if cur:
        labels.append(cur)
    return "".join(zone_bytes(l.encode("latin-1"), False) + "." for l in labels)


def txt_strings(value: str):
    """The character-strings of a Route 53 TXT value."""
    return [unescape(m) for m in re.findall(r'"((?:[^"\\]|\\.)*)"', value)]


def zone_value(rtype: str, value: str) -> str:
    if rtype == "TXT":
        return " ".join('"' + zone_bytes(s, True) + '"' for s in txt_strings(value))
    if rtype == "MX":
        pref, host = value.split(" ", 1)
        return f"{pref} {zone_name(host)}"
    if rtype in ("CNAME", "NS"):
        return zone_name(value)
    return value


def canonical(rrsets):
    """{(name, type): (ttl, sorted values)} of record sets, names lowercased."""
    out = {}
    for rr in rrsets:
        key = (rr["Name"].lower(), rr["Type"])
        values = sorted(r["Value"] for r in rr.get("ResourceRecords", []))
        out[key] = (rr.get("TTL"), values)
    return out


def run(args, ok=(0, 1)):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode not in ok:
        fail(f"{' '.join(args)} exited {p.returncode}:\n{p.stderr}")
    return p


def setup_flags(entry):
    flags = ["--selector", entry["dkim_selector"], "--region", entry.get("region", "us-east-1")]
    if entry.get("dkim_public_key"):
        flags += ["--public-key", entry["dkim_public_key"]]
    if entry.get("mail_from"):
        flags += ["--mail-from", entry["mail_from"]]
    for a in entry.get("from_addresses", []):
        flags += ["--from", a]
    return flags


def main():
    client = boto3.client(
        "route53",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    entries = json.load(open(MANIFEST))["domains"]
    fixed = attempted = 0
    negative_controls = []
    for entry in entries:
        domain = entry["domain"]
        flags = setup_flags(entry)
        fix = run([SENDLINT, "fix", domain, *flags, "--zone", ZONES, "--now", NOW, "--format", "json"])
        plan = json.loads(fix.stdout)
        if not plan["changes"]:
            print(f"route53: {domain}: nothing to change")
            continue
        attempted += 1
        apex = plan["zone"].rstrip(".")
        zone = dns.zone.from_file(f"{ZONES}/{apex}.zone", origin=apex + ".", relativize=False)
        hz = client.create_hosted_zone(Name=apex + ".", CallerReference=f"sendlint-{apex}-{os.getpid()}")
        zone_id = hz["HostedZone"]["Id"]
        seeded = []
        for name, rdataset in zone.iterate_rdatasets():
            rtype = dns.rdatatype.to_text(rdataset.rdtype)
            if name == zone.origin and rtype in ("SOA", "NS"):
                continue  # the hosted zone has its own
            seeded.append(
                {
                    "Name": r53_name(name),
                    "Type": rtype,
                    "TTL": rdataset.ttl,
                    "ResourceRecords": [{"Value": r53_value(r)} for r in rdataset],
                }
            )
        client.change_resource_record_sets(
            HostedZoneId=zone_id,
            ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": rr} for rr in seeded]},
        )
        form = run([SENDLINT, "fix", domain, *flags, "--zone", ZONES, "--now", NOW, "--as", "route53"])
        batch = json.loads(form.stdout)
        open(f"{OUT}/{domain}.route53.json", "w").write(form.stdout)
        # the server checks DELETEs: one with another TTL is refused, and changes nothing
        deletes = [i for i, c in enumerate(batch["Changes"]) if c["Action"] == "DELETE"]
        if deletes:
            wrong = json.loads(json.dumps(batch))
            wrong["Changes"][deletes[0]]["ResourceRecordSet"]["TTL"] += 1
            try:
                client.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch=wrong)
                fail(f"{domain}: Route 53 took a DELETE with the wrong TTL: the check below would prove nothing")
            except client.exceptions.InvalidInput:
                negative_controls.append(domain)
        try:
            client.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch=batch)
        except Exception as e:  # moto's InvalidChangeBatch / InvalidInput
            fail(f"{domain}: Route 53 refused the change batch: {e}\n{form.stdout}")
        listed = client.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
        before, after = canonical(seeded), canonical(r for r in listed if r["Type"] not in ("SOA", "NS"))
        touched = {(c["ResourceRecordSet"]["Name"].lower(), c["ResourceRecordSet"]["Type"]) for c in batch["Changes"]}
        for key, was in before.items():
            if key in touched:
                # unrelated TXT values at a touched name are kept
                if key[1] == "TXT" and key[0] != plan_dkim_name(plan):
                    kept = [v for v in was[1] if not owned_txt(v)]
                    missing = [v for v in kept if v not in after.get(key, (None, []))[1]]
                    if missing:
                        fail(f"{domain}: unrelated TXT at {key[0]} lost: {missing}")
                continue
            if after.get(key) != was:
                fail(f"{domain}: {key} changed though the batch does not touch it: {was} -> {after.get(key)}")
        for key in after:
            if key not in before and key not in touched:
                fail(f"{domain}: {key} appeared though the batch does not touch it")
        # the zone as Route 53 now serves it, with the demo's own SOA and NS
        lines = [f"$ORIGIN {apex}."]
        for rdataset in (zone.find_rdataset(zone.origin, "SOA"), zone.find_rdataset(zone.origin, "NS")):
            for r in rdataset:
                lines.append(f"{apex}. {rdataset.ttl} IN {dns.rdatatype.to_text(rdataset.rdtype)} {r.to_text()}")
        for rr in listed:
            if rr["Type"] in ("SOA", "NS") and rr["Name"].rstrip(".").lower() == apex:
                continue
            for r in rr.get("ResourceRecords", []):
                lines.append(f"{zone_name(rr['Name'])} {rr['TTL']} IN {rr['Type']} {zone_value(rr['Type'], r['Value'])}")
        os.makedirs(f"{OUT}/{domain}", exist_ok=True)
        path = f"{OUT}/{domain}/{apex}.zone"
        open(path, "w").write("\n".join(lines) + "\n")
        check = run([SENDLINT, "check", domain, *flags, "--zone", path, "--now", NOW, "--format", "json"])
        report = json.loads(check.stdout)
        if not report["sending_unlocked"]:
            dns_left = [d for d in report.get("diagnoses", []) if d.get("severity") == "error" and not d["code"].startswith("ses.")]
            if dns_left:
                fail(f"{domain}: sending still locked after the batch: {[d['code'] for d in dns_left]}\n{path}")
        again = json.loads(run([SENDLINT, "fix", domain, *flags, "--zone", path, "--now", NOW, "--format", "json"]).stdout)
        if again["changes"]:
            fail(f"{domain}: fix after the batch still changes: {again['changes']}")
        fixed += 1
        print(f"route53: {domain}: {len(batch['Changes'])} change(s) applied, sending unlocked={report['sending_unlocked']}")
    print(f"route53: {fixed} fixed / {attempted} attempted; a DELETE with a wrong TTL refused for {negative_controls}")
    if attempted == 0:
        fail("no demo domain needed a change: the demo's broken domains are gone?")


def owned_txt(value: str) -> bool:
    data = b"".join(txt_strings(value)).lower()
    return data.startswith(b"v=spf1") or data.startswith(b"v=dmarc1")


def plan_dkim_name(plan):
    return next((c["name"].lower() for c in plan["changes"] if c["role"] == "dkim"), None)


main()
