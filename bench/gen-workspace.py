#!/usr/bin/env python3
"""Generate a synthetic workspace of N sending domains for `sendlint audit` benchmarks.

Writes DIR/manifest.json (SPEC §5), DIR/zones/<zone>.zone (one zone per
organization, plus amazonses.com with SES's SPF record so SPF includes resolve
locally, plus the DNS providers' zones, whose name server names all have an A
record at --ns-ip, so the zones' NS names resolve to the server that serves
them and propagation checks really run) and DIR/mailfrom-domains.txt (the MAIL
FROM names, for checkdmarc).

The mix is what support sees: most domains correct, the rest with one of the
recurring mistakes (quoted or split DKIM, doubled suffix, wrong region, MX
priority in the value, missing or misspelled DMARC, missing SPF include, Easy
DKIM CNAME, truncated or different key, nothing published yet, MAIL FROM
records under a doubled suffix or under `10.send…`), a few organizations whose
zone is not served at all (no zone file: an authoritative server answers
REFUSED), a few domains claimed by two organizations and a few DKIM keys reused
across domains.

Keys are synthetic RSA SubjectPublicKeyInfo structures (random 2048-bit odd
moduli, e = 65537): they decode like real keys, and cost nothing to make.

    python3 bench/gen-workspace.py --domains 2000 --out /tmp/ws [--seed 1] [--ns-ip 127.0.0.1]
"""

import argparse
import base64
import json
import os
import random

REGIONS = ["us-east-1"] * 6 + ["eu-west-1", "us-west-2", "ap-southeast-2", "eu-central-1"]
PROVIDERS = {
    "cloudflare": ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"],
    "godaddy": ["ns51.domaincontrol.com", "ns52.domaincontrol.com"],
    "namecheap": ["dns1.registrar-servers.com", "dns2.registrar-servers.com"],
    "route53": ["ns-1.awsdns-01.org", "ns-2.awsdns-02.net"],
    "google": ["ns-cloud-a1.googledomains.com", "ns-cloud-a2.googledomains.com"],
    "other": ["ns1.example-dns.test", "ns2.example-dns.test"],
}
PROVIDER_WEIGHTS = [30, 25, 10, 20, 5, 10]
# Faults and their weights (per 100 domains); "ok" is everything else.
FAULTS = [
    ("ok", 55),
    ("dkim_quoted", 5),
    ("dkim_split", 4),
    ("dkim_truncated", 3),
    ("dkim_doubled", 3),
    ("dkim_mismatch", 2),
    ("dkim_cname", 2),
    ("mx_wrong_region", 3),
    ("mx_priority_in_value", 3),
    ("spf_missing_include", 3),
    ("spf_quoted", 2),
    ("dmarc_missing", 8),
    ("dmarc_syntax", 3),
    ("nothing_yet", 4),
    ("mailfrom_doubled", 2),
    ("mx_priority_in_host", 2),
]
# Share of organizations whose zone is not served (no zone file).
REFUSED_ZONES = 0.03
SES_SPF = ("v=spf1 ip4:199.255.192.0/21 ip4:199.127.232.0/22 ip4:54.240.0.0/18 "
           "ip4:69.169.224.0/20 ip4:23.249.208.0/20 ip4:23.251.224.0/19 ip4:76.223.176.0/20 "
           "ip4:54.240.64.0/19 ip4:54.240.96.0/19 ip4:52.82.172.0/22 -all")


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, body):
    return bytes([tag]) + der_len(len(body)) + body


def der_int(v):
    b = v.to_bytes((v.bit_length() + 8) // 8, "big")  # leading 0 keeps it positive
    return tlv(0x02, b)


def spki(rng, bits=2048):
    n = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
    rsa = tlv(0x30, der_int(n) + der_int(65537))
    alg = tlv(0x30, tlv(0x06, bytes.fromhex("2a864886f70d010101")) + b"\x05\x00")
    return base64.b64encode(tlv(0x30, alg + tlv(0x03, b"\x00" + rsa))).decode()


def txt(value):
    """A zone-file TXT rdata: the value in character-strings of at most 255 bytes."""
    parts = [value[i:i + 255] for i in range(0, len(value), 255)] or [""]
    return " ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--domains", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--claim-every", type=int, default=200,
                    help="every K-th entry is a second organization's claim of the entry before it")
    ap.add_argument("--key-reuse", type=float, default=0.01,
                    help="share of domains publishing one shared DKIM key")
    ap.add_argument("--ns-ip", default="127.0.0.1",
                    help="the address every provider name server name resolves to (the serving server)")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    zdir = os.path.join(a.out, "zones")
    os.makedirs(zdir, exist_ok=True)
    for f in os.listdir(zdir):
        os.remove(os.path.join(zdir, f))

    entries, mailfrom = [], []
    faults = [f for f, w in FAULTS for _ in range(w)]
    shared_key = spki(rng)
    n_org = 0
    while len(entries) < a.domains:
        n_org += 1
        org = f"org{n_org:06d}"
        zone = f"{org}.test"
        provider = rng.choices(list(PROVIDERS), PROVIDER_WEIGHTS)[0]
        served = rng.random() >= REFUSED_ZONES
        lines = [
            f"$ORIGIN {zone}.",
            "$TTL 300",
            f"@ IN SOA {PROVIDERS[provider][0]}. hostmaster.{zone}. 1 7200 3600 1209600 300",
        ] + [f"@ IN NS {ns}." for ns in PROVIDERS[provider]]
        # most organizations send from one subdomain; some from two; a few from the apex
        labels = rng.choices([["mail"], ["mail", "news"], [None]], [80, 15, 5])[0]
        for label in labels:
            if len(entries) >= a.domains:
                break
            domain = zone if label is None else f"{label}.{zone}"
            region = rng.choice(REGIONS)
            reuse = rng.random() < a.key_reuse
            selector = "sl1" if reuse else rng.choice(["sl1", "ses2026", "k1"])
            key = shared_key if reuse else spki(rng)
            fault = rng.choice(faults)
            e = {"org": org, "domain": domain, "region": region, "dkim_selector": selector,
                 "dkim_public_key": key, "from_addresses": [f"news@{domain}"],
                 "submitted_at": "2026-11-20T09:00:00Z"}
            if rng.random() < 0.03:
                e["from_addresses"].append(f"billing@{org}-payments.test")
            if rng.random() < 0.3:
                e["ses"] = {"dkim": rng.choice(["PENDING", "SUCCESS"]), "mail_from": "SUCCESS"}
            entries.append(e)
            # names relative to the zone
            sub = "" if label is None else f".{label}"
            mf = f"send{sub}"
            dk = f"{selector}._domainkey{sub}"
            dm = f"_dmarc{sub}"
            mailfrom.append(f"send.{domain}")
            if fault == "nothing_yet":
                continue
            if fault == "mailfrom_doubled":
                mf = f"send.{domain}.{zone}."
            elif fault == "mx_priority_in_host":
                mf = f"10.{mf}"
            mx_region = rng.choice([r for r in REGIONS if r != region]) if fault == "mx_wrong_region" else region
            if fault == "mx_priority_in_value":
                lines.append(f"{mf} IN MX 10 10\\ feedback-smtp.{mx_region}.amazonses.com.")
            else:
                lines.append(f"{mf} IN MX 10 feedback-smtp.{mx_region}.amazonses.com.")
            spf = "v=spf1 ~all" if fault == "spf_missing_include" else "v=spf1 include:amazonses.com ~all"
            lines.append(f"{mf} IN TXT {txt(chr(34) + spf + chr(34) if fault == 'spf_quoted' else spf)}")
            p = "p=" + key
            if fault == "dkim_quoted":
                lines.append(f"{dk} IN TXT {txt(chr(34) + p + chr(34))}")
            elif fault == "dkim_split":
                lines.append(f"{dk} IN TXT {txt(p[:255])}")
                lines.append(f"{dk} IN TXT {txt(p[255:])}")
            elif fault == "dkim_truncated":
                lines.append(f"{dk} IN TXT {txt(p[:255])}")
            elif fault == "dkim_doubled":
                lines.append(f"{selector}._domainkey.{domain}.{zone}. IN TXT {txt(p)}")
            elif fault == "dkim_mismatch":
                lines.append(f"{dk} IN TXT {txt('p=' + spki(rng))}")
            elif fault == "dkim_cname":
                lines.append(f"{dk} IN CNAME {selector}.dkim.amazonses.com.")
            else:
                lines.append(f"{dk} IN TXT {txt('v=DKIM1; k=rsa; ' + p)}")
            if fault == "dmarc_syntax":
                lines.append(f"{dm} IN TXT {txt('v=DMARC1; p=quarantne; rua=mailto:dmarc@' + zone)}")
            elif fault != "dmarc_missing":
                lines.append(f"{dm} IN TXT {txt('v=DMARC1; p=none; rua=mailto:dmarc@' + zone)}")
        if served:
            with open(os.path.join(zdir, f"{zone}.zone"), "w") as f:
                f.write("\n".join(lines) + "\n")

    # ~0.5% of the domains are claimed again by a second organization
    for i in range(a.claim_every // 2, len(entries), a.claim_every):
        entries[i] = dict(entries[i - 1], org=f"other{i:06d}")

    with open(os.path.join(zdir, "amazonses.com.zone"), "w") as f:
        f.write("$ORIGIN amazonses.com.\n$TTL 300\n"
                "@ IN SOA ns1.amazonses.com. hostmaster.amazonses.com. 1 7200 3600 1209600 300\n"
                "@ IN NS ns1.amazonses.com.\n"
                f"ns1 IN A {a.ns_ip}\n"
                f"@ IN TXT {txt(SES_SPF)}\n")
    # the providers' zones: every name server name has an address, the serving server's
    by_zone = {}
    for names in list(PROVIDERS.values()) + [["ns1.amazonses.com"]]:
        for ns in names:
            zone = ns.split(".", 1)[1] if ns.count(".") >= 2 else ns
            # ada.ns.cloudflare.com and ns1.amazonses.com: the registrable name is the zone
            zone = ".".join(zone.split(".")[-2:])
            by_zone.setdefault(zone, []).append(ns)
    for zone, names in sorted(by_zone.items()):
        rel = [ns[: -len(zone) - 1] for ns in names]
        body = "".join(f"{r} IN A {a.ns_ip}\n" for r in rel)
        if zone == "amazonses.com":
            continue  # written below, with SES's SPF
        with open(os.path.join(zdir, f"{zone}.zone"), "w") as f:
            f.write(f"$ORIGIN {zone}.\n$TTL 300\n"
                    f"@ IN SOA {names[0]}. hostmaster.{zone}. 1 7200 3600 1209600 300\n"
                    + "".join(f"@ IN NS {ns}.\n" for ns in names) + body)
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        f.write('{"domains": [\n')
        f.write(",\n".join(json.dumps(e) for e in entries))
        f.write("\n]}\n")
    with open(os.path.join(a.out, "mailfrom-domains.txt"), "w") as f:
        f.write("\n".join(sorted(set(f"send.{e['domain']}" for e in entries))) + "\n")
    print(f"{len(entries)} entries, {n_org} zones -> {a.out}")


if __name__ == "__main__":
    main()
